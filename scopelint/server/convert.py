"""Positions and ranges between the engine (1-based lines, 1-based character columns) and
the protocol (0-based lines, columns in the negotiated code units: UTF-16 by default)."""

from __future__ import annotations

from typing import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from scopelint.server.calls import Point


class Lines:
    """A buffer's lines and the client's position encoding."""

    def __init__(self, lines: Sequence[str], codec: PositionCodec) -> None:
        self.lines = lines
        self.codec = codec

    def position(self, point: Point) -> types.Position:
        """The protocol position of a 1-based (line, character column)."""
        line, col = point[0] - 1, point[1] - 1
        if line >= len(self.lines):
            return types.Position(line=len(self.lines), character=0)
        text = self.lines[max(line, 0)].rstrip("\r\n")
        return types.Position(line=max(line, 0),
                              character=self.codec.client_num_units(text[:max(col, 0)]))

    def point(self, position: types.Position) -> Point:
        """The 1-based (line, character column) of a protocol position."""
        if position.line >= len(self.lines):
            return (len(self.lines) + 1, 1)
        text = self.lines[position.line].rstrip("\r\n")
        units = col = 0
        while col < len(text) and units < position.character:
            units += self.codec.client_num_units(text[col])
            col += 1
        return (position.line + 1, col + 1)

    def range(self, start: Point, end: Point) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def line_end(self, line: int) -> Point:
        """The point after the last character of a 1-based line (before its ending)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return (line, len(text.rstrip("\r\n")) + 1)

    def word_end(self, point: Point) -> Point:
        """The end of the identifier (or the single character) starting at `point`."""
        line, col = point
        text = self.lines[line - 1].rstrip("\r\n") if 0 < line <= len(self.lines) else ""
        end = col - 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        return (line, max(end, min(col, len(text))) + 1)
