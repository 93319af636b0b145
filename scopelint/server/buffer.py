"""One editor buffer analysed as `scopelint check --stdin-filename PATH` would: the unsaved
text at its path, the project modules it imports read from disk, the settings of the
`[tool.scopelint]` above it, and the findings its settings and `# noqa` comments keep.

This module uses only the engine's entry points (`analysis`, `placement`, `noqa`, `lock`,
`fixes.apply`); it knows nothing of the protocol.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Optional, Sequence

from scopelint.cache import content_hash
from scopelint.config import Settings
from scopelint.engine.session import Session as EngineSession
from scopelint.facts import Finding, ModuleFacts
from scopelint.files import Excluder
from scopelint.noqa import filter_noqa
from scopelint.placement import place


@dataclass
class Buffer:
    """One version of a document's text, at an absolute path."""

    path: str
    text: str
    version: Optional[int] = None

    def lines(self) -> list[str]:
        """The text's lines with their endings (`\\n`, `\\r\\n` or `\\r`), as the engine
        and the LSP count them."""
        return io.StringIO(self.text, newline="").readlines()


@dataclass
class BufferAnalysis:
    """What the engine says about one buffer version."""

    buffer: Buffer
    settings: Settings
    findings: list[Finding] = field(default_factory=list)  # kept, placed in this file, sorted
    facts: Optional[ModuleFacts] = None  # None: not analysed (excluded, unparsable)
    modules: dict[str, str] = field(default_factory=dict)  # project modules read: content hash

    @property
    def path(self) -> str:
        return self.buffer.path


def analyse_buffer(buffer: Buffer, settings: Settings, session: EngineSession
                   ) -> BufferAnalysis:
    """Analyse the buffer (in the calling thread: see `runner.in_big_stack`) with what
    `session` kept of earlier analyses; never raises for bad input. An excluded file gets
    no findings, as with `check --stdin-filename`."""
    if Excluder(list(settings.exclude), settings.root).named_excluded(buffer.path):
        return BufferAnalysis(buffer, settings)
    from scopelint.analysis import FileResult, analyze_text, internal_error, too_deep

    try:
        result = analyze_text(buffer.path, buffer.text, True, settings.project, session)
    except RecursionError:
        result = FileResult(buffer.path, [too_deep(buffer.path)])
    except Exception as err:  # noqa: BLE001 - a failure is a finding, the server goes on
        result = FileResult(buffer.path, [internal_error(buffer.path, err)])
    found = list(result.findings)
    if settings.names_lock is not None and result.facts is not None:
        from scopelint import lock

        found += lock.check(settings.names_lock, [result])
    modules = result.facts.modules if result.facts is not None else {}
    return BufferAnalysis(buffer, settings, kept(found, buffer, settings), result.facts,
                          dict(modules))


class Versions:
    """The engine session of the server's analyses, and the version of each buffer it read
    last: when another version of a buffer is analysed, the session forgets the one before
    (it keeps every file version it reads, and an edited buffer is a new one at each edit).
    Used in the engine thread only."""

    def __init__(self) -> None:
        self.engine = EngineSession()
        self.engine.entry_replays = {}  # an edit replays only what it can change (`entries`)
        self._digests: dict[str, str] = {}

    def analysing(self, buffer: Buffer) -> None:
        digest = content_hash(buffer.text.encode("utf-8", "surrogatepass"))
        if self._digests.get(buffer.path) != digest:
            self.closed(buffer.path)
            self._digests[buffer.path] = digest

    def closed(self, path: str) -> None:
        digest = self._digests.pop(path, None)
        if digest is not None:
            self.engine.forget_version(path, digest)

    def changed_on_disk(self, paths: set[str]) -> None:
        """Forget what the engine read of files that changed on disk."""
        for path in paths:
            self.engine.forget_version(path)


def kept(findings: Sequence[Finding], buffer: Buffer, settings: Settings) -> list[Finding]:
    """The findings placed in this file that its settings and noqa comments keep."""
    placed = [f for f in place(findings, [buffer.path]) if f.path == buffer.path]
    enabled = [f for f in placed if settings.is_enabled(f.code, buffer.path)]
    return filter_noqa(enabled, buffer.lines()) if enabled else []


def safe_fixes_applied(buffer: Buffer, settings: Settings) -> str:
    """The text with every safe fix applied, as `check --fix` would write it."""
    from scopelint.fixes.apply import fix_text

    def keep(found: Sequence[Finding], text: str) -> list[Finding]:
        return kept(found, Buffer(buffer.path, text), settings)

    return fix_text(buffer.path, buffer.text, keep, unsafe=False).text


def with_fixes(analysis: BufferAnalysis) -> list[Finding]:
    """The analysis' findings, each with its confirmed fix when it has one."""
    from scopelint.fixes.apply import with_fixes as attach

    buffer = analysis.buffer
    return attach(buffer.path, buffer.text, analysis.findings)


def normalized(path: str) -> str:
    """The form paths are compared in (the engine reports modules as it found them)."""
    return os.path.normcase(os.path.abspath(path))
