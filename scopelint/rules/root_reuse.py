"""TFS205: reuse_variables() on the root variable scope leaks reuse to all later code."""

from typing import Iterator

from scopelint.facts import Finding, ModuleFacts, Outcome
from scopelint.rules import Rule


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    broken = {v.reuse_origin for v in facts.variables if v.reuse_origin is not None
              and (v.outcome is Outcome.MISSING or v.api == "Variable")}
    seen: set[tuple[int, int]] = set()
    for fact in facts.reuse_calls:
        key = (fact.loc.line, fact.loc.col)
        # Certain harm: later code fails, or the reuse escapes the function that set it:
        # into the root scope, or into an unknown caller's scope when that function goes on
        # to request variables under it (a discriminator reusing its own layers).
        escapes = fact.stack and fact.leaves_call and (fact.on_root or fact.used_after)
        if fact.on_root is False or key in seen or not (escapes or fact.loc in broken):
            continue
        seen.add(key)
        where = ("outside any variable_scope" if fact.on_root
                 else "with no variable_scope of its own, on the caller's scope")
        yield Finding(path, fact.loc.line, fact.loc.col, "TFS205",
                      f"reuse_variables() {where}: at the root scope it sets reuse for "
                      f"everything built afterwards, so new variables (an optimizer's slots) "
                      f"fail with 'does not exist'; open a variable_scope and reuse inside it")


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
    check=check,
)
