"""Where findings go when the analysis of one file reaches code in others.

A finding stays at the line where TF raises when that file is being checked.
When it is not (pre-commit and flake8 hand over only some files), it moves to
the call site in a checked file that leads there (the innermost such call) and
names the line it comes from. Each (path, line, column, code) is reported once.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterable, Optional

from scopelint.facts import Finding, Related


def place(findings: Iterable[Finding], checked: Iterable[str]) -> list[Finding]:
    """The findings of a run, each in a checked file, once, sorted."""
    shown = {os.path.normpath(path): path for path in checked}
    kept: dict[tuple[str, int, int, str], Finding] = {}
    for finding in findings:
        placed = _placed(finding, shown)
        if placed is not None:
            kept.setdefault((placed.path, placed.line, placed.col, placed.code), placed)
    return sorted(kept.values(), key=Finding.sort_key)


def _placed(finding: Finding, shown: dict[str, str]) -> Optional[Finding]:
    path = shown.get(os.path.normpath(finding.path))
    if path is not None:
        return finding if path == finding.path else replace(finding, path=path)
    for depth in range(len(finding.stack) - 1, -1, -1):
        site = finding.stack[depth]
        at = shown.get(os.path.normpath(site.path))
        if at is not None:
            origin = f"{finding.path}:{finding.line}"
            raises = Related(finding.line, finding.col, "the line this call leads to",
                             finding.path)
            return Finding(at, site.line, site.col, finding.code,
                           f"{finding.message} [in {origin}, reached through this call]",
                           (raises, *finding.related), finding.stack[:depth])
    return None
