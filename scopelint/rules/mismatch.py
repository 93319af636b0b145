"""TFS103: a reused variable is requested with another literal shape or dtype."""

from typing import Iterator

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, VariableFact
from scopelint.rules import Rule, codes
from scopelint.rules.common import (
    Message,
    first_errors,
    first_requests,
    once_per_site,
    repeat_origin,
    store_key,
)

CODE = codes.MISMATCH


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    made = first_requests(facts)
    return once_per_site(path, CODE, ((fact, _message(fact, made, path))
                                      for fact in first_errors(facts)
                                      if fact.outcome is Outcome.MISMATCH))


def _message(fact: VariableFact, made: dict[tuple[Location, str], VariableFact],
             here: str) -> Message:
    key = store_key(fact)
    origin, related = repeat_origin(fact, made.get((fact.first, key)) if fact.first else None,
                                    here)
    return (f"reused variable '{key}' does not match: {fact.detail}"
            f"{f' ({origin})' if origin else ''}; TF raises 'Trying to share variable {key}'"
            ), related


RULE = Rule(
    code=CODE, name="reuse-mismatch",
    summary="a variable is reused with a different shape or dtype",
    what="Finds `get_variable` calls that reuse an existing variable but pass a literal shape "
         "or dtype different from the one it was created with, and layers reused on an "
         "input of another width (`tf.layers` and slim `dense` / `conv*`, RNN cells under "
         "`dynamic_rnn`): the kernel's shape (`[in, units]`, `[k, k, in_channels, filters]`, "
         "`[in + units, k * units]`) follows the input's last dimension, known from "
         "placeholders and constants through the ops and layers in between (`reshape`, "
         "`concat`, `matmul`, slicing, ...).",
    why="TensorFlow raises `ValueError: Trying to share variable w, but specified shape (3,) "
        "and found shape (2,).`",
    example="""
with tf.variable_scope("s"):
    w = tf.get_variable("w", [2])
with tf.variable_scope("s", reuse=True):
    w2 = tf.get_variable("w", [3])  # TFS103
""",
    use_instead="""
with tf.variable_scope("s"):
    w = tf.get_variable("w", [2])
with tf.variable_scope("s", reuse=True):
    w2 = tf.get_variable("w", [2])
""",
    check=check,
)
