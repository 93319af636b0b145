"""`scopelint names --checkpoint`: predicted names against a checkpoint real TF wrote."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from helpers.checkpoints import CHANGED, MODEL, save, save_source, tf_or_skip
from scopelint.checkpoint import Tensor
from scopelint.cli import main
from scopelint.checkpoint_compare import Predicted, bookkeeping_kind, compare

DOCS = Path(__file__).resolve().parents[1] / "docs" / "checkpoints.md"


@pytest.fixture(scope="module")
def tf() -> Any:
    return tf_or_skip()


@pytest.fixture()
def trained(tf: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """model.py, and the checkpoint its first version wrote in train/."""
    monkeypatch.chdir(tmp_path)
    Path("model.py").write_text(MODEL)
    save_source(tf, Path("model.py"), Path("train", "model.ckpt"))
    return "train"


def names(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    status = main(["names", "--no-cache", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_same_code_agrees(trained: str, capsys) -> None:
    status, out, err = names(capsys, "--checkpoint", trained, "model.py")
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == ("12 checkpoint entries: 6 created by the code (0 changed), "
                                    "0 renamed, 0 no longer created; 0 missing from the "
                                    "checkpoint, 0 unknown names")
    assert "6 optimizer slots in the checkpoint, not compared as model weights" in out


def test_refactor_reports_the_rename_and_the_shape(trained: str, capsys) -> None:
    """The issue's done-when: exactly the renamed pair and the shape change."""
    Path("model.py").write_text(CHANGED)
    status, out, _ = names(capsys, "--checkpoint", trained, "--format", "json", "model.py")
    report = json.loads(out)
    assert status == 1 and report["agrees"] is False
    assert [(r["old"]["name"], r["new"]["name"], r["new"]["line"]) for r in report["renamed"]] \
        == [("decoder/out/kernel", "head/out/kernel", 9)]
    assert [(c["checkpoint"]["shape"], c["code"]["name"], c["code"]["shape"])
            for c in report["changed"]] == [([64, 5], "aux/w", [64, 8])]
    assert report["missing"] == report["no_longer_created"] == report["unknown"] == []
    status, out, _ = names(capsys, "--checkpoint", trained, "model.py")
    assert status == 1
    assert [line for line in out.splitlines() if line.startswith("model.py")] == [
        "model.py:9:18: renamed: 'decoder/out/kernel' in the checkpoint is "
        "'head/out/kernel' here",
        "model.py:11:11: changed: 'aux/w' is [64, 8] float32 here, [64, 5] float32 in the "
        "checkpoint"]


