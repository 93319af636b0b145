"""Source positions of libcst Call nodes, computed only for the statements that need them.

libcst's PositionProvider (and any full visit of the tree) costs several times
the parse itself. The standard `ast` tree the pipeline already built has
positions for free, so statements are paired between the two trees (a cheap
walk over statements only), and within one statement the n-th libcst call is
the n-th `ast` call in source order (start position, outer call first).
"""

from __future__ import annotations

import ast
from typing import AbstractSet, Any, Optional, Sequence, Union

import libcst as cst

from scopelint.engine.cstwalk import children
from scopelint.facts import Location

AstPart = Union[ast.AST, list, None]  # None: an absent part (no return annotation)


class _Mismatch(Exception):
    """The two trees do not line up; fall back to pairing every call in the module."""


def _collect(node: cst.CSTNode, calls: list[cst.CSTNode], comparisons: list[cst.CSTNode]) -> None:
    """Calls and comparisons under `node`, in source order, outer node first."""
    kind = type(node)  # not `isinstance`, for speed (see `cstwalk.statements`)
    if kind is cst.Call:
        calls.append(node)
    elif kind is cst.Comparison:
        comparisons.append(node)
    for child in children(node):
        _collect(child, calls, comparisons)


class Positions:
    """Maps libcst Call nodes to 1-based (line, column) locations."""

    def __init__(self, module: cst.Module, tree: Optional[ast.Module], lines: list[str],
                 path: str = "", stubs: Sequence[ast.AST] = ()) -> None:
        self.path = path
        self._stubs = {id(node) for node in stubs}  # functions whose body `module` leaves out
        self._module = module
        self._tree = tree
        self._lines = lines
        self._statements: Optional[dict[int, ast.stmt]] = None
        self._known: dict[int, Location] = {}
        self._done: set[int] = set()

    def release(self) -> None:
        """Drop the `ast` tree and the pairs made (the file's analysis is over, see
        `session.Session.release`): values of the program may still refer to this object."""
        self._tree, self._statements = None, None
        self._known.clear()
        self._done.clear()

    def of(self, node: cst.CSTNode, statement: Optional[cst.CSTNode]) -> Location:
        """The location of a call or comparison in `statement` (its innermost statement)."""
        found = self._known.get(id(node))
        if found is not None:
            return found
        if statement is not None and id(statement) not in self._done:
            self._done.add(id(statement))
            self._pair_statement(statement)
            found = self._known.get(id(node))
        if found is None and id(self._module) not in self._done:
            self._done.add(id(self._module))
            self._pair_parts([self._module], [self._tree] if self._tree else [], self._stubs)
            found = self._known.get(id(node))
        return found or Location(1, 1, self.path)

    def of_statement(self, statement: cst.CSTNode) -> Location:
        """The location of a statement (an `import` line, say)."""
        node = self._statement_map().get(id(statement))
        if node is None:
            return Location(1, 1, self.path)
        return Location(node.lineno, self._char_col(node) + 1, self.path)

    def line_of(self, statement: cst.CSTNode) -> Optional[int]:
        """The first line of a statement, when the two trees pair up."""
        node = self._statement_map().get(id(statement))
        return None if node is None else node.lineno

    def source_of(self, statement: cst.CSTNode) -> Optional[str]:
        """The source lines of a statement, when the two trees pair up."""
        node = self._statement_map().get(id(statement))
        if node is None:
            return None
        return "\n".join(self._lines[node.lineno - 1:node.end_lineno])

    # -- pairing calls ---------------------------------------------------------------

    def _pair_statement(self, statement: cst.CSTNode) -> None:
        counterpart = self._statement_map().get(id(statement))
        if counterpart is None:
            return
        self._pair_parts(*_headers(statement, counterpart))

    def _pair_parts(self, cst_parts: list[cst.CSTNode], ast_parts: list[AstPart],
                    stubs: AbstractSet[int] = frozenset()) -> None:
        cst_calls: list[cst.CSTNode] = []
        cst_comparisons: list[cst.CSTNode] = []
        for part in cst_parts:
            _collect(part, cst_calls, cst_comparisons)
        calls, comparisons = _ast_nodes(ast_parts, stubs)
        self._pair(cst_calls, calls)
        self._pair(cst_comparisons, comparisons)

    def _pair(self, cst_nodes: list[cst.CSTNode], ast_nodes: list[ast.expr]) -> None:
        if len(cst_nodes) != len(ast_nodes):
            return
        for node, counterpart in zip(cst_nodes, ast_nodes):
            self._known[id(node)] = Location(counterpart.lineno, self._char_col(counterpart) + 1,
                                             self.path)

    def _char_col(self, call: Union[ast.expr, ast.stmt]) -> int:
        """`ast` columns count UTF-8 bytes; editors and flake8 output count characters."""
        line = call.lineno
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        if text.isascii():
            return call.col_offset
        return len(text.encode("utf-8")[:call.col_offset].decode("utf-8", "replace"))

    # -- functions parsed on their own -----------------------------------------------

    def stub(self, header: cst.CSTNode
             ) -> Optional[Union[ast.FunctionDef, ast.AsyncFunctionDef]]:
        """The `ast` function of a header whose body the module leaves out, if it is one."""
        node = self._statement_map().get(id(header))
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or (
                id(node) not in self._stubs):
            return None
        return node

    def pair_body(self, function: cst.FunctionDef, node: ast.stmt) -> None:
        """Pair the statements of a function parsed on its own with its `ast` body."""
        assert self._statements is not None
        self._statements[id(function)] = node
        try:
            self._pair_children(function, node)
        except _Mismatch:
            pass

    # -- pairing statements ----------------------------------------------------------

    def _statement_map(self) -> dict[int, ast.stmt]:
        if self._statements is None:
            self._statements = {}
            if self._tree is not None:
                try:
                    self._pair_block(self._module.body, self._tree.body)
                except _Mismatch:
                    self._statements = {}
        return self._statements

    def _pair_block(self, body: Sequence[cst.CSTNode], statements: list[ast.stmt]) -> None:
        pending = iter(statements)
        for stmt in body:
            smalls = stmt.body if type(stmt) is cst.SimpleStatementLine else [stmt]
            for small in smalls:
                counterpart = next(pending, None)
                if counterpart is None:
                    raise _Mismatch()
                assert self._statements is not None
                self._statements[id(small)] = counterpart
                stubbed = id(counterpart) in self._stubs  # its body is parsed on its own
                if isinstance(small, cst.BaseCompoundStatement) and not stubbed:
                    self._pair_children(small, counterpart)
        if next(pending, None) is not None:
            raise _Mismatch()

    def _pair_children(self, stmt: cst.BaseCompoundStatement, node: Any) -> None:
        # `node`: the `ast` statement of the same kind as `stmt`, its fields read by name
        if isinstance(stmt, cst.Match):
            cases = node.cases
            if len(cases) != len(stmt.cases):
                raise _Mismatch()
            for case, counterpart in zip(stmt.cases, cases):
                self._pair_block(_suite(case.body), counterpart.body)
            return
        self._pair_block(_suite(stmt.body), getattr(node, "body", []))
        if isinstance(stmt, cst.If):
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                if not node.orelse:
                    raise _Mismatch()
                self._pair_block([orelse], node.orelse)
            elif orelse is not None:
                self._pair_block(_suite(orelse.body), node.orelse)
        elif isinstance(stmt, (cst.For, cst.While)) and stmt.orelse is not None:
            self._pair_block(_suite(stmt.orelse.body), node.orelse)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            handlers = node.handlers
            if len(handlers) != len(stmt.handlers):
                raise _Mismatch()
            cst_handlers: Sequence[Union[cst.ExceptHandler, cst.ExceptStarHandler]] = stmt.handlers
            for handler, counterpart in zip(cst_handlers, handlers):
                self._pair_block(_suite(handler.body), counterpart.body)
            if stmt.orelse is not None:
                self._pair_block(_suite(stmt.orelse.body), node.orelse)
            if stmt.finalbody is not None:
                self._pair_block(_suite(stmt.finalbody.body), node.finalbody)


