"""The pre-commit hook, run by the real `pre-commit try-repo` on a copy of this tree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
import yaml

from helpers.checkpoints import CHANGED, MODEL

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
        ("scopelint", "scopelint check --force-exclude"),
        ("scopelint-fix", "scopelint check --force-exclude --fix")]
    for hook in hooks:
        assert hook["language"] == "python" and hook["require_serial"] is True
    assert hooks[0]["types_or"] == ["python", "jupyter"] and hooks[1]["types"] == ["python"]


def make_project(path: Path) -> Path:
    """A committed project: a broken file, a buggy notebook, a clean file, and a broken
    file the configuration excludes."""
    path.mkdir(exist_ok=True)
    (path / "pyproject.toml").write_text('[tool.scopelint]\nextend-exclude = ["legacy/"]\n')
    (path / "buggy.py").write_text("x = = 1\n")
    (path / "clean.py").write_text("import tensorflow as tf\nx = tf.Variable(1.0)\n")
    shutil.copy(REPO / "fixtures" / "notebooks" / "tfs101_gan_tutorial.ipynb", path / "gan.ipynb")
    (path / "legacy").mkdir()
    (path / "legacy" / "old.py").write_text("x = = 1\n")
    return committed(path)


def assert_hook_runs(run: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    """The hook fails on the buggy file and notebook, passes the clean and excluded ones."""
    buggy = run("buggy.py", "legacy/old.py")
    assert buggy.returncode == 1, buggy.stdout + buggy.stderr
    assert "buggy.py:1:" in buggy.stdout and "TFS001" in buggy.stdout
    assert "old.py" not in buggy.stdout
    notebook = run("gan.ipynb")
    assert notebook.returncode == 1, notebook.stdout + notebook.stderr
    assert "gan.ipynb:cell 4:3:13: TFS101" in notebook.stdout
    clean = run("clean.py", "legacy/old.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


def test_try_repo(tmp_path: Path) -> None:
    """try-repo needs a committed repository: commit a copy of the working tree."""
    hook_repo = committed(Path(shutil.copytree(REPO, tmp_path / "scopelint", ignore=IGNORED)))
    project = make_project(tmp_path / "project")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def try_repo(*files: str, hook: str = "scopelint") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(hook_repo), hook, "--files", *files],
            cwd=project, env=env, capture_output=True, text=True, check=False, timeout=900)

    assert_hook_runs(try_repo)
    fixable = REPO / "fixtures" / "tfs101_reuse_parameter_not_passed.py"
    shutil.copy(fixable, project / "gan.py")
    git(project, "add", "gan.py")
    git(project, "commit", "-q", "-m", "gan")
    fixed = try_repo("gan.py", hook="scopelint-fix")
    assert fixed.returncode == 1 and "files were modified by this hook" in fixed.stdout
    assert (project / "gan.py").read_text() == \
        (REPO / "fixtures" / "fixed" / fixable.name).read_text()


@pytest.mark.skipif(shutil.which("scopelint", path=os.path.dirname(sys.executable)) is None,
                    reason="scopelint is not installed beside this Python")
def test_readme_local_hook(tmp_path: Path) -> None:
    """The README's `repo: local` hook, offline, with the scopelint this Python runs."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (config,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
                 if "repo: local" in b]
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(config)
    make_project(project)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}

    def run_hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pre-commit", "run", "--files", *files], cwd=project, env=env,
                              capture_output=True, text=True, check=False, timeout=300)

    assert_hook_runs(run_hook)


@pytest.fixture(scope="module")
def hook_runner(tmp_path_factory: pytest.TempPathFactory):
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


def test_names_lock_blocks_a_rename_until_rewritten(tmp_path: Path, hook_runner) -> None:
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
    assert hook_runner(project, "model.py").returncode == 0
    (project / "model.py").write_text(CHANGED)
    blocked = hook_runner(project, "model.py")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert blocked.stdout.count("TFS301") == 2
    assert "'decoder/out/kernel' in the names lock is now named 'head/out/kernel'" \
        in blocked.stdout and "'aux/w' is [64, 8] float32 here, [64, 5]" in blocked.stdout
    subprocess.run(write_lock, cwd=project, check=True, capture_output=True)
    passed = hook_runner(project, "model.py")
    assert passed.returncode == 0, passed.stdout + passed.stderr
