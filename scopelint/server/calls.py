"""The calls of a buffer's text, by the position the engine gives them: the 1-based line
and character column where the call expression starts (`facts.Location`)."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

Point = tuple[int, int]  # 1-based line, 1-based character column


@dataclass(frozen=True)
class Span:
    """A call's text, from `start` up to `end` (exclusive); both 1-based."""

    start: Point
    end: Point

    def contains(self, point: Point) -> bool:
        return self.start <= point <= self.end


class CallIndex:
    """Every call of a text that CPython parses (none otherwise)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.spans: list[Span] = []
        self._starting: dict[Point, Span] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse("".join(lines))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        self.spans = sorted((self._span(node) for node in ast.walk(tree)
                             if isinstance(node, ast.Call)),
                            key=lambda s: (s.start, _reversed(s.end)))
        for span in self.spans:  # the innermost of the calls starting at one point
            self._starting[span.start] = span

    def starting_at(self, point: Point) -> Optional[Span]:
        """The innermost call that starts at `point` (`f(x)(y)` has two)."""
        return self._starting.get(point)

    def around(self, point: Point) -> list[Span]:
        """The calls whose text holds `point`, innermost first."""
        return sorted((s for s in self.spans if s.contains(point)),
                      key=lambda s: (s.start, _reversed(s.end)), reverse=True)

    def _span(self, node: ast.Call) -> Span:
        return Span((node.lineno, self._column(node.lineno, node.col_offset)),
                    (node.end_lineno or node.lineno,
                     self._column(node.end_lineno or node.lineno, node.end_col_offset or 0)))

    def _column(self, line: int, offset: int) -> int:
        """The 1-based character column of a UTF-8 byte offset of a line."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return offset + 1
        return len(text.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1


def _reversed(point: Point) -> Point:
    return (-point[0], -point[1])
