"""Source positions of libcst Call nodes, computed only when a fact needs one.

libcst's PositionProvider costs several times the parse on large files; the
standard `ast` tree the pipeline already built has positions for free. Both
trees list calls in the same source order (start position, outer call first),
so the n-th libcst call is the n-th `ast` call.
"""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from scopelint.facts import Location


class _CallCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


class Positions:
    """Maps libcst Call nodes to 1-based (line, column) locations."""

    def __init__(self, module: cst.Module, tree: Optional[ast.Module], lines: list[str]) -> None:
        self._module = module
        self._tree = tree
        self._lines = lines
        self._map: Optional[dict[int, Location]] = None

    def of(self, node: cst.CSTNode) -> Location:
        if self._map is None:
            self._map = self._build()
        return self._map.get(id(node), Location(1, 1))

    def _build(self) -> dict[int, Location]:
        collector = _CallCollector()
        self._module.visit(collector)
        ast_calls = self._ast_calls()
        if ast_calls is not None and len(ast_calls) == len(collector.calls):
            return {id(c): loc for c, loc in zip(collector.calls, ast_calls)}
        return self._from_metadata(collector.calls)

    def _ast_calls(self) -> Optional[list[Location]]:
        if self._tree is None:
            return None
        calls = [n for n in ast.walk(self._tree) if isinstance(n, ast.Call)]
        calls.sort(key=lambda n: (n.lineno, n.col_offset, -(n.end_lineno or 0),
                                  -(n.end_col_offset or 0)))
        return [Location(n.lineno, self._char_col(n.lineno, n.col_offset) + 1) for n in calls]

    def _char_col(self, line: int, byte_col: int) -> int:
        """`ast` columns count UTF-8 bytes; editors and flake8 output count characters."""
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def _from_metadata(self, calls: list[cst.Call]) -> dict[int, Location]:
        wrapper = cst.MetadataWrapper(self._module, unsafe_skip_copy=True)
        positions = wrapper.resolve(cst.metadata.PositionProvider)
        return {id(c): Location(positions[c].start.line, positions[c].start.column + 1)
                for c in calls if c in positions}
