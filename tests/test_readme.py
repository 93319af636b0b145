"""The README's tutorial example shows exactly what scopelint prints, and its commands exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_tutorial_output_is_what_scopelint_prints(tmp_path: Path) -> None:
    program = _blocks("python")[0]
    (tmp_path / "tutorial.py").write_text(program, encoding="utf-8")
    session = next(b for b in _blocks("console") if "$ scopelint check tutorial.py" in b)
    for command, expected in re.findall(r"^\$ (.*)\n((?:[^$].*\n)*)", session, re.MULTILINE):
        args = command.split()[1:]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-m", "scopelint", *args, "--no-cache"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
        assert run.stdout == expected, f"README output of `{command}` is stale"


def test_install_and_test_commands_are_documented() -> None:
    assert "pip install . && scopelint check fixtures/" in README
    assert 'pip install -e ".[test]" && python -m pytest' in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && python -m pytest' in ci


def test_notebook_and_python2_examples_are_what_scopelint_prints() -> None:
    """The sessions of the notebook and Python 2 section, run from the repository root."""
    section = README[README.index("## Notebooks, Python 2 and stdin"):]
    sessions = [b for b in _blocks("console") if b in section and b.startswith("$ scopelint")]
    assert len(sessions) == 2
    for session in sessions:
        command, expected = session.split("\n", 1)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-m", "scopelint", *command.split()[2:],
                              "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=False)
        assert run.stdout == expected, f"README output of `{command}` is stale"
