"""The pygls server: each protocol message handed to the `Session`."""

from __future__ import annotations

from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from scopelint import __version__
from scopelint.server.actions import FIX_ALL
from scopelint.server.session import Session


def create_server() -> tuple[LanguageServer, Session]:
    """A server over a new session (started with `server.start_io()`)."""
    server = LanguageServer("scopelint", __version__,
                            text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    session = Session(server)

    @server.feature(types.INITIALIZE)
    def initialize(ls: LanguageServer, params: types.InitializeParams) -> None:
        session.initialize(params)

    @server.feature(types.INITIALIZED)
    def initialized(ls: LanguageServer, params: types.InitializedParams) -> None:
        session.initialized()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: LanguageServer, params: None) -> None:
        session.shutdown()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        session.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        session.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        session.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: LanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        from pygls.uris import to_fs_path

        paths = [to_fs_path(change.uri) or "" for change in params.changes]
        session.files_changed(paths, created=any(
            c.type != types.FileChangeType.Changed for c in params.changes))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration(ls: LanguageServer, params: types.DidChangeConfigurationParams) -> None:
        session.configuration_changed(params.settings)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders(ls: LanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        session.folders_changed()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: LanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
        return await session.hover(params)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    async def inlay(ls: LanguageServer, params: types.InlayHintParams) -> list[types.InlayHint]:
        return await session.inlay_hints(params)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    async def code_action(ls: LanguageServer,
                          params: types.CodeActionParams) -> list[types.CodeAction]:
        return await session.code_actions(params)

    return server, session
