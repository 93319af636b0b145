"""TFS105: arguments a scope, variable or layer API rejects with TypeError.

Found by a hook (`engine.hooks`) at each call of an API whose signature the engine knows
(`engine.arguments.SIGNATURES`), which checks the argument values the replay has there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from scopelint.facts import Finding, InvalidArgFact, ModuleFacts
from scopelint.rules import FixIn, Rule, codes
from scopelint.rules.common import once_per_site

if TYPE_CHECKING:
    from scopelint.engine.hooks import Hook, TFCall

CODE = codes.INVALID_ARG


def hooks() -> dict[str, Hook]:
    """Every API with a known signature: by name, and the slim namespaces' layers."""
    from scopelint.engine.arguments import SIGNATURES
    from scopelint.engine.hooks import TF
    from scopelint.engine.tfapi import SLIM_NAMESPACES

    apis = [*SIGNATURES, "get_local_variable", *(space + "*" for space in SLIM_NAMESPACES)]
    return {TF + api: rejected_arguments for api in apis}


def rejected_arguments(call: TFCall) -> Iterator[InvalidArgFact]:
    """The arguments TF rejects with TypeError (`engine.arguments.rejected`); noted under a
    `try` that catches it as well: the code in it never runs as written."""
    from scopelint.engine.arguments import rejected, signature_key
    from scopelint.engine.cstwalk import source_of

    key = signature_key(call.path)
    reason = None if key is None else rejected(key, list(call.args), call.kwargs, call.node)
    if reason is not None:
        yield InvalidArgFact(call.loc, source_of(call.node.func), reason,
                             call.catches_type_error, call.variables_before, call.stack)


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, (
        (fact, (f"TF raises TypeError at {fact.api}(): {fact.reason}"
                + ("; the `except` around it catches that, so its other arm always runs "
                   "instead" if fact.caught else ""), ()))
        for fact in facts.invalid_args))


RULE = Rule(
    code=CODE, name="invalid-argument",
    summary="an argument a scope, variable or layer API rejects with TypeError",
    what="Checks the arguments of `tf.variable_scope`, `tf.name_scope`, `tf.get_variable` / "
         "`tf.get_local_variable`, `tf.Variable`, `tf.make_template`, the `tf.layers` "
         "functions and the tf_slim / `tf.contrib.layers` layers against their TF 1.15 "
         "signatures: a keyword they do not take (`variable_scope(..., name=...)`), an "
         "argument given both by position and by keyword, too many positional arguments, "
         "a name that is no string (a number, a list, a tensor, a scope object where only a "
         "string goes), `name_scope`'s `default_name` that is no string (a list of tensors "
         "meant for `values`), `variable_scope(None)` without a default name. Also inside a "
         "`try` whose `except TypeError:` / `except Exception:` runs other code instead: "
         "the code in the `try` never runs as written.",
    why="TF raises while building the graph: `variable_scope.__init__() got an unexpected "
        "keyword argument 'name'`, `VariableScope: name_or_scope must be a string or "
        "VariableScope.`, `` `default_name` type (<class 'list'>) is not a string type. You "
        "likely meant to pass this into the `values` kwarg.``. Under a `try` that catches "
        "it, the fallback always runs and the code it guards is dead.",
    example="""
logits = tf.placeholder(tf.float32, [None, 10])
labels = tf.placeholder(tf.float32, [None, 10])
with tf.name_scope("loss", [logits, labels]):  # TFS105: default_name is a list
    loss = tf.reduce_mean(logits - labels)
""",
    use_instead="""
logits = tf.placeholder(tf.float32, [None, 10])
labels = tf.placeholder(tf.float32, [None, 10])
with tf.name_scope("loss", values=[logits, labels]):
    loss = tf.reduce_mean(logits - labels)
""",
    autofix="Safe for a list or tuple written as `name_scope`'s second positional argument: "
            "it is passed as `values=` (what TF's message suggests; the name scope and every "
            "name stay the same). None for the others: what was meant is unknown.",
    check=check,
    hooks=hooks,
    fix=FixIn("scopelint.rules.invalid_arg_fix"),
)
