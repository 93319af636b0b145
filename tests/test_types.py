"""mypy, with the `[tool.mypy]` settings of pyproject.toml, finds no error in the package,
and the package silences it at most MAX_IGNORES times, each time saying why."""

import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "scopelint"
MAX_IGNORES = 10
# `# type: ignore[code]  # why`: an error code, then the reason in a comment of its own.
EXPLAINED_IGNORE = re.compile(r"#\s*type:\s*ignore\[[\w, -]+\]\s+#\s*\S")

pytest.importorskip("mypy", reason="mypy is in the `test` extra")


@pytest.mark.slow  # about 8 s of CPU without a .mypy_cache (as in CI)
def test_mypy_finds_no_error() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "--no-pretty",
         "--no-error-summary", "--show-error-codes", PACKAGE],
        cwd=ROOT, capture_output=True, text=True)
    errors = [line for line in run.stdout.splitlines()
              if re.match(r"[^:]+:\d+: error:", line)]
    assert run.returncode in (0, 1) and not run.stderr.strip(), run.stderr or run.stdout
    assert not errors, "\n".join(errors)


def _ignores() -> list[tuple[str, int, str]]:
    """Every `type: ignore` comment of the package."""
    found = []
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
        found += [(where, token.start[0], token.string) for token in tokens
                  if token.type == tokenize.COMMENT and re.search(r"type:\s*ignore", token.string)]
    return found


def test_few_type_ignores_each_with_its_reason() -> None:
    ignores = _ignores()
    listed = "\n".join(f"{path}:{line}: {comment}" for path, line, comment in ignores)
    assert len(ignores) <= MAX_IGNORES, f"{len(ignores)} > {MAX_IGNORES} `type: ignore`:\n{listed}"
    unexplained = [f"{path}:{line}: {comment}" for path, line, comment in ignores
                   if not EXPLAINED_IGNORE.search(comment)]
    assert not unexplained, "a `type: ignore` needs an error code and a reason:\n" + "\n".join(
        unexplained)


def test_the_ignore_rule_reads_reasons() -> None:
    assert EXPLAINED_IGNORE.search("# type: ignore[attr-defined]  # libcst stubs lack it")
    assert not EXPLAINED_IGNORE.search("# type: ignore[attr-defined]")
    assert not EXPLAINED_IGNORE.search("# type: ignore  # no code")
