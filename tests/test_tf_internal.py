"""TF's internal modules: the table maps each internal name to the public API it is."""

from __future__ import annotations

import importlib
import sys

from helpers.tf_internal_table import public_path, same_call
from scopelint.engine import tf_internal
from scopelint.engine.tf_internal_data import TABLE
from scopelint.engine.tfapi import canonical, module_namespace


def test_internal_names_resolve_to_public_paths() -> None:
    assert module_namespace("tensorflow.python.framework.random_seed") == (
        "python.framework.random_seed")
    assert canonical("python.framework.random_seed.set_random_seed") == "set_random_seed"
    assert canonical("python.ops.nn_ops.relu") == "nn.relu"
    assert canonical("python.ops.rnn_cell_impl.LSTMCell") == "nn.rnn_cell.LSTMCell"
    assert canonical("python.ops.control_flow_ops.cond") == "cond"  # TF 1.15's home of cond
    assert canonical("python.ops.control_flow_ops.group") == "group"
    assert canonical("python.ops") == "python.ops"
    assert canonical("python.ops.array_ops._private_helper") is None
    assert canonical("_pure_variable_scope") is None  # via `variable_scope`'s namespace
    assert canonical("__version__") == "__version__"
    assert canonical("python.no_such_module.zeros") is None


def test_table_matches_installed_tf(tf) -> None:
    """Each entry is the public object, re-wraps the same generated op (`nn_ops.relu`), or
    is its TF2 variant taking the same positional arguments (`constant_op.constant`)."""
    wrong = []
    for module_name, text in TABLE.items():
        module = importlib.import_module(f"tensorflow.python.{module_name}")
        for entry in text.split():
            name, _, path = entry.partition("=")
            public = public_path(tf, path or name)
            internal = getattr(module, name)
            defining = getattr(sys.modules.get(internal.__module__), internal.__name__, None)
            if public is not internal and public is not defining and not same_call(
                    public, internal):
                wrong.append(f"{module_name}.{name}")
    assert not wrong
    assert tf_internal.resolve("python.ops.array_ops.zeros") == "zeros"
