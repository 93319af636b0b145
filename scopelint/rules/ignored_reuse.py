"""TFS206: a function takes `reuse` but its variable_scope never gets it."""

from __future__ import annotations

from typing import Iterator

from scopelint.facts import (
    Finding, IgnoredReuseFact, Location, ModuleFacts, Outcome, VariableFact,
)
from scopelint.rules import WARNING, FixIn, Rule, codes
from scopelint.rules.common import Message, message_home, related_at, store_key

CODE = codes.IGNORED_REUSE


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    """One finding per scope, in the function's own file: it is certain without any caller,
    so a file that only calls the function does not repeat it (its TFS101 names it)."""
    callers: dict[Location, Location] = {}
    for fact in facts.ignored_reuse:
        if fact.caller is not None:
            callers.setdefault(fact.loc, fact.caller)
    seen: set[Location] = set()
    for fact in facts.ignored_reuse:
        if fact.loc not in seen:
            seen.add(fact.loc)
            message, related = _message(fact, callers.get(fact.loc), facts, path)
            yield Finding(fact.loc.path or path, fact.loc.line, fact.loc.col, CODE, message,
                          related)


def ignoring_call(fact: VariableFact, facts: ModuleFacts) -> IgnoredReuseFact | None:
    """The ignored `reuse` parameter behind a request, when a call on its stack asked for
    reuse that the function never passed on."""
    stack = set(fact.stack)
    return next((f for f in facts.ignored_reuse if f.caller in stack), None)


def _message(fact: IgnoredReuseFact, caller: Location | None, facts: ModuleFacts,
             here: str) -> Message:
    text = (f"{fact.function}() takes `reuse` but never uses it: this variable_scope does not "
            f"get reuse=reuse, so a caller's reuse=True changes nothing")
    if caller is None:
        return text, ()
    home = message_home(fact, here)
    related = [related_at(caller, "this call asks for reuse")]
    raised = next((v for v in facts.variables if v.outcome is Outcome.DUPLICATE
                   and caller in v.stack), None)
    if raised is not None:
        outcome = (f"will raise 'Variable {store_key(raised)} already exists' "
                   f"(at {raised.loc.where(home, here)})")
        related.append(related_at(raised.loc, f"TF raises here ({codes.DUPLICATE})"))
    else:
        outcome = "does not reuse anything"
    return (f"{text}; the call at {caller.where(home, here)} asks for reuse and {outcome}",
            tuple(related))


RULE = Rule(
    code=CODE, name="ignored-reuse-parameter",
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
    use_instead="""
def critic(x, reuse=False):
    with tf.variable_scope("critic", reuse=reuse):
        return tf.layers.dense(x, 1, name="out")
""",
    autofix="Safe: `reuse=reuse` is passed to the `variable_scope`.",
    severity=WARNING,
    check=check,
    fix=FixIn("scopelint.rules.ignored_reuse_fix"),
)
