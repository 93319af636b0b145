"""Fix: a list or tuple written as `name_scope`'s second positional argument, which TF
rejects as `default_name`, is passed as `values=` (safe: what TF's own message suggests;
the name scope and every name stay the same)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.engine.import_resolution import dotted
from scopelint.facts import Finding
from scopelint.fixes import SAFE, Fix, at
from scopelint.fixes.context import FixContext, keyword, unpacks
from scopelint.fixes.spelling import namespace_of, tf_namespaces
from scopelint.rules.misplaced_arg_fix import as_keyword


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    call = ctx.call_at(at(finding))
    if call is None or unpacks(call) or keyword(call, "values") is not None:
        return None
    if namespace_of(dotted(call.func), tf_namespaces(ctx.module)) != "name_scope":
        return None
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) != 2 or not isinstance(positional[1].value, (cst.List, cst.Tuple)):
        return None
    args = [as_keyword(arg, "values") if arg is positional[1] else arg for arg in call.args]
    return Fix("pass values= by keyword", (ctx.replace(call, call.with_changes(args=args)),),
               SAFE)
