"""The pre-commit hook, run by the real `pre-commit try-repo` on a copy of this tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checkpoints import CHANGED, MODEL

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
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "scopelint" and hook["entry"] == "scopelint check"
    assert hook["language"] == "python" and hook["types"] == ["python"]
    assert hook["require_serial"] is True


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory: pytest.TempPathFactory):
    """Run the hook of a committed copy of this tree (try-repo needs one) on a project's files;
    one hook environment for the module."""
    root = tmp_path_factory.mktemp("precommit")
    hook_repo = committed(Path(shutil.copytree(REPO, root / "scopelint", ignore=IGNORED)))
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(root / "cache")}

    def run(project: Path, *files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(hook_repo), "scopelint", "--files", *files],
            cwd=project, env=env, capture_output=True, text=True, check=False, timeout=900)
    return run


def test_try_repo(tmp_path: Path, try_repo) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "buggy.py").write_text('print "hello"\n')
    (project / "clean.py").write_text("import tensorflow as tf\nx = tf.Variable(1.0)\n")
    committed(project)
    buggy = try_repo(project, "buggy.py")
    assert buggy.returncode == 1, buggy.stdout + buggy.stderr
    assert "buggy.py:1:" in buggy.stdout and "TFS001" in buggy.stdout
    clean = try_repo(project, "clean.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


def test_names_lock_blocks_a_rename_until_rewritten(tmp_path: Path, try_repo) -> None:
    """The issue's done-when: a renamed scope and a widened layer fail the hook through
    TFS301; after `names --write-lock` the same change passes."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.scopelint]\nnames-lock = "scopelint.lock"\n')
    (project / "model.py").write_text(MODEL)
    write_lock = [sys.executable, "-m", "scopelint", "names", "--write-lock", "scopelint.lock",
                  "model.py"]
    subprocess.run(write_lock, cwd=project, check=True, capture_output=True)
    committed(project)
    assert try_repo(project, "model.py").returncode == 0
    (project / "model.py").write_text(CHANGED)
    blocked = try_repo(project, "model.py")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert blocked.stdout.count("TFS301") == 2
    assert "'decoder/out/kernel' in the names lock is now named 'head/out/kernel'" \
        in blocked.stdout and "'aux/w' is [64, 8] float32 here, [64, 5]" in blocked.stdout
    subprocess.run(write_lock, cwd=project, check=True, capture_output=True)
    passed = try_repo(project, "model.py")
    assert passed.returncode == 0, passed.stdout + passed.stderr
