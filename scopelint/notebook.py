"""Jupyter notebooks as one module: the code cells in order, IPython syntax blanked.

A notebook (nbformat 4 JSON) is read into the text the engine analyses: its
code cells joined in order, each ending with a newline, where IPython's own
syntax becomes `pass` at the same indentation, so that every other line keeps
its position: line magics (`%matplotlib inline`), shell lines (`!pip ...`),
help lines (`tf.get_variable?`), assignments from them (`files = !ls`), and
cells under a cell magic other than `%%time` and `%%capture` (which run their
body once, as Python). `%time stmt` becomes `if 1: stmt` (same columns) when
`stmt` is a simple statement. A magic line ending with a backslash blanks its
continuation lines too.

`CellMap` maps each module line back to its cell, its line in the cell, and
the line and column of the `.ipynb` file that hold it. Outputs are never looked
at: the C JSON decoder skips them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Optional

from scopelint.files import SourceError
PYTHON_CELL_MAGICS = ("time", "capture")  # run their body once, as Python
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_STRING_END = {q: re.compile(rf"(?:[^\\{q[0]}\n]|\\.)*{q}" if len(q) == 1 else
                             rf"(?:[^\\]|\\.)*?{q}", re.DOTALL)
               for q in ("'", '"', "'''", '"""')}
_STRING_START = re.compile(r"""[rRbBuUfF]{0,2}('''|\"\"\"|'|")""")
_MAGIC = re.compile(
    r"\s*(?:[%!?]"  # %magic, %%cell, !shell, ?help
    r"|[\w.]+\s*\?\??\s*(?:#.*)?$"  # obj? / obj??
    r"|[\w.\s,()\[\]]+?=\s*[%!])")  # files = !ls, t = %timeit -o f()
_TIME_PREFIX = re.compile(r"(\s*)%time (?!\s*(?:if|for|while|with|try|def|class|async)\b)")


@dataclass(frozen=True)
class LinePlace:
    """Where one module line comes from."""

    cell: int  # 1-based index of the cell among all the notebook's cells
    line: int  # 1-based line inside the cell
    raw_line: int  # 1-based line of the .ipynb file holding the JSON string
    raw_col: int  # 1-based column of the first character of that line inside the string
    text: str  # the line as the cell holds it


@dataclass(frozen=True)
class CellMap:
    """Module line → cell, line in cell, and the .ipynb position that holds it.

    The .ipynb position is exact for files as Jupyter writes them (a source is an
    array of lines, non-ASCII characters unescaped); otherwise it is the line of
    the JSON string, and the column may be off by the escapes before it.
    """

    places: tuple[LinePlace, ...]  # one per module line

    def place(self, line: int) -> Optional[LinePlace]:
        """Where module `line` comes from (past the end, e.g. an error at the end of the
        module: the last line)."""
        return self.places[min(line, len(self.places)) - 1] if line >= 1 and self.places \
            else None

    def raw_position(self, line: int, col: int) -> tuple[int, int]:
        """The line and column of the .ipynb file where module (line, col) is written."""
        place = self.place(line)
        if place is None:
            return 1, 1
        return place.raw_line, place.raw_col + len(_encoded(place.text[:max(col - 1, 0)]))


@dataclass(frozen=True)
class Notebook:
    """A notebook read as one module."""

    text: str
    cells: CellMap
    sources: tuple[tuple[int, str], ...]  # (module start line, blanked text) per code cell

    def text_before(self, line: int) -> str:
        """The module text above module `line`."""
        return "".join(cell for start, cell in self.sources if start < line)


