"""The table of TF1 API names the engine knows: modules, aliases, and what each call does.

Paths are canonical names inside `tf.compat.v1` (`variable_scope`, `layers.dense`).
"""

from __future__ import annotations

from typing import Optional


# Importable modules → the canonical namespace they expose.
MODULES: dict[str, str] = {
    "tensorflow": "",
    "tensorflow.compat.v1": "",
    "tensorflow.compat": "compat",
    "tensorflow.compat.v1.layers": "layers",
    "tensorflow.layers": "layers",
    "tensorflow.train": "train",
    "tensorflow.compat.v1.train": "train",
    "tensorflow.contrib": "contrib",
    "tensorflow.contrib.slim": "contrib.slim",
    "tensorflow.contrib.layers": "contrib.layers",
    "tf_slim": "contrib.slim",
    "tf_slim.layers": "contrib.slim",  # re-exports tf_slim.layers.layers
    "tf_slim.layers.layers": "contrib.slim",
    "tensorflow.python.ops.variable_scope": "",
    "tensorflow.python.ops.variables": "",
    "tensorflow.python.framework.ops": "",
    "tensorflow.python.layers.core": "layers",
    "tensorflow.python.layers.convolutional": "layers",
    "tensorflow.python.layers.normalization": "layers",
    "tensorflow.python.layers.layers": "layers",
    "tensorflow.python.layers.base": "layers",  # TF 1.x's tf.layers.Layer
    "tensorflow.python.layers.pooling": "layers",
    "tensorflow.python.training.training": "train",
}

# Every API the engine records facts for is spelled with one of these (case ignored):
# the prefilter skips files that mention none of them (see `scopelint.prefilter`).
# `_by_name`: a tensor lookup is checked against the ops the file names (TFS202).
FACT_WORDS = ("variable", "name_scope", "layers", "slim", "rnn", "optimizer",
              "exponentialmovingaverage", "global_step", "_by_name")


def spells_fact_word(text: str) -> bool:
    """Whether `text` contains one of `FACT_WORDS`, case ignored."""
    folded = text.lower()
    return any(word in folded for word in FACT_WORDS)


# Prefixes that do not name TF1 graph APIs (TF2 namespaces).
NOT_TF1 = ("compat.v2", "compat.v2.")

# Aliases of the same API under other names.
ALIASES: dict[str, str] = {
    "VariableV1": "Variable",
}

# tf.layers functional forms and classes: base name and the variables they make, in order.
LAYERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dense": ("dense", ("kernel", "bias")),
    "conv1d": ("conv1d", ("kernel", "bias")),
    "conv2d": ("conv2d", ("kernel", "bias")),
    "conv3d": ("conv3d", ("kernel", "bias")),
    "conv2d_transpose": ("conv2d_transpose", ("kernel", "bias")),
    "conv3d_transpose": ("conv3d_transpose", ("kernel", "bias")),
    "separable_conv1d": ("separable_conv1d", ("depthwise_kernel", "pointwise_kernel", "bias")),
    "separable_conv2d": ("separable_conv2d", ("depthwise_kernel", "pointwise_kernel", "bias")),
    "batch_normalization": ("batch_normalization",
                            ("gamma", "beta", "moving_mean", "moving_variance")),
    "embedding": ("embedding", ("embeddings",)),  # Keras only: `tf.keras.layers.Embedding`
}
# RNN cells (tf.nn.rnn_cell), legacy layers too: base name and variables, in order.
CELLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "BasicRNNCell": ("basic_rnn_cell", ("kernel", "bias")),
    "BasicLSTMCell": ("basic_lstm_cell", ("kernel", "bias")),
    "LSTMCell": ("lstm_cell", ("kernel", "bias")),
    "GRUCell": ("gru_cell", ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")),
}
# Cell wrappers: calling one calls the cell it wraps, in the same scope (no variables of its own).
CELL_WRAPPERS = frozenset({"DropoutWrapper", "ResidualWrapper", "DeviceWrapper"})
# RNN drivers: the variable scope each opens when `scope` is not given.
RNNS: dict[str, str] = {"dynamic_rnn": "rnn", "static_rnn": "rnn",
                        "bidirectional_dynamic_rnn": "bidirectional_rnn",
                        "static_bidirectional_rnn": "bidirectional_rnn",
                        "stack_bidirectional_dynamic_rnn": "stack_bidirectional_rnn",
                        "stack_bidirectional_rnn": "stack_bidirectional_rnn"}
# TF 1.x's `tf.contrib.rnn` re-exports the core cells and drivers (the same objects), and
# adds the stacked bidirectional drivers, which are its own.
ALIASES = {
    **ALIASES,
    **{f"contrib.rnn.{name}": f"nn.rnn_cell.{name}"
       for name in (*CELLS, *CELL_WRAPPERS, "MultiRNNCell")},
    **{f"contrib.rnn.{name}": f"nn.{name}"
       for name in ("static_rnn", "static_bidirectional_rnn", "stack_bidirectional_dynamic_rnn",
                    "stack_bidirectional_rnn")},
}

