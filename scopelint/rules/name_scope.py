"""TFS201: get_variable inside tf.name_scope: the name scope is not part of its name."""

from dataclasses import replace
from typing import Iterator

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, VariableFact
from scopelint.rules import WARNING, FixIn, Rule, codes
from scopelint.rules.common import Message, once_per_site

CODE = codes.NAME_SCOPE


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    # A call site that also reuses relies on the name scope being ignored (tower loops).
    sharing = {_site(f) for f in facts.variables if f.outcome is Outcome.REUSE}
    return once_per_site(path, CODE, (
        (_at_site(fact), _message(fact)) for fact in facts.variables
        if fact.ignored_name_scope and fact.expected_name and _site(fact) not in sharing
        and fact.key.rsplit("/", 1)[-1] not in LOOKED_UP_BY_NAME))


def _site(fact: VariableFact) -> Location:
    """Where the name scope is ignored: the helper call that names the variable, if any."""
    return fact.through or fact.loc


def _at_site(fact: VariableFact) -> VariableFact:
    """The fact as reported: at the helper call, reached through the calls leading to it."""
    if fact.through is None or fact.through not in fact.stack:
        return fact
    return replace(fact, loc=fact.through, stack=fact.stack[:fact.stack.index(fact.through)])


# Names TF's own utilities find by exact name (`tf.train.get_global_step()`): keeping them
# out of the name scope is what such code wants.
LOOKED_UP_BY_NAME = frozenset({"global_step"})


def _message(fact: VariableFact) -> Message:
    if fact.name:
        outcome = f"this variable is named '{fact.name}', not '{fact.expected_name}'"
    else:
        outcome = "the variable's name comes from the variable scope only"
    if fact.through is not None:
        return (f"{fact.helper}() calls get_variable, which ignores name_scope "
                f"'{fact.ignored_name_scope}': {outcome}"), ()
    return f"get_variable ignores name_scope '{fact.ignored_name_scope}': {outcome}", ()


RULE = Rule(
    code=CODE, name="get-variable-under-name-scope",
    summary="get_variable ignores the enclosing tf.name_scope",
    what="Finds `tf.get_variable` with a literal name written inside a "
         "`with tf.name_scope(...)` block with no `tf.variable_scope` in between, and calls "
         "of a project's own helper (`weight(\"w\", shape)`, in any module) that hands "
         "`get_variable` the literal name it is given, reported at that call. A call "
         "site that also reuses the same variable under another name scope (a multi-GPU "
         "tower loop), or whose name comes from a parameter (the caller decides the full "
         "name), is not reported.",
    why="`get_variable` names variables after the variable scope only: the name scope's "
        "prefix is silently dropped, so names, checkpoints and sharing differ from what the "
        "code suggests (`var1:0`, not `a_name_scope/var1:0`).",
    example="""
with tf.name_scope("layer1"):
    w = tf.get_variable("w", [3, 3])  # TFS201: named 'w:0'
""",
    use_instead="""
with tf.variable_scope("layer1"):
    w = tf.get_variable("w", [3, 3])  # 'layer1/w:0'
""",
    autofix="Unsafe: the `tf.name_scope(X)` becomes `tf.variable_scope(X)` (not when it is "
            "bound with `as`, whose value would change from a string to a VariableScope). "
            "The variables' names gain the prefix, and names of ops under it can change.",
    severity=WARNING,
    check=check,
    fix=FixIn("scopelint.rules.name_scope_fix"),
)
