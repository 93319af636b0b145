"""Python 2 source read as Python 3: small rewrites that keep every line where it is.

fissix (a maintained fork of lib2to3) parses the text with its Python 2
grammar; each Python 2 construct then becomes its Python 3 spelling on the
same line: `print x` → `print(x)`, `print >>f, x` → `print( f, x)`,
`exec code in ns` → `exec( code , ns)`, `except E, e:` → `except E as e:`,
`raise E, V` → `raise E( V)`, backticks → `repr(...)`, `<>` → `!=`, `0777` →
`0o777`, `10L` → `10`, `ur"..."` → `r"..."`, and, when CPython then finds tabs
mixed with spaces, leading tabs expanded to Python 2's 8 columns. No line is
added or removed, so line numbers never change; `Rewrite.original_col` maps a
column of the rewritten text back to the file's own.
"""

from __future__ import annotations

import ast
import io
import re
import string
import tokenize
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator, Optional

from scopelint.facts import Finding, Location, ModuleFacts
from scopelint.rules.input_problems import PYTHON2

if TYPE_CHECKING:
    from fissix.pytree import Base

LEGACY_OCTAL = re.compile(r"0[0-7]+$")
LEADING_TABS = re.compile(r"[ \t]*\t[ \t]*")
TABS = "tabs mixed with spaces"
KEYWORDS_SINCE_37 = ("async", "await")


@dataclass(frozen=True)
class Edit:
    """Replace `old` characters at (line, 0-based col) of the original text with `new`."""

    line: int
    col: int
    old: int
    new: str
    what: str  # the Python 2 construct, for the TFS003 message
    at: Optional[int] = None  # 0-based column where the construct starts, if not at `col`

    @property
    def start(self) -> int:
        return self.col if self.at is None else self.at


@dataclass(frozen=True)
class Rewrite:
    """Python 2 text rewritten as Python 3, with the edits that map its columns back."""

    text: str
    tree: ast.Module  # CPython's parse of `text`
    edits: tuple[Edit, ...]  # sorted by position
    tab_line: Optional[int] = None  # the line CPython rejects for its tabs, when it does

    @property
    def first(self) -> Edit:
        """The first Python 2 construct of the file: for tabs, the first line CPython rejects
        (tabs that Python 3 reads alike, inside parentheses, say nothing)."""
        found = [e for e in self.edits if e.what != TABS]
        if self.tab_line is not None:
            found.append(Edit(self.tab_line, 0, 0, "", TABS))
        return min(found, key=lambda edit: (edit.line, edit.start))

    def original_col(self, line: int, col: int) -> int:
        """The 1-based column of the original line that 1-based `col` of the rewrite shows."""
        x, shift = col - 1, 0
        for edit in (e for e in self.edits if e.line == line):
            start = edit.col + shift
            if x < start:
                break
            if x < start + len(edit.new):
                return edit.col + 1
            shift += len(edit.new) - edit.old
        return x - shift + 1

    def restore(self, path: str, findings: list[Finding],
                facts: Optional[ModuleFacts]) -> list[Finding]:
        """Findings, and the variable facts `names` prints, at the file's own columns
        (positions in the other modules the analysis reached stay as they are)."""
        if facts is not None:
            facts.variables = [replace(v, loc=self._loc(path, v.loc)) for v in facts.variables]
        return [replace(f, col=self._col(path, f.path, f.line, f.col), related=tuple(
            replace(r, col=self._col(path, r.path or f.path, r.line, r.col))
            for r in f.related)) for f in findings]

    def _loc(self, path: str, loc: Location) -> Location:
        return replace(loc, col=self._col(path, loc.path or path, loc.line, loc.col))

    def _col(self, path: str, where: str, line: int, col: int) -> int:
        return self.original_col(line, col) if where == path else col

    def finding(self, path: str) -> Finding:
        """The TFS003 note at the file's first Python 2 construct."""
        return Finding(path, self.first.line, self.first.start + 1, PYTHON2.code,
                       f"Python 2 file (first Python 2 syntax here: {self.first.what}); "
                       "analysed as Python 2")


def _position(edit: Edit) -> tuple[int, int]:
    return edit.line, edit.col


def read_python2(text: str) -> Optional[Rewrite]:
    """`text` rewritten as Python 3 when Python 2 reads it and the rewrite parses, else None."""
    tree = _parse_python2(text if text.endswith("\n") else text + "\n")
    if tree is None:
        return None
    lines = text.splitlines(keepends=True)
    edits = sorted(_edits(tree), key=_position)
    rewritten = _apply(lines, edits)
    try:
        parsed = _parse(rewritten)  # without edits: the text CPython rejects, to find where
        return Rewrite(rewritten, parsed, tuple(edits)) if edits else None
    except (TabError if edits else SyntaxError) as err:  # then tabs expanded, as Python 2 does
        tab_line = err.lineno
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    tabs = sorted([*edits, *_tab_edits(lines)], key=_position)
    if len(tabs) == len(edits):
        return None
    rewritten = _apply(lines, tabs)
    try:
        return Rewrite(rewritten, _parse(rewritten), tuple(tabs), tab_line)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)


