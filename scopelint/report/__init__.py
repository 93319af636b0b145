"""Reporters: each turns sorted findings into the text one output format prints."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from scopelint.facts import Finding

if TYPE_CHECKING:
    from scopelint.notebook import CellMap

LineSource = Callable[[str], Sequence[str]]
"""The source lines of a file by path (empty when it cannot be read); a notebook's are
those of the module its code cells make."""
LINE_REFERENCE = re.compile(r"\bline (\d+)\b")
CellSource = Callable[[str], Optional["CellMap"]]
"""A notebook's cell map by path (None for other files)."""


def _no_cells(path: str) -> Optional[CellMap]:
    return None


@dataclass(frozen=True)
class ReportContext:
    """What reporters may need besides the findings."""

    lines: LineSource
    show_source: bool = False
    color: bool = False
    cells: CellSource = _no_cells

    def in_cell(self, path: str, line: int) -> tuple[Optional[int], int]:
        """(cell, line in it) for a notebook's module line; (None, line) for other files."""
        cells = self.cells(path)
        place = cells.place(line) if cells else None
        return (place.cell, place.line) if place else (None, line)

    def in_file(self, path: str, line: int, col: int) -> tuple[int, int]:
        """The line and column as the file stores them (in a notebook's JSON text)."""
        cells = self.cells(path)
        return cells.raw_position(line, col) if cells else (line, col)

    def message(self, path: str, text: str) -> str:
        """A message whose `line N` references (rules name other lines so) name the cell
        and the line in it when `path` is a notebook."""
        if self.cells(path) is None:
            return text

        def in_cell(match: re.Match[str]) -> str:
            cell, line = self.in_cell(path, int(match.group(1)))
            return f"cell {cell}, line {line}"

        return LINE_REFERENCE.sub(in_cell, text)

    def cell_prefix(self, path: str, line: int, col: int) -> str:
        """`cell 3:4:5: ` for a notebook's module position, "" for other files."""
        cell, in_cell = self.in_cell(path, line)
        return "" if cell is None else f"cell {cell}:{in_cell}:{col}: "


Reporter = Callable[[Sequence[Finding], ReportContext], str]


_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github"}
FORMATS = tuple(sorted(_MODULES))  # every output format by name


def reporter(name: str) -> Reporter:
    """The output format `name` (its module is imported only when asked for)."""
    module = importlib.import_module(f"scopelint.report.{_MODULES[name]}")
    render: Reporter = module.render
    return render
