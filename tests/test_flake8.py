"""`flake8 --select TFS` (the real flake8, in a subprocess) reports what `scopelint check` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from scopelint import __version__
from scopelint.flake8_plugin import ScopelintChecker

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
FORMAT = "%(path)s:%(row)d:%(col)d: %(code)s %(text)s"
EXTRA = {
    "name_scope.py": 'import tensorflow as tf\n\nwith tf.name_scope("a"):\n'
                     '    w = tf.get_variable("v", [1])\n    u = tf.get_variable("u", [1])  # noqa\n',
    "multiline.py": 'import tensorflow as tf\nwith tf.name_scope("a"):\n'
                    '    w = tf.get_variable(\n        "v", [1])\n',
    "py2.py": 'print "hello"\n',
    "broken.py": "x = = 1\n",
    "clean.py": "x = 1\n",
}

Row = tuple[str, int, int, str, str]


def plugin_options(tmp_path: Path) -> list[str]:
    """Use the installed entry point, or register the plugin as a local one."""
    installed = [ep for ep in entry_points(group="flake8.extension") if ep.name == "TFS"]
    if installed:
        return ["--isolated"]
    config = tmp_path / "flake8.cfg"
    config.write_text("[flake8:local-plugins]\nextension =\n"
                      "    TFS = scopelint.flake8_plugin:ScopelintChecker\n"
                      f"paths = {REPO}\n")
    return ["--config", str(config)]


def flake8(tmp_path: Path, select: str, paths: list[str]) -> list[Row]:
    done = subprocess.run(
        [sys.executable, "-m", "flake8", *plugin_options(tmp_path), "--select", select,
         "--format", FORMAT, *paths],
        capture_output=True, text=True, env=ENV, cwd=REPO, check=False)
    assert done.returncode in (0, 1), done.stderr
    rows = []
    for line in done.stdout.splitlines():
        path, row, col, rest = line.split(":", 3)
        code, message = rest.strip().split(" ", 1)
        rows.append((os.path.normpath(path), int(row), int(col), code, message))
    return sorted(rows)


def scopelint(paths: list[str]) -> list[Row]:
    done = subprocess.run(
        [sys.executable, "-m", "scopelint", "check", "--no-cache", "--exit-zero",
         "--format", "json", *paths],
        capture_output=True, text=True, env=ENV, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    return sorted((os.path.normpath(r["path"]), r["line"], r["col"], r["code"], r["message"])
                  for r in json.loads(done.stdout))


@pytest.fixture()
def files(tmp_path: Path) -> list[str]:
    """Every fixture plus a few files whose findings the engine's basics decide."""
    extra = tmp_path / "extra"
    extra.mkdir()
    for name, text in EXTRA.items():
        (extra / name).write_text(text)
    fixtures = sorted(str(p.relative_to(REPO)) for p in (REPO / "fixtures").glob("**/*.py")
                      if "python2" not in p.parts  # flake8 reads Python 3 only
                      and "projects" not in p.parts)  # see the test below
    return [*fixtures, *(str(extra / name) for name in EXTRA)]


def test_flake8_on_project_entries_is_check_of_those_files(tmp_path: Path) -> None:
    """flake8 hands the plugin one file at a time: a bug in a module an entry script
    imports is reported at the entry's call, as `scopelint check` of the entries does."""
    entries = sorted(str(p.relative_to(REPO)) for p in (REPO / "fixtures" / "projects").glob(
        "*/*.py") if "# oracle: entry" in p.read_text(encoding="utf-8"))
    expected = scopelint(entries)
    assert any("reached through this call" in row[4] for row in expected)
    assert flake8(tmp_path, "TFS", entries) == expected


def test_flake8_reports_the_same_findings(tmp_path: Path, files: list[str]) -> None:
    expected = [row for row in scopelint(files)
                if row[3] not in ("TFS001", "TFS002") and not row[0].endswith("py2.py")]
    assert flake8(tmp_path, "TFS", files) == expected


def test_flake8_reports_syntax_errors_itself(tmp_path: Path, files: list[str]) -> None:
    """flake8 runs plugins on Python 3 files only: a Python 2 file is its E999 too."""
    broken = [path for path in files if path.endswith(("py2.py", "broken.py"))]
    assert [row[1:4] for row in scopelint(broken)] == [(1, 5, "TFS001"), (1, 1, "TFS003")]
    assert [row[3] for row in flake8(tmp_path, "TFS,E999", broken)] == ["E999", "E999"]


def test_plugin_interface() -> None:
    lines = ["x = = 1\n"]
    checker = ScopelintChecker(None, "m.py", lines)
    assert (checker.name, checker.version) == ("scopelint", __version__)
    assert [(line, col, text.split()[0]) for line, col, text, _ in checker.run()] == [
        (1, 4, "TFS001")]
