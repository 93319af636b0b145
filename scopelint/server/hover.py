"""Hover text: the variables a call makes (itself, or through the functions it calls,
across modules) with their full names, shapes and scopes, per call path; the scope a
`variable_scope`/`name_scope` opens and its reuse; the rule of a finding at the cursor."""

from __future__ import annotations

from typing import Callable, Iterable, Optional, Sequence

from scopelint.facts import Finding, Outcome, Reuse, ScopeFact, VariableFact
from scopelint.rules import all_rules
from scopelint.server.calls import CallIndex, Point, Span
from scopelint.server.lookup import FactIndex, Run, variable_scope

MAX_ROWS = 40
OUTCOMES = {Outcome.CREATE: "created", Outcome.REUSE: "reused",
            Outcome.DUPLICATE: "**TF raises**: it already exists",
            Outcome.MISSING: "**TF raises**: it does not exist",
            Outcome.MISMATCH: "**TF raises**: its shape or dtype differs",
            Outcome.UNKNOWN: "created or reused"}
REUSE = {Reuse.NO: "no", Reuse.YES: "yes", Reuse.AUTO: "AUTO_REUSE", Reuse.UNKNOWN: "unknown"}
Shown = Callable[[str], str]  # a path as the hover shows it


def hover_text(path: str, point: Point, facts: FactIndex, calls: CallIndex,
               findings: Sequence[Finding], shown: Shown) -> Optional[tuple[str, Span]]:
    """Markdown about the innermost call under `point` that facts involve, and its span;
    the rules of the findings at `point` come first."""
    parts = [_rule(f) for f in findings if f.line == point[0]]
    for span in calls.around(point):
        text = _call_text(path, span.start, facts, shown)
        if text:
            return "\n\n---\n\n".join([*parts, text]), span
    return ("\n\n---\n\n".join(parts), Span(point, point)) if parts else None


def _call_text(path: str, start: Point, facts: FactIndex, shown: Shown) -> str:
    scopes = facts.scopes_opened(path, start)
    if scopes:
        return _scopes(scopes, shown)
    made = facts.variables_made(path, start)
    if made:
        return f"`{made[0].fact.api}` makes:\n\n" + _variables(made, shown, with_api=False)
    through = facts.variables_through(path, start)
    if through:
        return "This call makes, in the functions it calls:\n\n" + _variables(
            through, shown, with_api=True)
    return ""


def _variables(runs: Sequence[Run[VariableFact]], shown: Shown, with_api: bool) -> str:
    lines: list[str] = []
    rows = 0
    for via, group in _by_path(runs):
        if rows >= MAX_ROWS:
            break
        if via:
            lines.append(f"- through {_path(via, shown)}:")
        for run in group[:MAX_ROWS - rows]:
            lines.append(("  " if via else "") + "- " + _variable(run.fact, shown, with_api))
            rows += 1
    if rows < len(runs):
        lines.append(f"- … and {len(runs) - rows} more (`scopelint names` lists them all)")
    return "\n".join(lines)


def _variable(fact: VariableFact, shown: Shown, with_api: bool) -> str:
    name = fact.name or fact.pattern
    spec = " ".join(part for part in (_shape(fact.shape), fact.dtype or "") if part)
    scope = variable_scope(fact)
    where = [f"variable scope `{scope}`" if scope else "the root variable scope",
             f"reuse {REUSE[fact.reuse]}"]
    if fact.name_scope:
        where.append(f"name scope `{fact.name_scope}/`")
    made = f" by `{fact.api}` at {_where(fact.loc.path, fact.loc.line, shown)}" if with_api else ""
    maybe = " (only on some paths)" if not fact.certain else ""
    return (f"`{name}`{' ' + spec if spec else ''}: {OUTCOMES[fact.outcome]}{made}{maybe}; "
            + ", ".join(where))


def _scopes(runs: Sequence[Run[ScopeFact]], shown: Shown) -> str:
    lines = []
    for run in runs[:MAX_ROWS]:
        fact = run.fact
        via = f"through {_path(run.via, shown)}: " if run.via else ""
        reuse = REUSE[fact.reuse]
        if fact.reuse is not Reuse.NO and fact.inherited is fact.reuse:
            reuse += " (inherited)"
        if fact.kind == "variable_scope":
            lines.append(f"- {via}variable scope `{_slash(fact.variable_scope)}`, name scope "
                         f"`{_slash(fact.name_scope)}`; reuse {reuse}")
        else:
            inside = (f"variable scope `{_slash(fact.variable_scope)}`"
                      if fact.variable_scope else "the root variable scope")
            lines.append(f"- {via}name scope `{_slash(fact.name_scope)}` (in {inside}, reuse "
                         f"{reuse}); `get_variable` ignores it")
    kind = runs[0].fact.kind
    return f"`{kind}` opens:\n\n" + "\n".join(lines)


def _rule(finding: Finding) -> str:
    rule = all_rules().get(finding.code)
    summary = rule.summary if rule else ""
    return f"**{finding.code}** {summary} (`scopelint explain {finding.code}`)"


def _by_path(runs: Iterable[Run[VariableFact]]
             ) -> list[tuple[tuple, list[Run[VariableFact]]]]:
    groups: dict[tuple, list[Run[VariableFact]]] = {}
    for run in runs:
        groups.setdefault(run.via, []).append(run)
    return list(groups.items())


def _path(via: tuple, shown: Shown) -> str:
    return " → ".join(_where(site.path, site.line, shown) for site in via)


def _where(path: str, line: int, shown: Shown) -> str:
    return f"`{shown(path)}:{line}`"


def _shape(shape: Optional[tuple]) -> str:
    return "" if shape is None else "[" + ", ".join(str(d) for d in shape) + "]"


def _slash(scope: str) -> str:
    return scope + "/" if scope else ""
