"""Arguments of TF API calls: signatures, binding, and the literal values that matter."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.engine import tfapi
from scopelint.engine.values import (
    Args,
    Const,
    Mapping,
    OpOutput,
    ReuseValue,
    ScopeRef,
    Seq,
    Tensor,
    TFRef,
    Unknown,
    Value,
    Variable,
    const_str,
    truth,
)

# TF 1.15's signatures (positional order) of the calls the engine binds; layers are keyed
# `layers.<name>`, tf_slim / tf.contrib.layers ones `slim.<name>`. Entries of APIs in
# `CLOSED` are whole: any other keyword raises TypeError.
_DENSE = ("activation", "use_bias", "kernel_initializer", "bias_initializer",
          "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
          "bias_constraint", "trainable", "name", "reuse")
_CONV = ("inputs", "filters", "kernel_size", "strides", "padding", "data_format")
_SEPARABLE = _CONV + ("dilation_rate", "depth_multiplier", "activation", "use_bias",
                      "depthwise_initializer", "pointwise_initializer", "bias_initializer",
                      "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                      "activity_regularizer", "depthwise_constraint", "pointwise_constraint",
                      "bias_constraint", "trainable", "name", "reuse")
_POOL = ("inputs", "pool_size", "strides", "padding", "data_format", "name")
_SLIM_TAIL = ("normalizer_fn", "normalizer_params", "weights_initializer",
              "weights_regularizer", "biases_initializer", "biases_regularizer", "reuse",
              "variables_collections", "outputs_collections", "trainable", "scope")
_SLIM_CONV = ("inputs", "num_outputs", "kernel_size", "stride", "padding", "data_format",
              "rate", "activation_fn") + _SLIM_TAIL
_SLIM_TRANSPOSE = ("inputs", "num_outputs", "kernel_size", "stride", "padding",
                   "data_format", "activation_fn") + _SLIM_TAIL
SIGNATURES: dict[str, tuple[str, ...]] = {
    "variable_scope": ("name_or_scope", "default_name", "values", "initializer", "regularizer",
                       "caching_device", "partitioner", "custom_getter", "reuse", "dtype",
                       "use_resource", "constraint", "auxiliary_name_scope"),
    "name_scope": ("name", "default_name", "values"),
    "VariableScope": ("reuse", "name", "initializer", "regularizer", "caching_device",
                      "partitioner", "custom_getter", "name_scope", "dtype"),
    "get_variable": ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                     "collections", "caching_device", "partitioner", "validate_shape",
                     "use_resource", "custom_getter", "constraint", "synchronization",
                     "aggregation"),
    "Variable": ("initial_value", "trainable", "collections", "validate_shape",
                 "caching_device", "name", "variable_def", "dtype", "expected_shape",
                 "import_scope", "constraint", "use_resource", "synchronization",
                 "aggregation", "shape"),
    "make_template": ("name_", "func_", "create_scope_now_", "unique_name_", "custom_getter_"),
    "layers.dense": ("inputs", "units") + _DENSE,
    **{f"layers.{kind}": _CONV + ("dilation_rate",) + _DENSE
       for kind in ("conv1d", "conv2d", "conv3d")},
    **{f"layers.{kind}": _CONV + _DENSE for kind in ("conv2d_transpose", "conv3d_transpose")},
    **{f"layers.{kind}": _SEPARABLE for kind in ("separable_conv1d", "separable_conv2d")},
    "layers.batch_normalization": (
        "inputs", "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
        "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
        "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
        "training", "trainable", "name", "reuse", "renorm", "renorm_clipping",
        "renorm_momentum", "fused", "virtual_batch_size", "adjustment"),
    "layers.dropout": ("inputs", "rate", "noise_shape", "seed", "training", "name"),
    "layers.flatten": ("inputs", "name", "data_format"),
    **{f"layers.{kind}_pooling{rank}d": _POOL for kind in ("max", "average")
       for rank in (1, 2, 3)},
    **{f"slim.{kind}": _SLIM_CONV for kind in (
        "conv1d", "conv2d", "conv3d", "convolution1d", "convolution2d", "convolution3d")},
    "slim.convolution": _SLIM_CONV + ("conv_dims",),
    **{f"slim.{kind}": _SLIM_TRANSPOSE for kind in (
        "conv2d_transpose", "convolution2d_transpose", "conv3d_transpose",
        "convolution3d_transpose")},
    **{f"slim.{kind}": ("inputs", "num_outputs", "activation_fn") + _SLIM_TAIL
       for kind in ("fully_connected", "linear")},
    **{f"slim.{kind}": ("inputs", "num_outputs", "kernel_size", "depth_multiplier", "stride",
                        "padding", "data_format", "rate", "activation_fn", "normalizer_fn",
                        "normalizer_params", "weights_initializer", "pointwise_initializer",
                        "weights_regularizer", "biases_initializer", "biases_regularizer",
                        "reuse", "variables_collections", "outputs_collections", "trainable",
                        "scope")
       for kind in ("separable_conv2d", "separable_convolution2d")},
    "slim.batch_norm": (
        "inputs", "decay", "center", "scale", "epsilon", "activation_fn", "param_initializers",
        "param_regularizers", "updates_collections", "is_training", "reuse",
        "variables_collections", "outputs_collections", "trainable", "batch_weights", "fused",
        "data_format", "zero_debias_moving_mean", "scope", "renorm", "renorm_clipping",
        "renorm_decay", "adjustment"),
    "get_collection": ("key", "scope"),
    "placeholder": ("dtype", "shape", "name"),
    # layers without an entry of their own above, by what their shapes read
    "embedding": ("inputs", "input_dim", "output_dim"),
    "layer": ("inputs",),
    "slim_conv": ("inputs", "num_outputs", "kernel_size", "stride", "padding", "data_format"),
    "get_tensor_by_name": ("name",),
    "get_operation_by_name": ("name",),
    "minimize": ("loss", "global_step", "var_list"),
    "apply_gradients": ("grads_and_vars", "global_step", "name"),
    "compute_gradients": ("loss", "var_list"),
    "apply": ("var_list",),
    "cell": ("activation", "reuse", "name"),
    "dynamic_rnn": ("cell", "inputs", "sequence_length", "initial_state", "dtype",
                    "parallel_iterations", "swap_memory", "time_major", "scope"),
    "static_rnn": ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope"),
    "bidirectional_dynamic_rnn": ("cell_fw", "cell_bw", "inputs", "sequence_length",
                                  "initial_state_fw", "initial_state_bw", "dtype",
                                  "parallel_iterations", "swap_memory", "time_major", "scope"),
    "static_bidirectional_rnn": ("cell_fw", "cell_bw", "inputs", "initial_state_fw",
                                 "initial_state_bw", "dtype", "sequence_length", "scope"),
    "stack_bidirectional_dynamic_rnn": ("cells_fw", "cells_bw", "inputs", "initial_states_fw",
                                        "initial_states_bw", "dtype", "sequence_length",
                                        "parallel_iterations", "time_major", "scope",
                                        "swap_memory"),
    "stack_bidirectional_rnn": ("cells_fw", "cells_bw", "inputs", "initial_states_fw",
                                "initial_states_bw", "dtype", "sequence_length", "scope"),
    "ExponentialMovingAverage": ("decay", "num_updates", "zero_debias", "name"),
    "AdamOptimizer": ("learning_rate", "beta1", "beta2", "epsilon", "use_locking", "name"),
    "MomentumOptimizer": ("learning_rate", "momentum", "use_locking", "name", "use_nesterov"),
    "RMSPropOptimizer": ("learning_rate", "decay", "momentum", "epsilon", "use_locking",
                         "centered", "name"),
    "AdagradOptimizer": ("learning_rate", "initial_accumulator_value", "use_locking", "name"),
    "AdadeltaOptimizer": ("learning_rate", "rho", "epsilon", "use_locking", "name"),
    "FtrlOptimizer": ("learning_rate", "learning_rate_power", "initial_accumulator_value",
                      "l1_regularization_strength", "l2_regularization_strength", "use_locking",
                      "name", "accum_name", "linear_name"),
    "AdagradDAOptimizer": ("learning_rate", "global_step",
                           "initial_gradient_squared_accumulator_value",
                           "l1_regularization_strength", "l2_regularization_strength",
                           "use_locking", "name"),
    "ProximalAdagradOptimizer": ("learning_rate", "initial_accumulator_value",
                                 "l1_regularization_strength", "l2_regularization_strength",
                                 "use_locking", "name"),
}
# APIs whose entry above is their whole signature (no `**kwargs`): TF 2's
# `tf.compat.v1.Variable` takes any keyword, and make_template passes its own to `func_`.
CLOSED = frozenset(key for key in SIGNATURES if key.startswith(("layers.", "slim.")))
CLOSED |= {"variable_scope", "name_scope", "get_variable"}


def signature_key(path: str) -> Optional[str]:
    """The SIGNATURES key of a canonical API path: `layers.dense`, `slim.conv2d`."""
    leaf = path.rsplit(".", 1)[-1]
    if path.startswith(tfapi.SLIM_NAMESPACES):
        path = "slim." + leaf
    elif path == "get_local_variable":
        path = "get_variable"
    return path if path in SIGNATURES else None


def bind_args(api: str, args: list[Value], kwargs: dict[str, Value]) -> Args:
    """Map a TF call's arguments to parameter names."""
    bound = Args(dict(zip(SIGNATURES.get(api, ()), args)), getattr(kwargs, "spread", False))
    bound.update(kwargs)
    return bound


