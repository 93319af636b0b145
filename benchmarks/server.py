"""Latency of `scopelint server`: from an edit of tensor2tensor's `models/transformer.py`
to its fresh diagnostics, after the first analysis of the project.

The server runs as an editor runs it (`python -m scopelint server` over stdio, driven by
pygls' client); the time of each edit runs from sending `didChange` to receiving the
`publishDiagnostics` of that version, the debounce included. Each edit types a statement
into another function of the file, as a user would; the edits are sent one at a time.
Run from the repository root (needs pygls: `pip install -e ".[lsp]"`):

    python benchmarks/server.py [--source DIR] [--edits N]

Without `--source` (a folder holding tensor2tensor 1.15.7 unpacked), the wheel is fetched
as `run.py` fetches it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "tensor2tensor==1.15.7"
MODULE = Path("tensor2tensor") / "models" / "transformer.py"
TARGET_MS = 300.0


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used (Linux `/proc`; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(path: Path, edits: int) -> tuple[float, list[float], list[float]]:
    """Seconds to the first diagnostics, and the wall and the server's CPU seconds of each
    edit's diagnostics."""
    client = LanguageClient("scopelint-benchmark", "1")
    arrived: dict[int, float] = {}
    broken: list[str] = []  # an edit must leave the file valid Python
    event = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        arrived[params.version or 0] = time.perf_counter()
        event.set()
        broken.extend(d.message for d in params.diagnostics if d.code in ("TFS000", "TFS001"))

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    await client.start_io(sys.executable, "-m", "scopelint", "server", env=env)
    root = path.parents[2]
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root))))
    client.initialized(types.InitializedParams())
    text = path.read_text(encoding="utf-8")
    uri = from_fs_path(str(path))
    start = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=text)))
    first = await wait(arrived, event, 1) - start
    lines = text.split("\n")
    assert client._server is not None
    pid = client._server.pid
    times, cpu = [], []
    for version in range(2, edits + 2):
        bodies = [i + 1 for i, line in enumerate(lines) if re.match(r"def \w+\(.*\):$", line)]
        at = bodies[(version * 7) % len(bodies)]
        lines.insert(at, f"  edit_{version} = {version}")
        position = types.Position(line=at, character=0)
        sent, used = time.perf_counter(), cpu_seconds(pid)
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=position, end=position),
                text=f"  edit_{version} = {version}\n")]))
        times.append(await wait(arrived, event, version) - sent)
        cpu.append(cpu_seconds(pid) - used)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    if broken:
        raise SystemExit(f"an edit broke the file: {broken[0]}")
    return first, times, cpu


async def wait(arrived: dict[int, float], event: asyncio.Event, version: int) -> float:
    while version not in arrived:
        event.clear()
        await asyncio.wait_for(event.wait(), 120)
    return arrived[version]


def fetch_module(folder: Path) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from run import fetch

    source = fetch((PACKAGE,), folder)
    return next(source.rglob(str(MODULE)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="a folder holding tensor2tensor unpacked")
    parser.add_argument("--edits", type=int, default=20, help="edits to time (default 20)")
    args = parser.parse_args()
    folder: Optional[Path] = None
    try:
        if args.source is not None:
            path = next(args.source.rglob(str(MODULE)))
        else:
            folder = Path(tempfile.mkdtemp(prefix="scopelint-bench-"))
            path = fetch_module(folder)
        first, times, cpu = asyncio.run(measure(path, args.edits))
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    ms = sorted(t * 1000 for t in times)
    print(f"scopelint server, {MODULE}: first analysis {first * 1000:.0f} ms; "
          f"{len(ms)} edits, edit to diagnostics: median {statistics.median(ms):.0f} ms, "
          f"90th percentile {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms "
          f"(target: {TARGET_MS:.0f} ms); server CPU per edit: median "
          f"{statistics.median(cpu) * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
