"""Static shapes and dtypes of tensors and variables, as TF infers them at graph build time.

A table maps each TF op scopelint models to its parameters and to a rule that
computes its output's static shape and dtype from its inputs' (`placeholder`,
`zeros`, `reshape`, `matmul`, `concat`, reductions, broadcasting arithmetic, ...);
the layers' weight shapes follow their input's last dimension. A dimension
scopelint cannot know stays None and a shape of unknown rank is None: nothing
is guessed. Each result also says which variables a gradient of it reaches
(`Tensor.grads`): the union of its inputs', empty for ops without a gradient.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping, Optional, Sequence

from scopelint.engine import tfapi
from scopelint.engine.values import (
    Const,
    Dims,
    OpOutput,
    Seq,
    StaticShape,
    Tensor,
    TFRef,
    Unknown,
    Value,
    Variable,
)

Shape = Optional[Dims]
Bound = dict[str, Value]
Grads = Optional[frozenset[Variable]]
FLOATS = frozenset({"float16", "float32", "float64", "bfloat16"})


# -- values as tensors ---------------------------------------------------------------------

def as_tensor(value: Optional[Value]) -> Optional[Tensor]:
    """What is known of a value used as a tensor: a tensor, a variable, a Python number or
    a nested list of them (`tf.constant([[1., 2.]])`); None for anything else."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Variable):
        if value.trainable is None or not value.name:
            grads: Grads = None
        else:
            grads = frozenset({value}) if value.trainable else frozenset()
        return Tensor(value.shape, value.dtype, grads)
    if isinstance(value, Const) and type(value.value) in (int, float, bool):
        return Tensor((), _python_dtype(value.value), frozenset())
    if isinstance(value, Seq) and not isinstance(value, StaticShape) and value.items:
        items = [t for t in (as_tensor(item) for item in value.items) if t is not None]
        if len(items) != len(value.items):
            return None
        first = items[0].shape
        same = all(item.shape == first for item in items)
        dtypes = {item.dtype for item in items}
        dtype = "float32" if "float32" in dtypes else dtypes.pop() if len(dtypes) == 1 else None
        shape = (len(items),) + first if same and first is not None else None
        return Tensor(shape, dtype, _union(items))
    return None


def _python_dtype(value: object) -> str:
    return {bool: "bool", int: "int32", float: "float32"}[type(value)]


def _union(tensors: Sequence[Optional[Tensor]]) -> Grads:
    found: set[Variable] = set()
    for tensor in tensors:
        if tensor is None or tensor.grads is None:
            return None
        found |= tensor.grads
    return frozenset(found)


def static_shape(value: Value) -> Optional[StaticShape]:
    """`value.shape` / `value.get_shape()` when its rank is known."""
    tensor = as_tensor(value) if isinstance(value, (Tensor, Variable)) else None
    if tensor is None or tensor.shape is None:
        return None
    return StaticShape(tuple(Unknown() if d is None else Const(d) for d in tensor.shape))


def dims(value: Optional[Value]) -> Shape:
    """A shape as code writes it: `[None, 32]`, `(2, 3)`, `8`, `x.get_shape()`; an item
    scopelint cannot know is an unknown dimension."""
    if isinstance(value, Const) and type(value.value) is int:
        return (value.value,)
    if isinstance(value, Seq):
        out: list[Optional[int]] = []
        for item in value.items:
            if isinstance(item, Const) and (item.value is None or type(item.value) is int):
                out.append(item.value)
            elif isinstance(item, (Const, Seq)):
                return None  # not a dimension: not a shape
            else:
                out.append(None)
        return tuple(out)
    return None


def known(shape: Shape) -> Optional[tuple[int, ...]]:
    """The shape when every dimension is known, else None."""
    if shape is None:
        return None
    sizes = tuple(d for d in shape if d is not None)
    return sizes if len(sizes) == len(shape) else None


# -- the op table ----------------------------------------------------------------------------

Rule = Callable[[Bound], tuple[Shape, Optional[str]]]


def _dtype(value: Optional[Value], default: Optional[str] = None) -> Optional[str]:
    if value is None or (isinstance(value, Const) and value.value is None):
        return default
    if isinstance(value, TFRef) and value.path in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(value.path, value.path)
    if isinstance(value, Const) and value.value in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(value.value, value.value)
    return None


