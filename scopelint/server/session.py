"""The server's state and behaviour, protocol messages in, diagnostics and answers out:
which documents are open and their latest analyses, when to analyse them again (edits,
saves, files changed on disk, config changes), and what each request gets."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Optional, Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from scopelint.cache import content_hash
from scopelint.config import ConfigError, Settings
from scopelint.facts import Finding
from scopelint.files import is_notebook
from scopelint.server import actions
from scopelint.server.buffer import (
    Buffer, BufferAnalysis, Versions, analyse_buffer, normalized, safe_fixes_applied,
    with_fixes,
)
from scopelint.server.calls import CallIndex
from scopelint.server.convert import Lines
from scopelint.server.diagnostics import diagnostic
from scopelint.server.hover import hover_text
from scopelint.server.inlay import inlay_hints
from scopelint.server.lookup import FactIndex
from scopelint.server.scheduler import Scheduler
from scopelint.server.settings import ClientOptions, FolderSettings

DEBOUNCE = 0.05  # seconds of quiet after an edit before its analysis starts
SETTLE = 2.0  # seconds a request waits for the analysis of the text it is about
CONFIG_FILE = "pyproject.toml"


@dataclass
class Analysed:
    """One document version's analysis, with what requests about it need."""

    uri: str
    analysis: BufferAnalysis
    lines: list[str]
    fixed: Optional[list[Finding]] = None  # the findings with their fixes, once asked for
    all_fixed: Optional[str] = None  # the text with every safe fix applied, once asked for
    modules: set[str] = field(default_factory=set)  # project modules read, normalized

    @property
    def version(self) -> Optional[int]:
        return self.analysis.buffer.version

    @cached_property
    def calls(self) -> CallIndex:
        """The calls of the text, indexed when first needed (a walk over the whole tree:
        a tenth of an edit's analysis, wasted when there is no finding to place)."""
        return CallIndex(self.lines)


def analyse(uri: str, buffer: Buffer, settings: Settings, versions: Versions) -> Analysed:
    """The analysis of a buffer (in the engine thread), with the call index its findings'
    diagnostics need."""
    versions.analysing(buffer)
    analysis = analyse_buffer(buffer, settings, versions.engine)
    analysed = Analysed(uri, analysis, buffer.lines(),
                        modules={normalized(m) for m in analysis.modules})
    if analysis.findings:
        analysed.calls  # noqa: B018 - indexed here, in the engine thread
    return analysed


