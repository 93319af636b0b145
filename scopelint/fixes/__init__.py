"""Fixes: the edits that remove a finding, as ruff models them.

A `Fix` is a list of text edits plus its applicability: `safe` fixes keep
the program's meaning apart from the bug (`check --fix`), `unsafe` ones may
change more (names, sharing) and need `--unsafe-fixes`. Fixers read the
engine's facts and use the libcst tree only for positions and rewriting; the
engine knows nothing of them, and `apply` keeps a fix only when the engine,
run on the fixed text, confirms it.

A fix for a rule is: the module `<rule>_fix.py` beside the rule in `scopelint/rules/`,
with `fix(finding, ctx) -> Optional[Fix]` (see `context.FixContext` for the helpers),
named by the rule's `fix=FixIn(...)` with its `autofix` text (its kind, for `scopelint
explain`), and a fixture pair `fixtures/X.py` → `fixtures/fixed/X.py` (what `--fix
--unsafe-fixes` makes of it, run under real TF by tests/test_fix_oracle.py). This package
holds what fixers share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol, Tuple

SAFE, UNSAFE = "safe", "unsafe"


class Position(NamedTuple):
    """A 1-based line and column (in code points) of a file's text; orders as in the file."""

    line: int
    col: int


class Located(Protocol):
    """Anything with a 1-based line and column (a fact's `Location`, a `Finding`)."""

    @property
    def line(self) -> int: ...

    @property
    def col(self) -> int: ...


def at(where: Located) -> Position:
    """The position of a fact's `Location`, a finding, or anything with a line and column."""
    return Position(where.line, where.col)


@dataclass(frozen=True)
class Edit:
    """Replace the text from `start` up to `end` (1-based line and column, end exclusive)."""

    start: Position
    end: Position
    content: str


@dataclass(frozen=True)
class Fix:
    """The edits that remove one finding, applied together or not at all."""

    message: str
    edits: Tuple[Edit, ...]
    applicability: str  # SAFE or UNSAFE

    @property
    def safe(self) -> bool:
        return self.applicability == SAFE
