"""File discovery: walking, excludes, .gitignore, symlinks, unreadable directories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from scopelint.config import DEFAULT_EXCLUDE
from scopelint.files import PathNotFound, discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def git_init(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def test_walks_directories_for_py_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "a.py", "pkg/b.py", "pkg/data.txt", "pkg/c.pyi", "dir.py/inner.py")
    assert discover(["."], []) == ["a.py", "dir.py/inner.py", "pkg/b.py"]


def test_named_files_are_checked_whatever_their_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "script", "notes.txt", "a.py")
    found = discover(["script", "notes.txt", "./a.py", "a.py"], [])
    assert found == ["a.py", "notes.txt", "script"]


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(PathNotFound) as info:
        discover([str(tmp_path / "nope")], [])
    assert info.value.path == str(tmp_path / "nope")


@pytest.mark.parametrize("pattern", ["build", "build/", "**/build", "sub/build", "*/build/*"])
def test_exclude_globs(tmp_path: Path, monkeypatch, pattern: str) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "sub/build/gen.py", "sub/keep.py")
    assert discover(["."], [pattern]) == ["sub/keep.py"]


def test_trailing_slash_matches_directories_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "dir.py/inner.py", "a.py", "sub/b.py")
    assert discover(["."], ["*.py/"]) == ["a.py", "sub/b.py"]
    assert discover(["."], ["sub/b.py/"]) == ["a.py", "dir.py/inner.py", "sub/b.py"]


def test_exclude_basename_and_absolute(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "a/test_x.py", "a/x.py", "b/y.py")
    assert discover(["."], ["test_*.py", str(tmp_path / "b")]) == ["a/x.py"]


def test_named_paths_are_checked_even_when_excluded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "gen/deep/x.py", "gen/deep/venv/z.py", "y.py")
    assert discover(["gen/deep/x.py", "y.py"], ["gen"]) == ["gen/deep/x.py", "y.py"]
    # inside a named directory, the excludes apply as usual
    assert discover(["gen"], ["gen", "venv"]) == ["gen/deep/x.py"]


def test_force_exclude_applies_to_named_paths_and_their_parents(tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "gen/deep/x.py", "y.py", ".hidden/h.py")
    assert discover(["gen/deep/x.py", "y.py"], ["gen"], force_exclude=True) == ["y.py"]
    assert discover(["gen"], ["gen/"], force_exclude=True) == []
    assert discover([".hidden/h.py", "y.py"], DEFAULT_EXCLUDE, force_exclude=True) == ["y.py"]


def test_default_excludes(tmp_path: Path, monkeypatch) -> None:
    """ruff's list and every hidden directory, with or without git; hidden files are checked."""
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "src/m.py", ".hidden.py", "src/.cache/c.py", ".venv/lib/a.py",
          "venv/lib/python3.11/site-packages/tf/b.py", "env/bin/c.py", "myenv/lib/site-packages/d.py",
          "node_modules/e.py", "build/lib/f.py", "dist/g.py", "__pypackages__/h.py", ".tox/i.py",
          ".ipynb_checkpoints/j.py", "src/env.py", "src/build.py")
    expected = [".hidden.py", "src/build.py", "src/env.py", "src/m.py"]
    assert discover(["."], DEFAULT_EXCLUDE) == expected
    if shutil.which("git"):
        git_init(tmp_path)
        assert discover(["."], DEFAULT_EXCLUDE) == expected


def test_exclude_relative_to_root(tmp_path: Path, monkeypatch) -> None:
    touch(tmp_path, "proj/sub/x.py", "proj/y.py")
    monkeypatch.chdir(tmp_path / "proj")
    assert discover([str(tmp_path / "proj")], ["sub/*"], root=str(tmp_path / "proj")) == [
        str(tmp_path / "proj" / "y.py")]


def test_symlink_loops_and_links(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "pkg/a.py", "outside/b.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "pkg" / "other").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "pkg" / "link.py").symlink_to(tmp_path / "outside" / "b.py")
    (tmp_path / "pkg" / "dangling.py").symlink_to(tmp_path / "missing.py")
    assert discover(["pkg"], []) == ["pkg/a.py", "pkg/link.py"]
    assert discover(["pkg/other"], []) == ["pkg/other/b.py"]  # a named link is followed


def test_unreadable_directory_is_reported(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "ok/a.py", "locked/b.py")
    real = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    errors: dict[str, str] = {}
    assert discover(["."], [], errors=errors) == ["ok/a.py"]
    assert errors == {"locked": "cannot read directory: Permission denied"}


def test_git_dir_is_never_entered(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, ".git/hooks/x.py", "a.py")
    assert discover(["."], []) == ["a.py"]


@needs_git
def test_gitignore(tmp_path: Path, monkeypatch) -> None:
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("build/\n*.gen.py\n!keep.gen.py\n/venv\n")
    touch(tmp_path, "build/x.py", "src/a.gen.py", "src/keep.gen.py", "src/b.py",
          "venv/lib/site.py", "src/venv/ok.py", ":colon.py")
    assert discover(["."], []) == [":colon.py", "src/b.py", "src/keep.gen.py", "src/venv/ok.py"]
    # named paths are checked even when ignored; walking from inside the tree works too
    assert discover(["build/x.py", "src"], []) == [
        "build/x.py", "src/b.py", "src/keep.gen.py", "src/venv/ok.py"]


@needs_git
def test_gitignore_nested_repository_and_outside(tmp_path: Path, monkeypatch) -> None:
    git_init(tmp_path / "outer")
    git_init(tmp_path / "outer" / "inner")
    (tmp_path / "outer" / ".gitignore").write_text("skip_outer.py\n")
    (tmp_path / "outer" / "inner" / ".gitignore").write_text("skip_inner.py\n")
    touch(tmp_path, "outer/skip_outer.py", "outer/inner/skip_inner.py", "outer/inner/a.py",
          "plain/skip_outer.py")
    monkeypatch.chdir(tmp_path)
    assert discover(["outer", "plain"], []) == ["outer/inner/a.py", "plain/skip_outer.py"]


@needs_git
def test_gitignore_large_directory(tmp_path: Path, monkeypatch) -> None:
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("*_odd.py\n")
    names = [f"{'m' * 60}_{i}_{'odd' if i % 2 else 'even'}.py" for i in range(600)]
    touch(tmp_path, *names)
    found = discover(["."], [])
    assert found == sorted(n for n in names if "even" in n)


@needs_git
def test_named_directory_that_git_ignores(tmp_path: Path, monkeypatch) -> None:
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("vendor/\n*.gen.py\n")
    touch(tmp_path, "vendor/lib/a.py", "vendor/lib/b.gen.py", "vendor/proj/ok.py",
          "vendor/proj/skip.py", "vendor/proj/c.gen.py")
    git_init(tmp_path / "vendor" / "proj")
    (tmp_path / "vendor" / "proj" / ".gitignore").write_text("skip.py\n")
    monkeypatch.chdir(tmp_path)
    assert discover(["."], []) == []
    assert discover(["vendor/lib"], []) == ["vendor/lib/a.py", "vendor/lib/b.gen.py"]
    assert discover(["vendor/proj"], []) == ["vendor/proj/c.gen.py", "vendor/proj/ok.py"]