def _suite(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    if isinstance(suite, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=suite.body)]
    return suite.body


def _headers(stmt: cst.CSTNode, node: Any) -> tuple[list[cst.CSTNode], list[AstPart]]:
    """The parts of a statement outside its nested blocks, in both trees (`node`: the `ast`
    statement of the same kind, its fields read by name)."""
    if isinstance(stmt, cst.BaseSmallStatement):
        return [stmt], [node]
    if isinstance(stmt, (cst.If, cst.While)):
        return [stmt.test], [node.test]
    if isinstance(stmt, cst.For):
        return [stmt.target, stmt.iter], [node.target, node.iter]
    if isinstance(stmt, cst.With):
        return list(stmt.items), list(node.items)
    if isinstance(stmt, cst.Match):  # the subject and the cases' guards
        return ([stmt.subject, *(c.guard for c in stmt.cases if c.guard is not None)],
                [node.subject,
                 *(c.guard for c in node.cases if c.guard is not None)])
    if isinstance(stmt, cst.FunctionDef):
        parts: list[cst.CSTNode] = [*stmt.decorators, stmt.params]
        if stmt.returns is not None:
            parts.append(stmt.returns)
        return parts, [node.decorator_list, node.args, node.returns]
    if isinstance(stmt, cst.ClassDef):
        return ([*stmt.decorators, *stmt.bases, *stmt.keywords],
                [node.decorator_list, node.bases, node.keywords])
    return [], []


# Nodes without children: the context of a name, an operator.
_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def _ast_nodes(parts: list[AstPart], stubs: AbstractSet[int] = frozenset()
               ) -> tuple[list[ast.expr], list[ast.expr]]:
    """Calls and comparisons under the parts, each in source order (outer node first),
    but in the bodies of `stubs`."""
    calls: list[ast.expr] = []
    comparisons: list[ast.expr] = []
    stack: list[AstPart] = list(parts)
    while stack:
        part = stack.pop()
        if isinstance(part, list):
            stack.extend(part)
        elif isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(part) in stubs:
            stack += [part.decorator_list, part.args, part.returns]
        elif isinstance(part, ast.AST):
            if isinstance(part, ast.Call):
                calls.append(part)
            elif isinstance(part, ast.Compare):
                comparisons.append(part)
            for field in part._fields:  # `ast.iter_child_nodes`, inlined, without the leaves
                value = getattr(part, field, None)
                if isinstance(value, ast.AST):
                    if not isinstance(value, _LEAVES):
                        stack.append(value)
                elif isinstance(value, list):
                    stack += [item for item in value if isinstance(item, ast.AST)]
    for nodes in (calls, comparisons):
        nodes.sort(key=lambda n: (n.lineno, n.col_offset, -(n.end_lineno or 0),
                                  -(n.end_col_offset or 0)))
    return calls, comparisons
