"""Fix: pass the function's `reuse` parameter to the `variable_scope` that ignores it
(safe: the scope now does what the parameter says, nothing else changes)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.facts import Finding
from scopelint.fixes import SAFE, Fix, at
from scopelint.fixes.context import FixContext, add_keyword, callee_name, keyword, unpacks
from scopelint.rules.duplicate_fix import SCOPE_REUSE_POSITION


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    scope = ctx.call_at(at(finding), "variable_scope")
    if (scope is None or callee_name(scope) != "variable_scope" or unpacks(scope)
            or keyword(scope, "reuse") is not None
            or sum(arg.keyword is None for arg in scope.args) > SCOPE_REUSE_POSITION):
        return None
    edit = ctx.replace(scope, add_keyword(scope, "reuse", cst.Name("reuse")))
    return Fix(f"pass reuse=reuse to the variable_scope at line {finding.line}", (edit,), SAFE)
