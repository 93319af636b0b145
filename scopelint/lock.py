"""The names lock: predicted variable names, shapes and dtypes, committed for review.

One variable a line, sorted, `name shape dtype file` (the file relative to the
lock's directory), so that a diff shows each rename. `scopelint check` with
`names-lock` set reports TFS301 where the code no longer agrees with it. Only
the files a run analyses are compared (pre-commit passes the staged ones),
plus entries whose file no longer exists.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from scopelint.checkpoint import Shape, Tensor
from scopelint.checkpoint_compare import Predicted, compare, predictions, spec_text
from scopelint.config import ConfigError
from scopelint.facts import Finding
from scopelint.rules.names_lock import CODE

if TYPE_CHECKING:
    from scopelint.analysis import FileResult

HEADER = ("# scopelint names lock: name shape dtype file, one variable a line\n"
          "# regenerate with: scopelint names --write-lock LOCK PATH ...\n")
_SHAPE = re.compile(r"\[(?:-?[0-9]+(?:,-?[0-9]+)*)?\]|\?")


@dataclass(frozen=True)
class LockEntry(Tensor):
    """A locked variable, with its source file and the line of the lock that holds it."""

    file: str = ""
    line: int = 0


def read(path: str) -> list[LockEntry]:
    """The entries of a lock file; ConfigError when it is missing or malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        shown = _shown(path)
        raise ConfigError(f"names lock {shown} does not exist: create it with `scopelint names "
                          f"--write-lock {shown} PATH ...` and commit it") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"names lock {path}: cannot read: "
                          f"{getattr(err, 'strerror', None) or err}") from None
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(None, 3)
        if len(fields) != 4 or not _SHAPE.fullmatch(fields[1]):
            raise ConfigError(f"names lock {path}:{number}: expected 'name shape dtype file', "
                              f"got {line!r}")
        name, shape, dtype, file = fields
        entries.append(LockEntry(name, _parse_shape(shape), None if dtype == "?" else dtype,
                                 file, number))
    return entries


def write(path: str, results: Sequence[FileResult]) -> int:
    """Lock the names the analysed files create, keeping other files' entries; returns the
    number of entries written."""
    base = _base(path)
    analysed = {_relative(r.path, base) for r in results}
    kept = {(e.name, e.file): _format(e.name, e.shape, e.dtype, e.file)
            for e in (read(path) if os.path.exists(path) else ())
            if e.file not in analysed and os.path.exists(os.path.join(base, e.file))}
    for item in predictions(results):
        if item.name is None:
            continue
        file = _relative(item.path, base)
        kept.setdefault((item.name, file), _format(item.name, item.shape, item.dtype, file))
    lines = [kept[key] for key in sorted(kept)]
    try:
        Path(path).write_text(HEADER + "".join(lines), encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"names lock {path}: cannot write: {err.strerror or err}") from None
    return len(lines)


def check(path: str, results: Sequence[FileResult]) -> list[Finding]:
    """TFS301 findings: each variable of the analysed files whose name, shape or dtype
    differs from the lock (at its call site), each entry no longer created (at its line)."""
    base = _base(path)
    files = {_relative(r.path, base) for r in results if r.facts is not None}
    predicted: dict[str, list[Predicted]] = {}
    for item in predictions(results):
        predicted.setdefault(_relative(item.path, base), []).append(item)
    saved: dict[str, list[LockEntry]] = {}
    for entry in read(path):
        if entry.file in files or not os.path.exists(os.path.join(base, entry.file)):
            saved.setdefault(entry.file, []).append(entry)
    shown = _shown(path)
    hint = f"if intended, run `scopelint names --write-lock {shown} PATH ...`"
    findings = []
    for file in sorted(files | saved.keys()):
        cmp = compare(predicted.get(file, []), saved.get(file, []))
        findings += [_at(new, f"'{old.name}' in the names lock is now named '{new.name}': "
                              f"old checkpoints no longer load; {hint}")
                     for old, new in cmp.renamed]
        findings += [_at(new, f"'{new.name}' is {spec_text(new)} here, {spec_text(old)} in "
                              f"the names lock: old checkpoints no longer load; {hint}")
                     for old, new in cmp.changed]
        findings += [_at(new, f"'{new.name}' {spec_text(new)} is not in the names lock (a new "
                              f"or renamed variable); {hint}") for new in cmp.missing]
        findings += [Finding(shown, old.line, 1, CODE,
                             f"'{old.name}' ({old.file}) in the names lock is no longer created; "
                             f"{hint}") for old in cmp.stale]
    return findings


def _at(item: Predicted, message: str) -> Finding:
    return Finding(item.path, item.line or 1, item.col or 1, CODE, message)


def _format(name: str, shape: Shape, dtype: str | None, file: str) -> str:
    written = "?" if shape is None else "[" + ",".join(map(str, shape)) + "]"
    return f"{name} {written} {dtype or '?'} {file}\n"


def _parse_shape(text: str) -> Shape:
    if text == "?":
        return None
    return tuple(int(d) for d in text[1:-1].split(",")) if text != "[]" else ()


def _base(path: str) -> str:
    return os.path.dirname(os.path.abspath(path))


def _relative(path: str, base: str) -> str:
    return Path(os.path.relpath(os.path.abspath(path), base)).as_posix()


def _shown(path: str) -> str:
    """The lock's path as findings show it: relative to the working directory when inside."""
    relative = os.path.relpath(os.path.abspath(path))
    return path if relative.startswith("..") else relative
