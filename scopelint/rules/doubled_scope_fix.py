"""Fix: the name drops the scope it repeats, `"{}/w".format(scope)` → `"w"` (unsafe:
the variable's checkpoint key loses the doubled prefix).

The name must be a string literal, or a literal tail after the repeated part: a format
string (`"{}/w".format(s)`, `"%s/w" % s`, `f"{s}/w"`) or `s + "/w"`, whose dropped
parts are names, attributes and literals (nothing whose evaluation could matter)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.facts import DoubledScopeFact, Finding
from scopelint.fixes import UNSAFE, Fix, at
from scopelint.fixes.context import FixContext, keyword

HOLE = "…"  # a part of a predicted name the engine cannot know


def fix(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    runs = [f for f in ctx.facts.doubled_scopes if at(f.loc) == at(finding) and not f.owner]
    call = ctx.call_at(at(finding))
    if call is None or not runs:
        return None
    arg = keyword(call, "name") or (call.args[0] if call.args and not call.args[0].keyword
                                    and not call.args[0].star else None)
    if arg is None:
        return None
    rest = _rest(arg.value, runs[0].scope)
    if rest is None or not all(_drops_only_the_scope(run, rest) for run in runs):
        return None
    quote = _quote(arg.value)
    if quote is None or any(c in rest for c in (quote[0], "\\", "\n", "\r")):
        return None
    new = call.with_changes(args=[a.with_changes(value=cst.SimpleString(f"{quote}{rest}{quote}"))
                                  if a is arg else a for a in call.args])
    return Fix(f"drop the repeated scope: name the variable '{rest}'",
               (ctx.replace(call, new),), UNSAFE)


def _drops_only_the_scope(run: DoubledScopeFact, rest: str) -> bool:
    """Whether the predicted name is `<scope>/<repeated>/<rest>`, so the new name is `rest`."""
    return run.name.endswith(f"/{run.scope}/{rest}:0")


def _rest(name: cst.BaseExpression, scope: str) -> Optional[str]:
    """The name without its leading `<scope>/`, as a literal, when the expression shows it."""
    if isinstance(name, cst.SimpleString) and isinstance(name.evaluated_value, str):
        text = name.evaluated_value
        return text[len(scope) + 1:] if HOLE not in scope and text.startswith(scope + "/") \
            else None
    if isinstance(name, cst.FormattedString):
        parts = name.parts
        last = max((i for i, p in enumerate(parts)
                    if isinstance(p, cst.FormattedStringExpression)), default=None)
        if last is None or not all(_plain(p.expression) for p in parts
                                   if isinstance(p, cst.FormattedStringExpression)):
            return None
        tail = "".join(p.value for p in parts[last + 1:]
                       if isinstance(p, cst.FormattedStringText))
        return _after_slash(tail, "{}")
    if isinstance(name, cst.Call) and isinstance(name.func, cst.Attribute) \
            and name.func.attr.value == "format" and isinstance(name.func.value, cst.SimpleString):
        template = name.func.value.evaluated_value
        if not isinstance(template, str) or not all(_plain(a.value) and not a.star
                                                    for a in name.args):
            return None
        return _after_slash(template[template.rfind("}") + 1:], "{}")
    if isinstance(name, cst.BinaryOperation) and isinstance(name.left, cst.SimpleString) \
            and isinstance(name.operator, cst.Modulo) and _plain(name.right):
        template = name.left.evaluated_value
        if not isinstance(template, str) or "%" not in template:
            return None
        return _after_slash(template[template.rfind("%") + 2:], "%")
    if isinstance(name, cst.BinaryOperation) and isinstance(name.operator, cst.Add) \
            and isinstance(name.right, cst.SimpleString) and _plain(name.left):
        suffix = name.right.evaluated_value
        return suffix[1:] if isinstance(suffix, str) and suffix.startswith("/") else None
    return None


def _after_slash(tail: str, fields: str) -> Optional[str]:
    """The text after the `/` that ends the formatted part, when no field follows it."""
    if not tail.startswith("/") or any(c in tail for c in fields):
        return None
    return tail[1:]


def _plain(expr: cst.BaseExpression) -> bool:
    """A name, an attribute of one, a literal, or a tuple of those: dropping it drops no call."""
    if isinstance(expr, cst.Name) or isinstance(expr, (cst.Integer, cst.SimpleString)):
        return True
    if isinstance(expr, cst.Attribute):
        return _plain(expr.value)
    if isinstance(expr, cst.Tuple):
        return all(_plain(e.value) for e in expr.elements)
    return False


def _quote(name: cst.BaseExpression) -> Optional[str]:
    """The quote of the name's string literal (its template's, its tail's): `"` or `'`."""
    if isinstance(name, cst.Call) and isinstance(name.func, cst.Attribute):
        name = name.func.value
    elif isinstance(name, cst.BinaryOperation):
        name = name.left if isinstance(name.operator, cst.Modulo) else name.right
    if isinstance(name, (cst.SimpleString, cst.FormattedString)) and len(name.quote) == 1:
        return name.quote
    return None