def read_notebook(data: bytes) -> Notebook:
    """The module text and cell map of a notebook's bytes; SourceError (TFS002) when the
    bytes are not UTF-8, not JSON, not an nbformat 4 notebook, or hold no code cell."""
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise SourceError(f"notebook is not UTF-8: {err.reason} (byte 0x{data[err.start]:02x})",
                          line) from None
    cells: list[tuple[int, list[tuple[str, int]]]] = []  # (cell number, [(line, raw index)])
    try:
        end = _object(raw, 0, lambda key, pos: _cells(raw, pos, cells) if key == "cells"
                      else _skip(raw, pos))
        end = _space(raw, end)
        if end != len(raw):
            raise ValueError("extra data after the notebook", raw, end)
    except ValueError as err:
        pos = getattr(err, "pos", None) or (err.args[2] if len(err.args) > 2 else 0)
        line = raw.count("\n", 0, pos) + 1
        message = getattr(err, "msg", None) or err.args[0]
        raise SourceError(f"notebook is not valid JSON: {message}", line,
                          pos - raw.rfind("\n", 0, pos)) from None
    except NotNotebook as err:
        line = raw.count("\n", 0, err.pos) + 1
        raise SourceError(f"not an nbformat 4 notebook: {err}", line,
                          err.pos - raw.rfind("\n", 0, err.pos)) from None
    except RecursionError:
        raise SourceError("notebook is nested too deeply to read") from None
    if not cells:
        raise SourceError("notebook has no code cells (is it nbformat 4?)")
    return _module(raw, cells)


class NotNotebook(Exception):
    """Valid JSON, but not shaped like a notebook where scopelint reads it."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def _open(raw: str, pos: int, char: str, what: str) -> int:
    """The position after the `char` that must open a JSON `what` at `pos`."""
    if not raw.startswith(char, pos):
        _skip(raw, pos)  # not valid JSON there: that error first
        raise NotNotebook(f"expected {what}", pos)
    return _space(raw, pos + 1)


def _object(raw: str, pos: int, member: Callable[[str, int], int]) -> int:
    """Walk the JSON object at `pos`: `member(key, value start)` returns the value's end."""
    pos = _open(raw, _space(raw, pos), "{", "an object")
    if raw.startswith("}", pos):
        return pos + 1
    while True:
        if not raw.startswith('"', pos):
            raise ValueError("expected a key", raw, pos)
        key, pos = _DECODER.raw_decode(raw, pos)
        pos = _space(raw, member(key, _space(raw, _expect(raw, pos, ":"))))
        if raw.startswith("}", pos):
            return pos + 1
        pos = _space(raw, _expect(raw, pos, ","))


def _array(raw: str, pos: int, item: Callable[[int, int], int]) -> int:
    """Walk the JSON array at `pos`: `item(index, value start)` returns the value's end."""
    pos = _open(raw, pos, "[", "an array")
    index = 0
    if raw.startswith("]", pos):
        return pos + 1
    while True:
        pos = _space(raw, item(index, pos))
        index += 1
        if raw.startswith("]", pos):
            return pos + 1
        pos = _space(raw, _expect(raw, pos, ","))


def _space(raw: str, pos: int) -> int:
    """The position after the JSON whitespace at `pos`."""
    match = _WS.match(raw, pos)
    return match.end() if match else pos


def _expect(raw: str, pos: int, char: str) -> int:
    pos = _space(raw, pos)
    if not raw.startswith(char, pos):
        raise ValueError(f"expected {char!r}", raw, pos)
    return _space(raw, pos + 1)


def _skip(raw: str, pos: int) -> int:
    """The end of the JSON value at `pos`, decoded by the C decoder and dropped."""
    try:
        return _DECODER.raw_decode(raw, pos)[1]
    except json.JSONDecodeError as err:
        raise ValueError(err.msg, raw, err.pos) from None


def _cells(raw: str, pos: int, out: list[tuple[int, list[tuple[str, int]]]]) -> int:
    """Walk the `cells` array, collecting each code cell's source strings and positions."""
    def cell(index: int, start: int) -> int:
        kind: list[str] = []
        pieces: list[tuple[str, int]] = []

        def member(key: str, at: int) -> int:
            if key == "cell_type":
                value, end = _DECODER.raw_decode(raw, at)
                kind.append(value)
                return end
            if key == "source":
                return _source(raw, at, pieces)
            return _skip(raw, at)

        end = _object(raw, start, member)
        if kind == ["code"]:
            out.append((index + 1, pieces))
        return end

    return _array(raw, pos, cell)