def rejected(key: str, args: list[Value], kwargs: Args, node: cst.Call) -> Optional[str]:
    """Why TF raises TypeError on this call's arguments, in its words; None when it accepts
    them or may (a value scopelint does not know). `key`: a SIGNATURES key."""
    params = SIGNATURES[key]
    api = key.rsplit(".", 1)[-1]
    if key in CLOSED:
        positional = [a for a in node.args if a.keyword is None]
        if not any(a.star for a in positional):
            if len(positional) > len(params):
                return (f"it takes at most {len(params)} positional arguments, "
                        f"{len(positional)} given")
            for arg in node.args:
                word = arg.keyword.value if arg.keyword is not None else None
                if word in params[:len(positional)]:
                    return f"multiple values for argument '{word}'"
        unknown = next((word for word in kwargs if word not in params), None)  # `**known` too
        if unknown is not None:
            return f"unexpected keyword argument '{unknown}'"
    bound: dict[str, Value] = bind_args(key, args, kwargs)
    if api == "name_scope":
        default = bound.get("default_name", Const(None))
        if _not_text(default, scope=True) is not None:
            return (f"`default_name` is {_not_text(default, scope=True)}, not a string "
                    f"(values go in `values=`)")
    if api == "variable_scope" and is_none(bound.get("name_or_scope", Unknown())):
        default = bound.get("default_name", Const(None))
        if is_none(default):
            return "`name_or_scope` and `default_name` are both None"
        return _wrong_name("default_name", default, scope=True)
    param = _NAME_PARAMS.get(key, "name")
    if param in params:
        return _wrong_name(param, bound.get(param, Const(None)),
                           scope=api in ("name_scope", "get_variable", "Variable", "make_template"),
                           falsy=api not in ("variable_scope", "make_template")
                           and not key.startswith("slim."))
    return None


