"""What a fixer works from: the file's text, its libcst tree with positions and parents,
the engine's facts, and helpers that turn a rewritten node into an `Edit`."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, Optional, Union

import libcst as cst
from libcst.metadata import (
    CodePosition, CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider, Scope,
    ScopeProvider,
)

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, VariableFact
from scopelint.fixes import Edit, Position, at

NEWLINE = re.compile(r"\r\n|\r|\n")
Block = Union[cst.Module, cst.IndentedBlock]
# What a block holds (libcst types an indented block's body as BaseStatement, of which these
# are the only subclasses).
Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]


@dataclass
class FixContext:
    """One analysed file, as fixers see it."""

    text: str
    module: cst.Module
    facts: ModuleFacts  # those at this file's own lines (apply.local_facts)
    path: str = ""
    # Variables made in imported modules by calls made here (an optimizer a model module owns).
    reached: list[VariableFact] = field(default_factory=list)

    @cached_property
    def _wrapper(self) -> MetadataWrapper:
        return MetadataWrapper(self.module, unsafe_skip_copy=True)

    @cached_property
    def positions(self) -> dict[cst.CSTNode, CodeRange]:
        return dict(self._wrapper.resolve(PositionProvider))

    @cached_property
    def parents(self) -> dict[cst.CSTNode, cst.CSTNode]:
        return dict(self._wrapper.resolve(ParentNodeProvider))

    @cached_property
    def scopes(self) -> dict[cst.CSTNode, Optional[Scope]]:
        """Each node's Python scope (names bound and read there), libcst's ScopeProvider."""
        return dict(self._wrapper.resolve(ScopeProvider))

    @cached_property
    def _calls(self) -> dict[Position, list[cst.Call]]:
        """Calls by the 1-based location of their first character, outermost first."""
        found: dict[Position, list[cst.Call]] = {}
        for node, where in self.positions.items():
            if isinstance(node, cst.Call):
                found.setdefault(Position(where.start.line, where.start.column + 1),
                                 []).append(node)
        for calls in found.values():
            calls.sort(key=lambda call: self.offset(self.positions[call].end), reverse=True)
        return found

    def call_at(self, loc: Position, name: str = "") -> Optional[cst.Call]:
        """The outermost call at `loc` (whose callee's last name is `name`, when given)."""
        for call in self._calls.get(loc, ()):
            if not name or callee_name(call) == name:
                return call
        return None

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The node's parents, innermost first, up to the module."""
        while node in self.parents:
            node = self.parents[node]
            yield node

    def fact_at(self, finding: Finding, outcome: Optional[Outcome] = None
                ) -> Optional[VariableFact]:
        """The first variable fact recorded at a finding's location (with that outcome)."""
        return next((fact for fact in self.facts.variables if at(fact.loc) == at(finding)
                     and (outcome is None or fact.outcome is outcome)), None)

    def sites(self, fact: VariableFact) -> list[Position]:
        """Where in this file the fact happens: its own location, and the calls leading to it."""
        return [at(where) for where in (fact.loc, *fact.stack) if self.here(where)]

    def here(self, where: Location) -> bool:
        return where.path in ("", self.path)

    def enclosing(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The node's parents, innermost first, up to its function, class or lambda."""
        for parent in self.ancestors(node):
            if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                return
            yield parent

    def enclosing_scope_items(self, node: cst.CSTNode, kind: str) -> Iterator[cst.WithItem]:
        """`with` items around `node` that the engine saw enter a `kind` scope, innermost
        first, up to its function or class."""
        entered = {at(fact.loc) for fact in self.facts.scopes if fact.kind == kind}
        for parent in self.enclosing(node):
            if isinstance(parent, cst.With):
                for item in reversed(parent.items):
                    if isinstance(item.item, cst.Call) and self.location_of(item.item) in entered:
                        yield item

    def location_of(self, node: cst.CSTNode) -> Position:
        """A node's 1-based start location, as facts give it."""
        where = self.positions[node].start
        return Position(where.line, where.column + 1)

    # -- edits -------------------------------------------------------------------------

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in NEWLINE.finditer(self.text)]

    def offset(self, where: CodePosition) -> int:
        """The text offset of a libcst CodePosition (1-based line, 0-based column)."""
        return self._line_starts[where.line - 1] + where.column

    def location(self, offset: int) -> Position:
        """The 1-based line and column of a text offset."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return Position(line + 1, offset - self._line_starts[line] + 1)

    def replace(self, old: cst.CSTNode, new: cst.CSTNode) -> Edit:
        """The edit that turns `old` into `new`: the span where the regenerated module differs.
        A node whose own code is the text at its position (an expression, most often) is
        regenerated alone; others (a block, whose lines take the indentation around it)
        within the whole module."""
        where = self.positions[old]
        start, end = self.offset(where.start), self.offset(where.end)
        if self.text[start:end] == self.module.code_for_node(old):
            return self._edit_to(self.text[:start] + self.module.code_for_node(new)
                                 + self.text[end:], start, len(self.text) - end)
        return self._edit_to(self.module.code_for_node(self.module.deep_replace(old, new)))

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def _edit_to(self, new_text: str, start: int = 0, end: int = 0) -> Edit:
        """The one edit from the text to `new_text`: the whole lines between their common
        first and last lines (readable in JSON and SARIF, and the unit `# noqa` works on).
        `start` and `end`: how many first and last characters are known to be the same."""
        old, starts = self.text, self._line_starts
        limit = min(len(old), len(new_text))
        while start < limit and old[start] == new_text[start]:
            start += 1
        while end < limit - start and old[-1 - end] == new_text[-1 - end]:
            end += 1
        start = max(s for s in starts if s <= start)  # back to the start of its line
        end_at = len(old) - end
        end_at = min((s for s in starts if s >= end_at), default=len(old))  # on to the next line
        tail = len(old) - end_at
        return Edit(self.location(start), self.location(end_at),
                    new_text[start:len(new_text) - tail])


def statements(block: Block) -> list[Statement]:
    """The statements of a module or indented block."""
    return [s for s in block.body
            if isinstance(s, (cst.SimpleStatementLine, cst.BaseCompoundStatement))]


def callee_name(call: cst.Call) -> str:
    """The last name of a call's callee (`variable_scope` for `tf.variable_scope(...)`)."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    """The call's `name=` argument."""
    return next((arg for arg in call.args if arg.keyword and arg.keyword.value == name), None)


def unpacks(call: cst.Call) -> bool:
    """Whether the call passes `*args` or `**kwargs` (its arguments are not all visible)."""
    return any(arg.star for arg in call.args)


def add_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """The call with `name=value` appended to its arguments, keeping a trailing comma's style."""
    args = list(call.args)
    new = keyword_arg(name, value)
    between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if len(args) > 1 and isinstance(args[-2].comma, cst.Comma):
        between = args[-2].comma  # one argument per line stays so
    if args:
        last = args[-1]
        if isinstance(last.comma, cst.Comma):  # a trailing comma stays the last one
            new = new.with_changes(comma=last.comma)
        args[-1] = last.with_changes(comma=between)
    return call.with_changes(args=[*args, new])


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """`name=value`, spelled without spaces around `=`."""
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