def _input(b: Bound, key: str) -> Tensor:
    return as_tensor(b.get(key)) or Tensor()


def _int(value: Optional[Value]) -> Optional[int]:
    return value.value if isinstance(value, Const) and type(value.value) is int else None


def _axis(value: Optional[Value], rank: int, extra: int = 0) -> Optional[int]:
    """A literal axis in range, made non-negative (`extra`: the op adds a dimension)."""
    axis = _int(value)
    if axis is None or not -(rank + extra) <= axis < rank + extra:
        return None
    return axis + rank + extra if axis < 0 else axis


def _merge(a: Optional[int], b: Optional[int]) -> Optional[int]:
    return a if a is not None else b


def broadcast(a: Shape, b: Shape) -> Shape:
    """The shape of an elementwise op on `a` and `b` (numpy broadcasting; an unknown
    dimension against a known one other than 1 is that one, or TF raises)."""
    if a is None or b is None:
        return None
    rank = max(len(a), len(b))
    out: list[Optional[int]] = []
    for x, y in zip((1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b):
        if x == 1 or x == y:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            return None  # TF raises: incompatible shapes
    return tuple(out)


def _same(key: str) -> Rule:
    """An elementwise op on one input: its shape and dtype."""
    def rule(b: Bound) -> tuple[Shape, Optional[str]]:
        x = _input(b, key)
        return x.shape, x.dtype
    return rule


def _elementwise(dtype: Optional[str] = None) -> Rule:
    """An op on two inputs that broadcast (`add`, `maximum`, `equal`)."""
    def rule(b: Bound) -> tuple[Shape, Optional[str]]:
        x, y = _input(b, "x"), _input(b, "y")
        return broadcast(x.shape, y.shape), dtype or _binary_dtype(b.get("x"), b.get("y"))
    return rule


def _binary_dtype(left: Optional[Value], right: Optional[Value]) -> Optional[str]:
    """A Python number takes the tensor's dtype."""
    for side in (left, right):
        if isinstance(side, (Tensor, Variable)):
            tensor = as_tensor(side)
            return tensor.dtype if tensor is not None else None
    return None


def _filled(shape_key: str, dtype_key: Optional[str], default: Optional[str]) -> Rule:
    """`zeros(shape, dtype)`, `random_normal(shape, ..., dtype)`."""
    def rule(b: Bound) -> tuple[Shape, Optional[str]]:
        dtype = _dtype(b.get(dtype_key), default) if dtype_key else default
        return dims(b.get(shape_key)), dtype
    return rule


def _placeholder(b: Bound) -> tuple[Shape, Optional[str]]:
    return dims(b.get("shape")), _dtype(b.get("dtype"))


def _constant(b: Bound) -> tuple[Shape, Optional[str]]:
    value = as_tensor(b.get("value"))
    shape = dims(b.get("shape")) if b.get("shape") is not None else None
    if shape is None and value is not None:
        shape = value.shape
    return shape, _dtype(b.get("dtype"), value.dtype if value else None)


def _fill(b: Bound) -> tuple[Shape, Optional[str]]:
    value = as_tensor(b.get("value"))
    return dims(b.get("dims")), value.dtype if value else None


def _like(b: Bound) -> tuple[Shape, Optional[str]]:
    x = _input(b, "tensor")
    return x.shape, _dtype(b.get("dtype"), x.dtype)


def _reshape(b: Bound) -> tuple[Shape, Optional[str]]:
    x = _input(b, "tensor")
    target = dims(b.get("shape"))
    if target is None:
        return None, x.dtype
    out = list(target)
    if out.count(-1) == 1:
        size, rest = known(x.shape), [d for d in out if d != -1]
        total = math.prod(size) if size is not None else None
        free = None
        sizes = [d for d in rest if d is not None]
        if total is not None and len(sizes) == len(rest):
            part = math.prod(sizes)
            free = total // part if part and total % part == 0 else None
        out[out.index(-1)] = free
    return tuple(out), x.dtype


def _matmul(b: Bound) -> tuple[Shape, Optional[str]]:
    x, y = _input(b, "a"), _input(b, "b")
    if x.shape is None or y.shape is None or len(x.shape) != len(y.shape) or len(x.shape) < 2:
        return None, x.dtype or y.dtype
    a, c = x.shape[-2:], y.shape[-2:]
    if _truth(b.get("transpose_a")) or _truth(b.get("adjoint_a")):
        a = a[::-1]
    if _truth(b.get("transpose_b")) or _truth(b.get("adjoint_b")):
        c = c[::-1]
    batch = tuple(_merge(p, q) for p, q in zip(x.shape[:-2], y.shape[:-2]))
    return batch + (a[0], c[1]), x.dtype or y.dtype


def _truth(value: Optional[Value]) -> bool:
    return isinstance(value, Const) and bool(value.value)


def _inputs(b: Bound, key: str) -> Optional[list[Tensor]]:
    values = b.get(key)
    if not isinstance(values, Seq) or not values.items:
        return None
    tensors = [t for t in (as_tensor(v) for v in values.items) if t is not None]
    return tensors if len(tensors) == len(values.items) else None


def _concat(b: Bound) -> tuple[Shape, Optional[str]]:
    tensors = _inputs(b, "values")
    if tensors is None:
        return None, None
    dtype = tensors[0].dtype
    shapes = [t.shape for t in tensors if t.shape is not None]
    if len(shapes) != len(tensors) or any(len(s) != len(shapes[0]) for s in shapes):
        return None, dtype
    rank = len(shapes[0])
    axis = _axis(b.get("axis"), rank)
    if axis is None:
        return None, dtype
    out: list[Optional[int]] = []
    for i in range(rank):
        column = [s[i] for s in shapes]
        if i == axis:
            sizes = [d for d in column if d is not None]
            out.append(sum(sizes) if len(sizes) == len(column) else None)
        else:
            out.append(next((d for d in column if d is not None), None))
    return tuple(out), dtype


def _stack(b: Bound) -> tuple[Shape, Optional[str]]:
    tensors = _inputs(b, "values")
    if tensors is None:
        return None, None
    first = tensors[0].shape
    if first is None or any(t.shape is None or len(t.shape) != len(first) for t in tensors):
        return None, tensors[0].dtype
    axis = _axis(b.get("axis", Const(0)), len(first), extra=1)
    if axis is None:
        return None, tensors[0].dtype
    merged = [next((d for d in column if d is not None), None)
              for column in zip(*(t.shape for t in tensors))]
    return tuple(merged[:axis] + [len(tensors)] + merged[axis:]), tensors[0].dtype


def _expand_dims(b: Bound) -> tuple[Shape, Optional[str]]:
    x = _input(b, "input")
    if x.shape is None:
        return None, x.dtype
    axis = _axis(b.get("axis") if b.get("axis") is not None else b.get("dim"), len(x.shape),
                 extra=1)
    if axis is None:
        return None, x.dtype
    return x.shape[:axis] + (1,) + x.shape[axis:], x.dtype


def _squeeze(b: Bound) -> tuple[Shape, Optional[str]]:
    x = _input(b, "input")
    axes = b.get("axis") if b.get("axis") is not None else b.get("squeeze_dims")
    if x.shape is None:
        return None, x.dtype
    if axes is None or (isinstance(axes, Const) and axes.value is None):
        if any(d is None for d in x.shape):
            return None, x.dtype  # an unknown dimension may be 1
        return tuple(d for d in x.shape if d != 1), x.dtype
    listed = axes.items if isinstance(axes, Seq) else (axes,)
    drop = {_axis(a, len(x.shape)) for a in listed}
    if None in drop:
        return None, x.dtype
    return tuple(d for i, d in enumerate(x.shape) if i not in drop), x.dtype


def _transpose(b: Bound) -> tuple[Shape, Optional[str]]:
    x = _input(b, "a")
    if x.shape is None:
        return None, x.dtype
    perm = b.get("perm")
    if perm is None or (isinstance(perm, Const) and perm.value is None):
        return x.shape[::-1], x.dtype
    order = [_axis(p, len(x.shape)) for p in perm.items] if isinstance(perm, Seq) else [None]
    axes = [a for a in order if a is not None]
    if len(axes) != len(order) or sorted(axes) != list(range(len(x.shape))):
        return None, x.dtype
    return tuple(x.shape[i] for i in axes), x.dtype


def _cast(b: Bound) -> tuple[Shape, Optional[str]]:
    return _input(b, "x").shape, _dtype(b.get("dtype"))


def _reduce(dtype: Optional[str] = None) -> Rule:
    """`reduce_mean(x, axis, keepdims)` and friends; `argmax(x, axis)` (TF1: axis 0)."""
    def rule(b: Bound) -> tuple[Shape, Optional[str]]:
        x = _input(b, "input_tensor")
        out_dtype = dtype or x.dtype
        axis = next((b[k] for k in ("axis", "reduction_indices", "dimension")
                     if b.get(k) is not None and not _none(b[k])), None)
        keep = _truth(b.get("keepdims")) or _truth(b.get("keep_dims"))
        if axis is None and dtype == "int64":
            axis = Const(0)  # argmax / argmin without an axis reduce the first one
        if x.shape is None:
            return (() if axis is None and not keep else None), out_dtype
        if axis is None:
            return ((1,) * len(x.shape) if keep else ()), out_dtype
        listed = axis.items if isinstance(axis, Seq) else (axis,)
        drop = {_axis(a, len(x.shape)) for a in listed}
        if None in drop:
            return None, out_dtype
        return tuple(1 if i in drop else d for i, d in enumerate(x.shape)
                     if keep or i not in drop), out_dtype
    return rule


def _none(value: Optional[Value]) -> bool:
    return isinstance(value, Const) and value.value is None


def _scalar(dtype: Optional[str] = None, key: str = "") -> Rule:
    """A scalar: a loss, `nn.l2_loss`, `size`, `rank`."""
    def rule(b: Bound) -> tuple[Shape, Optional[str]]:
        return (), dtype or (_input(b, key).dtype if key else None)
    return rule


def _shape_op(b: Bound) -> tuple[Shape, Optional[str]]:
    x = _input(b, "input")
    rank = len(x.shape) if x.shape is not None else None
    return (rank,), _dtype(b.get("out_type"), "int32")


def _one_hot(b: Bound) -> tuple[Shape, Optional[str]]:
    x, depth = _input(b, "indices"), _int(b.get("depth"))
    axis = b.get("axis")
    if x.shape is None or not (axis is None or _none(axis) or _int(axis) == -1):
        return None, _dtype(b.get("dtype"), "float32")
    return x.shape + (depth,), _dtype(b.get("dtype"), "float32")


def _embedding_lookup(b: Bound) -> tuple[Shape, Optional[str]]:
    params, ids = _input(b, "params"), _input(b, "ids")
    if params.shape is None or ids.shape is None or not params.shape:
        return None, params.dtype
    return ids.shape + params.shape[1:], params.dtype


def _logits_loss(keep_last: bool) -> Rule:
    """`nn.softmax_cross_entropy_with_logits`: one loss per example (the class axis goes);
    `nn.sigmoid_cross_entropy_with_logits`: one per logit."""
    def rule(b: Bound) -> tuple[Shape, Optional[str]]:
        logits = _input(b, "logits")
        if logits.shape is None or not logits.shape:
            return None, logits.dtype
        return (logits.shape if keep_last else logits.shape[:-1]), logits.dtype
    return rule


def _sparse_loss(b: Bound) -> tuple[Shape, Optional[str]]:
    return _input(b, "labels").shape, _input(b, "logits").dtype


def _flatten(b: Bound) -> tuple[Shape, Optional[str]]:
    """`layers.flatten` / slim's `flatten`: `[batch, the product of the rest]`."""
    x = _input(b, "inputs")
    if x.shape is None or not x.shape:
        return None, x.dtype
    rest = known(x.shape[1:])
    return (x.shape[0], math.prod(rest) if rest is not None else None), x.dtype


_UNARY = ("abs", "negative", "square", "sqrt", "rsqrt", "exp", "log", "log1p", "sigmoid",
          "tanh", "nn.relu", "nn.relu6", "nn.elu", "nn.selu", "nn.leaky_relu", "nn.sigmoid",
          "nn.tanh", "nn.softmax", "nn.log_softmax", "nn.softplus", "nn.softsign",
          "identity", "stop_gradient", "nn.dropout", "nn.l2_normalize", "clip_by_value",
          "clip_by_norm", "sin", "cos", "reciprocal", "round", "floor", "ceil", "sign",
          "nn.local_response_normalization", "nn.lrn")
_BINARY = ("add", "subtract", "multiply", "divide", "truediv", "realdiv", "maximum", "minimum",
           "pow", "squared_difference", "mod", "floormod", "floordiv")
_COMPARISONS = ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
                "logical_and", "logical_or")
