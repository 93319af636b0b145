"""JSON: an array of {"path","line","col","code","message"} (+ "related" and "fix" when
present; each related location {"path","line","col","message"}).

In a notebook, rows (and related locations) gain "cell" and "line" is the line in that cell.
A fix is written as ruff writes it: `{"applicability", "message", "edits": [{"content",
"location": {"row", "column"}, "end_location": {...}}]}` (1-based, end exclusive).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from scopelint.facts import Finding
from scopelint.report import ReportContext


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """The findings as a JSON array."""
    return json.dumps([as_dict(f, ctx) for f in findings], indent=2,
                      ensure_ascii=False) + "\n"


def as_dict(finding: Finding, ctx: ReportContext) -> dict[str, Any]:
    """One finding as a JSON object."""
    data: dict[str, Any] = {"path": finding.path, **position(ctx, finding.path, finding.line),
                            "col": finding.col, "code": finding.code,
                            "message": ctx.message(finding.path, finding.message)}
    if finding.related:
        data["related"] = [{"path": r.path or finding.path,
                            **position(ctx, r.path or finding.path, r.line), "col": r.col,
                            "message": ctx.message(finding.path, r.message)}
                           for r in finding.related]
    if finding.fix is not None:
        data["fix"] = {"applicability": finding.fix.applicability, "message": finding.fix.message,
                       "edits": [{"content": e.content,
                                  "location": {"row": e.start.line, "column": e.start.col},
                                  "end_location": {"row": e.end.line, "column": e.end.col}}
                                 for e in finding.fix.edits]}
    return data


def position(ctx: ReportContext, path: str, line: int) -> dict[str, int]:
    """{"line": line} or, in a notebook, {"cell": cell, "line": line in the cell}."""
    cell, in_cell = ctx.in_cell(path, line)
    return {"line": line} if cell is None else {"cell": cell, "line": in_cell}
