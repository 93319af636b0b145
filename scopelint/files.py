"""Finding the files to check, and reading and decoding them (TFS002 problems).

Discovery rules: directories are walked for `*.py` files and `*.ipynb`
notebooks (a directory named `x.py` is walked like any directory); a file
named on the command line is checked whatever its name (a notebook by its
`.ipynb` suffix). Exclude globs are matched as in `.gitignore`: a
glob without `/` matches an entry's name, one with `/` its path relative to
the settings root or its absolute path, and a trailing `/` matches directories
only. A path named on the command line is checked even when excluded (as ruff
does), unless `force_exclude` is set: then the globs apply to it and to every
directory above it, up to the root. Walked entries that git ignores
(`.gitignore`, `.git/info/exclude`, the global excludes file) are skipped;
named paths never are, and a named directory that git ignores as a whole is
walked without git's rules. Symbolic links to directories are not followed
while walking (so a link loop cannot recurse), `.git` directories and
Jupyter's `.ipynb_checkpoints` (autosaved copies of notebooks) are never
entered, and a directory that cannot be listed is reported, not fatal.
"""

from __future__ import annotations

import codecs
import fnmatch
import io
import os
import re
import tokenize
from typing import Optional, Sequence

NEWLINE = re.compile(r"\r\n|\r|\n")
NOTEBOOK_SUFFIX = ".ipynb"
SOURCE_SUFFIXES = (".py", NOTEBOOK_SUFFIX)
NEVER_WALKED = (".git", ".ipynb_checkpoints")
GIT_BATCH_BYTES = 8192  # below every pipe buffer size: one batch never blocks the writer


def is_notebook(path: str) -> bool:
    """Whether `path` names a Jupyter notebook (by its suffix, as Jupyter does)."""
    return path.lower().endswith(NOTEBOOK_SUFFIX)


class SourceError(Exception):
    """The file could not be read or decoded; becomes a TFS002 finding."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


class PathNotFound(Exception):
    """A path named on the command line does not exist; the CLI exits with status 2."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: no such file or directory")
        self.path = path


