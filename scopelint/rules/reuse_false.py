"""TFS204: reuse=False inside a reusing scope does not turn reuse off."""

from typing import Iterator

from scopelint.facts import Finding, ModuleFacts, Reuse
from scopelint.rules import WARNING, Rule, codes
from scopelint.rules.common import REUSE_WORDS, once_per_site

CODE = codes.REUSE_FALSE


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, (
        (fact, (f"reuse=False does not turn reuse off: variable scope "
                    f"'{fact.variable_scope}' still has {REUSE_WORDS[fact.reuse]}", ()))
        for fact in facts.scopes
        if fact.explicit_false and fact.reuse in (Reuse.YES, Reuse.AUTO)))


RULE = Rule(
    code=CODE, name="reuse-false-inside-reuse",
    summary="reuse=False inside a reusing scope still reuses",
    what="Finds `tf.variable_scope(..., reuse=False)` entered where the scope inherits reuse "
         "(inside a reusing scope, or re-entering a scope object that reuses).",
    why="TF treats `reuse=False` like `None`: the scope inherits reuse, so `get_variable` "
        "still fetches and fails with `does not exist` for new names.",
    example="""
with tf.variable_scope("a"):
    with tf.variable_scope("b"):
        v = tf.get_variable("v", [1])
with tf.variable_scope("a", reuse=True):
    with tf.variable_scope("b", reuse=False):  # TFS204: still reuses
        v_new = tf.get_variable("v", [1])  # fetches 'a/b/v'
""",
    use_instead="""
with tf.variable_scope("a"):
    with tf.variable_scope("b"):
        v = tf.get_variable("v", [1])
with tf.variable_scope("a_new"):
    with tf.variable_scope("b"):
        v_new = tf.get_variable("v", [1])
""",
    severity=WARNING,
    check=check,
)