class Session:
    """One client's session."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.scheduler = Scheduler()
        self.folders = FolderSettings()
        self.options = ClientOptions()
        self.analysed: dict[str, Analysed] = {}  # latest analysis of each open document
        self.versions = Versions()
        self.shut_down = False
        self.hints_unanswered: set[str] = set()  # asked before their analysis was done
        self.config_errors: set[str] = set()  # shown once each

    # -- lifecycle ---------------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        self.options = ClientOptions.read(params.initialization_options)
        self.folders.set_folders(self._folder_paths())

    def initialized(self) -> None:
        """Watch Python files and config files, when the client lets the server ask."""
        watch = self.server.client_capabilities.workspace
        dynamic = watch and watch.did_change_watched_files and \
            watch.did_change_watched_files.dynamic_registration
        if not dynamic:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[
            types.FileSystemWatcher(glob_pattern="**/*.py"),
            types.FileSystemWatcher(glob_pattern=f"**/{CONFIG_FILE}")])
        self.server.client_register_capability(types.RegistrationParams(registrations=[
            types.Registration(id="scopelint-watch",
                               method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                               register_options=options)]))

    def shutdown(self) -> None:
        self.shut_down = True
        self.scheduler.close()

    # -- documents -----------------------------------------------------------------------

    def opened(self, uri: str) -> None:
        self.schedule(uri, 0.0)

    def changed(self, uri: str) -> None:
        self.schedule(uri, DEBOUNCE)

    def closed(self, uri: str) -> None:
        self.scheduler.cancel(uri)
        analysed = self.analysed.pop(uri, None)
        if analysed is not None:
            path = analysed.analysis.path
            asyncio.ensure_future(self.scheduler.run(lambda: self.versions.closed(path)))
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def saved(self, uri: str) -> None:
        self.files_changed([to_fs_path(uri) or ""], created=False)

    def files_changed(self, paths: Sequence[str], created: bool) -> None:
        """Files changed on disk: a config file makes every document analysed again; a
        module, the open documents that import it (all of them when a file appeared or
        went away, which may change where an import leads)."""
        if any(os.path.basename(p) == CONFIG_FILE for p in paths):
            self.folders.forget()
            self.config_errors.clear()
            created = True
        changed = {normalized(p) for p in paths if p}
        asyncio.ensure_future(self.scheduler.run(lambda: self.versions.changed_on_disk(changed)))
        for uri in list(self.server.workspace.text_documents):
            analysed = self.analysed.get(uri)
            if created or analysed is None or analysed.modules & changed:
                self.schedule(uri, DEBOUNCE)

    def folders_changed(self) -> None:
        self.folders.set_folders(self._folder_paths())
        self.files_changed([], created=True)

    def configuration_changed(self, settings: Any) -> None:
        before = self.options
        self.options = ClientOptions.read(settings, before)
        if self.options != before and self._can_refresh_hints():
            self.server.workspace_inlay_hint_refresh(None)

    # -- analysis ------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        self.scheduler.schedule(uri, delay, lambda: self._job(uri), self._publish)

    def _job(self, uri: str) -> Optional[Callable[[], Analysed]]:
        """The analysis of the document as it is now (None when it is closed or not a file,
        or when its config file is broken: then it shows no diagnostics)."""
        document = self.server.workspace.text_documents.get(uri)
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if document is None or path is None or not _python(path, document.language_id):
            return None
        path = os.path.abspath(path)
        try:
            settings = self.folders.for_path(path)
        except ConfigError as err:
            self._config_error(str(err))
            self.analysed.pop(uri, None)
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            return None
        buffer = Buffer(path, document.source, document.version)
        return lambda: analyse(uri, buffer, settings, self.versions)

    def _publish(self, analysed: Analysed) -> None:
        """Publish the diagnostics of an analysis, unless the document changed since."""
        document = self.server.workspace.text_documents.get(analysed.uri)
        if document is None or document.version != analysed.version:
            return  # closed, or edited since: a newer analysis is on its way
        self.analysed[analysed.uri] = analysed
        lines = self._lines(analysed)
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=analysed.uri, version=analysed.version,
            diagnostics=[diagnostic(f, lines, analysed.calls)
                         for f in analysed.analysis.findings]))
        if analysed.uri in self.hints_unanswered and not self.shut_down:
            # the editor asked for this version's hints before its analysis was done
            self.hints_unanswered.discard(analysed.uri)
            self.server.workspace_inlay_hint_refresh(None)

    def _config_error(self, message: str) -> None:
        if message not in self.config_errors:
            self.config_errors.add(message)
            self.server.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"scopelint: {message}"))

    # -- requests ------------------------------------------------------------------------

    async def settled(self, uri: str) -> Optional[Analysed]:
        """The analysis of the document's current text, once the analysis under way (if
        any) is done: a request made while typing waits for it, SETTLE seconds at most."""
        await self.scheduler.settled(uri, SETTLE)
        return self.current(uri)

    def current(self, uri: str) -> Optional[Analysed]:
        """The analysis of the document's current text, if there is one yet."""
        analysed = self.analysed.get(uri)
        document = self.server.workspace.text_documents.get(uri)
        if analysed is None or document is None or document.version != analysed.version:
            return None
        return analysed

    async def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        analysed = await self.settled(params.text_document.uri)
        if analysed is None:
            return None
        lines = self._lines(analysed)
        found = hover_text(analysed.analysis.path, lines.point(params.position),
                           self._facts(analysed), analysed.calls, analysed.analysis.findings,
                           self._shown(analysed))
        if found is None:
            return None
        text, span = found
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=text),
                           range=lines.range(span.start, span.end))

    async def inlay_hints(self, params: types.InlayHintParams) -> list[types.InlayHint]:
        analysed = await self.settled(params.text_document.uri)
        if not self.options.inlay_hints:
            return []
        if analysed is None:
            if self._can_refresh_hints():
                self.hints_unanswered.add(params.text_document.uri)
            return []
        lines = self._lines(analysed)
        return inlay_hints(analysed.analysis.path, self._facts(analysed), analysed.calls, lines,
                           lines.point(params.range.start), lines.point(params.range.end))

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        analysed = await self.settled(params.text_document.uri)
        if analysed is None or not analysed.analysis.findings:
            return []
        only = params.context.only
        if analysed.fixed is None:
            analysis = analysed.analysis
            analysed.fixed = await self.scheduler.run(lambda: with_fixes(analysis))
        target = actions.Target(analysed.uri, analysed.version, self._lines(analysed),
                                self._versioned_edits())
        found: list[types.CodeAction] = []
        if actions.wants(only, types.CodeActionKind.QuickFix):
            first, last = params.range.start.line + 1, params.range.end.line + 1
            found += actions.quick_fixes([f for f in analysed.fixed if first <= f.line <= last],
                                         params.context.diagnostics, target)
        if actions.wants(only, actions.FIX_ALL) and any(
                f.fix is not None and f.fix.safe for f in analysed.fixed):
            if analysed.all_fixed is None:
                analysis = analysed.analysis
                analysed.all_fixed = await self.scheduler.run(
                    lambda: safe_fixes_applied(analysis.buffer, analysis.settings))
            fix_all = actions.fix_all(analysed.analysis.buffer.text, analysed.all_fixed, target)
            if fix_all is not None:
                found.append(fix_all)
        return found

    # -- helpers -------------------------------------------------------------------------

    def _facts(self, analysed: Analysed) -> FactIndex:
        """The document's facts, and those of the open documents importing it as it is
        on disk (their runs know its callers' scopes)."""
        path = normalized(analysed.analysis.path)
        text = analysed.analysis.buffer.text
        digest = content_hash(text.encode("utf-8", "surrogatepass"))
        importers = [other.analysis.facts for other in self.analysed.values()
                     if other is not analysed and other.analysis.facts is not None
                     and path in other.modules and _digest_of(other, path) == digest]
        return FactIndex(analysed.analysis.facts, importers)

    def _lines(self, analysed: Analysed) -> Lines:
        return Lines(analysed.lines, self.server.workspace.position_codec)

    def _shown(self, analysed: Analysed) -> Any:
        root = analysed.analysis.settings.root

        def shown(path: str) -> str:
            try:
                relative = os.path.relpath(path, root)
            except ValueError:
                return path
            return path if relative.startswith(os.pardir) else relative
        return shown

    def _folder_paths(self) -> list[str]:
        workspace = self.server.workspace
        paths = [to_fs_path(f.uri) for f in workspace.folders.values()]
        if not paths and workspace.root_path:
            paths = [workspace.root_path]
        return [p for p in paths if p]

    def _versioned_edits(self) -> bool:
        workspace = self.server.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return bool(edit and edit.document_changes)

    def _can_refresh_hints(self) -> bool:
        workspace = self.server.client_capabilities.workspace
        hints = workspace.inlay_hint if workspace else None
        return bool(hints and hints.refresh_support)


def _python(path: str, language: Optional[str]) -> bool:
    """Whether a document is Python source: a notebook's JSON is not (the server does not
    take notebook documents), nor a file the editor says is in another language."""
    if is_notebook(path):
        return False
    return language in (None, "", "python") or path.endswith(".py")


def _digest_of(analysed: Analysed, path: str) -> Optional[str]:
    for module, digest in analysed.analysis.modules.items():
        if normalized(module) == path:
            return digest
    return None
