"""Fixes: the edits that remove a finding, as ruff models them.

A `Fix` is a list of text edits plus its applicability: `safe` fixes keep
the program's meaning apart from the bug (`check --fix`), `unsafe` ones may
change more (names, sharing) and need `--unsafe-fixes`. Each fixable rule has
one module here with one function registered in `catalog`; fixers read the
engine's facts and use the libcst tree only for positions and rewriting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from scopelint.facts import Location

SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace the text from `start` up to `end` (1-based line and column, end exclusive)."""

    start: Location
    end: Location
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
