"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding.

In a notebook, an annotation points at the line of the `.ipynb` file that holds the
cell's source line, and its message starts with `cell 3:4:5: ` (cell, line in it, column).
"""

from __future__ import annotations

from typing import Sequence

from scopelint.facts import Finding
from scopelint.report import ReportContext
from scopelint.rules import severity

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """Annotations as the actions toolkit writes them (`::error file=..,line=..::msg`)."""
    out = []
    for f in findings:
        line, col = ctx.in_file(f.path, f.line, f.col)
        message = ctx.cell_prefix(f.path, f.line, f.col) + ctx.message(f.path, f.message)
        out.append(f"::{COMMANDS[severity(f.code)]} file={prop(f.path)},line={line},col={col},"
                   f"title={prop(f.code)}::{data(message)}\n")
    return "".join(out)


def data(text: str) -> str:
    """Escape a command's message (toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def prop(text: str) -> str:
    """Escape a command property value (toolkit `escapeProperty`)."""
    return data(text).replace(":", "%3A").replace(",", "%2C")
