"""Checkpoints written by real TensorFlow (TF1 semantics), for the reader and comparison tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from helpers import oracle

MODEL = '''import tensorflow.compat.v1 as tf

x = tf.placeholder(tf.float32, [None, 784])
with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [784, 64])
    h = tf.nn.relu(tf.matmul(x, w))
with tf.variable_scope("decoder"):
    with tf.variable_scope("out"):
        kernel = tf.get_variable("kernel", [64, 10])
with tf.variable_scope("aux"):
    aux = tf.get_variable("w", [64, 5])
loss = tf.reduce_sum(tf.matmul(h, kernel)) + tf.reduce_sum(tf.matmul(h, aux))
step = tf.train.get_or_create_global_step()
train = tf.train.AdamOptimizer(1e-3).minimize(loss, global_step=step)
'''
# The refactor of the done-when: the decoder scope is renamed, the auxiliary layer widened.
CHANGED = MODEL.replace('"decoder"', '"head"').replace("[64, 5]", "[64, 8]")


def tf_or_skip() -> Any:
    """TF1 semantics (`oracle`'s import), or skip the test when TF cannot be imported."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed: checkpoints are written by real TF")
    try:
        return oracle.load_tf()
    except Exception as err:  # noqa: BLE001 - any import failure means: no TF here
        pytest.skip(f"import tensorflow failed ({type(err).__name__}: {err})")


def save(tf: Any, prefix: Path, build: Callable[[Any], Any], cpus: int = 1,
         global_step: Optional[int] = None, **saver_args: Any) -> str:
    """Build a graph with `build(tf)` (it may return a Saver var_list) and save it."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    with tf.Graph().as_default():
        var_list: Optional[Any] = build(tf)
        saver = tf.train.Saver(var_list, **saver_args)
        config = tf.ConfigProto(device_count={"CPU": cpus})
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, str(prefix), global_step=global_step)


def save_source(tf: Any, source: Path, prefix: Path) -> str:
    """Run a model file under TF and save every variable it made (a default Saver)."""
    code = compile(source.read_text(encoding="utf-8"), str(source), "exec")
    return save(tf, prefix, lambda _tf: exec(code, {"__name__": "__main__"}))


def tf_entries(tf: Any, prefix: str) -> dict[str, tuple[tuple[int, ...], str]]:
    """Name → (shape, dtype) as TF's own checkpoint reader sees them."""
    reader = tf.train.NewCheckpointReader(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    return {name: (tuple(shape), dtypes[name].name)
            for name, shape in reader.get_variable_to_shape_map().items()}
