"""flake8-style text: `path:line:col: CODE message`, optionally with the source line.

In a notebook, the line is the cell's, as ruff writes it: `nb.ipynb:cell 3:4:5: CODE message`.
"""

from __future__ import annotations

from typing import Sequence

from scopelint.facts import Finding
from scopelint.report import ReportContext

BOLD, RED, RESET = "\033[1m", "\033[31m", "\033[0m"


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """One line per finding; with `show_source`, the source line and a caret under it."""
    out = []
    for f in findings:
        code = f"{BOLD}{RED}{f.code}{RESET}" if ctx.color else f.code
        path = f"{BOLD}{f.path}{RESET}" if ctx.color else f.path
        cell, line = ctx.in_cell(f.path, f.line)
        where = f"cell {cell}:{line}" if cell is not None else str(line)
        out.append(f"{path}:{where}:{f.col}: {code} {ctx.message(f.path, f.message)}\n")
        if ctx.show_source:
            out.append(source_excerpt(ctx.lines(f.path), f.line, f.col, ctx.color))
    return "".join(out)


def source_excerpt(lines: Sequence[str], line: int, col: int, color: bool) -> str:
    """The line's text and a caret under column `col` (tabs kept so it aligns)."""
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].rstrip("\r\n")
    indent = "".join(c if c.isspace() else " " for c in text[:col - 1])
    caret = f"{BOLD}{RED}^{RESET}" if color else "^"
    return f"{text}\n{indent}{caret}\n"
