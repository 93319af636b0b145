"""`scopelint server`, driven over stdio by pygls' language client as an editor would:
the unsaved buffer of a two-module project gets diagnostics, hover and inlay hints show
the predicted names, code actions fix, silence and fix all, edits and files changed on
disk re-analyse, settings come from each folder's `[tool.scopelint]`; the server writes
no file and exits 0 after shutdown and exit."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Optional, Sequence

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

from helpers.editor_project import LAYERS  # noqa: E402

from scopelint.server.actions import FIX_ALL, changed_part  # noqa: E402
from scopelint.server.suppress import noqa_edit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0  # seconds for any one answer: the first analysis imports the engine

TRAIN = '''import tensorflow.compat.v1 as tf

from layers import dense


def tower(x, reuse=False):
    with tf.variable_scope("tower"):
        return x * tf.get_variable("t", [1])


x = tf.placeholder(tf.float32, [None, 3])
with tf.name_scope("model"):
    v = tf.get_variable("v", [1])
h = dense(x, "hidden")
h2 = dense(h, "hidden")
y = tower(h2)
'''
CLEAN_TRAIN = TRAIN.replace('h2 = dense(h, "hidden")', 'h2 = dense(h, "output")')


class Editor:
    """A language client holding documents as an editor does."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.arrived = asyncio.Condition()
        self.returncode: Optional[int] = None
        self.stderr = ""  # what the server wrote there, once it exited
        self.messages: list[str] = []
        self.refreshes = 0  # workspace/inlayHint/refresh requests

    @classmethod
    @asynccontextmanager
    async def start(cls, folders: Sequence[Path], options: Any = None
                    ) -> AsyncIterator[Editor]:
        client = LanguageClient("scopelint-tests", "1")
        editor = cls(client)

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def published(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            async with editor.arrived:
                editor.published.setdefault(params.uri, []).append(params)
                editor.arrived.notify_all()

        @client.feature(types.WINDOW_SHOW_MESSAGE)
        def message(ls: LanguageClient, params: types.ShowMessageParams) -> None:
            editor.messages.append(params.message)

        @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
        def refresh(ls: LanguageClient, params: None) -> None:
            editor.refreshes += 1

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        await client.start_io(sys.executable, "-m", "scopelint", "server", env=env,
                              cwd=str(folders[0]))
        assert client._server is not None and client._server.stderr is not None
        stderr = asyncio.ensure_future(client._server.stderr.read())  # a full pipe would block
        capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True)))
        try:
            await asyncio.wait_for(client.initialize_async(types.InitializeParams(
                capabilities=capabilities, root_uri=from_fs_path(str(folders[0])),
                initialization_options=options,
                workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(f)), name=f.name)
                                   for f in folders])), TIMEOUT)
            client.initialized(types.InitializedParams())
            yield editor
            await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
            client.exit(None)
            server = client._server
            assert server is not None
            editor.returncode = await asyncio.wait_for(server.wait(), TIMEOUT)
            editor.stderr = (await asyncio.wait_for(stderr, TIMEOUT)).decode(errors="replace")
        finally:
            server = client._server
            if server is not None and server.returncode is None:
                server.kill()
            await client.stop()

    def open(self, path: Path, text: str) -> str:
        uri = from_fs_path(str(path))
        self.texts[uri], self.versions[uri] = text, 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        return uri

    def change(self, uri: str, text: str) -> int:
        """Replace the whole text (as one incremental change over the old text)."""
        old = self.texts[uri]
        lines = old.split("\n")
        whole = types.Range(start=types.Position(line=0, character=0),
                            end=types.Position(line=len(lines) - 1, character=len(lines[-1])))
        self.texts[uri] = text
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri,
                                                                version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangePartial(range=whole, text=text)]))
        return self.versions[uri]

    async def diagnostics(self, uri: str, version: Optional[int] = None
                          ) -> list[types.Diagnostic]:
        """The diagnostics published for `version` (the current one by default)."""
        wanted = self.versions[uri] if version is None else version

        def found() -> Optional[types.PublishDiagnosticsParams]:
            return next((p for p in reversed(self.published.get(uri, []))
                         if p.version == wanted), None)

        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: found() is not None), TIMEOUT)
        params = found()
        assert params is not None
        return list(params.diagnostics)

    async def hover(self, uri: str, line: int, character: int) -> str:
        hover = await asyncio.wait_for(self.client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character))), TIMEOUT)
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        return hover.contents.value

    async def hints(self, uri: str) -> list[tuple[int, str]]:
        hints = await asyncio.wait_for(self.client.text_document_inlay_hint_async(
            types.InlayHintParams(types.TextDocumentIdentifier(uri), types.Range(
                types.Position(0, 0), types.Position(len(self.texts[uri].split("\n")), 0)))),
            TIMEOUT)
        return [(hint.position.line, str(hint.label)) for hint in hints or []]

    async def actions(self, uri: str, line: int, diagnostics: list[types.Diagnostic],
                      only: Optional[list[str]] = None) -> list[types.CodeAction]:
        context = types.CodeActionContext(diagnostics=diagnostics, only=only)
        found = await asyncio.wait_for(self.client.text_document_code_action_async(
            types.CodeActionParams(types.TextDocumentIdentifier(uri), types.Range(
                types.Position(line, 0), types.Position(line, 0)), context)), TIMEOUT)
        return [a for a in found or [] if isinstance(a, types.CodeAction)]

    def apply(self, action: types.CodeAction) -> int:
        """Apply a code action's edit to the text, as the editor would, and send it."""
        assert action.edit is not None and action.edit.document_changes
        (change,) = action.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        uri = change.text_document.uri
        assert change.text_document.version == self.versions[uri]
        return self.change(uri, apply_edits(self.texts[uri], change.edits))


