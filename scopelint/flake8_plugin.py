"""flake8 adapter: `flake8 --select TFS` reports what `scopelint check` reports.

flake8 applies its own select/ignore and `# noqa`; syntax errors reach the
user as flake8's E999 because flake8 runs no plugin on a file it cannot parse.
flake8 hands over one file at a time, so a finding in a module the file imports
goes to the call in this file that leads there (see `placement`).
"""

from __future__ import annotations

import ast
from functools import cache
from typing import Iterator, Sequence

from scopelint import __version__
from scopelint.analysis import analyze_text, recursion_guard
from scopelint.engine.session import Session
from scopelint.placement import place
from scopelint.runner import in_big_stack


@cache
def run_session() -> Session:
    """The session of this flake8 process: flake8 hands its files over one at a time, with no
    object for the run, so the files and modules they import are read and replayed once per
    process (a flake8 process, or each of its workers, lives for one run)."""
    return Session()


class ScopelintChecker:
    """A flake8 tree plugin; the tree is unused, the engine reads the source lines."""

    name = "scopelint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        """Yield (line, 0-based column, "TFSnnn message", type) per finding."""
        recursion_guard()  # with a big stack, deep nesting is TFS001, not a crash
        result = in_big_stack(lambda: analyze_text(self.filename, "".join(self.lines),
                                                   session=run_session()))
        for f in place(result.findings, [self.filename]):
            yield f.line, f.col - 1, f"{f.code} {f.message}", type(self)
