"""TFS208: a positional argument TF binds to another parameter than it looks meant for."""

from typing import Iterator

from scopelint.facts import Finding, MisplacedArgFact, ModuleFacts
from scopelint.rules import WARNING, FixIn, Rule, codes
from scopelint.rules.common import once_per_site

CODE = codes.MISPLACED_ARG


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, ((fact, (_message(fact), ()))
                                      for fact in facts.misplaced_args))


def _message(fact: MisplacedArgFact) -> str:
    if fact.lands:  # a scope object where the default name goes, after a name
        return (f"{fact.api}() binds the scope object {fact.text} to `{fact.param}`, which TF "
                f"ignores when a name is given: the variables here go to '{fact.lands}/', "
                f"not into {fact.text}")
    return (f"{fact.api}() binds {fact.text} to `{fact.param}`, not `{fact.meant}`: "
            f"pass it as {fact.meant}={fact.text}")


RULE = Rule(
    code=CODE, name="misplaced-positional-argument",
    summary="a positional argument lands on another parameter of a scope API or layer",
    what="Checks positional arguments of `tf.VariableScope`, `tf.variable_scope`, "
         "`tf.get_variable` / `tf.get_local_variable` and `tf.Variable` against TF's "
         "signatures: a name given first to `VariableScope` (its first parameter is `reuse`), "
         "a reuse flag given second to `variable_scope` (`default_name`), a scope object or "
         "a list of tensors given second to `variable_scope` after a name (`default_name`, "
         "which TF ignores when a name is given), a dtype given "
         "second to `get_variable` (`shape`), an initializer given third (`dtype`), a name "
         "or dtype given second to `tf.Variable` (`trainable`); a string given by position "
         "to a `tf.layers` or slim / `tf.contrib.layers` layer where no string goes "
         "(`conv2d(x, 32, 3, \"conv1\")` binds the name to `strides`; padding, data formats "
         "and activations by name are strings there).",
    why="The value silently lands elsewhere: `tf.VariableScope(\"policy\")` is an unnamed "
        "scope whose `reuse` is the string \"policy\"; `tf.variable_scope(\"d\", reuse)` "
        "never reuses; `tf.variable_scope(\"dec\", shared_scope)` opens `dec/`, not "
        "`shared_scope`, so its variables are new ones under `dec/`; "
        "`tf.Variable(0, \"global_step\")` is named `Variable:0`; "
        "`get_variable(\"w\", [3], tf.zeros_initializer())` raises a TypeError, and so "
        "does a layer's name given as its strides or activation.",
    example="""
with tf.variable_scope("disc", tf.AUTO_REUSE):  # TFS208: AUTO_REUSE lands on default_name
    w = tf.get_variable("w", [3])
step = tf.Variable(0, "global_step")  # TFS208: named 'Variable:0'
""",
    use_instead="""
with tf.variable_scope("disc", reuse=tf.AUTO_REUSE):
    w = tf.get_variable("w", [3])
step = tf.Variable(0, name="global_step", trainable=False)
""",
    autofix="Safe: the argument is passed by the keyword it was meant for (`reuse=`, "
            "`initializer=`, `dtype=`, `values=` for a list or tuple, a layer's `name=` or "
            "`scope=`), and the positional "
            "ones after it by "
            "their own keywords. Unsafe for `tf.Variable` (`name=`, `dtype=`): the variable it "
            "made gets another checkpoint name or dtype. None for `VariableScope(\"name\")` "
            "(its `reuse` is required and unknown), for an ignored scope object (entering "
            "it, or nesting in it, is unknown), for a dtype given as a new variable's "
            "shape (the shape is missing), and for a `tf.Variable` with positional arguments "
            "after the misplaced one (TF 2's `tf.compat.v1.Variable` binds them differently).",
    severity=WARNING,
    check=check,
    fix=FixIn("scopelint.rules.misplaced_arg_fix"),
)