LAYER_CLASSES: dict[str, str] = {
    "Dense": "dense", "Conv1D": "conv1d", "Conv2D": "conv2d", "Conv3D": "conv3d",
    "Conv2DTranspose": "conv2d_transpose", "Conv3DTranspose": "conv3d_transpose",
    "SeparableConv1D": "separable_conv1d", "SeparableConv2D": "separable_conv2d",
    "BatchNormalization": "batch_normalization", "Embedding": "embedding",
}

# tf.contrib.layers / slim layers: default scope name and the variables always made first
# (biases, gamma and normalizer sub-scopes depend on arguments an arg_scope may set).
_CONV = ("Conv", ("weights",))
SLIM_LAYERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "conv1d": _CONV, "conv2d": _CONV, "conv3d": _CONV, "convolution": _CONV,
    "convolution1d": _CONV, "convolution2d": _CONV, "convolution3d": _CONV,
    "conv2d_transpose": ("Conv2d_transpose", ("weights",)),
    "convolution2d_transpose": ("Conv2d_transpose", ("weights",)),
    "conv3d_transpose": ("Conv3d_transpose", ("weights",)),
    "convolution3d_transpose": ("Conv3d_transpose", ("weights",)),
    "fully_connected": ("fully_connected", ("weights",)),
    "linear": ("fully_connected", ("weights",)),
    "separable_conv2d": ("SeparableConv2d", ("depthwise_weights",)),
    "separable_convolution2d": ("SeparableConv2d", ("depthwise_weights",)),
    "batch_norm": ("BatchNorm", ("moving_mean", "moving_variance")),
}
# The `__name__` of slim layers that are aliases (`conv2d = convolution2d`): slim.repeat
# and slim.stack name their scopes after it.
SLIM_FUNCTION_NAMES: dict[str, str] = {
    "conv1d": "convolution1d", "conv2d": "convolution2d", "conv3d": "convolution3d",
    "conv2d_transpose": "convolution2d_transpose", "conv3d_transpose": "convolution3d_transpose",
    "separable_conv2d": "separable_convolution2d",
}
SLIM_NAMESPACES = ("contrib.slim.", "contrib.layers.", "contrib.framework.")
SLIM_PURE = frozenset({  # slim / contrib.layers functions that make no variables
    "flatten", "dropout", "max_pool2d", "avg_pool2d", "max_pool3d", "avg_pool3d", "softmax",
    "one_hot_encoding", "l1_regularizer", "l2_regularizer", "l1_l2_regularizer",
    "xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer",
    "summarize_tensor", "summarize_activation", "get_variables", "get_model_variables",
    "get_variables_to_restore", "get_trainable_variables", "unit_norm", "add_arg_scope",
})

# Optimizers whose minimize()/apply_gradients() make slot variables.
SLOT_OPTIMIZERS = frozenset({
    "AdamOptimizer", "MomentumOptimizer", "RMSPropOptimizer", "AdagradOptimizer",
    "AdadeltaOptimizer", "FtrlOptimizer", "AdagradDAOptimizer", "ProximalAdagradOptimizer",
})
# Optimizers with two slots per variable, named `<name>` and `<name>_1` (Adam's m and v).
TWO_SLOT_OPTIMIZERS = frozenset({
    "AdamOptimizer", "RMSPropOptimizer", "AdadeltaOptimizer", "FtrlOptimizer",
    "AdagradDAOptimizer",
})
PLAIN_OPTIMIZERS = frozenset({"GradientDescentOptimizer", "ProximalGradientDescentOptimizer"})

# Namespaces whose calls may make variables that scopelint does not model.
OPAQUE_CREATORS = (
    "contrib.", "keras.", "estimator.", "feature_column.", "tpu.",
    "nn.raw_rnn", "nn.rnn_cell.", "layers.", "nn.static_state_saving_rnn",
    "train.Supervisor", "train.MonitoredTrainingSession", "train.SyncReplicasOptimizer",
    "train.replica_device_setter",
)

# TF calls that run the functions handed to them while building the graph: True when each
# runs exactly once (`tf.cond` branches, `tf.while_loop` bodies), False when it may run
# any number of times.
RUNS_CALLBACKS: dict[str, bool] = {
    "cond": True, "while_loop": True, "map_fn": True, "scan": True, "foldl": True,
    "foldr": True, "case": True, "switch_case": True, "nest.map_structure": False,
    "contrib.framework.nest.map_structure": False,
}

# Estimator methods that build the model: TF calls `model_fn` in a fresh graph for each.
ESTIMATOR_RUNS = frozenset({
    "train", "evaluate", "predict", "export_savedmodel", "export_saved_model",
})

# tf.layers with no variables: they still take a default name (`dropout`, `dropout_1`).
NO_VARIABLE_LAYERS = frozenset({
    "dropout", "flatten", "max_pooling1d", "max_pooling2d", "max_pooling3d",
    "average_pooling1d", "average_pooling2d", "average_pooling3d",
})

