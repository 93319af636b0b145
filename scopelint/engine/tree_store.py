"""libcst trees kept across runs, in `.scopelint_cache/<version>/trees/`.

Re-checking one edited file (pre-commit) replays the top level of every project
module it imports, and libcst's parse of those modules was most of its cost. A
file's trees are stored together, in one pack named by the file's content hash
(and the Python and libcst versions, whose trees may differ): its skeleton
(`project.SourceFile.parsed`) and the lines of the bodies it leaves out, each function
body parsed on its own, by the hash of the text parsed, and the verdict of
`limits.too_complex` on it. A later run reads the pack of a file it needs again instead
of parsing it: unpickling a tree costs about a quarter of parsing it. Each tree in a
pack stays pickled until it is needed.

A pack is written when the process leaves the file's project behind or ends a chunk of
files (`flush`), by
merging what it parsed with what the pack on disk holds, to a temporary file
renamed over it: concurrent runs never see a half-written pack, and one may only
miss what another added at the same time. Everything read back is checked (a
SHA-256 of the contents, then the kind of each object); a corrupt or foreign pack
is ignored and written again. The trees are those the parse gives, so the cache
changes no finding; `--no-cache` turns it off with the findings cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import operator
import os
import pickle
import sys
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from scopelint import __version__
from scopelint.cache import make_folders, write_atomically
from scopelint.limits import MAX_DEPTH, MAX_NODES

if TYPE_CHECKING:
    import libcst as cst

MAGIC = b"scopelint-trees 1\n"
Verdict = Optional[tuple[int, str]]  # `limits.too_complex`
VERDICT = f"too complex: {MAX_DEPTH} {MAX_NODES}"  # its key, with the limits it applied
STUBS = "stubs"  # the bodies left out of the file's skeleton (`project._skeleton`)
Pack = dict[str, Union[bytes, Verdict, list[tuple[int, int, int]]]]


class TreeStore:
    """The packs of one cache folder, read and written by content hash; the trees of the
    files a run checks (`checked`, real paths) are read but not written."""

    def __init__(self, directory: str, checked: Iterable[str] = ()) -> None:
        self.directory = directory  # the cache folder (`cache.CACHE_DIR`)
        self.checked = frozenset(checked)
        self.stored: dict[str, bool] = {}  # by path as given: `_stores`
        self.packs: dict[str, Pack] = {}  # by content hash: as read (or empty)
        self.added: dict[str, dict[str, Any]] = {}  # by content hash: what this process parsed

    def __getstate__(self) -> dict[str, Any]:
        """What a worker process is sent: the settings, not what this process read."""
        return {**self.__dict__, "packs": {}, "added": {}, "stored": {}}

    @cached_property
    def below(self) -> tuple[str, ...]:
        """The folders of the packs in the cache folder: by scopelint's version, then
        Python's and libcst's (the hash of its `_version.py`, read without importing it)."""
        import importlib.util

        spec = importlib.util.find_spec("libcst")
        origin = spec.origin if spec is not None else None
        try:
            with open(os.path.join(os.path.dirname(origin or ""), "_version.py"), "rb") as handle:
                libcst = hashlib.sha256(handle.read()).hexdigest()[:12]
        except OSError:
            libcst = "unknown"
        python = f"py{sys.version_info[0]}{sys.version_info[1]}"
        return (__version__, "trees", f"{python}-libcst-{libcst}")

    def parsed(self, digest: str, text: str) -> Optional[cst.Module]:
        """The tree an earlier run parsed from `text`, in the file of content `digest`."""
        import libcst as cst

        blob = self._pack(digest).get(text_key(text))
        if not isinstance(blob, bytes):
            return None
        try:
            tree = pickle.loads(blob)
        except Exception:  # noqa: BLE001 - a pack that passed its checksum but not pickle
            return None
        return tree if isinstance(tree, cst.Module) else None

    def verdict(self, digest: str) -> tuple[bool, Verdict]:
        """Whether the pack holds `limits.too_complex`'s verdict on the file, and the verdict."""
        pack = self._pack(digest)
        found = pack.get(VERDICT, ())
        if found is None or (isinstance(found, tuple) and len(found) == 2
                             and isinstance(found[0], int) and isinstance(found[1], str)):
            return True, found
        return False, None

    def keep(self, path: str, digest: str, text: str, tree: cst.Module) -> None:
        """Remember the tree parsed from `text` in the file at `path`, to store on the next
        flush. Trees of the files the run checks are not stored: a run over a whole
        project parses each file once anyway, and storing costs about what parsing does;
        a run checking a few files stores the modules they import."""
        if self._stores(path):
            self.added.setdefault(digest, {})[text_key(text)] = tree

    def stubs(self, digest: str, lines: int) -> Optional[list[tuple[int, int, int]]]:
        """The bodies an earlier run left out of the skeleton of the file of content `digest`
        (`project._skeleton`), when they fit its `lines`."""
        found = self._pack(digest).get(STUBS)
        if not isinstance(found, list) or not all(
                isinstance(r, tuple) and len(r) == 3 and all(type(i) is int for i in r)
                and 0 < r[0] < r[1] <= r[2] <= lines for r in found):
            return None
        return found

    def keep_stubs(self, path: str, digest: str, ranges: list[tuple[int, int, int]]) -> None:
        """Remember the bodies left out of a file's skeleton, with its trees (see `keep`)."""
        if self._stores(path):
            self.added.setdefault(digest, {})[STUBS] = ranges

    def _stores(self, path: str) -> bool:
        """Whether the trees of the file at `path` are stored: it is not one the run checks."""
        found = self.stored.get(path)
        if found is None:
            found = self.stored[path] = os.path.realpath(path) not in self.checked
        return found

    def keep_verdict(self, digest: str, verdict: Verdict) -> None:
        """Remember `limits.too_complex`'s verdict on the file, to store on the next flush."""
        self.added.setdefault(digest, {})[VERDICT] = verdict

    def flush(self) -> None:
        """Write the packs of the files parsed since the last flush (best effort)."""
        added, self.added = self.added, {}
        for digest, parts in added.items():
            if not make_folders(self.directory, *self.below, digest[:2]):
                return
            pack = dict(self._read(digest))
            for key, value in parts.items():
                if key in (VERDICT, STUBS):
                    pack[key] = value
                    continue
                try:
                    pack[key] = _dumps(value)
                except (RecursionError, pickle.PicklingError):
                    continue
            self.packs[digest] = pack
            self._write(digest, pack)

    def _pack(self, digest: str) -> Pack:
        if digest not in self.packs:
            self.packs[digest] = self._read(digest)
        return self.packs[digest]

    def _path(self, digest: str) -> str:
        return os.path.join(self.directory, *self.below, digest[:2], digest)

    def _read(self, digest: str) -> Pack:
        try:
            with open(self._path(digest), "rb") as handle:
                return unpack(handle.read())
        except OSError:
            return {}

    def _write(self, digest: str, pack: Pack) -> None:
        try:
            payload = pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL)
        except (RecursionError, pickle.PicklingError):
            return
        write_atomically(self._path(digest), MAGIC + hashlib.sha256(payload).digest() + payload)


