"""The README's snippets do what it says (its console sessions run in test_docs): the
pre-commit and configuration snippets, the GitHub Actions steps, the install commands."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers.console import ENV
from scopelint.config import load_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


@pytest.fixture()
def tutorial(tmp_path: Path) -> Path:
    (tmp_path / "tutorial.py").write_text(blocks("python")[0], encoding="utf-8")
    return tmp_path


def test_configuration_examples_are_valid(tmp_path: Path) -> None:
    tables = []
    for config in blocks("toml"):
        (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
        tables.append(load_table(tmp_path / "pyproject.toml"))
    assert any("extend-exclude" in table and "exclude" not in table for table in tables)
    assert any("follow-imports" in table and "src" in table for table in tables)


def test_github_actions_steps(tutorial: Path) -> None:
    page = (ROOT / "docs" / "github-actions.md").read_text(encoding="utf-8")
    workflow, annotations = re.findall(r"```yaml\n(.*?)```", page, re.DOTALL)
    steps = yaml.safe_load(workflow)["jobs"]["scopelint"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[0] == 'pip install "scopelint @ git+<repository URL>"'
    assert "replace `<repository URL>`" in " ".join(page.split())
    for command in (runs[1], yaml.safe_load(annotations)[0]["run"]):
        run = subprocess.run(command, shell=True, cwd=tutorial, env=ENV, text=True,
                             capture_output=True, check=False)
        assert run.stderr.startswith("Found 3 findings in 1 file")
        if "sarif" in command:
            assert run.returncode == 0
            sarif = json.loads((tutorial / "scopelint.sarif").read_text(encoding="utf-8"))
            assert len(sarif["runs"][0]["results"]) == 3
        else:
            assert run.returncode == 1 and run.stdout.count("::warning ") == 3


def test_install_and_test_commands_are_documented() -> None:
    assert "```console\npip install .\n```" in README
    assert 'pip install -e ".[test]" && python -m pytest' in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && python -m pytest' in ci
