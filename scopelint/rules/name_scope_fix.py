"""Fix: the `tf.name_scope(X)` around the request becomes `tf.variable_scope(X)`
(unsafe: the names of variables and ops under it change)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.facts import Finding
from scopelint.fixes import UNSAFE, Fix, Position, at
from scopelint.fixes.context import FixContext, unpacks
from scopelint.fixes.spelling import renamed_callee

# name_scope's parameters and the variable_scope parameters they become.
PARAMETERS = {"name": "name_or_scope", "default_name": "default_name", "values": "values"}


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    where = Position(finding.line, finding.col)
    fact = ctx.fact_at(finding) or next(  # or a helper's, named by this call
        (f for f in (*ctx.facts.variables, *ctx.reached) if f.through is not None
         and ctx.here(f.through) and at(f.through) == where), None)
    request = ctx.call_at(where) if fact is not None else None
    if request is None:
        return None
    item = next(ctx.enclosing_scope_items(request, "name_scope"), None)
    if item is None or item.asname is not None:  # `as s`: a string, not a VariableScope
        return None
    scope = item.item
    assert isinstance(scope, cst.Call)
    new = _as_variable_scope(scope, ctx)
    if new is None:
        return None
    return Fix(f"use variable_scope instead of the name_scope at line {ctx.line_of(scope)}",
               (ctx.replace(scope, new),), UNSAFE)


def _as_variable_scope(scope: cst.Call, ctx: FixContext) -> Optional[cst.Call]:
    if unpacks(scope) or len(scope.args) > len(PARAMETERS) or not scope.args:
        return None
    first = scope.args[0]
    if first.keyword is None and isinstance(first.value, cst.Name) and first.value.value == "None":
        return None  # variable_scope(None) needs a default_name
    args = []
    for arg in scope.args:
        if arg.keyword is None:
            args.append(arg)
        elif arg.keyword.value in PARAMETERS:
            args.append(arg.with_changes(keyword=cst.Name(PARAMETERS[arg.keyword.value])))
        else:
            return None
    func = renamed_callee(scope, ctx.module, "variable_scope")
    return scope.with_changes(func=func, args=args) if func is not None else None
