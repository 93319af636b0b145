"""Arguments of TF API calls: signatures, binding, and the literal values that matter."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.engine import tfapi
from scopelint.engine.values import Args, Const, ReuseValue, Seq, TFRef, Value, const_str

SIGNATURES: dict[str, tuple[str, ...]] = {
    "variable_scope": ("name_or_scope", "default_name", "values", "initializer", "regularizer",
                       "caching_device", "partitioner", "custom_getter", "reuse", "dtype",
                       "use_resource", "constraint", "auxiliary_name_scope"),
    "name_scope": ("name", "default_name", "values"),
    "VariableScope": ("reuse", "name", "initializer", "regularizer", "caching_device",
                      "partitioner", "custom_getter", "name_scope", "dtype"),
    "get_variable": ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                     "collections", "caching_device", "partitioner"),
    "Variable": ("initial_value", "trainable", "collections", "validate_shape",
                 "caching_device", "name", "variable_def", "dtype"),
    "get_collection": ("key", "scope"),
    "placeholder": ("dtype", "shape", "name"),
    "dense": ("inputs", "units"),
    "conv": ("inputs", "filters", "kernel_size", "strides", "padding", "data_format"),
    "batch_normalization": ("inputs", "axis"),
    "embedding": ("inputs", "input_dim", "output_dim"),
    "layer": ("inputs",),
    "slim_conv": ("inputs", "num_outputs", "kernel_size", "stride", "padding", "data_format"),
    "slim_fully_connected": ("inputs", "num_outputs"),
    "slim_batch_norm": ("inputs", "decay", "center", "scale"),
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
    "make_template": ("name_", "func_", "create_scope_now_", "unique_name_", "custom_getter_"),
}


def bind_args(api: str, args: list[Value], kwargs: dict[str, Value]) -> Args:
    """Map a TF call's arguments to parameter names."""
    bound = Args(dict(zip(SIGNATURES.get(api, ()), args)), getattr(kwargs, "spread", False))
    bound.update(kwargs)
    return bound


def is_none(value: Value) -> bool:
    return isinstance(value, Const) and value.value is None


def shape_of(value: Optional[Value]) -> Optional[tuple]:
    if isinstance(value, Const) and type(value.value) is int:  # `get_variable("b", 8)`
        return (value.value,)
    if isinstance(value, Seq) and all(isinstance(i, Const) and type(i.value) is int
                                      for i in value.items):
        return tuple(i.value for i in value.items)  # type: ignore[union-attr]
    return None


def dtype_of(value: Optional[Value]) -> Optional[str]:
    if isinstance(value, TFRef) and value.path in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(value.path, value.path)
    text = const_str(value) if value is not None else None
    if text in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(text, text)
    return None


def misplaced(api: str, index: int, value: Value, expr: cst.BaseExpression
              ) -> Optional[tuple[str, str]]:
    """(the parameter TF binds a positional argument to, the one it looks meant for), when
    they differ: `VariableScope("policy")` binds the name to `reuse` (see SIGNATURES)."""
    params = SIGNATURES.get("get_variable" if api == "get_local_variable" else api, ())
    if index >= len(params):
        return None
    param = params[index]
    word = _last_word(expr).lower()
    if param in ("reuse", "trainable") and const_str(value) is not None:
        return param, "name"
    if param in ("shape", "trainable") and dtype_of(value) is not None:
        return param, "dtype"
    if param == "default_name" and (isinstance(value, ReuseValue) or value == Const(True)
                                    or word.endswith("reuse")):
        return param, "reuse"
    if param == "dtype" and word.endswith("initializer") and dtype_of(value) is None:
        return param, "initializer"
    return None


def _last_word(expr: cst.BaseExpression) -> str:
    """`tf.zeros_initializer()` → `zeros_initializer`; `self.reuse` → `reuse`."""
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return expr.value if isinstance(expr, cst.Name) else ""
