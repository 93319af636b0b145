"""The repository itself: test modules share helpers (tests/helpers/), never each other;
no binary is committed."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def test_no_test_module_imports_another() -> None:
    modules = {p.stem for p in TESTS.glob("*.py")}
    imports = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            imports += [(path.name, name) for name in names if name.split(".")[0] in modules]
    assert imports == []


def test_no_committed_binaries() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    binary = [name for name in listed if name and (ROOT / name).is_file()
              and b"\0" in (ROOT / name).read_bytes()[:8192]]
    assert binary == []
