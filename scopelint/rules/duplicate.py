"""TFS101: get_variable (or a named tf.layers call) makes a variable that already exists."""

from typing import Iterator

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, VariableFact
from scopelint.rules import FixIn, Rule, codes
from scopelint.rules.common import (
    Message,
    first_errors,
    first_requests,
    once_per_site,
    message_home,
    related_at,
    repeat_origin,
    store_key,
)
from scopelint.rules.ignored_reuse import ignoring_call

CODE = codes.DUPLICATE


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    made = first_requests(facts)
    return once_per_site(path, CODE, ((fact, _message(fact, made, facts, path))
                                      for fact in first_errors(facts)
                                      if fact.outcome is Outcome.DUPLICATE))


def _message(fact: VariableFact, made: dict[tuple[Location, str], VariableFact],
             facts: ModuleFacts, here: str) -> Message:
    key = store_key(fact)
    origin, related = repeat_origin(fact, made.get((fact.first, key)) if fact.first else None,
                                    here)
    cause = ignoring_call(fact, facts)
    if cause is not None:  # one cause: the TFS206 names this line, this names it
        origin += (f"; {cause.function}() ignores that call's reuse=True "
                   f"({codes.IGNORED_REUSE} at {cause.loc.where(message_home(fact, here), here)})")
        related += (related_at(cause.loc, f"{cause.function}() ignores its reuse parameter"),)
    return (f"duplicate variable '{key}': {fact.api} creates it again in a scope that does not "
            f"reuse{f' ({origin})' if origin else ''}; TF raises 'Variable {key} already exists, "
            f"disallowed'"), related


RULE = Rule(
    code=CODE, name="duplicate-variable",
    summary="a variable is created twice in a scope that does not reuse",
    what="Finds `tf.get_variable` calls (and `tf.layers` calls with an explicit name) that ask "
         "for a variable whose full name already exists while the variable scope does not "
         "reuse: repeats in one block, a scope re-entered by name or by scope object, a loop "
         "body that runs twice, and a function (a GAN discriminator) called a second time.",
    why="TensorFlow raises `ValueError: Variable foo/v already exists, disallowed. Did you mean "
        "to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?` while building the graph.",
    example="""
with tf.variable_scope("foo"):
    v = tf.get_variable("v", [1])
with tf.variable_scope("foo"):
    v2 = tf.get_variable("v", [1])  # TFS101
""",
    use_instead="""
with tf.variable_scope("foo"):
    v = tf.get_variable("v", [1])
with tf.variable_scope("foo", reuse=True):
    v2 = tf.get_variable("v", [1])
""",
    autofix="Safe, when the repeat comes from a second call of a function that takes a "
            "`reuse` parameter reaching its scope: `reuse=True` is passed at that call. "
            "Otherwise unsafe: when the line that made the variable asks for it again (a loop "
            "of towers, a discriminator called twice), `reuse=tf.AUTO_REUSE` on the "
            "`variable_scope` around the request (or, outside any, on the `tf.layers` call), "
            "so every later run shares its variables; when another line asks for it (a second "
            "head pasted from the first), sharing would hide the bug: the second "
            "`variable_scope` block (or the request's own name) gets a new name, `head_1`.",
    check=check,
    fix=FixIn("scopelint.rules.duplicate_fix"),
)
