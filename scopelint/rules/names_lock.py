"""TFS301: a predicted variable name, shape or dtype differs from the committed names lock.

The comparison spans files, so `scopelint check` makes it (see scopelint/lock.py).
"""

from scopelint.rules import Rule, codes

CODE = codes.NAMES_LOCK

RULE = Rule(
    code=CODE, name="names-lock-changed",
    summary="a variable name, shape or dtype changed since the names lock",
    what="With `names-lock = \"scopelint.lock\"` in `[tool.scopelint]`, compares the variables "
         "each checked file creates with the lock `scopelint names --write-lock` wrote. It "
         "reports, at the call site, a variable renamed since the lock (giving the old and the "
         "new name), a changed literal shape or dtype, and a variable the lock lacks; and, at its "
         "line in the lock, an entry the code no longer creates (or whose file is gone). Names "
         "scopelint cannot predict are never reported.",
    why="A renamed scope, a `name_scope` turned into a `variable_scope`, or a new layer that "
        "shifts `dense_1` to `dense_2` raises nothing while the graph is built; weeks later "
        "`Saver.restore` fails with `Key encoder/dense_1/kernel not found in checkpoint`, or "
        "old exported models stop loading.",
    example="""
# scopelint.lock: decoder/out/kernel [64,10] float32 model.py
with tf.variable_scope("head"):  # was "decoder"
    with tf.variable_scope("out"):
        w = tf.get_variable("kernel", [64, 10])  # TFS301: was 'decoder/out/kernel'
""",
    use_instead="""
# keep the old name, or, when the rename is intended (old checkpoints are converted):
#   scopelint names --write-lock scopelint.lock model.py
""",
)
