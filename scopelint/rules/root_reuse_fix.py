"""Fix: keep the reuse inside a variable scope (unsafe: names of ops, and of
tf.Variables, under the new scope can change).

In a loop (multi-GPU towers) the loop is wrapped in
`with tf.variable_scope(tf.get_variable_scope()):`, so `reuse_variables()` sets reuse on
that scope and it ends with the loop. Elsewhere the call (or the `if reuse:` holding only
it) is replaced by a `with tf.variable_scope(tf.get_variable_scope(), reuse=...):` block
around the statements after it, up to the first one that fails under the leaked reuse,
or removed when that is the very next statement.
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from scopelint.facts import Finding, Outcome
from scopelint.fixes import UNSAFE, Fix, Position, at
from scopelint.fixes.context import Block, FixContext, Statement, statements
from scopelint.fixes.spelling import tf_api


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    loc = at(finding)
    call = ctx.call_at(loc, "reuse_variables")
    if call is None or not isinstance(call.func, cst.Attribute) \
            or not isinstance(call.func.value, cst.Call):
        return None
    scope = tf_api(ctx.module, "variable_scope", like=call.func.value)
    current = tf_api(ctx.module, "get_variable_scope", like=call.func.value)
    statement = _statement_of(call, ctx)
    if scope is None or current is None or statement is None:
        return None
    loop = next((node for node in ctx.enclosing(statement)
                 if isinstance(node, (cst.For, cst.While))), None)
    if loop is not None:
        return _wrap_loop(loop, f"{scope}({current}())", ctx)
    return _reuse_block(loc, statement, (scope, current), ctx)


def _statement_of(call: cst.Call, ctx: FixContext) -> Optional[cst.SimpleStatementLine]:
    """The line that is just `...reuse_variables()`."""
    parent = ctx.parents.get(call)
    line = ctx.parents.get(parent) if isinstance(parent, cst.Expr) else None
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        return line
    return None


def _wrap_loop(loop: Statement, header: str, ctx: FixContext) -> Fix:
    wrapper = _with(header, [loop.with_changes(leading_lines=())], loop.leading_lines)
    return Fix(f"wrap the loop at line {ctx.line_of(loop)} in `with {header}:` so that "
               f"the reuse ends with it", (ctx.replace(loop, wrapper),), UNSAFE)


def _reuse_block(loc: Position, statement: cst.SimpleStatementLine, apis: tuple[str, str],
                 ctx: FixContext) -> Optional[Fix]:
    """A `with variable_scope(get_variable_scope(), reuse=...)` block (`apis` spells the
    two) around the statements after `statement`, instead of it; when the statement right
    after it is the one that fails, no block: the call goes."""
    anchor: Statement = statement
    reuse = "True"
    holder = ctx.parents.get(ctx.parents[statement])
    if isinstance(holder, cst.If) and holder.orelse is None and len(holder.body.body) == 1 \
            and isinstance(holder.test, cst.Name):
        anchor, reuse = holder, holder.test.value  # `if reuse: ...reuse_variables()`
    suite = ctx.parents.get(anchor)
    if not isinstance(suite, (cst.IndentedBlock, cst.Module)):
        return None
    body = statements(suite)
    index = body.index(anchor)
    block = _until_failure(body[index + 1:], loc, ctx)
    if not block:
        return _remove(anchor, suite, ctx) if index + 1 < len(body) else None
    header = f"{apis[0]}({apis[1]}(), reuse={reuse})"
    first = block[0]
    wrapper = _with(header, [first.with_changes(leading_lines=()), *block[1:]],
                    (*anchor.leading_lines, *first.leading_lines))
    new_suite = suite.with_changes(body=[*body[:index], wrapper,
                                         *body[index + 1 + len(block):]])
    last = ctx.positions[block[-1]].end.line
    lines = ctx.line_of(first)
    span = f"line {lines}" if lines == last else f"lines {lines}-{last}"
    return Fix(f"reuse only in `with {header}:` around {span}; the block ends at line {last}",
               (ctx.replace(suite, new_suite),), UNSAFE)


def _remove(anchor: Statement, suite: Block, ctx: FixContext) -> Fix:
    """The suite without `anchor`; its comments stay, on the next statement."""
    body = statements(suite)
    index = body.index(anchor)
    after = body[index + 1]
    body[index:index + 2] = [after.with_changes(
        leading_lines=[*anchor.leading_lines, *after.leading_lines])]
    return Fix(f"remove the reuse_variables() at line {ctx.line_of(anchor)}: the statement "
               f"after it needs reuse off", (ctx.replace(suite, suite.with_changes(body=body)),),
               UNSAFE)


def _until_failure(following: Sequence[Statement], loc: Position, ctx: FixContext
                   ) -> list[Statement]:
    """The statements before the first one that fails because of this reuse (there, or in
    a function it calls, here or in an imported module)."""
    failing = [site for f in (*ctx.facts.variables, *ctx.reached)
               if f.reuse_origin is not None and ctx.here(f.reuse_origin)
               and at(f.reuse_origin) == loc
               and (f.outcome is Outcome.MISSING or f.api == "Variable")
               for site in ctx.sites(f)]
    block = []
    for statement in following:
        where = ctx.positions[statement]
        if any((where.start.line, where.start.column) <= (fails.line, fails.col - 1)
               < (where.end.line, where.end.column) for fails in failing):
            break
        block.append(statement)
    return block


def _with(header: str, body: Sequence[Statement], leading: Sequence[cst.EmptyLine]) -> cst.With:
    template = cst.parse_statement(f"with {header}:\n    pass\n")
    assert isinstance(template, cst.With)
    return template.with_changes(body=cst.IndentedBlock(body=list(body)),
                                 leading_lines=list(leading))