def _source(raw: str, pos: int, pieces: list[tuple[str, int]]) -> int:
    """A cell's source, a string or an array of strings: (text, raw index of the text)."""
    def string(_index: int, at: int) -> int:
        if not raw.startswith('"', at):
            _skip(raw, at)
            raise NotNotebook("expected a cell's source: a string or an array of strings", at)
        text, end = _DECODER.raw_decode(raw, at)
        pieces.append((text, at + 1))
        return end

    return _array(raw, pos, string) if raw.startswith("[", pos) else string(0, pos)


def _module(raw: str, cells: list[tuple[int, list[tuple[str, int]]]]) -> Notebook:
    """Join the code cells into one module text with blanked IPython syntax, and its map."""
    places: list[LinePlace] = []
    sources: list[tuple[int, str]] = []
    parts: list[str] = []
    counted, raw_line = 0, 1  # newlines of `raw` counted up to index `counted`
    for number, pieces in cells:
        lines: list[str] = []
        cell_places: list[LinePlace] = []
        for text, start in pieces:
            for piece in text.splitlines(keepends=True):
                raw_line += raw.count("\n", counted, start)
                counted = start
                cell_places.append(LinePlace(number, len(cell_places) + 1, raw_line,
                                             start - raw.rfind("\n", 0, start), piece))
                lines.append(piece)
                start += len(_encoded(piece))  # JSON escapes each character on its own
        if not lines:
            continue
        cell_text = "".join(lines)
        if not cell_text.endswith(("\n", "\r")):
            cell_text += "\n"
        parts.append(blank_ipython(cell_text))
        sources.append((len(places) + 1, parts[-1]))
        places.extend(cell_places)
    if not parts:
        raise SourceError("notebook has no code cells with code")
    return Notebook("".join(parts), CellMap(tuple(places)), tuple(sources))


def _encoded(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def blank_ipython(cell: str) -> str:
    """The cell with IPython syntax replaced by `pass`/blank lines (see the module doc)."""
    lines = cell.splitlines(keepends=True)
    first = lines[0].lstrip()
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return "".join(_newline(line) for line in lines)
        lines[0] = _newline(lines[0])
    out: list[str] = []
    state = _Scan()
    magic_continues = False
    for line in lines:
        if magic_continues:
            out.append(_newline(line))
        elif state.at_statement_start() and _MAGIC.match(line):
            time = _TIME_PREFIX.match(line)
            if time:  # `%time stmt` runs stmt once: `if 1: stmt` keeps every column
                out.append(time.group(1) + "if 1: " + line[time.end():])
                state.feed(out[-1])
                continue
            indent = line[:len(line) - len(line.lstrip())]
            out.append(indent + "pass" + _newline(line))
        else:
            out.append(line)
            state.feed(line)
            continue
        magic_continues = line.rstrip("\r\n").endswith("\\")
    return "".join(out)


def _newline(line: str) -> str:
    return line[len(line.rstrip("\r\n")):] or "\n"


class _Scan:
    """Whether the next line begins a new statement: not inside brackets, a string, or
    after a backslash continuation (a light scan that copes with invalid code too)."""

    def __init__(self) -> None:
        self.depth, self.quote, self.continued = 0, "", False

    def at_statement_start(self) -> bool:
        return not (self.depth or self.quote or self.continued)

    def feed(self, line: str) -> None:
        """Scan one Python line."""
        body = line.rstrip("\r\n")
        self.continued = False
        i = 0
        while i < len(body):
            if self.quote:
                match = _STRING_END[self.quote].match(body, i)
                if match is None:
                    if len(self.quote) == 1 and not body.endswith("\\"):
                        self.quote = ""  # unterminated: the line is invalid anyway
                    return
                self.quote, i = "", match.end()
                continue
            char = body[i]
            start = _STRING_START.match(body, i) if char in "'\"rRbBuUfF" else None
            if start and (i == 0 or not (body[i - 1].isalnum() or body[i - 1] == "_")):
                self.quote, i = start.group(1), start.end()
                continue
            if char == "#":
                return
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char == "\\" and i == len(body) - 1:
                self.continued = True
            i += 1