def read_source(path: str) -> bytes:
    """The raw bytes of a file; a SourceError when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as err:
        raise SourceError(f"cannot read file: {err.strerror or err}") from None


def decode_source(data: bytes) -> str:
    """Decode source bytes as Python does: BOM, PEP 263 coding cookie, else UTF-8.

    Newlines are kept as they are (CRLF, lone CR): CPython and libcst count
    lines the same way on them, so positions stay right.
    """
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _position(data[:nul].decode("latin-1"))
        raise SourceError("file contains NUL bytes (binary?)", line, col)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as err:
        raise SourceError(f"cannot decode: {err}", err.lineno or 1) from None
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        prefix = data[:err.start].decode(encoding, errors="replace")
        line, col = _position(prefix)
        raise SourceError(f"cannot decode as {encoding}: {err.reason} "
                          f"(byte 0x{data[err.start]:02x})", line, col) from None
    except LookupError as err:
        raise SourceError(f"cannot decode as {encoding}: {err}") from None
    return text[1:] if text.startswith("\ufeff") else text


def _position(prefix: str) -> tuple[int, int]:
    """The 1-based line and column just after `prefix`."""
    lines = NEWLINE.split(prefix)
    return len(lines), len(lines[-1]) + 1


def discover(
    paths: Sequence[str],
    exclude: Sequence[str],
    root: Optional[str] = None,
    errors: Optional[dict[str, str]] = None,
    force_exclude: bool = False,
) -> list[str]:
    """The sorted files to check under `paths` (see the module doc for the rules).

    `root` anchors relative exclude globs (default: the current directory).
    Directories that cannot be listed are added to `errors` (path → message)
    when it is given. A path that does not exist raises PathNotFound.
    """
    excluder = Excluder(exclude, root or os.getcwd())
    found: set[str] = set()
    with GitIgnore() as git:
        for arg in paths:
            if not os.path.lexists(arg):
                raise PathNotFound(arg)
            path = os.path.normpath(arg)
            if force_exclude and excluder.named_excluded(path):
                continue
            if os.path.isdir(path):
                # under a directory git ignores as a whole, git can say nothing more
                walk_git = None if git.ignores_directory(path) else git
                found.update(_walk(path, excluder, walk_git, errors if errors is not None else {}))
            else:
                found.add(path)
    return sorted(found)


def _walk(top: str, excluder: Excluder, git: Optional[GitIgnore],
          errors: dict[str, str]) -> list[str]:
    """The `*.py` and `*.ipynb` files under directory `top`, pruning excluded and ignored
    entries."""
    files: list[str] = []
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            errors[directory] = f"cannot read directory: {err.strerror or err}"
            continue
        prefix = "" if directory == os.curdir else directory
        dirs = [os.path.join(prefix, e.name) for e in entries
                if e.name not in NEVER_WALKED and e.is_dir(follow_symlinks=False)]
        pys = [os.path.join(prefix, e.name) for e in entries
               if e.name.endswith(SOURCE_SUFFIXES) and e.is_file()]
        dirs = [d for d in dirs if not excluder.excluded(d, is_dir=True)]
        pys = [f for f in pys if not excluder.excluded(f, is_dir=False)]
        ignored = git.ignored(directory, [d + os.sep for d in dirs] + pys) if git else set()
        stack.extend(reversed([d for d in dirs if d + os.sep not in ignored]))
        files.extend(f for f in pys if f not in ignored)
    return files


class Excluder:
    """Exclude globs, matched as in `.gitignore` (see the module doc)."""

    def __init__(self, patterns: Sequence[str], root: str) -> None:
        self.names: list[tuple[str, bool]] = []  # (glob, directories only), matched on the name
        self.paths: list[tuple[str, bool]] = []  # matched on the relative and absolute paths
        for pattern in patterns:
            bare = pattern.rstrip("/")
            dir_only = bare != pattern
            if "/" not in bare:
                self.names.append((bare, dir_only))
                continue
            self.paths.append((bare, dir_only))
            if bare.startswith("**/"):  # `**/` may match no directory at all
                self.paths.append((bare[3:], dir_only))
        self.root = os.path.abspath(root)

    def excluded(self, path: str, is_dir: bool) -> bool:
        """Whether the entry `path` itself matches (its parents were checked by the walk)."""
        absolute = os.path.abspath(path)
        name = os.path.basename(absolute)
        if any(fnmatch.fnmatchcase(name, glob) for glob, dir_only in self.names
               if is_dir or not dir_only):
            return True
        texts = [_posix(absolute)]
        if _is_under(absolute, self.root):
            texts.append(_posix(os.path.relpath(absolute, self.root)))
        return any(fnmatch.fnmatchcase(text, glob) for glob, dir_only in self.paths
                   if is_dir or not dir_only for text in texts)

    def named_excluded(self, path: str) -> bool:
        """Whether a path named on the command line, or a directory above it, matches."""
        absolute = os.path.abspath(path)
        top = self.root if _is_under(absolute, self.root) else os.path.dirname(absolute)
        is_dir = os.path.isdir(absolute)
        while _is_under(absolute, top) and absolute != top:
            if self.excluded(absolute, is_dir):
                return True
            absolute, is_dir = os.path.dirname(absolute), True
        return False


def _is_under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


class GitIgnore:
    """Asks `git check-ignore` (one long-lived process per work tree) which paths git ignores.

    Outside a git work tree, or when git is missing or fails, nothing is ignored.
    """

    def __init__(self) -> None:
        self.trees: dict[str, Optional[_CheckIgnore]] = {}  # directory -> its work tree's checker
        self.processes: dict[str, _CheckIgnore] = {}  # work tree top level -> checker

    def __enter__(self) -> GitIgnore:
        return self

    def __exit__(self, *exc: object) -> None:
        for checker in self.processes.values():
            checker.close()

    def ignored(self, directory: str, paths: Sequence[str]) -> set[str]:
        """The entries of `paths` (in `directory`; directories end with a separator) git ignores."""
        checker = self._checker(directory)
        if checker is None or not paths:
            return set()
        return checker.ignored(directory, paths)

    def ignores_directory(self, directory: str) -> bool:
        """Whether the work tree holding `directory` ignores it as a whole."""
        checker = self._checker(directory)
        real = os.path.realpath(directory)
        if checker is None or real == checker.top:
            return False
        return bool(checker.ignored(os.path.dirname(real), [real + os.sep]))

    def _checker(self, directory: str) -> Optional[_CheckIgnore]:
        parent = os.path.dirname(directory) or os.curdir
        if parent != directory and parent in self.trees and not os.path.lexists(
                os.path.join(directory, ".git")):
            self.trees[directory] = self.trees[parent]
        if directory not in self.trees:
            self.trees[directory] = self._start(directory)
        return self.trees[directory]

    def _start(self, directory: str) -> Optional[_CheckIgnore]:
        import subprocess

        try:
            top = subprocess.run(
                ["git", "-C", directory, "rev-parse", "--show-toplevel"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None
        if top not in self.processes:
            try:
                self.processes[top] = _CheckIgnore(top)
            except OSError:
                return None
        return self.processes[top]


class _CheckIgnore:
    """One `git check-ignore --stdin -z -v -n` process, answering batches of paths."""

    def __init__(self, top: str) -> None:
        import subprocess

        self.top = top
        self.proc: Optional[subprocess.Popen[bytes]] = subprocess.Popen(
            ["git", "check-ignore", "--stdin", "-z", "-v", "-n"],
            cwd=top, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "GIT_FLUSH": "1"},
        )
        self.buffer = b""

    def ignored(self, directory: str, paths: Sequence[str]) -> set[str]:
        base = os.path.relpath(os.path.realpath(directory), self.top)
        if base.startswith(os.pardir):
            return set()
        # "./" keeps a leading ":" from being read as pathspec magic
        queries = [os.fsencode("./" + _posix(os.path.normpath(os.path.join(base, os.path.basename(
            p.rstrip(os.sep))))) + ("/" if p.endswith(os.sep) else "")) for p in paths]
        answers: list[bool] = []
        start = size = 0
        for end, query in enumerate(queries, start=1):
            size += len(query) + 1
            if size > GIT_BATCH_BYTES or end == len(queries):
                answers.extend(self._ask(queries[start:end]))
                start, size = end, 0
        return {path for path, hit in zip(paths, answers) if hit}

    def _ask(self, queries: list[bytes]) -> list[bool]:
        """Whether each query path is ignored (a negated `!pattern` match is not)."""
        if self.proc is None:
            return [False] * len(queries)
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(b"".join(q + b"\0" for q in queries))
            self.proc.stdin.flush()
            answers = []
            for _ in queries:
                _source, _line, pattern, _path = (self._field() for _ in range(4))
                answers.append(bool(pattern) and not pattern.startswith(b"!"))
            return answers
        except (OSError, EOFError):
            self.close()
            return [False] * len(queries)

    def _field(self) -> bytes:
        assert self.proc is not None and isinstance(self.proc.stdout, io.BufferedReader)
        while b"\0" not in self.buffer:
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                raise EOFError("git check-ignore stopped")
            self.buffer += chunk
        field, _, self.buffer = self.buffer.partition(b"\0")
        return field

    def close(self) -> None:
        if self.proc is not None:
            proc, self.proc = self.proc, None
            for stream in (proc.stdin, proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
            proc.wait()
