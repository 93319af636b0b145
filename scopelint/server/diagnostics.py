"""Findings as protocol diagnostics: the range of the call they are at, the severity of
their rule (as in SARIF), and the other places they name as related information.

No diagnostic carries a `codeDescription` link: scopelint has no public page per rule
(`scopelint explain CODE` prints the doc, and hovering the finding shows its summary).
"""

from __future__ import annotations

import os

from lsprotocol import types
from pygls.uris import from_fs_path

from scopelint.facts import Finding
from scopelint.rules import severity
from scopelint.server.calls import CallIndex, Point
from scopelint.server.convert import Lines

SOURCE = "scopelint"
SEVERITY = {"error": types.DiagnosticSeverity.Error,
            "warning": types.DiagnosticSeverity.Warning,
            "note": types.DiagnosticSeverity.Information}


def diagnostic(finding: Finding, lines: Lines, calls: CallIndex) -> types.Diagnostic:
    """The diagnostic of a finding of this file."""
    related = [types.DiagnosticRelatedInformation(
        location=types.Location(uri=uri_of(r.path or finding.path),
                                range=types.Range(start=_zero(r.line, r.col),
                                                  end=_zero(r.line, r.col))),
        message=r.message) for r in finding.related]
    return types.Diagnostic(
        range=lines.range(*finding_span(finding, lines, calls)),
        message=finding.message, severity=SEVERITY[severity(finding.code)], code=finding.code,
        source=SOURCE, related_information=related or None)


def finding_span(finding: Finding, lines: Lines, calls: CallIndex) -> tuple[Point, Point]:
    """The call the finding is at, up to the end of its first line; else the word there."""
    start = (finding.line, finding.col)
    call = calls.starting_at(start)
    if call is None:
        return start, lines.word_end(start)
    return start, call.end if call.end[0] == start[0] else lines.line_end(start[0])


def _zero(line: int, col: int) -> types.Position:
    """A position in another file, whose text the server does not hold: the column as
    characters (exact for ASCII lines, the common case)."""
    return types.Position(line=max(line - 1, 0), character=max(col - 1, 0))


def uri_of(path: str) -> str:
    return from_fs_path(os.path.abspath(path)) or path
