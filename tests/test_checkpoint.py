"""The checkpoint reader against checkpoints real TensorFlow writes, and bad checkpoints."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers.checkpoints import save, tf_entries, tf_or_skip
from scopelint import checkpoint
from scopelint.checkpoint import CheckpointError, Tensor
from scopelint.cli import main


@pytest.fixture(scope="module")
def tf() -> Any:
    return tf_or_skip()


def entries(location: str) -> dict[str, tuple[Any, Any]]:
    return {t.name: (t.shape, t.dtype) for t in checkpoint.load(location).tensors}


def one_scalar(tf: Any) -> None:
    tf.get_variable("w", [], dtype=tf.int32)


def many(count: int):
    def build(tf: Any) -> None:
        kinds = (tf.float32, tf.float64, tf.int64, tf.bool, tf.float16, tf.int32)
        for i in range(count):
            with tf.variable_scope(f"block_{i % 7}"):
                tf.get_variable(f"layer_{i}/kernel", [i % 5 + 1, 3, i % 2 + 1],
                                dtype=kinds[i % len(kinds)])
    return build


def training(tf: Any) -> None:
    with tf.variable_scope("enc"):
        w = tf.get_variable("w", [10, 4])
        part = tf.get_variable("p", [8, 3], partitioner=tf.fixed_size_partitioner(3))
    step = tf.train.get_or_create_global_step()
    loss = tf.reduce_sum(w) + tf.reduce_sum(part)
    tf.train.AdamOptimizer().minimize(loss, global_step=step)
    tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    tf.Variable(tf.zeros([2], tf.float64), name="plain")


@pytest.mark.parametrize("build", [one_scalar, many(3), many(400), training],
                         ids=["one-scalar", "few", "many-blocks", "training"])
def test_reader_agrees_with_tf(tf: Any, tmp_path: Path, build) -> None:
    prefix = save(tf, tmp_path / "model.ckpt", build, global_step=7)
    expected = tf_entries(tf, prefix)
    assert entries(prefix) == expected and len(expected) >= 1


def test_training_names(tf: Any, tmp_path: Path) -> None:
    """Partitioned variables are saved whole; slots, powers and the step are entries."""
    prefix = save(tf, tmp_path / "model.ckpt", training)
    found = entries(prefix)
    assert found["enc/p"] == ((8, 3), "float32") and not any("part_" in n for n in found)
    assert {"enc/w/Adam", "enc/w/Adam_1", "enc/w/Momentum", "beta1_power", "global_step",
            "plain"} <= found.keys()
    assert found["global_step"] == ((), "int64") and found["plain"] == ((2,), "float64")


def test_sharded_over_devices(tf: Any, tmp_path: Path) -> None:
    def two_devices(tf: Any) -> None:
        for i in range(6):
            with tf.device(f"/cpu:{i % 2}"):
                tf.get_variable(f"v{i}", [i + 1])

    prefix = save(tf, tmp_path / "model", two_devices, cpus=2, sharded=True)
    assert sorted(p.name for p in tmp_path.glob("model.data-*")) == [
        "model.data-00000-of-00002", "model.data-00001-of-00002"]
    assert entries(prefix) == tf_entries(tf, prefix) and len(entries(prefix)) == 6


def test_custom_saver_keys(tf: Any, tmp_path: Path) -> None:
    prefix = save(tf, tmp_path / "model", lambda tf: {
        "custom/key": tf.get_variable("w", [2]), "other": tf.get_variable("b", [3])})
    assert entries(prefix) == {"custom/key": ((2,), "float32"), "other": ((3,), "float32")}


def test_locations(tf: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A prefix, its .index, a data shard, its .meta, a directory with its state file (relative
    paths), and the prefix of numbered checkpoints (the latest, with a note)."""
    monkeypatch.chdir(tmp_path)
    prefix = save(tf, tmp_path / "train" / "model.ckpt", one_scalar, global_step=1000)
    assert prefix.endswith("model.ckpt-1000")
    index = prefix + ".index"
    for location in (prefix, index, prefix + ".data-00000-of-00001", prefix + ".meta",
                     str(tmp_path / "train"), "train"):
        assert os.path.samefile(checkpoint.load(location).index, index), location
    shutil.copy(index, tmp_path / "train" / "model.ckpt-200.index")
    latest = checkpoint.load("train/model.ckpt")
    assert os.path.samefile(latest.index, index) and latest.note == (
        "train/model.ckpt is the prefix of 2 numbered checkpoints: comparing the latest, "
        "train/model.ckpt-1000 (step 1000)")
    (tmp_path / "train" / "checkpoint").write_text(
        'model_checkpoint_path: "model.ckpt-1000"\n'
        'all_model_checkpoint_paths: "model.ckpt-1000"\n')
    assert os.path.samefile(checkpoint.load("train").index, index)
    escaped = tmp_path / "caf\u00e9"
    (tmp_path / "train").rename(escaped)
    (escaped / "model.ckpt-1000.index").rename(escaped / "m\u00e9.index")
    (escaped / "checkpoint").write_text('model_checkpoint_path: "m\\303\\251"\n')
    assert checkpoint.load(str(escaped)).index.endswith("caf\u00e9/m\u00e9.index")


