"""TFS201: get_variable inside tf.name_scope: the name scope is not part of its name."""

from typing import Iterator

from scopelint.facts import Finding, ModuleFacts, Outcome, VariableFact
from scopelint.rules import Rule
from scopelint.rules.common import Message, once_per_site


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    # A call site that also reuses relies on the name scope being ignored (tower loops).
    sharing = {f.loc for f in facts.variables if f.outcome is Outcome.REUSE}
    return once_per_site(path, "TFS201", (
        (fact, _message(fact)) for fact in facts.variables
        if fact.ignored_name_scope and fact.expected_name and fact.loc not in sharing
        and fact.key.rsplit("/", 1)[-1] not in LOOKED_UP_BY_NAME))


# Names TF's own utilities find by exact name (`tf.train.get_global_step()`): keeping them
# out of the name scope is what such code wants.
LOOKED_UP_BY_NAME = frozenset({"global_step"})


def _message(fact: VariableFact) -> Message:
    if fact.name:
        outcome = f"this variable is named '{fact.name}', not '{fact.expected_name}'"
    else:
        outcome = "the variable's name comes from the variable scope only"
    return f"get_variable ignores name_scope '{fact.ignored_name_scope}': {outcome}", ()


RULE = Rule(
    code="TFS201", name="get-variable-under-name-scope",
    summary="get_variable ignores the enclosing tf.name_scope",
    what="Finds `tf.get_variable` with a literal name written inside a "
         "`with tf.name_scope(...)` block with no `tf.variable_scope` in between. A call "
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
    fix="""
with tf.variable_scope("layer1"):
    w = tf.get_variable("w", [3, 3])  # 'layer1/w:0'
""",
    autofix="Unsafe: the `tf.name_scope(X)` becomes `tf.variable_scope(X)` (not when it is "
            "bound with `as`, whose value would change from a string to a VariableScope). "
            "The variables' names gain the prefix, and names of ops under it can change.",
    check=check,
)
