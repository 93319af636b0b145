"""TFS104: a scope or variable name TF rejects."""

from typing import Iterator

from scopelint.engine.validity import VALID_OP_NAME, VALID_SCOPE_NAME
from scopelint.facts import Finding, InvalidNameFact, ModuleFacts
from scopelint.rules import Rule, codes
from scopelint.rules.common import Message, once_per_site

CODE = codes.INVALID_NAME


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, ((fact, _message(fact))
                                      for fact in facts.invalid_names))


def _message(fact: InvalidNameFact) -> Message:
    if fact.root is None:  # the enclosing name scope is unknown; both patterns reject it
        return (f"TF rejects the scope name '{fact.text}': a scope name has to match the "
                f"following pattern: {VALID_SCOPE_NAME.pattern}"), ()
    kind, regex = ("root scope", VALID_OP_NAME) if fact.root else ("scope", VALID_SCOPE_NAME)
    return (f"TF raises ValueError: '{fact.text}' is not a valid {kind} name. A {kind} name "
            f"has to match the following pattern: {regex.pattern}"), ()


RULE = Rule(
    code=CODE, name="invalid-name",
    summary="a scope or variable name TF rejects",
    what="Checks the names given to `tf.variable_scope`, `tf.name_scope`, `tf.get_variable`, "
         "`tf.Variable` and named `tf.layers` calls against TF's own patterns "
         "(`_VALID_OP_NAME_REGEX` at the root, `_VALID_SCOPE_NAME_REGEX` inside a name "
         "scope): spaces, `:` and other characters, or a first character such as `_` at the "
         "root. A name with unknown parts is reported only when its known parts are wrong.",
    why="TF raises `ValueError: 'layer 1' is not a valid root scope name` while building the "
        "graph. `get_variable` checks the full variable name, so `get_variable(\"w:0\")` "
        "fails as well.",
    example="""
for i in range(3):
    with tf.variable_scope("layer %d" % i):  # TFS104
        w = tf.get_variable("w", [3, 3])
""",
    use_instead="""
for i in range(3):
    with tf.variable_scope("layer_%d" % i):
        w = tf.get_variable("w", [3, 3])
""",
    check=check,
)
