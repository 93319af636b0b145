"""`scopelint check -` / `names -`: source from stdin, named by --stdin-filename."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from scopelint.cli import main

NAME_SCOPE = ('import tensorflow as tf\n\nwith tf.name_scope("a"):\n'
              '    w = tf.get_variable("v", [1])\n')
MESSAGE = "TFS201 get_variable ignores name_scope 'a': this variable is named 'v:0', not 'a/v:0'"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scopelint]\nexclude = ["generated"]\n'
        '[tool.scopelint.per-file-ignores]\n"legacy/*.py" = ["TFS201"]\n')
    return tmp_path


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, source: bytes,
        *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source)))
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_check_reads_stdin_under_its_file_name(project: Path, monkeypatch, capsys) -> None:
    status, out, _ = run(monkeypatch, capsys, NAME_SCOPE.encode(), "check", "-",
                         "--stdin-filename", "src/model.py")
    assert (status, out) == (1, f"src/model.py:4:9: {MESSAGE}\n")
    assert run(monkeypatch, capsys, NAME_SCOPE.encode(), "check", "-")[1] == f"-:4:9: {MESSAGE}\n"


def test_config_excludes_and_per_file_ignores_apply_to_the_name(
        project: Path, monkeypatch, capsys) -> None:
    for name in ("generated/model.py", "legacy/model.py"):
        assert run(monkeypatch, capsys, NAME_SCOPE.encode(), "check", "-",
                   "--stdin-filename", name)[:2] == (0, "")


def test_noqa_python2_and_notebooks_from_stdin(project: Path, monkeypatch, capsys) -> None:
    silenced = NAME_SCOPE.replace("[1])", "[1])  # noqa: TFS201").encode()
    assert run(monkeypatch, capsys, silenced, "check", "-")[:2] == (0, "")
    _, out, _ = run(monkeypatch, capsys, b'print "x"\n' + NAME_SCOPE.encode(), "check", "-",
                    "--stdin-filename", "old.py")
    assert [line.split(" ")[1] for line in out.splitlines()] == ["TFS003", "TFS201"]
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": NAME_SCOPE}]}).encode()
    _, out, _ = run(monkeypatch, capsys, notebook, "check", "-", "--stdin-filename", "nb.ipynb")
    assert out == f"nb.ipynb:cell 1:4:9: {MESSAGE}\n"


def test_names_reads_stdin(project: Path, monkeypatch, capsys) -> None:
    _, out, _ = run(monkeypatch, capsys, NAME_SCOPE.encode(), "names", "-",
                    "--stdin-filename", "m.py")
    assert out == "m.py:4:9: get_variable v:0 [1] float32\n"


@pytest.mark.parametrize("args, message", [
    (["check", "-", "x.py"], "`-` (stdin) cannot be combined with other paths"),
    (["check", "x.py", "--stdin-filename", "y.py"], "--stdin-filename needs the PATH `-`"),
])
def test_usage_errors(project: Path, monkeypatch, capsys, args: list[str], message: str) -> None:
    (project / "x.py").write_text("x = 1\n")
    status, _, err = run(monkeypatch, capsys, b"", *args)
    assert (status, err) == (2, f"scopelint: error: {message}\n")
