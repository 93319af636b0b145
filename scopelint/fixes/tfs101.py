"""TFS101 fixes: `reuse=True` at the repeating call of a function that takes `reuse`
(safe), else `reuse=tf.AUTO_REUSE` on the variable scope around the request, or on the
`tf.layers` call itself outside any (unsafe)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.facts import Finding, Outcome, VariableFact
from scopelint.fixes import SAFE, UNSAFE, Fix, Position, at
from scopelint.fixes.context import (
    FixContext, add_keyword, callee_name, keyword, unpacks,
)
from scopelint.engine.tfapi import LAYERS
from scopelint.fixes.spelling import tf_api
from scopelint.rules.common import repeating_call

# More positional arguments may pass `reuse` by position (variable_scope takes it 9th).
SCOPE_REUSE_POSITION = 8


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    fact = ctx.fact_at(finding, Outcome.DUPLICATE)
    if fact is None:
        return None
    site = repeating_call(fact)
    here = site is not None and site.path in ("", fact.loc.path)  # not a call in another file
    return (_reuse_at_call(at(site), ctx) if here else None) or _auto_reuse(fact, ctx)


def _reuse_at_call(site: Position, ctx: FixContext) -> Optional[Fix]:
    call = ctx.call_at(site)
    if call is None or unpacks(call) or keyword(call, "reuse") is not None:
        return None
    function = _callee(call, ctx.module)
    if function is None:
        return None
    params = function.params
    names = [p.name.value for p in params.params]
    if "reuse" in names:
        bound = 1 if isinstance(call.func, cst.Attribute) else 0  # `self` of a method
        if len(call.args) > names.index("reuse") - bound:
            return None  # already given by position
    elif "reuse" not in [p.name.value for p in params.kwonly_params]:
        return None
    edit = ctx.replace(call, add_keyword(call, "reuse", cst.Name("True")))
    return Fix(f"pass reuse=True at the second call (line {site.line})", (edit,), SAFE)


def _callee(call: cst.Call, module: cst.Module) -> Optional[cst.FunctionDef]:
    """The one undecorated function `name(...)` or method `obj.name(...)` defined at the top
    of the module (or of a class at its top) that the call can mean."""
    name = callee_name(call)
    if isinstance(call.func, cst.Name):
        bodies = [module.body]
    elif isinstance(call.func, cst.Attribute):
        bodies = [list(c.body.body) for c in module.body if isinstance(c, cst.ClassDef)]
    else:
        return None
    found = [s for body in bodies for s in body
             if isinstance(s, cst.FunctionDef) and s.name.value == name]
    if len(found) != 1 or found[0].decorators or found[0].asynchronous:
        return None
    return found[0]


def _auto_reuse(fact: VariableFact, ctx: FixContext) -> Optional[Fix]:
    request = ctx.call_at(at(fact.loc))
    if request is None:
        return None
    item = next(ctx.enclosing_scope_items(request, "variable_scope"), None)
    if item is not None:
        scope = item.item
        assert isinstance(scope, cst.Call)
        where = f"the variable_scope at line {ctx.line_of(scope)}"
    elif fact.api.startswith("layers.") and fact.api[len("layers."):] in LAYERS:
        scope, where = request, f"the {fact.api} call"  # tf.layers functions take `reuse`
    else:
        return None
    auto = tf_api(ctx.module, "AUTO_REUSE", like=scope)
    positional = [a for a in scope.args if a.keyword is None]
    if auto is None or unpacks(scope) or len(positional) > SCOPE_REUSE_POSITION:
        return None
    given = keyword(scope, "reuse")
    value = cst.parse_expression(auto)
    if given is None:
        new = add_keyword(scope, "reuse", value)
    elif isinstance(given.value, cst.Name) and given.value.value in ("False", "None"):
        new = scope.with_changes(args=[a.with_changes(value=value) if a is given else a
                                       for a in scope.args])
    else:
        return None
    return Fix(f"set reuse={auto} on {where}: every later run shares its variables",
               (ctx.replace(scope, new),), UNSAFE)