def apply_edits(text: str, edits: Sequence[Any]) -> str:
    """`text` with LSP text edits applied (ASCII text: characters are UTF-16 units)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def run(scenario: Any) -> None:
    asyncio.run(asyncio.wait_for(scenario, 4 * TIMEOUT))


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "layers.py").write_text(LAYERS)
    (tmp_path / "train.py").write_text(CLEAN_TRAIN)  # the buggy text is only in the editor
    return tmp_path


def codes(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int]]:
    return [(str(d.code), d.range.start.line + 1, d.range.start.character + 1)
            for d in diagnostics]


def test_unsaved_buffer_names_and_fixes(project: Path) -> None:
    before = snapshot(project)

    async def scenario() -> None:
        async with Editor.start([project]) as editor:
            uri = editor.open(project / "train.py", TRAIN)
            found = await editor.diagnostics(uri)
            assert codes(found) == [("TFS206", 7, 10), ("TFS201", 13, 9), ("TFS101", 15, 6)]
            duplicate = found[2]
            assert duplicate.severity == types.DiagnosticSeverity.Error
            assert found[1].severity == types.DiagnosticSeverity.Warning
            assert duplicate.range.end == types.Position(line=14, character=23)
            assert duplicate.related_information is not None and any(
                r.location.uri.endswith("/layers.py") for r in duplicate.related_information)

            through = await editor.hover(uri, 13, 6)  # dense(x, "hidden"), across modules
            assert "`hidden/w:0` [3, 4] float32: created by `get_variable` at `layers.py:6`" \
                in through
            scope = await editor.hover(uri, 6, 14)  # variable_scope("tower")
            assert "variable scope `tower/`" in scope
            assert ("TFS201" in await editor.hover(uri, 12, 10)
                    and "`v:0` [1] float32: created" in await editor.hover(uri, 12, 10))
            assert await editor.hints(uri) == [(7, "tower/t:0"), (12, "v:0")]
            assert editor.refreshes == 0  # hints asked after the analysis: nothing to ask again

            actions = await editor.actions(uri, 12, [found[1]])
            titles = [a.title for a in actions]
            assert titles == ["use variable_scope instead of the name_scope at line 12 [TFS201]"
                              " (unsafe: may change more than the bug)",
                              "Add `# noqa: TFS201` [TFS201]", "Fix all safe scopelint findings"]
            editor.apply(actions[0])
            # asked while the edit is being analysed: the answer waits for the analysis
            assert "`model/v:0` [1] float32: created" in await editor.hover(uri, 12, 10)
            assert codes(await editor.diagnostics(uri)) == [("TFS206", 7, 10), ("TFS101", 15, 6)]
            assert 'with tf.variable_scope("model"):' in editor.texts[uri]

            (fix_all,) = await editor.actions(uri, 0, [], only=["source.fixAll"])
            assert fix_all.kind == FIX_ALL
            editor.apply(fix_all)
            assert codes(await editor.diagnostics(uri)) == [("TFS101", 15, 6)]
            assert 'with tf.variable_scope("tower", reuse=reuse):' in editor.texts[uri]

            found = await editor.diagnostics(uri)
            noqa = (await editor.actions(uri, 14, found, only=["quickfix"]))[-1]
            editor.apply(noqa)
            assert await editor.diagnostics(uri) == []
            assert 'h2 = dense(h, "hidden")  # noqa: TFS101\n' in editor.texts[uri]
        assert (editor.returncode, editor.stderr) == (0, "")

    run(scenario())
    assert snapshot(project) == before


def test_workspace_folders_watched_files_and_stale_analyses(tmp_path: Path) -> None:
    strict, lenient, broken = tmp_path / "strict", tmp_path / "lenient", tmp_path / "broken"
    for folder in (strict, lenient, broken):
        folder.mkdir()
        (folder / "layers.py").write_text(LAYERS)
    (lenient / "pyproject.toml").write_text('[tool.scopelint]\nignore = ["TFS201"]\n')
    (broken / "pyproject.toml").write_text('[tool.scopelint]\nselekt = ["TFS1"]\n')
    name_scope = TRAIN.split("\nh = ")[0] + "\n"

    async def scenario() -> None:
        async with Editor.start([strict, lenient, broken], {"inlayHints": False}) as editor:
            editor.open(broken / "train.py", name_scope)
            strict_uri = editor.open(strict / "train.py", name_scope)
            lenient_uri = editor.open(lenient / "train.py", CLEAN_TRAIN)
            assert codes(await editor.diagnostics(strict_uri)) == [("TFS206", 7, 10),
                                                                   ("TFS201", 13, 9)]
            assert codes(await editor.diagnostics(lenient_uri)) == [("TFS206", 7, 10)]
            broken_uri = editor.open(strict / "broken.py", "def f(:\n")  # alone in its error
            assert codes(await editor.diagnostics(broken_uri)) == [("TFS001", 1, 7)]
            assert await editor.hints(strict_uri) == []  # switched off
            (message,) = editor.messages  # the bad config, shown once; no diagnostics
            assert message.startswith("scopelint: ") and "unknown key 'selekt'" in message

            # Edits in quick succession: only the last one is analysed and published.
            for _ in range(4):
                editor.change(strict_uri, name_scope + "\n")
            last = editor.change(strict_uri, CLEAN_TRAIN)
            assert codes(await editor.diagnostics(strict_uri)) == [("TFS206", 7, 10),
                                                                   ("TFS201", 13, 9)]
            assert [p.version for p in editor.published[strict_uri]] == [1, last]

            # The imported module changes on disk: the importer is analysed again.
            (strict / "layers.py").write_text(LAYERS.replace(
                "return", 'w = tf.get_variable("w", [3, 4])\n    return'))
            editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=from_fs_path(str(strict / "layers.py")),
                                         type=types.FileChangeType.Changed)]))
            async with editor.arrived:
                await asyncio.wait_for(editor.arrived.wait_for(
                    lambda: len(editor.published[strict_uri]) == 3), TIMEOUT)
            assert [d.code for d in editor.published[strict_uri][-1].diagnostics] == [
                "TFS206", "TFS201", "TFS101"]

            # A module saved from the editor: the open files importing it are analysed again.
            duplicated = LAYERS.replace("return", 'w = tf.get_variable("w", [3, 4])\n    return')
            layers_uri = editor.open(lenient / "layers.py", duplicated)
            (lenient / "layers.py").write_text(duplicated)
            editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=layers_uri)))
            async with editor.arrived:
                await asyncio.wait_for(editor.arrived.wait_for(
                    lambda: len(editor.published[lenient_uri]) == 2), TIMEOUT)
            assert [d.code for d in editor.published[lenient_uri][-1].diagnostics] == [
                "TFS206", "TFS101"]
        assert (editor.returncode, editor.stderr) == (0, "")

    run(scenario())


def test_the_editor_configs_parse(tmp_path: Path) -> None:
    """The JSON and TOML configs shown are valid, and every config runs `scopelint server`."""
    import json
    import re

    from scopelint.config import read_toml

    text = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", text, re.DOTALL)
    for language, block in blocks:
        if language == "json":
            json.loads(block if block.startswith("{") else "{" + block.rstrip(",\n") + "}")
    helix = [b for language, b in blocks if language == "toml"]
    assert helix
    for block in helix:
        path = tmp_path / "languages.toml"
        path.write_text(block, encoding="utf-8")
        server = read_toml(path)["language-server"]["scopelint"]
        assert (server["command"], server["args"]) == ("scopelint", ["server"])
    for language in ("json", "lua", "elisp"):
        assert any(lang == language and '"server"' in b for lang, b in blocks), language


def test_the_cli_does_not_import_pygls() -> None:
    code = ("import sys, scopelint.cli; sys.exit(any(m.split('.')[0] in "
            "('pygls', 'lsprotocol') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}).returncode == 0


def test_without_pygls_the_server_says_what_to_install(monkeypatch, capsys) -> None:
    for name in list(sys.modules):
        if name.startswith(("pygls", "lsprotocol", "scopelint.server.")):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pygls", None)
    monkeypatch.setitem(sys.modules, "lsprotocol", None)
    from scopelint.server import serve

    assert serve() == 2
    assert capsys.readouterr().err == ('scopelint: error: `scopelint server` needs pygls: '
                                       'pip install "scopelint[lsp]"\n')


@pytest.mark.parametrize("line, expected", [
    ("x = f()\n", "x = f()  # noqa: TFS101\n"),
    ("x = f()  # noqa: TFS201\n", "x = f()  # noqa: TFS201, TFS101\n"),
    ("x = f()  # keep\n", "x = f()  # keep  # noqa: TFS101\n"),
    ("x = f(1,\n      2)\n", "x = f(1,  # noqa: TFS101\n      2)\n"),
    ('x = f("""\n""")\n', 'x = f("""\n""")  # noqa: TFS101\n'),
])
def test_noqa_goes_where_noqa_looks(line: str, expected: str) -> None:
    from scopelint.fixes.apply import splice
    from scopelint.noqa import filter_noqa
    from scopelint.facts import Finding

    lines = line.splitlines(keepends=True)
    fixed = splice(line, [noqa_edit(lines, 1, "TFS101")])
    assert fixed == expected
    assert filter_noqa([Finding("m.py", 1, 5, "TFS101", "")], fixed.splitlines(True)) == []


@pytest.mark.parametrize("before, after", [
    ("a\nb\nc\n", "a\nB\nc\n"), ("a\r\nb\r\n", "a\r\nb\r\nc\r\n"), ("abc", "ac"), ("", "x"),
])
def test_fix_all_edits_only_what_differs(before: str, after: str) -> None:
    from scopelint.fixes.apply import splice

    assert splice(before, [changed_part(before, after)]) == after
