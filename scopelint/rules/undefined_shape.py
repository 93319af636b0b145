"""TFS106: a `get_variable` shape TF rejects with ValueError.

Found by a hook (`engine.hooks`) at each `get_variable` / `get_local_variable`, which reads
the `shape` and `initializer` values the replay has there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from scopelint.facts import Finding, ModuleFacts, UndefinedShapeFact
from scopelint.rules import FixIn, Rule, codes
from scopelint.rules.common import once_per_site

if TYPE_CHECKING:
    import libcst as cst

    from scopelint.engine.hooks import Hook, TFCall
    from scopelint.engine.values import Tensor, Value

CODE = codes.UNDEFINED_SHAPE

CONSTANT = "If initializer is a constant, do not specify shape."
UNDEFINED = ("The initializer passed is not valid. It should be a callable with no arguments "
             "and the shape should not be provided or an instance of "
             "`tf.keras.initializers.*' and `shape` should be fully defined.")


def hooks() -> dict[str, Hook]:
    from scopelint.engine.hooks import TF

    return {TF + api: rejected_shape for api in ("get_variable", "get_local_variable")}


def rejected_shape(call: TFCall) -> Iterator[UndefinedShapeFact]:
    """A shape given with a constant initializer (a number, a list, a tensor), or one with a
    dimension written `None` in the call (a dimension scopelint does not know, or a None
    read from elsewhere, is no finding)."""
    from scopelint.engine.arguments import bind_args, dtype_of, is_none
    from scopelint.engine.cstwalk import source_of
    from scopelint.engine.values import Const

    if call.kwargs.spread:
        return
    bound = bind_args("get_variable", list(call.args), call.kwargs)
    shape = _written_dims(bound.get("shape"))
    if shape is None:
        return
    initializer = _constant(bound.get("initializer"))
    dtype = bound.get("dtype", Const(None))
    if initializer is not None and not is_none(dtype) and (
            initializer.dtype is None or initializer.dtype != dtype_of(dtype)):
        initializer = None  # TF may raise `Initializer type ... don't match` first
    if initializer is not None or (None in shape and _nones_written(call.node, shape)):
        text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
        yield UndefinedShapeFact(call.loc, source_of(call.node.func), text,
                                 initializer is not None,
                                 initializer is not None and initializer.shape == shape
                                 and None not in shape,
                                 call.variables_before, call.stack)


def _written_dims(value: Optional[Value]) -> Optional[tuple[Optional[int], ...]]:
    """A shape whose every dimension is known, an int or None (`[None, 10]`, `8`)."""
    from scopelint.engine.values import Const, Seq, StaticShape

    if isinstance(value, Const) and type(value.value) is int:
        return (value.value,)
    if isinstance(value, Seq) and not isinstance(value, StaticShape) and all(
            isinstance(d, Const) and (d.value is None or type(d.value) is int)
            for d in value.items):
        return tuple(d.value for d in value.items if isinstance(d, Const))
    return None


def _nones_written(node: cst.Call, shape: tuple[Optional[int], ...]) -> bool:
    """Each None of `shape` is written `None` in the call's shape list: certain, where a
    None the replay read from an attribute or a default may be set where it cannot see."""
    import libcst as cst

    positional = [a for a in node.args if a.keyword is None]
    if any(a.star for a in node.args):
        return False
    arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "shape"),
               positional[1] if len(positional) > 1 else None)
    items = arg.value.elements if arg is not None and isinstance(
        arg.value, (cst.List, cst.Tuple)) else ()
    return len(items) == len(shape) and all(
        isinstance(item.value, cst.Name) and item.value.value == "None"
        for item, dim in zip(items, shape) if dim is None)


def _constant(value: Optional[Value]) -> Optional[Tensor]:
    """An initializer TF takes as the initial value, as a tensor: not callable (a number,
    a list, a tensor whose shape scopelint knows)."""
    from scopelint.engine.shapes import as_tensor
    from scopelint.engine.values import Const, Seq, StaticShape, Tensor

    if (isinstance(value, Const) and type(value.value) in (int, float, bool)) or (
            isinstance(value, Seq) and not isinstance(value, StaticShape)) or (
            isinstance(value, Tensor) and value.shape is not None):
        return as_tensor(value)
    return None


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, (
        (fact, (f"TF raises ValueError at {fact.api}(): " + (
            f"`{CONSTANT}` (shape {fact.shape} given with a constant initializer)"
            if fact.constant else
            f"the new variable's shape {fact.shape} is not fully defined, so its "
            "initializer cannot make it"), ()))
        for fact in facts.undefined_shapes if fact.raises(facts.variables)))


RULE = Rule(
    code=CODE, name="undefined-variable-shape",
    summary="a get_variable shape TF rejects: not fully defined, or given with a constant "
            "initializer",
    what="Checks the `shape` of `tf.get_variable` / `tf.get_local_variable`: a shape with a "
         "dimension written as None (`[None, 10]`) for a new variable, and a shape given "
         "together with an initializer that is a constant (a Python number or list, a "
         "tensor such as `tf.constant(...)` or `tf.zeros(...)`), not an initializer object. "
         "A dimension scopelint cannot know (a placeholder's batch size read through "
         "`x.get_shape()[0]`) is not reported.",
    why=f"TF raises ValueError while building the graph. An initializer object needs a fully "
        f"defined shape to make the initial value: `{UNDEFINED}` (a variable fetched on "
        f"reuse is only checked for a compatible shape). A constant initializer is the "
        f"initial value itself, whose shape is the variable's: `{CONSTANT}`, also on reuse.",
    example="""
x = tf.placeholder(tf.float32, [None, 10])
w = tf.get_variable("w", [10, 10])
b = tf.get_variable("b", [10], initializer=tf.zeros([10]))  # TFS106: shape and a constant
y = tf.matmul(x, w) + b
""",
    use_instead="""
x = tf.placeholder(tf.float32, [None, 10])
w = tf.get_variable("w", [10, 10])
b = tf.get_variable("b", initializer=tf.zeros([10]))
y = tf.matmul(x, w) + b
""",
    autofix="Safe when the constant initializer has the shape and dtype given: `shape` is "
            "dropped (the variable is the same). None otherwise: which shape was meant is "
            "unknown.",
    check=check,
    hooks=hooks,
    fix=FixIn("scopelint.rules.undefined_shape_fix"),
)
