"""TF's internal modules (`tensorflow.python.ops.array_ops`), which packages built on TF
(tf-slim, tensor2tensor, tensorpack, sonnet) call instead of `tf.*`: every name they bind
that is a public API, by its `tf.compat.v1` path, so that their calls are understood.

Paths here are below `tensorflow.` (`python.ops.array_ops.zeros`); an internal name that is
not a public API stays unknown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from scopelint.engine.tf_internal_data import TABLE

PREFIX = "python."

_CELLS = ("BasicRNNCell BasicLSTMCell LSTMCell GRUCell MultiRNNCell DropoutWrapper "
          "ResidualWrapper DeviceWrapper RNNCell LSTMStateTuple")
# TF 1.15's internal names that the TF the table was derived from has moved elsewhere
# (the RNN cells went to Keras, `cond` and `while_loop` to modules of their own): from
# TF 1.15's `tf_export` declarations.
TF1_TABLE: dict[str, str] = {
    "ops.rnn_cell_impl": " ".join(f"{c}=nn.rnn_cell.{c}" for c in _CELLS.split()),
    "ops.rnn_cell": " ".join(f"{c}=nn.rnn_cell.{c}" for c in _CELLS.split()),
    "ops.control_flow_ops": "Assert case cond while_loop",
}


@lru_cache(maxsize=None)
def _members(module: str) -> Optional[dict[str, str]]:
    if module not in TABLE and module not in TF1_TABLE:
        return None
    text = f"{TABLE.get(module, '')} {TF1_TABLE.get(module, '')}"
    return dict((entry.partition("=")[0], entry.partition("=")[2] or entry)
                for entry in text.split())


@lru_cache(maxsize=1)
def _packages() -> frozenset[str]:
    """Every internal module and package the table knows (`ops`, `ops.array_ops`)."""
    found: set[str] = set()
    for module in (*TABLE, *TF1_TABLE):
        parts = module.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(found)


def resolve(path: str) -> Optional[str]:
    """The canonical path of `python.<module>[.<name>]`: the public API an internal name is,
    the path itself for a known internal module, else None (unknown)."""
    rest = path[len(PREFIX):] if path.startswith(PREFIX) else ""
    if path == "python" or rest in _packages():
        return path
    module, _, name = rest.rpartition(".")
    members = _members(module)
    return members.get(name) if members is not None else None