def test_object_based(tf: Any, tmp_path: Path) -> None:
    with tf.Graph().as_default():
        model = tf.train.Checkpoint(dense=tf.train.Checkpoint(kernel=tf.Variable(
            tf.zeros([3, 2]), name="kernel")))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = model.save(str(tmp_path / "ck"), session=sess)
    ckpt = checkpoint.load(prefix)
    assert ckpt.object_based
    assert Tensor("dense/kernel", (3, 2), "float32") in ckpt.comparable()
    assert not any(".ATTRIBUTES" in t.name for t in ckpt.comparable())


# -- bad input ---------------------------------------------------------------------------


def fails(capsys: pytest.CaptureFixture, location: str, *words: str) -> None:
    """`names --checkpoint` exits 2 with one clear line that says `words`, no traceback."""
    assert main(["names", "--no-cache", "--checkpoint", location, os.devnull]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("scopelint: error: ") and err.count("\n") == 1, err
    assert all(word in err for word in words), err


def test_missing_checkpoint(tmp_path: Path, capsys) -> None:
    fails(capsys, str(tmp_path / "nothing"), "no checkpoint at", "nothing.index")


def test_directory_without_state_file(tmp_path: Path, capsys) -> None:
    fails(capsys, str(tmp_path), "without a readable 'checkpoint' file")


def test_state_file_points_nowhere(tmp_path: Path, capsys) -> None:
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone/model.ckpt-5"\n')
    fails(capsys, str(tmp_path), "points to", "gone/model.ckpt-5", "does not exist")
    (tmp_path / "checkpoint").write_text("garbage\n")
    fails(capsys, str(tmp_path), "no model_checkpoint_path")


def test_not_an_index(tmp_path: Path, capsys) -> None:
    (tmp_path / "model.index").write_bytes(b"\x00" * 100)
    fails(capsys, str(tmp_path / "model.index"), "not a checkpoint index")
    (tmp_path / "v1.ckpt").write_bytes(b"old format")
    fails(capsys, str(tmp_path / "v1.ckpt"), "not a checkpoint: no", "v1.ckpt.index")
    (tmp_path / "x.meta").write_bytes(b"a graph")
    fails(capsys, str(tmp_path / "x.meta"), "no", "x.index next to it")


@pytest.mark.parametrize("cut", [lambda n: 0, lambda n: 10, lambda n: n // 2, lambda n: n - 1],
                         ids=["empty", "head", "half", "last-byte"])
def test_truncated_index(tf: Any, tmp_path: Path, capsys, cut) -> None:
    prefix = save(tf, tmp_path / "model", many(50))
    data = Path(prefix + ".index").read_bytes()
    Path(prefix + ".index").write_bytes(data[:cut(len(data))])
    fails(capsys, prefix, "model.index", "not a checkpoint index")


def test_corrupt_block(tf: Any, tmp_path: Path, capsys) -> None:
    prefix = save(tf, tmp_path / "model", many(50))
    data = bytearray(Path(prefix + ".index").read_bytes())
    data[40] ^= 0xFF
    Path(prefix + ".index").write_bytes(bytes(data))
    fails(capsys, prefix, "corrupt checkpoint index")


def test_corrupt_footer_handle(tf: Any, tmp_path: Path) -> None:
    """A footer whose index handle points past the end: an error, not an IndexError."""
    prefix = save(tf, tmp_path / "model", one_scalar)
    data = bytearray(Path(prefix + ".index").read_bytes())
    data[-48:-40] = bytes([0x7F] * 8)
    with pytest.raises(CheckpointError, match="corrupt"):
        list(checkpoint.read_index(bytes(data), "x"))


def test_object_based_exit_2(tf: Any, tmp_path: Path, capsys) -> None:
    with tf.Graph().as_default():
        model = tf.train.Checkpoint(v=tf.Variable(tf.zeros([2]), name="v"))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = model.save(str(tmp_path / "ck"), session=sess)
    source = tmp_path / "m.py"
    source.write_text("import tensorflow.compat.v1 as tf\nv = tf.get_variable('v', [2])\n")
    assert main(["names", "--no-cache", "--checkpoint", prefix, str(source)]) == 2
    out, err = capsys.readouterr()
    assert "object-based checkpoint" in err and "Traceback" not in err
    assert "checkpoint entries: 1 created by the code" in out  # `v` compared by object path
