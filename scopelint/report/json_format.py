"""JSON: an array of {"path","line","col","code","message"} (+ "related" and "fix" when present).

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
    return json.dumps([as_dict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def as_dict(finding: Finding) -> dict[str, Any]:
    """One finding as a JSON object."""
    data: dict[str, Any] = {"path": finding.path, "line": finding.line, "col": finding.col,
                            "code": finding.code, "message": finding.message}
    if finding.related:
        data["related"] = [{"line": r.line, "col": r.col, "message": r.message}
                           for r in finding.related]
    if finding.fix is not None:
        data["fix"] = {"applicability": finding.fix.applicability, "message": finding.fix.message,
                       "edits": [{"content": e.content,
                                  "location": {"row": e.start.line, "column": e.start.col},
                                  "end_location": {"row": e.end.line, "column": e.end.col}}
                                 for e in finding.fix.edits]}
    return data
