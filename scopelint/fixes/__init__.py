"""Fixes: the edits that remove a finding, as ruff models them.

A `Fix` is a list of text edits plus its applicability: `safe` fixes keep
the program's meaning apart from the bug (`check --fix`), `unsafe` ones may
change more (names, sharing) and need `--unsafe-fixes`. Each fixable rule has
one module here with one function registered in `catalog`; fixers read the
engine's facts and use the libcst tree only for positions and rewriting.
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
    line: int
    col: int


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