def unpack(data: bytes) -> Pack:
    """The pack a file holds; empty unless its checksum and contents are right."""
    head = len(MAGIC) + 32
    if not data.startswith(MAGIC) or hashlib.sha256(data[head:]).digest() != \
            data[len(MAGIC):head]:
        return {}
    try:
        pack = pickle.loads(data[head:])
    except Exception:  # noqa: BLE001 - checked above; anything else is not ours
        return {}
    if not isinstance(pack, dict) or not all(isinstance(k, str) for k in pack):
        return {}
    return pack


def text_key(text: str) -> str:
    """The key of the tree parsed from `text`."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _dumps(tree: Any) -> bytes:
    """`tree` pickled, its equal tokens (whitespace, commas, brackets) pickled once and
    shared after loading: about 40% of a tree's nodes are whitespace, and a node is
    unpickled by a Python-level `__setstate__`, a shared one by C alone."""
    handle = io.BytesIO()
    _TokenPickler(handle).dump(tree)
    return handle.getvalue()


class _TokenPickler(pickle.Pickler):
    """Pickles each token equal to one met before as `itemgetter(0)((that one,))`."""

    def __init__(self, handle: io.BytesIO) -> None:
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.tokens: dict[object, object] = {}

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _tokens()):
            first = self.tokens.setdefault(_token_key(obj), obj)
            if first is not obj:
                return _FIRST, ((first,),)
        return NotImplemented


_FIRST = operator.itemgetter(0)


@lru_cache(maxsize=1)
def _tokens() -> tuple[type, ...]:
    """The libcst nodes made of text and other such nodes only."""
    import libcst as cst

    return (cst.SimpleWhitespace, cst.Newline, cst.TrailingWhitespace, cst.Comment,
            cst.EmptyLine, cst.ParenthesizedWhitespace, cst.Dot, cst.Comma, cst.AssignEqual,
            cst.Colon, cst.Semicolon, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket,
            cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.BaseBinaryOp,
            cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp, cst.ImportStar)


def _token_key(value: Any) -> object:
    """What makes two tokens equal: their class and the keys of their fields."""
    if isinstance(value, (list, tuple)):
        return (type(value), *map(_token_key, value))
    if not hasattr(value, "__dataclass_fields__"):
        return value
    return (type(value), *(_token_key(getattr(value, f.name)) for f in dataclasses.fields(value)))
