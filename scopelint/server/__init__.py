"""`scopelint server`: a Language Server over stdio (needs the `lsp` extra: pygls).

Findings as diagnostics for the unsaved buffer (the project it imports read from disk,
the settings `check` would use), predicted names on hover and as inlay hints, fixes and
`# noqa` as code actions. The modules: `buffer` (the engine's entry points), `calls`,
`lookup` (facts by call), `convert`, `diagnostics`, `hover`, `inlay`, `actions`,
`suppress`, `settings`, `scheduler`, `session` (state and behaviour), `app` (pygls).
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

MISSING = ("scopelint: error: `scopelint server` needs pygls: "
           "pip install \"scopelint[lsp]\"\n")


def serve() -> int:
    """Serve one client over stdin/stdout; 0 after `shutdown` then `exit`, else 1."""
    try:
        from scopelint.server.app import create_server
    except ImportError as err:
        if (err.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs"):
            raise
        sys.stderr.write(MISSING)
        return 2
    from scopelint.analysis import recursion_guard

    recursion_guard()
    server, session = create_server()
    server.start_io(sys.stdin.buffer, protocol_channel())
    return 0 if session.shut_down else 1


def protocol_channel() -> BinaryIO:
    """The process' stdout for the protocol alone: what else writes to stdout (a stray
    print, a warning) goes to stderr instead, and `exit` closes only this copy."""
    sys.stdout.flush()
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return channel
