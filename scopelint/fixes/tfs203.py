"""TFS203 fix: `tf.Variable(init, name="w")` becomes `tf.get_variable("w", initializer=init)`
when every argument has a get_variable counterpart (unsafe: the variable is shared, and
its name changes back to the one it shares)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.facts import Finding
from scopelint.fixes import UNSAFE, Fix
from scopelint.fixes.context import FixContext, expression, unpacks
from scopelint.fixes.spelling import namespace_of, tf_api, tf_namespaces

# tf.Variable keywords and their get_variable counterparts (`name` goes first, by position).
KEYWORDS = {"initial_value": "initializer", "dtype": "dtype", "trainable": "trainable",
            "collections": "collections", "validate_shape": "validate_shape",
            "caching_device": "caching_device", "constraint": "constraint"}


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    fact = ctx.fact_at(finding)
    call = ctx.call_at(fact.loc) if fact is not None else None
    if call is None or unpacks(call):
        return None
    name: Optional[cst.BaseExpression] = None
    args: list[cst.Arg] = []
    for i, arg in enumerate(call.args):
        if arg.keyword is None and i == 0:
            args.append(_keyword("initializer", arg.value))
        elif arg.keyword is not None and arg.keyword.value == "name":
            name = arg.value
        elif arg.keyword is not None and arg.keyword.value in KEYWORDS:
            args.append(_keyword(KEYWORDS[arg.keyword.value], arg.value))
        else:
            return None
    func = _get_variable(call, ctx)
    if name is None or func is None:
        return None
    new = call.with_changes(func=func, args=[cst.Arg(name), *args])
    return Fix("use get_variable, which shares the variable", (ctx.replace(call, new),), UNSAFE)


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def _get_variable(call: cst.Call, ctx: FixContext) -> Optional[cst.BaseExpression]:
    func = call.func
    if isinstance(func, cst.Attribute) and namespace_of(func.value, tf_namespaces(ctx.module)) == "":
        return func.with_changes(attr=cst.Name("get_variable"))
    spelled = tf_api(ctx.module, "get_variable")
    return expression(spelled) if spelled else None
