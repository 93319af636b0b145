"""TFS205: reuse_variables() on the root variable scope leaks reuse to all later code."""

from typing import Iterator

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, ReuseCallFact
from scopelint.rules import Rule
from scopelint.rules.common import Message, once_per_site


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    broken = {v.reuse_origin for v in facts.variables if v.reuse_origin is not None
              and (v.outcome is Outcome.MISSING or v.api == "Variable")}
    return once_per_site(path, "TFS205", ((fact, _message(fact))
                                          for fact in facts.reuse_calls
                                          if _harmful(fact, broken)))


def _harmful(fact: ReuseCallFact, broken: set[Location]) -> bool:
    """Certain harm: later code fails, or the reuse escapes the function that set it: into
    the root scope, or into an unknown caller's scope when that function goes on to request
    variables under it (a discriminator reusing its own layers)."""
    if fact.on_root is False:
        return False
    escapes = bool(fact.stack) and fact.leaves_call and bool(fact.on_root or fact.used_after)
    return escapes or fact.loc in broken


def _message(fact: ReuseCallFact) -> Message:
    where = ("outside any variable_scope" if fact.on_root
             else "with no variable_scope of its own, on the caller's scope")
    return (f"reuse_variables() {where}: at the root scope it sets reuse for everything built "
            f"afterwards, so new variables (an optimizer's slots) fail with 'does not exist'; "
            f"open a variable_scope and reuse inside it"), ()


RULE = Rule(
    code="TFS205", name="root-reuse-leak",
    summary="reuse_variables() at the root scope leaks reuse",
    what="Finds `tf.get_variable_scope().reuse_variables()` run outside any "
         "`tf.variable_scope` (at the root scope), or in a function that opens no variable "
         "scope of its own and so sets reuse on its caller's scope; reported where the "
         "reuse escapes the function that set it, or where later code then fails.",
    why="The root scope then reuses for the rest of the graph: every new variable, typically "
        "an optimizer's slot variables in `minimize()`, fails with `ValueError: Variable "
        "d_w/Adam/ does not exist`. A documented bug in public GAN and multi-GPU scripts.",
    example="""
def discriminator(x, reuse=False):
    if reuse:
        tf.get_variable_scope().reuse_variables()  # TFS205
    return tf.layers.dense(x, 1, name="d_fc")
""",
    fix="""
def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        return tf.layers.dense(x, 1, name="d_fc")
""",
    autofix="Unsafe. In a loop (multi-GPU towers) the loop is wrapped in `with "
            "tf.variable_scope(tf.get_variable_scope()):`, so the reuse ends with it. "
            "Elsewhere the call (or an `if reuse:` holding only it) becomes a `with "
            "tf.variable_scope(tf.get_variable_scope(), reuse=True):` block (`reuse=reuse` "
            "for the `if`) around the statements after it, ending before the first one that "
            "needs reuse off (the fix's message says where the block ends); when that is the "
            "very next statement, the call is removed. Names of ops under the new scope can "
            "change.",
    check=check,
)
