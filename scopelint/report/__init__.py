"""Reporters: each turns sorted findings into the text one output format prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from scopelint.facts import Finding

LineSource = Callable[[str], Sequence[str]]
"""The source lines of a file by path (empty when it cannot be read)."""


@dataclass(frozen=True)
class ReportContext:
    """What reporters may need besides the findings."""

    lines: LineSource
    show_source: bool = False
    color: bool = False


Reporter = Callable[[Sequence[Finding], ReportContext], str]


def level(code: str) -> str:
    """The severity of a code: graph-build errors and input problems are errors."""
    return "warning" if code.startswith("TFS2") else "error"


def reporters() -> dict[str, Reporter]:
    """Every output format by name."""
    from scopelint.report import github, json_format, sarif, text

    return {"text": text.render, "json": json_format.render,
            "sarif": sarif.render, "github": github.render}