# The parameter that names what the call makes, where it is not `name`.
_NAME_PARAMS = {"variable_scope": "name_or_scope", "make_template": "name_",
                **{key: "scope" for key in SIGNATURES if key.startswith("slim.")}}


def _wrong_name(param: str, value: Value, scope: bool, falsy: bool = False) -> Optional[str]:
    """`param` is a value TF cannot take as a name (`falsy`: TF takes a false one as no
    name; `scope`: a VariableScope object is wrong too)."""
    kind = _not_text(value, scope)
    empty = isinstance(value, (Seq, Mapping)) and not value.items
    if kind is None or (falsy and (truth(value) is False or empty)):
        return None
    return f"`{param}` is {kind}, not a string" + (
        " or VariableScope" if param in ("name_or_scope", "scope") else "")


def _not_text(value: Value, scope: bool) -> Optional[str]:
    """What a value certainly not a string (nor None) is: `an int`, `a list`, `a tensor`."""
    if isinstance(value, Const) and type(value.value) in (bool, int, float, tuple):
        return {int: "an int"}.get(type(value.value), f"a {type(value.value).__name__}")
    if isinstance(value, (Seq, Mapping)):
        return "a dict" if isinstance(value, Mapping) else "a list or tuple"
    if isinstance(value, OpOutput) or (isinstance(value, Tensor) and value.shape is not None):
        return "a tensor"
    if isinstance(value, Variable):
        return "a variable"
    if scope and isinstance(value, ScopeRef):
        return "a VariableScope"
    return None