# Default op names of common unnamed TF ops; they share the namespace with tf.Variable and
# with get_variable's real names (`tf.reduce_mean` then `get_variable("mean")` is `mean_1`).
OP_NAMES: dict[str, str] = {
    "reduce_mean": "Mean", "reduce_sum": "Sum", "reduce_max": "Max", "reduce_min": "Min",
    "reduce_prod": "Prod", "square": "Square", "sqrt": "Sqrt", "add": "Add", "subtract": "Sub",
    "multiply": "Mul", "matmul": "MatMul", "constant": "Const", "placeholder": "Placeholder",
    "nn.relu": "Relu", "sigmoid": "Sigmoid", "nn.sigmoid": "Sigmoid", "tanh": "Tanh",
    "nn.tanh": "Tanh", "reshape": "Reshape", "zeros": "zeros", "ones": "ones", "exp": "Exp",
    "log": "Log", "abs": "Abs", "maximum": "Maximum", "minimum": "Minimum", "cast": "Cast",
    "identity": "Identity", "nn.softmax": "Softmax", "argmax": "ArgMax", "equal": "Equal",
    "nn.bias_add": "BiasAdd", "nn.conv2d": "Conv2D", "expand_dims": "ExpandDims",
    "squeeze": "Squeeze", "tile": "Tile", "pow": "Pow", "negative": "Neg", "nn.l2_loss": "L2Loss",
    "random_normal": "random_normal", "random_uniform": "random_uniform",
    "truncated_normal": "truncated_normal", "transpose": "transpose", "stack": "stack",
}

# Ops whose outputs are new tensors (not a variable's value, nor an input passed through),
# with how many outputs the call returns.
NEW_OP_OUTPUTS: dict[str, int] = {
    "reduce_mean": 1, "reduce_sum": 1, "matmul": 1, "add": 1, "subtract": 1, "multiply": 1,
    "square": 1, "nn.moments": 2,
}

# `tf.__version__` and its spellings: the configured TF version (`versions.release`)
VERSION_PATHS = frozenset({"__version__", "VERSION", "version.VERSION"})

DTYPES = frozenset({
    "float16", "float32", "float64", "bfloat16", "half", "double", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "bool", "string", "complex64", "complex128",
})
DTYPE_ALIASES = {"half": "float16", "double": "float64"}

# Scope and variable APIs whose positional parameters code often gets wrong (TFS208).
POSITIONAL_TRAPS = frozenset({"VariableScope", "variable_scope", "get_variable",
                              "get_local_variable", "Variable"})

# Calls that accept a literal name of a tensor / op / scope (TFS202).
NAME_LOOKUPS: dict[str, str] = {
    "get_tensor_by_name": "tensor",
    "get_operation_by_name": "operation",
}
# Collections that hold variables only: their scope filter matches variable names.
VARIABLE_COLLECTIONS = frozenset(f"GraphKeys.{key}" for key in (
    "TRAINABLE_VARIABLES", "GLOBAL_VARIABLES", "LOCAL_VARIABLES", "MODEL_VARIABLES",
    "MOVING_AVERAGE_VARIABLES", "TRAINABLE_RESOURCE_VARIABLES"))
SCOPE_FILTERS = frozenset({
    "get_collection", "trainable_variables", "global_variables", "local_variables",
    "model_variables", "moving_average_variables",
})


def canonical(path: str) -> Optional[str]:
    """Normalise an API path: strip `compat.v1.`, map aliases and internal modules (see
    `tf_internal`); None for TF2-only and private names."""
    while path.startswith("compat.v1."):
        path = path[len("compat.v1."):]
    if path == "compat.v1":
        return ""
    if path.startswith(NOT_TF1) or any(
            part.startswith("_") and not part.endswith("__") for part in path.split(".")):
        return None  # TF2-only, or private (`variable_scope._pure_variable_scope`): unknown
    if path == "python" or path.startswith("python."):
        # the table is loaded for code that calls TF through its internal modules only
        from scopelint.engine import tf_internal

        return tf_internal.resolve(path)
    return ALIASES.get(path, path)


def module_namespace(module: str) -> Optional[str]:
    """The canonical namespace of an importable module name, if it is a TF module."""
    if module in MODULES:
        return MODULES[module]
    if module.startswith("tensorflow."):
        rest = module[len("tensorflow."):]
        if rest.startswith("core."):
            return None
        return canonical(rest)
    return None


def creates_opaquely(path: str) -> bool:
    """True for TF calls that may make variables scopelint does not model."""
    if path.startswith("train.") and path.endswith("Optimizer"):
        return True  # an optimizer scopelint does not know
    return path in _OPAQUE_EXACT or path.startswith(OPAQUE_CREATORS)


_OPAQUE_EXACT = frozenset(p.rstrip(".") for p in OPAQUE_CREATORS)