def test_docs_example(trained: str, capsys) -> None:
    session = re.search(r"```console\n\$ (scopelint names --checkpoint .*?)\n(.*?)```",
                        DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert session is not None
    Path("model.py").write_text(CHANGED)
    status, out, _ = names(capsys, *session.group(1).split()[2:])
    assert (status, out) == (1, session.group(2))


ARGUMENTS = """import argparse
import logging

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args([])
logging.getLogger(__name__).info("lr %s", args.lr)
data = np.zeros([4, 784], np.float32)
"""


def test_docs_example_after_argument_parsing(trained: str, capsys) -> None:
    """argparse, logging and numpy before the model change nothing in what is compared."""
    session = re.search(r"```console\n\$ (scopelint names --checkpoint .*?)\n(.*?)```",
                        DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert session is not None
    shift = ARGUMENTS.count("\n")
    Path("model.py").write_text(ARGUMENTS + CHANGED)
    status, out, _ = names(capsys, *session.group(1).split()[2:])
    expected = re.sub(r"^model\.py:(\d+):", lambda m: f"model.py:{int(m[1]) + shift}:",
                      session.group(2), flags=re.MULTILINE)
    assert (status, out) == (1, expected)


def test_missing_stale_and_unknown(trained: str, capsys) -> None:
    renamed = MODEL.replace('"w", [784, 64]', '"weights", [784, 64]')
    Path("model.py").write_text(renamed)
    status, out, _ = names(capsys, "--checkpoint", trained, "--format", "json", "model.py")
    report = json.loads(out)
    assert status == 1 and report["renamed"] == report["unknown"] == []
    assert [m["name"] for m in report["missing"]] == ["encoder/weights"]
    assert [s["name"] for s in report["no_longer_created"]] == ["encoder/w"]
    # A function never called: its scope is unknown, and so is whether it makes `encoder/w`.
    Path("model.py").write_text(renamed + '\ndef block(name):\n'
                                '    with tf.variable_scope(name):\n'
                                '        return tf.get_variable("w", [2])\n')
    status, out, _ = names(capsys, "--checkpoint", trained, "--format", "json", "model.py")
    report = json.loads(out)
    assert status == 1 and report["no_longer_created"] == []
    assert [(u["pattern"], u["line"], u["checkpoint_matches"]) for u in report["unknown"]] == [
        ("…/…/w…", 18, ["encoder/w"])]


@pytest.mark.parametrize("condition", ["len(sys.argv) > 1", "tf.flags.FLAGS.extra",
                                       "tf.app.flags.FLAGS.extra"])
def test_a_branch_that_may_not_run_is_unknown(trained: str, capsys, condition: str) -> None:
    Path("model.py").write_text(MODEL + f"import sys\nif {condition}:\n"
                                "    tf.get_variable('extra', [2])\n")
    status, out, _ = names(capsys, "--checkpoint", trained, "--format", "json", "model.py")
    report = json.loads(out)
    assert status == 0 and report["missing"] == []
    assert [(u["pattern"], u["checkpoint_matches"]) for u in report["unknown"]] == [
        ("extra", [])]


def test_slots_and_step_are_bookkeeping(tf: Any, tmp_path: Path, monkeypatch, capsys) -> None:
    """A training checkpoint read by inference code: slots and the step differ, weights agree."""
    monkeypatch.chdir(tmp_path)
    Path("model.py").write_text(MODEL)
    Path("infer.py").write_text(MODEL.split("loss =")[0])
    save_source(tf, Path("model.py"), tmp_path / "ckpt")
    status, out, _ = names(capsys, "--checkpoint", "ckpt", "--format", "json", "infer.py")
    report = json.loads(out)
    assert status == 0 and report["matched"] == 3
    assert sorted((b["kind"], b["side"]) for b in report["bookkeeping"]).count(
        ("optimizer slot", "saved only")) == 8  # 3 x Adam, Adam_1 + beta1/2_power
    assert ("global_step", "global step", "saved only") in {
        (b["name"], b["kind"], b["side"]) for b in report["bookkeeping"]}


def test_named_optimizer_and_moving_average(tf: Any, tmp_path: Path, monkeypatch,
                                            capsys) -> None:
    """Slots named after the optimizer's and the moving average's `name=`."""
    monkeypatch.chdir(tmp_path)
    Path("model.py").write_text(
        "import tensorflow.compat.v1 as tf\nw = tf.get_variable('w', [2])\n"
        "tf.train.AdamOptimizer(name='opt').minimize(tf.reduce_sum(w))\n"
        "tf.train.ExponentialMovingAverage(0.9, name='avg').apply([w])\n")
    save_source(tf, Path("model.py"), tmp_path / "ckpt")
    status, out, _ = names(capsys, "--checkpoint", "ckpt", "--format", "json", "model.py")
    report = json.loads(out)
    assert status == 0 and report["matched"] == 3  # w, beta1_power, beta2_power
    assert sorted(b["name"] for b in report["bookkeeping"]) == ["w/avg", "w/opt", "w/opt_1"]


def test_partitioned_and_custom_keys(tf: Any, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("model.py").write_text(
        "import tensorflow.compat.v1 as tf\n"
        "p = tf.get_variable('p', [8, 3], partitioner=tf.fixed_size_partitioner(2))\n"
        "v = tf.get_variable('v', [3])\n")
    save(tf, tmp_path / "ckpt", lambda tf: {
        "p": tf.get_variable("p", [8, 3], partitioner=tf.fixed_size_partitioner(2)),
        "renamed_v": tf.get_variable("v", [3])})
    status, out, _ = names(capsys, "--checkpoint", "ckpt", "--format", "json", "model.py")
    report = json.loads(out)
    assert status == 1 and report["matched"] == 1  # `p`, saved whole
    assert [m["name"] for m in report["missing"]] == ["v"]
    assert [s["name"] for s in report["no_longer_created"]] == ["renamed_v"]


# -- the comparison, without TF ------------------------------------------------------------


def created(name: str, shape: Any = None, dtype: Any = "float32") -> Predicted:
    return Predicted(name, name, shape, dtype, "m.py", 1, 1)


def test_renames_need_the_same_leaf_and_compatible_shapes() -> None:
    saved = [Tensor("decoder/out/kernel", (64, 10), "float32"), Tensor("a/bias", (3,), "float32"),
             Tensor("dense_1/kernel", (4, 4), "float32")]
    cmp = compare([created("head/out/kernel", (64, 10)), created("a/scale", (3,)),
                   created("dense_2/kernel", (4, 8))], saved)
    assert [(old.name, new.name) for old, new in cmp.renamed] == [
        ("decoder/out/kernel", "head/out/kernel")]
    assert sorted(s.name for s in cmp.stale) == ["a/bias", "dense_1/kernel"]
    assert sorted(m.name for m in cmp.missing) == ["a/scale", "dense_2/kernel"]


def test_each_name_in_one_rename_at_most() -> None:
    cmp = compare([created("x/dense_1/w"), created("x/dense_2/w")],
                  [Tensor("y/dense_1/w", None, None)])
    assert [(o.name, n.name) for o, n in cmp.renamed] == [("y/dense_1/w", "x/dense_1/w")]
    assert [m.name for m in cmp.missing] == ["x/dense_2/w"]


@pytest.mark.parametrize("name, kind", [
    ("w/Adam", "optimizer slot"), ("w/Adam_1", "optimizer slot"), ("beta1_power", "optimizer slot"),
    ("scope/beta2_power_3", "optimizer slot"), ("a/b/RMSProp_1", "optimizer slot"),
    ("w/ExponentialMovingAverage", "optimizer slot"), ("global_step", "global step"),
    ("Adam", None), ("w/Adamant", None), ("a/kernel", None)])
def test_bookkeeping_names(name: str, kind: Any) -> None:
    assert bookkeeping_kind(name) == kind