def keywords_as_names(text: str) -> Optional[str]:
    """For a file CPython rejects: ` (...)` saying which Pythons accept it when the only
    trouble is `async` or `await` used as a name (keywords since Python 3.7); else None."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    names = [token for token, after in zip(tokens, tokens[1:])
             if token.type == tokenize.NAME and token.string in KEYWORDS_SINCE_37
             and after.type not in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)]
    if not names:
        return None
    renamed = _apply(text.splitlines(keepends=True), [
        Edit(*token.start, len(token.string), token.string + "_", "keyword as a name")
        for token in names])
    used = {token.string for token in names}
    words = " and ".join(f"`{word}`" for word in sorted(used))
    try:
        _parse(renamed)
        return (f" ({words} used as a name: a keyword since Python 3.7, so this file parses "
                "with Python 3.6 and older only)")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    if read_python2(renamed) is not None:
        return (f" ({words} used as a name: a keyword since Python 3.7; this file parses as "
                "Python 2 only)")
    return None


def _parse_python2(text: str) -> Optional[Base]:
    """fissix's tree of `text`: print as a statement first, then as a function."""
    from fissix import pygram, pytree
    from fissix.pgen2 import driver, parse, tokenize

    for grammar in (pygram.python_grammar, pygram.python_grammar_no_print_statement):
        try:
            return driver.Driver(grammar, convert=pytree.convert).parse_string(text)
        except (parse.ParseError, tokenize.TokenError, IndentationError, SyntaxError,
                RecursionError):
            continue
    return None


def _edits(tree: Base) -> Iterator[Edit]:
    """The edits that turn every Python 2 construct of fissix's tree into Python 3."""
    from fissix.pgen2 import token
    from fissix.pygram import python_symbols as syms

    for node in tree.pre_order():
        kind = node.type
        if kind == syms.print_stmt:
            yield from _print(node)
        elif kind == syms.exec_stmt:
            yield from _call_statement(node, "exec statement")
            if len(node.children) > 2 and _value(node.children[2]) == "in":
                yield _replace(node.children[2], ",", "exec statement")
        elif kind == syms.except_clause and len(node.children) == 4 \
                and _value(node.children[2]) == ",":
            yield _replace(node.children[2], " as", "`except E, e:`", _column(node))
        elif kind == syms.raise_stmt and len(node.children) > 2 \
                and _value(node.children[2]) == ",":
            yield _replace(node.children[2], "(", "`raise E, V`", _column(node))
            yield _append(node, ")", "`raise E, V`")
        elif kind == token.BACKQUOTE:
            opening = node.parent is not None and node.parent.children[0] is node
            yield _replace(node, "repr(" if opening else ")", "backticks")
        elif kind == token.NOTEQUAL and _value(node) == "<>":
            yield _replace(node, "!=", "`<>`")
        elif kind == token.NUMBER:
            yield from _number(node)
        elif kind == token.STRING:
            text = _value(node)
            prefix = text[:len(text) - len(text.lstrip(string.ascii_letters))]
            if "u" in prefix.lower() and "r" in prefix.lower():
                u = prefix.lower().index("u")
                yield Edit(node.lineno, node.column + u, 1, "", "`ur` string prefix",
                           node.column)


def _print(node: Base) -> Iterator[Edit]:
    args = node.children[1:]
    if len(args) == 1 and _value(next(args[0].leaves())) == "(":
        return  # `print (x)`: already a valid call
    yield from _call_statement(node, "print statement")
    if args and _value(args[0]) == ">>":
        yield _replace(args[0], "", "print statement")


def _call_statement(node: Base, what: str) -> Iterator[Edit]:
    """`print x` / `exec code` as calls: `(` after the keyword, `)` at the statement's end."""
    keyword = node.children[0]
    yield Edit(keyword.lineno, keyword.column + len(keyword.value), 0, "(", what,
               keyword.column)
    yield _append(node, ")", what)


def _number(node: Base) -> Iterator[Edit]:
    value = _value(node)
    digits = value[:-1] if value[-1:] in ("l", "L") else value
    if LEGACY_OCTAL.match(digits) and digits.strip("0"):
        yield Edit(node.lineno, node.column + 1, 0, "o", f"octal literal `{value}`",
                   node.column)
    if digits != value:
        yield Edit(node.lineno, node.column + len(digits), 1, "", f"long literal `{value}`",
                   node.column)


def _value(node: Base) -> str:
    return getattr(node, "value", "")


def _replace(leaf: Base, new: str, what: str, at: Optional[int] = None) -> Edit:
    return Edit(leaf.lineno, leaf.column, len(leaf.value), new, what, at)


def _column(node: Base) -> int:
    """The column of a node's first character."""
    return next(node.leaves()).column


def _append(node: Base, text: str, what: str) -> Edit:
    """Insert `text` right after the node's last character."""
    last = list(node.leaves())[-1]
    lines = last.value.split("\n")
    col = (last.column if len(lines) == 1 else 0) + len(lines[-1])
    return Edit(last.lineno + len(lines) - 1, col, 0, text, what)


def _tab_edits(lines: list[str]) -> Iterator[Edit]:
    """Leading tabs expanded to 8 columns, as Python 2 reads them."""
    for number, line in enumerate(lines, start=1):
        match = LEADING_TABS.match(line)
        if match:
            indent = match.group(0)
            yield Edit(number, 0, len(indent), indent.expandtabs(8), TABS)


def _apply(lines: list[str], edits: list[Edit]) -> str:
    """The text with `edits` (sorted, never overlapping) applied, right to left per line."""
    out = list(lines)
    for edit in reversed(edits):
        line = out[edit.line - 1]
        out[edit.line - 1] = line[:edit.col] + edit.new + line[edit.col + edit.old:]
    return "".join(out)
