"""TFS206: a function takes `reuse` but its variable_scope never gets it."""

from typing import Iterator

from scopelint.facts import Finding, IgnoredReuseFact, Location, ModuleFacts, Outcome
from scopelint.rules import Rule
from scopelint.rules.common import Message, once_per_site, related_at, store_key


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    callers: dict[Location, Location] = {}
    for fact in facts.ignored_reuse:
        if fact.caller is not None:
            callers.setdefault(fact.loc, fact.caller)
    return once_per_site(path, "TFS206", (
        (fact, _message(fact, callers.get(fact.loc), facts)) for fact in facts.ignored_reuse))


def _message(fact: IgnoredReuseFact, caller: Location | None, facts: ModuleFacts) -> Message:
    text = (f"{fact.function}() takes `reuse` but never uses it: this variable_scope does not "
            f"get reuse=reuse, so a caller's reuse=True changes nothing")
    if caller is None:
        return text, ()
    raised = next((v for v in facts.variables if v.outcome is Outcome.DUPLICATE
                   and caller in v.stack), None)
    if raised is not None:
        outcome = (f"will raise 'Variable {store_key(raised)} already exists' "
                   f"(line {raised.loc.line})")
    else:
        outcome = "does not reuse anything"
    return (f"{text}; the call at line {caller.line} asks for reuse and {outcome}",
            (related_at(caller, "this call asks for reuse"),))


RULE = Rule(
    code="TFS206", name="ignored-reuse-parameter",
    summary="a function's reuse parameter never reaches its variable_scope",
    what="Finds a function or method with a `reuse` parameter that opens "
         "`tf.variable_scope(...)` without passing `reuse` to it and never reads `reuse` "
         "anywhere else. It is reported whether or not anything calls the function; when a "
         "call passes `reuse=True` (or `tf.AUTO_REUSE`), the message names that call and the "
         "error it raises.",
    why="The caller asks for shared weights (`critic(fake, reuse=True)`), but the scope "
        "never reuses: that call raises `Variable critic/out/kernel already exists`, or, "
        "when the names differ, silently builds a second set of weights.",
    example="""
def critic(x, reuse=False):
    with tf.variable_scope("critic"):  # TFS206: reuse is never passed
        return tf.layers.dense(x, 1, name="out")
""",
    fix="""
def critic(x, reuse=False):
    with tf.variable_scope("critic", reuse=reuse):
        return tf.layers.dense(x, 1, name="out")
""",
    autofix="Safe: `reuse=reuse` is passed to the `variable_scope`.",
    check=check,
)
