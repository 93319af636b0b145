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


MUTATORS = {"append", "add", "update", "clear", "pop", "popitem", "setdefault", "extend",
            "insert", "remove", "discard"}
MEMOS = {("engine/cstwalk.py", "_FIELDS")}  # a pure function's results by argument


def module_names(tree: ast.Module) -> set[str]:
    """The names a module binds at its top level: assigned, imported, classes."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
    return names


def test_no_module_state_changes_after_import() -> None:
    """What a run keeps lives in its `Session`: no `global` statement, and no function
    changes a container, a class attribute or an iterator bound at module level (tables
    stay as imported)."""
    changed = []
    for path in sorted((ROOT / "scopelint").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = module_names(tree)
        where = path.relative_to(ROOT / "scopelint").as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                changed.append((where, node.lineno, "global"))
            targets: list[ast.expr] = []
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in MUTATORS:
                targets = [node.func.value]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "next":
                targets = node.args[:1]
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                written = node.targets if isinstance(node, ast.Assign) else [node.target]
                targets = [t.value for t in written
                           if isinstance(t, (ast.Subscript, ast.Attribute))]
            changed += [(where, node.lineno, t.id) for t in targets if isinstance(t, ast.Name)
                        and t.id in names and (where, t.id) not in MEMOS]
    assert changed == []
