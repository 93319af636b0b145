"""Fix: `shape` dropped from a `get_variable` whose constant initializer has that shape and
dtype (safe: TF then takes the shape from the initializer, the variable is the same)."""

from __future__ import annotations

from typing import Optional

from scopelint.facts import Finding
from scopelint.fixes import SAFE, Fix, at
from scopelint.fixes.context import FixContext, unpacks


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    fact = next((f for f in ctx.facts.undefined_shapes if at(f.loc) == at(finding)), None)
    call = ctx.call_at(at(finding))
    if fact is None or not fact.same or call is None or unpacks(call):
        return None
    positional = [arg for arg in call.args if arg.keyword is None]
    shape = next((arg for arg in call.args
                  if arg.keyword is not None and arg.keyword.value == "shape"),
                 positional[1] if len(positional) == 2 else None)  # no argument after it
    if shape is None:
        return None
    args = [arg for arg in call.args if arg is not shape]
    args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
    return Fix("drop shape=", (ctx.replace(call, call.with_changes(args=args)),), SAFE)
