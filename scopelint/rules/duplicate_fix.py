"""Fixes: `reuse=True` at the repeating call of a function that takes `reuse`
(safe); else, when the line that made the variable asks for it again (a loop, a function
called again), `reuse=tf.AUTO_REUSE` on the variable scope around the request, or on the
`tf.layers` call itself outside any (unsafe); when another line asks for it (a second head
pasted from the first), a new name for the second scope or request (unsafe)."""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from scopelint.facts import Finding, Outcome, VariableFact
from scopelint.fixes import SAFE, UNSAFE, Fix, Position, at
from scopelint.fixes.context import (
    FixContext, add_keyword, callee_name, keyword, unpacks,
)
from scopelint.engine.tfapi import LAYERS
from scopelint.fixes.spelling import tf_api
from scopelint.rules.common import repeating_call, store_key

# More positional arguments may pass `reuse` by position (variable_scope takes it 9th).
SCOPE_REUSE_POSITION = 8


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    fact = ctx.fact_at(finding, Outcome.DUPLICATE)
    if fact is None:
        return None
    site = repeating_call(fact)
    if site is not None and site.path in ("", fact.loc.path):  # not a call in another file
        fixed = _reuse_at_call(at(site), ctx)
        if fixed is not None:
            return fixed
    return _auto_reuse(fact, ctx) if _same_builder(fact, ctx) else _rename(fact, ctx)


def _same_builder(fact: VariableFact, ctx: FixContext) -> bool:
    """Whether the variable is asked for again by the line that made it (a loop, a function
    called again), or by a call written the same way (an arm that forgot the reuse the
    others set): sharing is then what reuse means. Two different builds of one name (a
    second head pasted from the first, then changed) are two builders: sharing would hide
    the bug."""
    if fact.first == fact.loc:
        return True
    if fact.first is None or not ctx.here(fact.first):
        return False
    first, again = ctx.call_at(at(fact.first)), ctx.call_at(at(fact.loc))
    return first is not None and again is not None and first.deep_equals(again)


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
    bodies: list[Sequence[cst.CSTNode]]
    if isinstance(call.func, cst.Name):
        bodies = [module.body]
    elif isinstance(call.func, cst.Attribute):
        bodies = [c.body.body for c in module.body if isinstance(c, cst.ClassDef)]
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


# The literal that names what a request makes: get_variable's name, a layer's name, a
# tf_slim layer's scope.
NAME_ARGUMENTS = {"get_variable": ("name", 0)}
LAYER_NAME_ARGUMENTS = ("name", "scope")


def _rename(fact: VariableFact, ctx: FixContext) -> Optional[Fix]:
    """A new name, unused by any variable, for the variable_scope block that asks again
    (when the first one was made in another block) or else for the request itself."""
    request = ctx.call_at(at(fact.loc))
    if request is None or fact.first is None or fact.ignored_name_scope:
        return None  # under a name_scope, TFS201's fix (a variable_scope) tells them apart
    first = ctx.call_at(at(fact.first)) if ctx.here(fact.first) else None
    item = next(ctx.enclosing_scope_items(request, "variable_scope"), None)
    if item is not None and (first is None or not _inside(first, item, ctx)):
        scope = item.item
        assert isinstance(scope, cst.Call)
        literal = scope.args[0].value if scope.args and scope.args[0].keyword is None else None
        what = f"the variable_scope at line {ctx.line_of(scope)}"
    else:
        literal = _name_literal(request)
        what = f"the {fact.api} call"
    if not isinstance(literal, cst.SimpleString) or not isinstance(literal.evaluated_value, str):
        return None
    old = literal.evaluated_value
    taken = {part for f in (*ctx.facts.variables, *ctx.reached)
             for part in store_key(f).split("/")}
    new = next(f"{old}_{n}" for n in range(1, len(taken) + 2) if f"{old}_{n}" not in taken)
    quote = literal.quote
    edit = ctx.replace(literal, literal.with_changes(
        value=f"{literal.prefix}{quote}{new}{quote}"))
    return Fix(f"rename {what} from '{old}' to '{new}': another line made '{store_key(fact)}' "
               "first, and sharing it would hide the bug", (edit,), UNSAFE)


def _inside(node: cst.CSTNode, item: cst.WithItem, ctx: FixContext) -> bool:
    """Whether `node` is in the body of the `with` statement holding `item`."""
    return any(item in getattr(parent, "items", ()) for parent in ctx.ancestors(node))


def _name_literal(call: cst.Call) -> Optional[cst.BaseExpression]:
    """The argument that names a request's variable or layer (None when not written)."""
    name = callee_name(call)
    if name in NAME_ARGUMENTS:
        word, position = NAME_ARGUMENTS[name]
        given = keyword(call, word)
        positional = [a for a in call.args if a.keyword is None]
        if given is None and len(positional) > position and not unpacks(call):
            return positional[position].value
        return given.value if given else None
    given = next((keyword(call, word) for word in LAYER_NAME_ARGUMENTS if keyword(call, word)),
                 None)
    return given.value if given else None
