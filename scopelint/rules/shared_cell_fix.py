"""Fix: the repeated cell becomes a comprehension that builds one cell per layer,
`[cell] * n` → `[tf.nn.rnn_cell.LSTMCell(128) for _ in range(n)]` (safe: each layer gets
its own weights, `cell_1/...`, as the stack meant).

The cell's constructor call must be at hand: written in the list (`[make_cell()] * n`), or
assigned to the repeated name by the statement just before, which nothing else reads (that
statement goes; so does the one just before it that builds a cell it wraps, the same way).
The constructor runs once per layer, so its arguments may only be names (none bound to a
cell), literals, and calls that build cells or initializers (they make no ops)."""

from __future__ import annotations

from functools import partial
from typing import Callable, Optional, Sequence

import libcst as cst
from libcst.metadata import ClassScope

from scopelint.engine.arguments import SIGNATURES
from scopelint.facts import Finding
from scopelint.fixes import SAFE, Fix, at
from scopelint.fixes.context import (
    Block, FixContext, Statement, callee_name, keyword, statements, unpacks,
)

# Calls an argument may make once per layer: constructors of cells, wrappers, initializers.
BUILDERS = ("Cell", "Wrapper", "initializer", "Initializer")


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    again = next((f for f in ctx.facts.shared_cells
                  if at(f.loc) == at(finding) and f.first is not None), None)
    if again is not None:
        return _own_cell(finding, again.how, ctx)
    multi = ctx.call_at(at(finding), "MultiRNNCell")
    if multi is None or unpacks(multi) or not any(at(f.loc) == at(finding)
                                                  for f in ctx.facts.shared_cells):
        return None
    arg = keyword(multi, "cells") or next((a for a in multi.args if a.keyword is None), None)
    statement = _statement(multi, ctx)
    if arg is None or statement is None or isinstance(ctx.scopes.get(multi), ClassScope):
        return None  # a comprehension in a class body cannot see the class's names
    shape = _repeat(arg.value)
    if shape is None:
        return None
    repeated, build, bound = shape
    removed: list[Statement] = []
    names = [r for r in repeated if isinstance(r, cst.Name)]
    if names and len(names) == len(repeated):
        made = _made_just_before(statement, names, ctx)
        if made is None:
            return None
        ctor, removed = _inlined(*made, ctx)
    elif isinstance(repeated[0], cst.Call) and len(repeated) == 1:
        ctor = repeated[0]
    else:
        return None
    if not _rebuildable(ctor, bound, ctx, top=True):
        return None
    block = ctx.parents[statement]
    assert isinstance(block, (cst.Module, cst.IndentedBlock))
    new = statement.deep_replace(arg.value, build(ctor))
    assert isinstance(new, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    new_block = _without(block, removed, statement, new)
    return Fix(f"build one {callee_name(ctor)} per layer", (ctx.replace(block, new_block),),
               SAFE)


def _own_cell(finding: Finding, how: str, ctx: FixContext) -> Optional[Fix]:
    """An RNN call given, by a name, a cell object already used elsewhere: the argument
    becomes a copy of the constructor call the name was assigned from (`cell_bw=cell` →
    `cell_bw=tf.nn.rnn_cell.LSTMCell(4)`), when that is its only assignment."""
    call = ctx.call_at(at(finding))
    param, _, written = how.partition("=")
    kind = callee_name(call) if call is not None else ""
    if call is None or unpacks(call) or kind not in SIGNATURES or "[" in param:
        return None
    position = SIGNATURES[kind].index(param) if param in SIGNATURES[kind] else -1
    arg = keyword(call, param) or next(
        (a for i, a in enumerate(call.args) if i == position and a.keyword is None), None)
    if arg is None or not isinstance(arg.value, cst.Name) or arg.value.value != written:
        return None
    bound = _bindings(arg.value, ctx)
    if not bound or len(bound) != 1 or not isinstance(bound[0], cst.Assign):
        return None
    ctor = bound[0].value
    if (len(bound[0].targets) != 1 or not isinstance(ctor, cst.Call)
            or not _rebuildable(ctor, set(), ctx, top=True)):
        return None
    new = call.with_changes(args=[a.with_changes(value=ctor) if a is arg else a
                                  for a in call.args])
    return Fix(f"build its own {callee_name(ctor)} for {param}",
               (ctx.replace(call, new),), SAFE)


def _repeat(cells: cst.BaseExpression) -> Optional[tuple[
        Sequence[cst.BaseExpression], Callable[[cst.BaseExpression], cst.BaseExpression],
        set[str]]]:
    """The repeated element's occurrences, how the list looks with a constructor call
    instead, and the names the new list's comprehension binds."""
    if isinstance(cells, cst.BinaryOperation) and isinstance(cells.operator, cst.Multiply):
        for listed, times in ((cells.left, cells.right), (cells.right, cells.left)):
            if (isinstance(listed, (cst.List, cst.Tuple)) and len(listed.elements) == 1
                    and isinstance(listed.elements[0], cst.Element)):
                return [listed.elements[0].value], partial(_per_layer, times=times), {"_"}
    if isinstance(cells, cst.ListComp) and isinstance(cells.elt, cst.Name):
        bound: set[str] = set()
        clause: Optional[cst.CompFor] = cells.for_in
        while clause is not None:
            bound |= {n.value for n in _names(clause.target)}
            clause = clause.inner_for_in
        if cells.elt.value not in bound:
            return [cells.elt], lambda ctor: cells.with_changes(elt=ctor), bound
    if isinstance(cells, (cst.List, cst.Tuple)) and len(cells.elements) > 1:
        names = [e.value for e in cells.elements
                 if isinstance(e, cst.Element) and isinstance(e.value, cst.Name)]
        if len(names) == len(cells.elements) and all(n.value == names[0].value for n in names):
            return names, partial(_per_layer, times=cst.Integer(str(len(names)))), {"_"}
    return None


def _per_layer(ctor: cst.BaseExpression, times: cst.BaseExpression) -> cst.ListComp:
    """`[ctor for _ in range(times)]`."""
    return cst.ListComp(elt=ctor, for_in=cst.CompFor(
        target=cst.Name("_"), iter=cst.Call(cst.Name("range"), [cst.Arg(times)])))


def _names(node: cst.CSTNode) -> list[cst.Name]:
    """The Name nodes under a node (attribute parts and keywords included)."""
    found: list[cst.Name] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

    node.visit(Collect())
    return found


def _statement(node: cst.CSTNode, ctx: FixContext) -> Optional[Statement]:
    """The statement holding the node, as an element of its module's or block's body."""
    for parent in ctx.ancestors(node):
        if isinstance(ctx.parents.get(parent), (cst.Module, cst.IndentedBlock)):
            return parent if isinstance(parent, (cst.SimpleStatementLine,
                                                 cst.BaseCompoundStatement)) else None
    return None


def _made_just_before(statement: Statement, reads: Sequence[cst.Name], ctx: FixContext
                      ) -> Optional[tuple[cst.Call, cst.SimpleStatementLine]]:
    """`name = Call(...)` as the statement before `statement`, when `reads` are all the
    reads of that name and nothing else assigns it."""
    block = ctx.parents[statement]
    assert isinstance(block, (cst.Module, cst.IndentedBlock))
    index = next(i for i, s in enumerate(block.body) if s is statement)
    before = block.body[index - 1] if index else None
    if (not isinstance(before, cst.SimpleStatementLine) or len(before.body) != 1
            or before.trailing_whitespace.comment is not None):
        return None
    assign = before.body[0]
    if (not isinstance(assign, cst.Assign) or len(assign.targets) != 1
            or not isinstance(assign.value, cst.Call)):
        return None
    target = assign.targets[0].target
    scope = ctx.scopes.get(target)
    if not isinstance(target, cst.Name) or target.value != reads[0].value or scope is None:
        return None
    assignments = list(scope.assignments[target.value])
    if len(assignments) != 1 or {id(r.node) for r in assignments[0].references} != {
            id(r) for r in reads}:
        return None
    return assign.value, before


def _inlined(ctor: cst.Call, made: cst.SimpleStatementLine, ctx: FixContext
             ) -> tuple[cst.Call, list[Statement]]:
    """The constructor with a cell it wraps, built by the statement before and read nowhere
    else, written in place; and the statements that go."""
    removed: list[Statement] = [made]
    args = list(ctor.args)
    for i, arg in enumerate(args):
        if isinstance(arg.value, cst.Name):
            inner = _made_just_before(made, [arg.value], ctx)
            if inner is not None:
                value, more = _inlined(*inner, ctx)
                args[i] = arg.with_changes(value=value)
                removed += more
                break  # only the statement just before can be inlined
    return ctor.with_changes(args=args), removed


def _rebuildable(expr: cst.BaseExpression, bound: set[str], ctx: FixContext,
                 top: bool = False) -> bool:
    """Whether evaluating `expr` once per layer builds what it built once, plus new cells:
    no ops, no names the comprehension binds, no name bound to a cell object."""
    if isinstance(expr, cst.Call):
        name = callee_name(expr)
        if not _chain(expr.func) or unpacks(expr) or not (
                name.endswith(BUILDERS) or (top and _local_function(expr.func, ctx))):
            return False
        if name.endswith("Wrapper"):  # the wrapped cell must be built here, per layer
            cell = keyword(expr, "cell") or (expr.args[0] if expr.args else None)
            if cell is None or not isinstance(cell.value, cst.Call):
                return False
        return _rebuildable(expr.func, bound, ctx) and all(
            _rebuildable(a.value, bound, ctx) for a in expr.args)
    if isinstance(expr, cst.Name):
        return expr.value not in bound and not _names_a_cell(expr, ctx)
    if isinstance(expr, cst.Attribute):
        return _chain(expr) and _rebuildable(_root(expr), bound, ctx)
    if isinstance(expr, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(expr, cst.UnaryOperation):
        return _rebuildable(expr.expression, bound, ctx)
    if isinstance(expr, cst.BinaryOperation):
        return _rebuildable(expr.left, bound, ctx) and _rebuildable(expr.right, bound, ctx)
    if isinstance(expr, (cst.Tuple, cst.List)):
        return all(isinstance(e, cst.Element) and _rebuildable(e.value, bound, ctx)
                   for e in expr.elements)
    return False


def _chain(expr: cst.BaseExpression) -> bool:
    """`a`, `a.b.c`: a dotted name."""
    return isinstance(expr, cst.Name) or (isinstance(expr, cst.Attribute) and _chain(expr.value))


def _root(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return expr


def _names_a_cell(name: cst.Name, ctx: FixContext) -> bool:
    """Whether the name may hold a cell: some assignment it reads calls a cell constructor."""
    bound = _bindings(name, ctx)
    return bound is None or any(
        isinstance(node, cst.Assign) and isinstance(node.value, cst.Call)
        and callee_name(node.value).endswith(("Cell", "Wrapper")) for node in bound)


def _local_function(func: cst.BaseExpression, ctx: FixContext) -> bool:
    """Whether the callee is a function this module defines (the engine follows it, so it
    sees whether each call builds a new cell)."""
    bound = _bindings(func, ctx) if isinstance(func, cst.Name) else None
    if not bound:
        return False
    return all(isinstance(node, cst.FunctionDef) for node in bound)


def _bindings(name: cst.Name, ctx: FixContext) -> Optional[list[cst.CSTNode]]:
    """What binds the name where it is read, builtins aside (`x = ...`, `def x`, a parameter,
    an import), or None when that is unknown."""
    scope = ctx.scopes.get(name)
    if scope is None:
        return None
    found: list[cst.CSTNode] = []
    for access in scope.accesses[name.value]:
        if access.node is name:
            for assignment in access.referents:
                node = getattr(assignment, "node", None)
                if node is None:
                    continue  # a builtin (`True`, `len`)
                parent = ctx.parents.get(node)
                found.append(ctx.parents.get(parent, parent) if isinstance(
                    parent, cst.AssignTarget) else node)
    return found


def _without(block: Block, removed: Sequence[Statement], old: Statement, new: Statement
             ) -> Block:
    """The block with `old` replaced by `new` and the `removed` statements gone (their
    leading blank lines and comments stay, before the next statement)."""
    body: list[Statement] = []
    carried: list[cst.EmptyLine] = []
    for statement in statements(block):
        if any(statement is r for r in removed):
            carried += statement.leading_lines
            continue
        if statement is old:
            statement = new
        if carried:
            statement = statement.with_changes(
                leading_lines=[*carried, *statement.leading_lines])
            carried = []
        body.append(statement)
    return block.with_changes(body=body)
