"""The findings cache: `.scopelint_cache/` in the current directory.

A folder per scopelint version and settings key (what changes the analysis:
`Settings.settings_key`) holds up to sixteen shards, `0.json` to `f.json`. An entry is
keyed by a file's content hash (SHA-256 of its bytes) and lives in the shard named by its
first digit; it holds the file's findings before select/ignore/noqa filter them, without
the path (re-attached on a hit). When the analysis read other project modules, the entry
is keyed by path too and lists their content hashes, as indexes into its shard's table of
(module path, content hash) pairs, which the files of a package share: it is valid only
while each of them is unchanged (editing `ops.py` invalidates `model.py` and `train.py`).
A run reads a shard when it first looks a key up in it and saves only the shards it
changed, so re-checking one file reads and writes one shard.

Everything read back is checked: an unreadable, corrupt or foreign shard or entry is
ignored (and rewritten on save), never trusted. A save holds the folder's `lock` file
(`flock`, `msvcrt.locking` on Windows), re-reads each shard it changed, applies its own
new, refreshed and dropped entries to what is there (so what another run saved meanwhile
is kept) and writes it through a temporary file and `os.replace`, inside the cache folder
only; a cache folder that is a symbolic link or not a directory disables the cache.
Entries unused for `MAX_AGE_DAYS` are dropped when their shard is saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from scopelint import __version__
from scopelint.facts import Finding, Location, Related

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

CACHE_DIR = ".scopelint_cache"
MAX_AGE_DAYS = 30
LOCK_SECONDS = 5.0  # a save waits this long for another run's save, then gives up
# In memory: [day last used, [finding, ...], ((module path, content hash), ...)], a finding
# being [line, col, code, message, [[line, col, message, path], ...], path,
# [[path, line, col], ...]] (path "" for the file itself; the last list is the call stack
# that leads to it). In a shard the modules are indexes into its "modules" table.
Entry = list[Any]


def content_hash(data: bytes) -> str:
    """The cache's key for a file's content."""
    return hashlib.sha256(data).hexdigest()


class Shard:
    """The entries of one shard, and what this run changed in them."""

    def __init__(self, entries: dict[str, Entry], stale: bool) -> None:
        self.entries = entries
        self.stale = stale  # the file held something to drop: rewrite it
        self.changed: set[str] = set()  # keys put or whose day was refreshed
        self.removed: set[str] = set()

    @property
    def dirty(self) -> bool:
        return self.stale or bool(self.changed or self.removed)

    def set(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry
        self.changed.add(key)
        self.removed.discard(key)

    def drop(self, key: str) -> None:
        if self.entries.pop(key, None) is not None:
            self.changed.discard(key)
            self.removed.add(key)


class Cache:
    """Findings by content hash for one scopelint version and settings key."""

    def __init__(self, settings_key: str, directory: str = CACHE_DIR) -> None:
        self.directory = os.path.abspath(directory)
        self.settings_key = settings_key
        name = hashlib.sha256(settings_key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self.folder = os.path.join(self.directory, __version__, name)
        self.today = int(time.time() // 86400)
        self.shards: dict[str, Shard] = {}  # those read so far, by name
        self.hashes: dict[str, Optional[str]] = {}  # content hashes of project modules

    def get(self, path: str, digest: str) -> Optional[list[Finding]]:
        """The cached findings of content `digest` at `path`; None on a miss."""
        shard = self._shard(digest)
        key = f"{digest}@{path}"  # entries that depend on other modules are keyed by path too
        if key not in shard.entries:
            key = digest
        entry = shard.entries.get(key)
        if entry is None:
            return None
        findings = _findings(path, entry[1])
        if findings is None:
            shard.drop(key)
        elif not self._unchanged(entry[2]):
            return None
        elif entry[0] != self.today:
            entry[0] = self.today
            shard.changed.add(key)
        return findings

    def put(self, path: str, digest: str, findings: list[Finding],
            modules: dict[str, str]) -> None:
        """Remember the findings of content `digest`, and the modules the analysis read."""
        shard = self._shard(digest)
        pairs = tuple((p, d) for p, d in modules.items() if p != path)
        shard.drop(f"{digest}@{path}")
        shard.set(f"{digest}@{path}" if pairs else digest, [self.today, [
            [f.line, f.col, f.code, f.message,
             [[r.line, r.col, r.message, "" if r.path == path else r.path] for r in f.related],
             "" if f.path == path else f.path, [[s.path, s.line, s.col] for s in f.stack]]
            for f in findings], pairs])

    def _shard(self, key: str) -> Shard:
        name = key[:1]  # a hex digit: sixteen shards
        if name not in self.shards:
            self.shards[name] = self._read(name)
        return self.shards[name]

    def _read(self, name: str) -> Shard:
        """Shard `name` as saved, keeping only well-formed entries used in MAX_AGE_DAYS."""
        try:
            with open(os.path.join(self.folder, f"{name}.json"), "rb") as handle:
                data = json.loads(handle.read())
        except FileNotFoundError:
            return Shard({}, stale=False)
        except (OSError, ValueError, RecursionError):
            return Shard({}, stale=True)
        if not (isinstance(data, dict) and data.get("scopelint") == __version__
                and data.get("settings") == self.settings_key
                and isinstance(data.get("entries"), dict) and isinstance(data.get("modules"), list)
                and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
                        and isinstance(p[1], str) for p in data["modules"])):
            return Shard({}, stale=True)
        table = [(p[0], p[1]) for p in data["modules"]]
        entries = {}
        for key, entry in data["entries"].items():
            if (key[:1] == name and isinstance(entry, list) and len(entry) == 3
                    and type(entry[0]) is int and self.today - entry[0] <= MAX_AGE_DAYS
                    and isinstance(entry[1], list) and isinstance(entry[2], list)
                    and all(type(i) is int and 0 <= i < len(table) for i in entry[2])):
                entries[key] = [entry[0], entry[1], tuple(table[i] for i in entry[2])]
        return Shard(entries, stale=len(entries) < len(data["entries"]))

    def _unchanged(self, modules: tuple[tuple[str, str], ...]) -> bool:
        """Whether every module an analysis read still has the content it read (each file
        is hashed once per run, however many entries depend on it)."""
        return all(self._hash(module) == digest for module, digest in modules)

    def _hash(self, path: str) -> Optional[str]:
        if path not in self.hashes:
            try:
                with open(path, "rb") as handle:
                    self.hashes[path] = content_hash(handle.read())
            except OSError:
                self.hashes[path] = None
        return self.hashes[path]

    def save(self) -> None:
        """Write the shards this run changed, each merged with what another run saved."""
        dirty = {name: shard for name, shard in self.shards.items() if shard.dirty}
        if not dirty or not self._prepare_folder():
            return
        with _locked(os.path.join(self.folder, "lock")) as locked:
            if not locked:
                return
            for name, shard in dirty.items():
                entries = self._read(name).entries
                for key in shard.removed:
                    entries.pop(key, None)
                entries.update((key, shard.entries[key]) for key in shard.changed)
                self._write(name, entries)
                shard.stale = False
                shard.changed.clear()
                shard.removed.clear()

    def _write(self, name: str, entries: dict[str, Entry]) -> None:
        """Replace shard `name` atomically, the modules of its entries in one table."""
        table: dict[tuple[str, str], int] = {}
        payload = {"scopelint": __version__, "settings": self.settings_key, "entries": {
            key: [day, findings, [table.setdefault(pair, len(table)) for pair in modules]]
            for key, (day, findings, modules) in entries.items()}, "modules": list(table)}
        write_atomically(os.path.join(self.folder, f"{name}.json"),
                         json.dumps(payload, separators=(",", ":")).encode("utf-8"))

    def _prepare_folder(self) -> bool:
        return make_folders(self.directory, __version__, os.path.basename(self.folder))


@contextmanager
def _locked(path: str) -> Iterator[bool]:
    """Hold the lock file `path`, waiting up to LOCK_SECONDS for another process to release
    it; yields False when it could not be had."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        yield False
        return
    try:
        deadline = time.monotonic() + LOCK_SECONDS
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                yield False
                return
            time.sleep(0.005)
        try:
            yield True
        finally:
            if sys.platform == "win32":
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(fd)  # releases a flock


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _findings(path: str, items: list[Any]) -> Optional[list[Finding]]:
    """The findings an entry's list describes, or None when it is malformed."""
    result = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 7 and _ints(item[:2])
                and isinstance(item[2], str) and isinstance(item[3], str)
                and isinstance(item[4], list) and isinstance(item[5], str)
                and isinstance(item[6], list)):
            return None
        related = []
        for rel in item[4]:
            if not (isinstance(rel, list) and len(rel) == 4 and _ints(rel[:2])
                    and isinstance(rel[2], str) and isinstance(rel[3], str)):
                return None
            related.append(Related(rel[0], rel[1], rel[2], rel[3] or path))
        stack = []
        for site in item[6]:
            if not (isinstance(site, list) and len(site) == 3 and isinstance(site[0], str)
                    and _ints(site[1:])):
                return None
            stack.append(Location(site[1], site[2], site[0]))
        result.append(Finding(item[5] or path, item[0], item[1], item[2], item[3],
                              tuple(related), tuple(stack)))
    return result


def _ints(values: list[Any]) -> bool:
    return all(type(v) is int and v >= 0 for v in values)


def make_folders(directory: str, *below: str) -> bool:
    """Create the cache folder (with a `.gitignore` of `*`) and the folders `below` it, each
    in the one before; False when one cannot be made or is not a real directory (a symbolic
    link disables the cache)."""
    try:
        if _made(directory):
            with open(os.path.join(directory, ".gitignore"), "w") as handle:
                handle.write("# Created automatically by scopelint.\n*\n")
        folder = directory
        for name in below:
            if not _real_dir(folder):
                return False
            folder = os.path.join(folder, name)
            _made(folder)
    except OSError:
        return False
    return _real_dir(folder)


def _made(folder: str) -> bool:
    """Make `folder` unless it exists; whether this call made it (another run may have made
    it meanwhile)."""
    if os.path.lexists(folder):
        return False
    try:
        os.mkdir(folder)
    except FileExistsError:
        return False
    return True


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file at `path` with `data` through a temporary file beside it, so that no
    reader ever sees it half written (best effort: an error leaves it as it was)."""
    try:
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except OSError:
        _remove(temp)


def _real_dir(path: str) -> bool:
    return os.path.isdir(path) and not os.path.islink(path)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