_REDUCTIONS = ("reduce_mean", "reduce_sum", "reduce_max", "reduce_min", "reduce_prod",
               "reduce_logsumexp")
_LOSSES = ("losses.mean_squared_error", "losses.absolute_difference", "losses.log_loss",
           "losses.huber_loss", "losses.hinge_loss", "losses.softmax_cross_entropy",
           "losses.sparse_softmax_cross_entropy", "losses.sigmoid_cross_entropy",
           "losses.cosine_distance")

# op path -> (its parameters in order, the rule for its output)
OPS: dict[str, tuple[tuple[str, ...], Rule]] = {
    "placeholder": (("dtype", "shape", "name"), _placeholder),
    "placeholder_with_default": (("input", "shape", "name"), lambda b: (
        dims(b.get("shape")), _input(b, "input").dtype)),
    "constant": (("value", "dtype", "shape", "name"), _constant),
    "convert_to_tensor": (("value", "dtype", "name"), _constant),
    "zeros": (("shape", "dtype", "name"), _filled("shape", "dtype", "float32")),
    "ones": (("shape", "dtype", "name"), _filled("shape", "dtype", "float32")),
    "fill": (("dims", "value", "name"), _fill),
    "zeros_like": (("tensor", "dtype", "name"), _like),
    "ones_like": (("tensor", "dtype", "name"), _like),
    "random_normal": (("shape", "mean", "stddev", "dtype"), _filled("shape", "dtype", "float32")),
    "random.normal": (("shape", "mean", "stddev", "dtype"), _filled("shape", "dtype", "float32")),
    "truncated_normal": (("shape", "mean", "stddev", "dtype"),
                         _filled("shape", "dtype", "float32")),
    "random.truncated_normal": (("shape", "mean", "stddev", "dtype"),
                                _filled("shape", "dtype", "float32")),
    "random_uniform": (("shape", "minval", "maxval", "dtype"),
                       _filled("shape", "dtype", "float32")),
    "random.uniform": (("shape", "minval", "maxval", "dtype"),
                       _filled("shape", "dtype", "float32")),
    "reshape": (("tensor", "shape", "name"), _reshape),
    "matmul": (("a", "b", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b"), _matmul),
    "concat": (("values", "axis", "name"), _concat),
    "stack": (("values", "axis", "name"), _stack),
    "expand_dims": (("input", "axis", "name", "dim"), _expand_dims),
    "squeeze": (("input", "axis", "name", "squeeze_dims"), _squeeze),
    "transpose": (("a", "perm", "name", "conjugate"), _transpose),
    "cast": (("x", "dtype", "name"), _cast),
    "to_float": (("x", "name"), lambda b: (_input(b, "x").shape, "float32")),
    "to_int32": (("x", "name"), lambda b: (_input(b, "x").shape, "int32")),
    "to_int64": (("x", "name"), lambda b: (_input(b, "x").shape, "int64")),
    "nn.bias_add": (("value", "bias"), _same("value")),
    "nn.l2_loss": (("t", "name"), _scalar(key="t")),
    "shape": (("input", "name", "out_type"), _shape_op),
    "size": (("input", "name", "out_type"), _scalar("int32")),
    "rank": (("input", "name"), _scalar("int32")),
    "argmax": (("input_tensor", "axis", "name", "dimension", "output_type"),
               _reduce("int64")),
    "argmin": (("input_tensor", "axis", "name", "dimension", "output_type"),
               _reduce("int64")),
    "one_hot": (("indices", "depth", "on_value", "off_value", "axis", "dtype"), _one_hot),
    "nn.embedding_lookup": (("params", "ids"), _embedding_lookup),
    "nn.softmax_cross_entropy_with_logits": (("_sentinel", "labels", "logits"),
                                             _logits_loss(False)),
    "nn.softmax_cross_entropy_with_logits_v2": (("_sentinel", "labels", "logits"),
                                                _logits_loss(False)),
    "nn.sigmoid_cross_entropy_with_logits": (("_sentinel", "labels", "logits"),
                                             _logits_loss(True)),
    "nn.sparse_softmax_cross_entropy_with_logits": (("_sentinel", "labels", "logits"),
                                                    _sparse_loss),
    "layers.flatten": (("inputs",), _flatten),
    "contrib.layers.flatten": (("inputs",), _flatten),
    "contrib.slim.flatten": (("inputs",), _flatten),
    "layers.dropout": (("inputs",), _same("inputs")),
    **{op: (("x", "name"), _same("x")) for op in _UNARY},
    **{op: (("x", "y", "name"), _elementwise()) for op in _BINARY},
    **{op: (("x", "y", "name"), _elementwise("bool")) for op in _COMPARISONS},
    **{op: (("input_tensor", "axis", "keepdims", "name", "reduction_indices", "keep_dims"),
            _reduce()) for op in _REDUCTIONS},
    **{op: (("labels", "predictions"), _scalar("float32")) for op in _LOSSES},
}
# Ops through which no gradient flows: their outputs reach no variable.
NO_GRADIENT = frozenset({
    "placeholder", "constant", "zeros", "ones", "fill", "zeros_like", "ones_like",
    "random_normal", "random.normal", "truncated_normal", "random.truncated_normal",
    "random_uniform", "random.uniform", "stop_gradient", "shape", "size", "rank", "argmax",
    "argmin", "one_hot", "round", "floor", "ceil", "sign", *_COMPARISONS,
})


def op_result(path: str, args: list[Value], kwargs: dict[str, Value],
              graph: Optional[int] = None) -> Tensor:
    """The tensor a TF op call returns: its static shape and dtype from the table (unknown
    for other ops), the variables its gradient reaches. `graph`: the serial of the graph
    the op is new to (an `OpOutput`)."""
    params, rule = OPS.get(path, ((), None))
    bound = {**dict(zip(params, args)), **kwargs}
    shape, dtype = rule(bound) if rule is not None else (None, None)
    inputs = [*args, *(v for k, v in kwargs.items() if k != "name")]
    if (dtype is not None and dtype not in FLOATS) or path in NO_GRADIENT:
        grads: Grads = frozenset()
    elif getattr(kwargs, "spread", False) or (rule is None and not any(
            _holds_tensor(v) for v in inputs)):
        grads = None  # it may read tensors the call does not show (a collection's losses)
    else:
        grads = _union([_grads_of(v) for v in inputs])
    if graph is not None:
        return OpOutput(graph, shape, dtype, grads)
    return Tensor(shape, dtype, grads)


def _holds_tensor(value: Value) -> bool:
    """A tensor or variable, or a list holding one."""
    if isinstance(value, Seq):
        return any(_holds_tensor(item) for item in value.items)
    return isinstance(value, (Tensor, Variable))


def _grads_of(value: Value) -> Optional[Tensor]:
    """An argument's contribution to a gradient: a tensor's or variable's, none from a
    constant, a dtype or a name; unknown for anything else (it may hold a tensor)."""
    if isinstance(value, (Tensor, Variable)):
        return as_tensor(value)
    if isinstance(value, Const) or (isinstance(value, TFRef) and value.path in tfapi.DTYPES):
        return Tensor(grads=frozenset())
    if isinstance(value, Seq):
        return Tensor(grads=_union([_grads_of(item) for item in value.items]))
    return None


def binary(op: str, left: Value, right: Value, graph: int) -> Tensor:
    """`left <op> right` where one side is a tensor: `matmul` for `@`, else broadcasting."""
    if op == "matmul":
        return op_result("matmul", [left, right], {}, graph)
    return op_result("add", [left, right], {}, graph)


def negated(value: Value) -> Tensor:
    """`-x`."""
    return op_result("negative", [value], {})


# -- indexing -----------------------------------------------------------------------------

Index = tuple  # ("index",) | ("slice", start, stop, step) | ("new",) | ("ellipsis",)


def sliced(value: Value, parts: list[Index]) -> Tensor:
    """`x[...]`: integers drop a dimension, slices with literal bounds keep a known size,
    `None` / `tf.newaxis` add one, `...` stands for the dimensions not named."""
    x = as_tensor(value) or Tensor()
    if x.shape is None or sum(p[0] == "ellipsis" for p in parts) > 1:
        return Tensor(None, x.dtype, x.grads)
    named = sum(p[0] in ("index", "slice") for p in parts)
    if named > len(x.shape):
        return Tensor(None, x.dtype, x.grads)
    if not any(p[0] == "ellipsis" for p in parts):
        parts = parts + [("ellipsis",)]
    out: list[Optional[int]] = []
    dims_left = list(x.shape)
    for part in parts:
        if part[0] == "new":
            out.append(1)
        elif part[0] == "ellipsis":
            take = len(dims_left) - sum(p[0] in ("index", "slice") for p in
                                        parts[parts.index(part) + 1:])
            out.extend(dims_left[:take])
            dims_left = dims_left[take:]
        elif part[0] == "index":
            dims_left.pop(0)
        else:
            out.append(_slice_size(dims_left.pop(0), *part[1:]))
    return Tensor(tuple(out), x.dtype, x.grads)


def _slice_size(size: Optional[int], start: Optional[Value], stop: Optional[Value],
                step: Optional[Value]) -> Optional[int]:
    bounds = [None if bound is None or _none(bound) else _int(bound)
              for bound in (start, stop, step)]
    written = [bound for bound in (start, stop, step) if bound is not None and not _none(bound)]
    if size is None or len(written) != sum(b is not None for b in bounds) or bounds[2] == 0:
        return None
    return len(range(size)[slice(*bounds)])


# -- layers -----------------------------------------------------------------------------

def conv_output(inputs: Dims, rank: int, window: tuple[int, ...], filters: int,
                strides: Optional[tuple[int, ...]], padding: Optional[str],
                transpose: bool) -> Dims:
    """A channels-last convolution's output shape: spatial sizes follow padding and strides."""
    spatial: list[Optional[int]] = []
    for i in range(rank):
        size = inputs[1 + i]
        stride = strides[i] if strides is not None else None
        if size is None or stride is None or padding not in ("same", "valid"):
            spatial.append(None)
        elif transpose:
            spatial.append(size * stride + (max(window[i] - stride, 0) if padding == "valid"
                                            else 0))
        elif padding == "same":
            spatial.append(-(-size // stride))
        else:
            spatial.append(-(-(size - window[i] + 1) // stride) if size >= window[i] else None)
    return (inputs[0], *spatial, filters)


def window(size: Optional[Value], rank: int) -> Optional[tuple[int, ...]]:
    """`kernel_size=3` or `(3, 3)`: the window's dimensions."""
    width = _int(size)
    if width is not None:
        return (width,) * rank
    listed = known(dims(size)) if isinstance(size, Seq) else None
    return listed if listed is not None and len(listed) == rank else None


def padding(value: Optional[Value], default: str) -> Optional[str]:
    if value is None:
        return default
    return value.value.lower() if isinstance(value, Const) and isinstance(value.value, str) \
        else None


def layer_shapes(kind: str, args: Mapping[str, Optional[Value]], padding_default: str = "valid",
                 names: tuple[str, str] = ("kernel", "bias")) -> dict[str, Dims]:
    """The weight shapes (`kernel`, `bias`, batch norm's `gamma`, ...) and `output` shape of
    a dense, convolution, batch-normalization or embedding layer, from its input's shape
    and its sizes (channels last). `names`: the weights' names (slim's `weights`, `biases`)."""
    x = as_tensor(args.get("inputs"))
    shape = x.shape if x is not None else None
    kernel, bias = names
    if kind == "embedding":
        vocab, width = _int(args.get("input_dim")), _int(args.get("output_dim"))
        if vocab is None or width is None:
            return {}
        out: dict[str, Dims] = {"embeddings": (vocab, width)}
        if shape is not None:
            out["output"] = shape + (width,)
        return out
    # a bias has one entry per unit or filter, whatever the input
    units = _int(args.get("units" if kind == "dense" else "filters"))
    biases: dict[str, Dims] = {} if units is None else {bias: (units,)}
    if not shape or shape[-1] is None:
        return biases if kind in ("dense", *CONV_RANKS) else {}
    width = shape[-1]
    if kind == "batch_normalization":
        axis = args.get("axis", Const(-1))
        if _int(axis) not in (-1, len(shape) - 1):
            return {}
        return {**{w: (width,) for w in ("gamma", "beta", "moving_mean", "moving_variance")},
                "output": shape}
    if kind == "dense":
        if units is None:
            return {}
        return {kernel: (width, units), bias: (units,), "output": shape[:-1] + (units,)}
    rank = CONV_RANKS.get(kind)
    filters = units
    data_format = args.get("data_format", Const(None))
    if (rank is None or len(shape) != rank + 2 or filters is None
            or not (_none(data_format) or data_format in CHANNELS_LAST)):
        return biases if rank is not None else {}
    size = window(args.get("kernel_size"), rank)
    if size is None:
        return biases
    transpose = "transpose" in kind
    channels = (width, filters) if not transpose else (filters, width)
    strides = window(args.get("strides", Const(1)), rank)
    plain = window(args.get("dilation_rate", Const(1)), rank) == (1,) * rank and _none(
        args.get("output_padding", Const(None)))  # else the sizes follow other rules
    output = conv_output(shape, rank, size, filters, strides if plain else None,
                         padding(args.get("padding"), padding_default), transpose)
    return {kernel: size + channels, bias: (filters,), "output": output}


def slim_shapes(leaf: str, args: dict[str, Value]) -> dict[str, Dims]:
    """slim's `weights` of a fully connected or convolution layer (`[in, out]`,
    `[k, k, in, out]`; a transposed convolution's `[k, k, out, in]`), a batch norm's moving
    statistics, and the `output`, from the input's shape (channels last, slim's default)."""
    x = as_tensor(args.get("inputs"))
    if x is None or not x.shape or x.shape[-1] is None:
        return {}
    if leaf == "batch_norm":
        if not _none(args.get("data_format", Const(None))) and \
                args.get("data_format") not in CHANNELS_LAST:
            return {}
        return {"moving_mean": x.shape[-1:], "moving_variance": x.shape[-1:],
                "output": x.shape}
    if leaf in ("fully_connected", "linear"):
        return layer_shapes("dense", {"inputs": x, "units": args.get("num_outputs")},
                            names=("weights", "biases"))
    rate = args.get("rate", Const(1))
    kind = ("conv%dd" % (len(x.shape) - 2)) + ("_transpose" if "transpose" in leaf else "")
    return layer_shapes(kind, {
        "inputs": x, "filters": args.get("num_outputs"), "kernel_size": args.get("kernel_size"),
        "strides": args.get("stride", Const(1)),
        "data_format": args.get("data_format", Const(None)),
        "padding": args.get("padding", Const("SAME")) if rate == Const(1) else Unknown()},
        padding_default="same", names=("weights", "biases"))


CONV_RANKS = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "conv2d_transpose": 2, "conv3d_transpose": 3}
CHANNELS_LAST = (Const("channels_last"), Const("NWC"), Const("NHWC"), Const("NDHWC"))
# RNN cells: how many blocks of `units` columns their kernel has.
CELL_BLOCKS = {"BasicRNNCell": 1, "BasicLSTMCell": 4, "LSTMCell": 4}


def cell_shapes(kind: str, units: Optional[int], inputs: Shape) -> dict[str, Dims]:
    """A cell's weights on inputs of `[..., width]`: `kernel [width + units, k * units]`
    (a GRU's `gates` take two blocks, its `candidate` one), and its `output`, `[..., units]`."""
    if units is None or not inputs or inputs[-1] is None:
        return {}
    rows = inputs[-1] + units
    output = {"output": inputs[:-1] + (units,)}
    if kind == "GRUCell":
        return {"gates/kernel": (rows, 2 * units), "gates/bias": (2 * units,),
                "candidate/kernel": (rows, units), "candidate/bias": (units,), **output}
    blocks = CELL_BLOCKS.get(kind)
    if blocks is None:
        return {}
    return {"kernel": (rows, blocks * units), "bias": (blocks * units,), **output}
