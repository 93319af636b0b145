"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

The log names no `informationUri` nor `helpUri`: scopelint has no public home
page yet, so each rule carries its whole documentation in `help` instead.

In a notebook, a location is the line and column of the `.ipynb` file (its JSON text)
where the cell's source line is written, the place GitHub can show in the file, and
the message starts with `cell 3:4:5: ` (cell, line in it, column).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

from scopelint import __version__
from scopelint.facts import Finding
from scopelint.fixes import Fix
from scopelint.report import ReportContext
from scopelint.rules import Rule, all_rules, severity

SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
          "sarif-schema-2.1.0.json")
FINGERPRINT = "scopelint/v1"


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """A SARIF log with one run: the rule catalog and one result per finding."""
    rules = all_rules()
    index = {code: i for i, code in enumerate(rules)}
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for f in findings:
        uri = artifact_uri(f.path)
        line_text = source_line(ctx, f.path, f.line)
        seen[(f.code, uri, line_text)] += 1
        result = sarif_result(f, uri, ctx)
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        result["partialFingerprints"] = {
            FINGERPRINT: fingerprint(f.code, uri, line_text, seen[(f.code, uri, line_text)])}
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "scopelint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(rule) for rule in rules.values()],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A reportingDescriptor with the fields GitHub shows."""
    doc = rule.doc()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": ["tensorflow", "correctness"], "precision": "high"},
    }


def sarif_result(f: Finding, uri: str, ctx: ReportContext) -> dict[str, Any]:
    """A result without its rule index and fingerprint."""
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": severity(f.code),
        "message": {"text": ctx.cell_prefix(f.path, f.line, f.col)
                    + ctx.message(f.path, f.message)},
        "locations": [location(uri, *ctx.in_file(f.path, f.line, f.col))],
    }
    if f.related:
        result["relatedLocations"] = [
            {**location(artifact_uri(r.path) if r.path else uri,
                        *ctx.in_file(r.path or f.path, r.line, r.col),
                        ctx.cell_prefix(r.path or f.path, r.line, r.col)
                        + ctx.message(f.path, r.message)),
             "id": i}
            for i, r in enumerate(f.related, start=1)
        ]
    if f.fix is not None:
        result["fixes"] = [sarif_fix(f.fix, uri)]
    return result


def sarif_fix(fix: Fix, uri: str) -> dict[str, Any]:
    """A SARIF `fix`: its replacements (end column exclusive) and ruff's applicability."""
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": [
            {"deletedRegion": {"startLine": e.start.line, "startColumn": e.start.col,
                               "endLine": e.end.line, "endColumn": e.end.col},
             "insertedContent": {"text": e.content}} for e in fix.edits]}],
        "properties": {"applicability": fix.applicability},
    }


def location(uri: str, line: int, col: int, message: str = "") -> dict[str, Any]:
    """A physical location at a 1-based line and column."""
    loc: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": uri},
        "region": {"startLine": max(line, 1), "startColumn": max(col, 1)},
    }}
    if message:
        loc["message"] = {"text": message}
    return loc


def artifact_uri(path: str) -> str:
    """The file's URI: relative to the working directory (the repository root in CI)."""
    absolute = Path(os.path.abspath(path))
    try:
        return quote(absolute.relative_to(os.getcwd()).as_posix())
    except ValueError:
        return absolute.as_uri()


def source_line(ctx: ReportContext, path: str, line: int) -> str:
    """The stripped text of a line, or "" when unknown."""
    lines = ctx.lines(path)
    return lines[line - 1].strip() if 1 <= line <= len(lines) else ""


def fingerprint(code: str, uri: str, line_text: str, occurrence: int) -> str:
    """A hash that survives lines moving: code, file, the line's text and its repeat count."""
    key = "\0".join((code, uri, line_text, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
