"""Fix: `tf.Variable(init, name="w")` becomes `tf.get_variable("w", initializer=init)`
when every argument has a get_variable counterpart (unsafe: the variable is shared, and
its name changes back to the one it shares)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.facts import Finding
from scopelint.fixes import UNSAFE, Fix, at
from scopelint.fixes.context import FixContext, keyword_arg, unpacks
from scopelint.fixes.spelling import renamed_callee

# tf.Variable keywords and their get_variable counterparts (`name` goes first, by position).
KEYWORDS = {"initial_value": "initializer", "dtype": "dtype", "trainable": "trainable",
            "collections": "collections", "validate_shape": "validate_shape",
            "caching_device": "caching_device", "constraint": "constraint"}


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    fact = ctx.fact_at(finding)
    call = ctx.call_at(at(fact.loc)) if fact is not None else None
    if call is None or unpacks(call):
        return None
    name: Optional[cst.BaseExpression] = None
    args: list[cst.Arg] = []
    for i, arg in enumerate(call.args):
        if arg.keyword is None and i == 0:
            args.append(keyword_arg("initializer", arg.value))
        elif arg.keyword is not None and arg.keyword.value == "name":
            name = arg.value
        elif arg.keyword is not None and arg.keyword.value in KEYWORDS:
            args.append(keyword_arg(KEYWORDS[arg.keyword.value], arg.value))
        else:
            return None
    func = renamed_callee(call, ctx.module, "get_variable")
    if name is None or func is None:
        return None
    new = call.with_changes(func=func, args=[cst.Arg(name), *args])
    return Fix("use get_variable, which shares the variable", (ctx.replace(call, new),), UNSAFE)