def is_none(value: Value) -> bool:
    return isinstance(value, Const) and value.value is None


def shape_of(value: Optional[Value]) -> Optional[tuple]:
    if isinstance(value, Const) and type(value.value) is int:  # `get_variable("b", 8)`
        return (value.value,)
    if isinstance(value, Seq) and all(isinstance(i, Const) and type(i.value) is int
                                      for i in value.items):
        return tuple(i.value for i in value.items if isinstance(i, Const))
    return None


def dtype_of(value: Optional[Value]) -> Optional[str]:
    if isinstance(value, TFRef) and value.path in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(value.path, value.path)
    text = const_str(value) if value is not None else None
    if text in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(text, text)
    return None


def misplaced(api: str, index: int, value: Value, expr: cst.BaseExpression,
              first: Optional[Value] = None) -> Optional[tuple[str, str]]:
    """(the parameter TF binds a positional argument to, the one it looks meant for), when
    they differ: `VariableScope("policy")` binds the name to `reuse` (see SIGNATURES).
    `first`: the call's first argument. `variable_scope(name, x)` ignores `x` when the
    name is given (and raises without one): a scope object there looks meant as the scope,
    tensors as `values`.
    A layer's positional string where no string goes looks meant as its name."""
    key = signature_key(api) or api
    params = SIGNATURES.get(key, ())
    if index >= len(params):
        return None
    param = params[index]
    word = _last_word(expr).lower()
    if key.startswith(("layers.", "slim.")):
        text = const_str(value)
        if text is None or param in _TAKES_STRINGS or (param == "activation"
                                                       and text in _ACTIVATIONS):
            return None
        return param, "scope" if key.startswith("slim.") else "name"
    if param in ("reuse", "trainable") and const_str(value) is not None:
        return param, "name"
    if param in ("shape", "trainable") and dtype_of(value) is not None:
        return param, "dtype"
    if param == "default_name" and (isinstance(value, ReuseValue) or value == Const(True)
                                    or word.endswith("reuse")):
        return param, "reuse"
    if param == "dtype" and word.endswith("initializer") and dtype_of(value) is None:
        return param, "initializer"
    if (api, param) == ("variable_scope", "default_name") and not (
            first is None or is_none(first)):  # a None name: TF raises (TFS105)
        if isinstance(value, ScopeRef):
            return param, "name_or_scope"
        if isinstance(value, (Seq, OpOutput, Variable)) or (
                isinstance(value, Tensor) and value.shape is not None):
            return param, "values"
    return None


# Layer parameters a string may go to; activations Keras knows by name (`"relu"`).
_TAKES_STRINGS = frozenset({"inputs", "padding", "data_format", "name", "scope"})
_ACTIVATIONS = frozenset({
    "relu", "relu6", "elu", "selu", "softmax", "softplus", "softsign", "sigmoid",
    "hard_sigmoid", "tanh", "linear", "exponential", "swish", "silu", "gelu", "leaky_relu",
    "log_softmax", "mish", "hard_silu", "hard_swish"})
# Parameters TF raises on when they get a string (TypeError or ValueError), before the call
# makes any variable (slim's `activation_fn` and `normalizer_fn` raise after).
_REJECTS_STRINGS = frozenset({
    "shape", "dtype", "units", "filters", "num_outputs", "kernel_size", "strides", "stride",
    "dilation_rate", "rate", "pool_size", "depth_multiplier", "activation"})


def misplaced_raises(param: str) -> bool:
    """Whether TF raises on the misplaced argument before the call makes its variables
    (a dtype as a shape, a name as strides)."""
    return param in _REJECTS_STRINGS


def _last_word(expr: cst.BaseExpression) -> str:
    """`tf.zeros_initializer()` → `zeros_initializer`; `self.reuse` → `reuse`."""
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return expr.value if isinstance(expr, cst.Name) else ""
