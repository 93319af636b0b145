"""Fix: each misplaced positional argument becomes the keyword it was meant for, and
the positional arguments after it keep their parameters as keywords (safe; unsafe for
`tf.Variable`, which did build a variable: its checkpoint entry gets another name or dtype)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.engine.arguments import SIGNATURES, signature_key
from scopelint.engine.import_resolution import dotted
from scopelint.facts import Finding, Outcome
from scopelint.fixes import SAFE, UNSAFE, Fix, at
from scopelint.fixes.context import FixContext, keyword_arg, unpacks
from scopelint.fixes.spelling import namespace_of, tf_namespaces


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    call = ctx.call_at(at(finding))
    if call is None or unpacks(call):
        return None
    path = namespace_of(dotted(call.func), tf_namespaces(ctx.module)) or ""
    api = path.rsplit(".", 1)[-1]  # `vs` of `from ... import variable_scope as vs` too
    params = SIGNATURES.get(signature_key(path) or "", ())
    meant = {params.index(f.param): f.meant for f in ctx.facts.misplaced_args
             if at(f.loc) == at(finding) and f.param in params}
    if not meant or not all(_certain(params[i], to, call, finding, ctx)
                            for i, to in meant.items()):
        return None
    first = min(meant)
    if api == "Variable" and any(arg.keyword is None for arg in call.args[first + 1:]):
        return None  # TF 2's tf.compat.v1.Variable binds its third positional elsewhere
    args = [arg if i < first or arg.keyword is not None
            else as_keyword(arg, meant.get(i, params[i] if i < len(params) else ""))
            for i, arg in enumerate(call.args)]
    given = [arg.keyword.value for arg in args if arg.keyword is not None]
    if "" in given or len(set(given)) < len(given):
        return None  # more positional arguments than parameters, or a keyword given twice
    kind = UNSAFE if api == "Variable" else SAFE  # the variable it made had another name/dtype
    words = ", ".join(f"{to}=" for to in meant.values())
    return Fix(f"pass {words} by keyword", (ctx.replace(call, call.with_changes(args=args)),),
               kind)


def as_keyword(arg: cst.Arg, name: str) -> cst.Arg:
    """The argument passed as `name=`."""
    return arg.with_changes(keyword=cst.Name(name), equal=keyword_arg(name, arg.value).equal)


def _certain(param: str, meant: str, call: cst.Call, finding: Finding,
             ctx: FixContext) -> bool:
    """Whether passing the argument as `meant=` is all the author left out."""
    if (param, meant) == ("reuse", "name"):
        return False  # VariableScope's `reuse` is required: which one was meant is unknown
    if (param, meant) == ("shape", "dtype"):
        # a new variable still needs the shape the author left out; a reused one does not
        runs = [v for v in ctx.facts.variables if at(v.loc) == at(finding)]
        return bool(runs) and all(v.outcome is Outcome.REUSE for v in runs)
    if (param, meant) == ("default_name", "reuse"):
        first = call.args[0].value
        return not (isinstance(first, cst.Name) and first.value == "None")
    if (param, meant) == ("default_name", "values"):  # TF iterates them: a list or tuple only
        return isinstance(call.args[1].value, (cst.List, cst.Tuple))
    return meant != "name_or_scope"  # an ignored scope object: nesting or the scope, unknown
