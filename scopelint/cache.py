"""The findings cache: `.scopelint_cache/` in the current directory.

One JSON file per scopelint version and settings key (what changes the
analysis: `Settings.settings_key`) maps a file's content hash (SHA-256 of its
bytes) to its findings before select/ignore/noqa filter them, without the path
(re-attached on a hit). When the analysis read other project modules, the entry is keyed by
path too and lists their content hashes: it is valid only while each of them
is unchanged (editing `ops.py` invalidates `model.py` and `train.py`). Everything read back is checked: an unreadable, corrupt or foreign
file or entry is ignored (and rewritten on save), never trusted. Writes go
through a temporary file and `os.replace` inside the cache folder only; a
cache folder that is a symbolic link or not a directory disables the cache.
Entries unused for `MAX_AGE_DAYS` are dropped on save.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from typing import Any, Optional

from scopelint import __version__
from scopelint.facts import Finding, Location, Related

CACHE_DIR = ".scopelint_cache"
MAX_AGE_DAYS = 30
# [day last used, [finding, ...], {module path: content hash}], a finding being
# [line, col, code, message, [[line, col, message, path], ...], path, [[path, line, col], ...]]
# (path "" for the file itself; the last list is the call stack that leads to it).
Entry = list[Any]


def content_hash(data: bytes) -> str:
    """The cache's key for a file's content."""
    return hashlib.sha256(data).hexdigest()


class Cache:
    """Findings by content hash for one scopelint version and settings key."""

    def __init__(self, settings_key: str, directory: str = CACHE_DIR) -> None:
        self.directory = os.path.abspath(directory)
        self.settings_key = settings_key
        name = hashlib.sha256(settings_key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self.folder = os.path.join(self.directory, __version__)
        self.file = os.path.join(self.folder, f"{name}.json")
        self.today = int(time.time() // 86400)
        self.entries: dict[str, Entry] = self._load()
        self.dirty = False
        self.hashes: dict[str, Optional[str]] = {}  # content hashes of project modules

    def _load(self) -> dict[str, Entry]:
        try:
            with open(self.file, "rb") as handle:
                data = json.load(handle)
        except (OSError, ValueError, RecursionError):
            return {}
        if (not isinstance(data, dict) or data.get("scopelint") != __version__
                or data.get("settings") != self.settings_key
                or not isinstance(data.get("entries"), dict)):
            return {}
        return data["entries"]

    def get(self, path: str, digest: str) -> Optional[list[Finding]]:
        """The cached findings of content `digest` at `path`; None on a miss."""
        key = self._key(path, digest)
        entry = self.entries.get(key)
        findings = _findings(path, entry)
        if entry is None or findings is None:
            self.entries.pop(key, None)
        elif not self._unchanged(entry[2]):
            return None
        elif entry[0] != self.today:
            entry[0] = self.today
            self.dirty = True
        return findings

    def put(self, path: str, digest: str, findings: list[Finding],
            modules: dict[str, str]) -> None:
        """Remember the findings of content `digest`, and the modules the analysis read."""
        modules = {p: d for p, d in modules.items() if p != path}
        key = digest if not modules else f"{digest}@{path}"
        self.entries.pop(f"{digest}@{path}", None)
        self.entries[key] = [self.today, [
            [f.line, f.col, f.code, f.message,
             [[r.line, r.col, r.message, "" if r.path == path else r.path] for r in f.related],
             "" if f.path == path else f.path, [[s.path, s.line, s.col] for s in f.stack]]
            for f in findings], modules]
        self.dirty = True

    def _unchanged(self, modules: dict[str, str]) -> bool:
        """Whether every module an analysis read still has the content it read (each file
        is hashed once per run, however many entries depend on it)."""
        return all(self._hash(module) == digest for module, digest in modules.items())

    def _hash(self, path: str) -> Optional[str]:
        if path not in self.hashes:
            try:
                with open(path, "rb") as handle:
                    self.hashes[path] = content_hash(handle.read())
            except OSError:
                self.hashes[path] = None
        return self.hashes[path]

    def _key(self, path: str, digest: str) -> str:
        """Entries that depend on other modules are keyed by path too."""
        keyed = f"{digest}@{path}"
        return keyed if keyed in self.entries else digest

    def save(self) -> None:
        """Write the cache atomically, merged with what another run saved meanwhile."""
        if not self.dirty or not self._prepare_folder():
            return
        entries = {**self._load(), **self.entries}
        fresh = {k: v for k, v in entries.items()
                 if isinstance(v, list) and v and isinstance(v[0], int)
                 and self.today - v[0] <= MAX_AGE_DAYS}
        payload = {"scopelint": __version__, "settings": self.settings_key, "entries": fresh}
        fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, separators=(",", ":"))
            os.replace(temp, self.file)
        except OSError:
            _remove(temp)
        self.dirty = False

    def _prepare_folder(self) -> bool:
        return make_folders(self.directory, __version__)


def _findings(path: str, entry: Any) -> Optional[list[Finding]]:
    """The findings an entry describes, or None when it is malformed."""
    if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], int)
            and isinstance(entry[1], list) and isinstance(entry[2], dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in entry[2].items())):
        return None
    result = []
    for item in entry[1]:
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
        if not os.path.lexists(directory):
            os.mkdir(directory)
            with open(os.path.join(directory, ".gitignore"), "w") as handle:
                handle.write("# Created automatically by scopelint.\n*\n")
        folder = directory
        for name in below:
            if not _real_dir(folder):
                return False
            folder = os.path.join(folder, name)
            if not os.path.lexists(folder):
                os.mkdir(folder)
    except OSError:
        return False
    return _real_dir(folder)


def _real_dir(path: str) -> bool:
    return os.path.isdir(path) and not os.path.islink(path)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
