"""The names lock: `names --write-lock`, and TFS301 from `check` with `names-lock` set."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checkpoints import CHANGED, MODEL
from scopelint.cli import main
from scopelint.lock import HEADER

CONFIG = '[tool.scopelint]\nnames-lock = "scopelint.lock"\n'
LOCKED = [
    "aux/w [64,5] float32 model.py",
    "beta1_power [] float32 model.py",
    "beta2_power [] float32 model.py",
    "decoder/out/kernel [64,10] float32 model.py",
    "encoder/w [784,64] float32 model.py",
    "global_step [] int64 model.py",
]
OTHER = "import tensorflow.compat.v1 as tf\nv = tf.get_variable('other/v', [3], tf.int32)\n"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    """A project whose pyproject.toml sets names-lock, with model.py locked."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "other.py").write_text(OTHER)
    assert main(["names", "--no-cache", "--write-lock", "scopelint.lock", "."]) == 0
    assert capsys.readouterr().err == "scopelint: wrote 7 names to scopelint.lock\n"
    return tmp_path


def check(capsys: pytest.CaptureFixture, *paths: str) -> tuple[int, list[str]]:
    status = main(["check", "--no-cache", "--quiet", "--jobs", "1", *paths])
    out, err = capsys.readouterr()
    assert err == ""
    return status, out.splitlines()


def test_lock_is_sorted_one_variable_a_line(project: Path, capsys) -> None:
    assert (project / "scopelint.lock").read_text() == HEADER + "".join(
        line + "\n" for line in sorted([*LOCKED, "other/v [3] int32 other.py"]))
    assert check(capsys, ".") == (0, [])


def test_refactor_fails_until_the_lock_is_rewritten(project: Path, capsys) -> None:
    (project / "model.py").write_text(CHANGED)
    status, lines = check(capsys, "model.py")
    assert status == 1
    assert lines == [
        "model.py:9:18: TFS301 'decoder/out/kernel' in the names lock is now named "
        "'head/out/kernel': old checkpoints no longer load; if intended, run "
        "`scopelint names --write-lock scopelint.lock PATH ...`",
        "model.py:11:11: TFS301 'aux/w' is [64, 8] float32 here, [64, 5] float32 in the "
        "names lock: old checkpoints no longer load; if intended, run "
        "`scopelint names --write-lock scopelint.lock PATH ...`"]
    assert main(["names", "--no-cache", "--write-lock", "scopelint.lock", "model.py"]) == 0
    capsys.readouterr()
    assert check(capsys, "model.py") == (0, [])
    locked = (project / "scopelint.lock").read_text()
    assert "head/out/kernel [64,10]" in locked and "aux/w [64,8]" in locked
    assert "other/v [3] int32 other.py" in locked  # another file's entries are kept


def test_new_and_removed_variables(project: Path, capsys) -> None:
    (project / "model.py").write_text(MODEL.replace(
        'with tf.variable_scope("aux"):\n    aux = tf.get_variable("w", [64, 5])\n',
        'with tf.variable_scope("aux"):\n    aux = tf.get_variable("gate", [64, 5])\n'))
    status, lines = check(capsys, ".")
    stale_line = 1 + HEADER.count("\n")  # aux/w sorts first
    assert status == 1 and [line.split(": TFS301 ")[0] for line in lines] == [
        "model.py:11:11", f"scopelint.lock:{stale_line}:1"]
    assert "'aux/gate' [64, 5] float32 is not in the names lock" in lines[0]
    assert "'aux/w' (model.py) in the names lock is no longer created" in lines[1]


def test_only_the_checked_files_are_compared(project: Path, capsys) -> None:
    """Pre-commit passes the staged files: the lock's other entries stay out of it,
    unless their file is gone."""
    (project / "model.py").write_text(MODEL.replace('"w", [784, 64]', '"w", [784, 32]'))
    assert [line.split(":")[0] for line in check(capsys, "model.py")[1]] == ["model.py"]
    (project / "other.py").unlink()
    status, lines = check(capsys, "model.py")
    assert status == 1 and "'other/v' (other.py) in the names lock is no longer created" \
        in lines[-1] and lines[-1].startswith("scopelint.lock:")


def test_noqa_and_ignore(project: Path, capsys) -> None:
    (project / "model.py").write_text(CHANGED.replace('[64, 8])', '[64, 8])  # noqa: TFS301'))
    assert len(check(capsys, "model.py")[1]) == 1
    assert check(capsys, "--ignore", "TFS301", "model.py") == (0, [])


@pytest.mark.parametrize("config, words", [
    ('names-lock = 3', "names-lock: must be a file name"),
    ('names-lock = "missing.lock"', "names lock missing.lock does not exist: create it with "
                                    "`scopelint names --write-lock missing.lock PATH ...`"),
])
def test_bad_config(project: Path, capsys, config: str, words: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.scopelint]\n{config}\n")
    assert main(["check", "--no-cache", "model.py"]) == 2
    assert words in capsys.readouterr().err


def test_checkpoint_and_write_lock_exclude_each_other(project: Path, capsys) -> None:
    assert main(["names", "--checkpoint", "x", "--write-lock", "y.lock", "model.py"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert not (project / "y.lock").exists()


def test_unwritable_lock(project: Path, capsys) -> None:
    assert main(["names", "--no-cache", "--write-lock", "no/such/dir.lock", "model.py"]) == 2
    assert capsys.readouterr().err == (
        "scopelint: error: names lock no/such/dir.lock: cannot write: No such file or directory\n")


def test_malformed_lock(project: Path, capsys) -> None:
    (project / "scopelint.lock").write_text("a/w [1 float32 model.py\n")
    assert main(["check", "--no-cache", "model.py"]) == 2
    assert "scopelint.lock:1: expected 'name shape dtype file'" in capsys.readouterr().err
