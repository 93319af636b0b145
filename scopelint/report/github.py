"""GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding."""

from __future__ import annotations

from typing import Sequence

from scopelint.facts import Finding
from scopelint.report import ReportContext, level


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """Annotations as the actions toolkit writes them (`::error file=..,line=..::msg`)."""
    return "".join(
        f"::{level(f.code)} file={prop(f.path)},line={f.line},col={f.col},"
        f"title={prop(f.code)}::{data(f.message)}\n"
        for f in findings
    )


def data(text: str) -> str:
    """Escape a command's message (toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def prop(text: str) -> str:
    """Escape a command property value (toolkit `escapeProperty`)."""
    return data(text).replace(":", "%3A").replace(",", "%2C")
