"""The pre-commit hook, run by the real `pre-commit try-repo` on a copy of this tree."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", "dist",
                                 ".scopelint_cache", ".pytest_cache", ".hypothesis")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}

pytestmark = pytest.mark.skipif(not shutil.which("git") or not shutil.which("pre-commit"),
                                reason="needs git and pre-commit")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def committed(path: Path) -> Path:
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "snapshot")
    return path


def test_hook_definition() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [(hook["id"], hook["entry"]) for hook in hooks] == [
        ("scopelint", "scopelint check"), ("scopelint-fix", "scopelint check --fix")]
    for hook in hooks:
        assert hook["language"] == "python" and hook["types"] == ["python"]
        assert hook["require_serial"] is True


def test_try_repo(tmp_path: Path) -> None:
    """try-repo needs a committed repository: commit a copy of the working tree."""
    hook_repo = committed(Path(shutil.copytree(REPO, tmp_path / "scopelint", ignore=IGNORED)))
    project = tmp_path / "project"
    project.mkdir()
    (project / "buggy.py").write_text('print "hello"\n')
    (project / "clean.py").write_text("import tensorflow as tf\nx = tf.Variable(1.0)\n")
    committed(project)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def try_repo(*files: str, hook: str = "scopelint") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(hook_repo), hook, "--files", *files],
            cwd=project, env=env, capture_output=True, text=True, check=False, timeout=900)

    buggy = try_repo("buggy.py")
    assert buggy.returncode == 1, buggy.stdout + buggy.stderr
    assert "buggy.py:1:" in buggy.stdout and "TFS001" in buggy.stdout
    clean = try_repo("clean.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    fixable = REPO / "fixtures" / "tfs101_reuse_parameter_not_passed.py"
    shutil.copy(fixable, project / "gan.py")
    git(project, "add", "gan.py")
    git(project, "commit", "-q", "-m", "gan")
    fixed = try_repo("gan.py", hook="scopelint-fix")
    assert fixed.returncode == 1 and "files were modified by this hook" in fixed.stdout
    assert (project / "gan.py").read_text() == \
        (REPO / "fixtures" / "fixed" / fixable.name).read_text()
