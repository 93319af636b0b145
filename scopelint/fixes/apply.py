"""Computing, confirming and applying fixes for one file's text.

A fixer's candidate is kept only when the engine, run on the fixed text,
reports none of the findings' codes more often than before and fewer findings
in all (the fix removes its finding and adds none). Fixes are applied in
passes, as ruff does: per pass every fix whose edits overlap no earlier fix's
and touch no line whose `# noqa` covers its code; then the file is analysed
again and the next pass applies what the new findings offer. The analyses of one
file's fixes share a session: the modules it imports are read and replayed once.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence

from scopelint.analysis import FileResult, analyze_text
from scopelint.engine.session import Session
from scopelint.facts import Finding, ModuleFacts, Outcome
from scopelint.fixes import Edit, Fix, Position
from scopelint.noqa import is_silenced, noqa_lines
from scopelint.rules import fixers
from scopelint.rules.input_problems import INPUT_PROBLEMS

if TYPE_CHECKING:
    from scopelint.fixes.context import FixContext

MAX_PASSES = 10
Keep = Callable[[Sequence[Finding], str], list[Finding]]
"""The findings the user asked for (settings, noqa), given the text they come from."""


@dataclass
class FixResult:
    """The fixed text, how many findings the fixes removed, and the findings left in it."""

    text: str
    fixed: int
    remaining: list[Finding]


def local_facts(facts: ModuleFacts, path: str) -> ModuleFacts:
    """The facts at this file's own lines: fixes edit only the file they are computed for
    (a finding placed at a call here, from a module it imports, gets no fix)."""
    def here(fact: Any) -> bool:
        return fact.loc.path in ("", path)

    kept: dict[str, Any] = {field.name: [f for f in getattr(facts, field.name) if here(f)]
                            for field in fields(facts) if _sited_list(getattr(facts, field.name))}
    return replace(facts, **kept)


def _sited_list(value: Any) -> bool:
    """Whether a field of `ModuleFacts` is a list of facts at call sites (not notes, names)."""
    return isinstance(value, list) and all(hasattr(item, "loc") for item in value[:1])


def with_fixes(path: str, text: str, findings: Sequence[Finding],
               result: Optional[FileResult] = None,
               session: Optional[Session] = None) -> list[Finding]:
    """`findings` (of this text), each carrying its confirmed fix when it has one."""
    if not any(f.code in fixers() for f in findings):
        return list(findings)
    session = session or Session()
    result = result or analyze_text(path, text, session=session)
    if result.facts is None:
        return list(findings)
    import libcst as cst

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:  # a Python 2 file: analysed as rewritten, fixed never
        return list(findings)
    if module.code != text:
        return list(findings)
    from scopelint.fixes.context import FixContext

    ctx = FixContext(text, module, local_facts(result.facts, path), path,
                     [f for f in result.facts.variables if f.loc.path not in ("", path)])
    candidates = [(finding, _candidate(finding, ctx)) for finding in findings]
    confirmed = _confirmed_together(path, text, result.findings,
                                    [(f.code, fix) for f, fix in candidates if fix], session)
    return [replace(finding, fix=fix) if fix and confirmed[fix.edits] else finding
            for finding, fix in candidates]


def _confirmed_together(path: str, text: str, before: Sequence[Finding],
                        fixes: Sequence[tuple[str, Fix]], session: Session
                        ) -> dict[tuple[Edit, ...], bool]:
    """Which fixes the engine confirms. The fixes of one code that overlap no other are run
    once, together: confirmed when no code is reported more often and that code loses at
    least as many findings as it has fixes there (each fix then removes its own). Otherwise,
    and for the overlapping ones, each is confirmed alone (one engine run per fix)."""
    by_code: dict[str, list[tuple[Edit, ...]]] = {}
    for code, fix in fixes:
        group = by_code.setdefault(code, [])
        if not any(_overlap(a, b) for other in group for a in fix.edits for b in other):
            group.append(fix.edits)
    confirmed: dict[tuple[Edit, ...], bool] = {}
    had = Counter(f.code for f in before)
    for code, group in by_code.items():
        if len(group) < 2:
            continue
        fixed = splice(text, [e for edits in group for e in edits])
        after = analyze_text(path, fixed, session=session).findings
        has = Counter(f.code for f in after)
        if not INPUT_PROBLEMS.intersection(has) and had[code] - has[code] >= len(group) \
                and all(has[other] <= had[other] for other in has):
            confirmed.update(dict.fromkeys(group, True))
    for code, fix in fixes:
        if fix.edits not in confirmed:
            confirmed[fix.edits] = _confirmed(path, text, before, fix, session)
    return confirmed


def _candidate(finding: Finding, ctx: FixContext) -> Optional[Fix]:
    """The fixer's fix for a finding; a fixer's failure on odd code costs only its fix."""
    fixer = fixers().get(finding.code)
    try:
        return fixer(finding, ctx) if fixer else None
    except Exception:  # noqa: BLE001 - the finding is still reported, without a fix
        return None


def _confirmed(path: str, text: str, before: Sequence[Finding], fix: Fix,
               session: Session) -> bool:
    """Whether the engine, run on the fixed text, reports fewer findings, none of a code
    more often, and no input problem (a broken file, a scopelint failure)."""
    after = analyze_text(path, splice(text, fix.edits), session=session).findings
    if any(f.code in INPUT_PROBLEMS for f in after):
        return False
    had, has = Counter(f.code for f in before), Counter(f.code for f in after)
    return len(after) < len(before) and all(has[code] <= had[code] for code in has)


def fix_text(path: str, text: str, keep: Keep, unsafe: bool) -> FixResult:
    """Apply the fixes of the kept findings in passes until none applies."""
    found: Optional[int] = None
    session = Session()
    for _ in range(MAX_PASSES):
        result = analyze_text(path, text, session=session)
        findings = with_fixes(path, text, keep(result.findings, text), result, session)
        found = len(findings) if found is None else found
        fixes = [(f.code, f.fix) for f in findings
                 if f.fix is not None and (f.fix.safe or unsafe)]
        chosen = choose(fixes, text)
        if not chosen:
            return FixResult(text, found - len(findings), findings)
        fixed = splice(text, [e for fix in chosen for e in fix.edits])
        if len(chosen) > 1 and _worse(path, fixed, result.findings, session):
            chosen = chosen[:1]  # fixes that only work alone: one per pass
            fixed = splice(text, chosen[0].edits)
        text = fixed
    remaining = keep(analyze_text(path, text, session=session).findings, text)
    return FixResult(text, (found or 0) - len(remaining), remaining)


def _worse(path: str, text: str, before: Sequence[Finding], session: Session) -> bool:
    had = Counter(f.code for f in before)
    has = Counter(f.code for f in analyze_text(path, text, session=session).findings)
    return any(has[code] > had[code] for code in has)


def choose(fixes: Iterable[tuple[str, Fix]], text: str) -> list[Fix]:
    """Fixes for one pass, in source order: none overlapping an earlier one, none touching
    a line whose `# noqa` covers its code; a fix found twice (one per finding) counts once."""
    noqa = noqa_lines(io.StringIO(text, newline="").readlines())
    taken: list[Edit] = []
    chosen: list[Fix] = []
    for code, fix in sorted(fixes, key=lambda item: item[1].edits[0].start):
        if any(fix.edits == other.edits for other in chosen):
            continue
        if any(is_silenced(code, noqa.get(line, "")) for edit in fix.edits
               for line in range(edit.start.line, edit.end.line + 1)):
            continue
        if any(_overlap(edit, other) for edit in fix.edits for other in taken):
            continue
        taken.extend(fix.edits)
        chosen.append(fix)
    return chosen


def _overlap(a: Edit, b: Edit) -> bool:
    """Edits overlap when their spans share text, or both insert at one point."""
    return a.start == b.start or (a.start < b.end and b.start < a.end)


def splice(text: str, edits: Iterable[Edit]) -> str:
    """`text` with non-overlapping edits applied; every other character is kept."""
    starts = [0]
    for i, char in enumerate(text):
        if char == "\n" or (char == "\r" and text[i + 1:i + 2] != "\n"):
            starts.append(i + 1)

    def offset(loc: Position) -> int:
        return starts[loc.line - 1] + loc.col - 1

    out, cursor = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        out.append(text[cursor:offset(edit.start)])
        out.append(edit.content)
        cursor = offset(edit.end)
    out.append(text[cursor:])
    return "".join(out)


def created_names(text: str, path: str = "<fix>") -> Counter[str]:
    """The variables the engine predicts the text creates, as checkpoint keys (`a/w`), with
    counts; a name it cannot predict is in its pattern form (`…/Adam`)."""
    facts = analyze_text(path, text).facts
    if facts is None:
        return Counter()
    return Counter((f.name or f.pattern).rsplit(":", 1)[0] for f in facts.variables
                   if f.outcome is Outcome.CREATE)
