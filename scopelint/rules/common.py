"""What the rules share: wording, the repeat's origin, one finding per site."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional, Protocol

from scopelint.facts import (
    CallStack, Finding, Location, ModuleFacts, Outcome, Related, Reuse, VariableFact,
)

REUSE_WORDS = {
    Reuse.YES: "reuse=True",
    Reuse.AUTO: "reuse=tf.AUTO_REUSE",
    Reuse.NO: "no reuse",
    Reuse.UNKNOWN: "unknown reuse",
}


def store_key(fact: VariableFact) -> str:
    """The name TF's error messages use: the variable-store key."""
    return fact.key or (fact.name or fact.pattern).rsplit(":", 1)[0]


def related_at(loc: Location, message: str) -> Related:
    """A related location (in another module when its path says so)."""
    return Related(loc.line, loc.col, message, loc.path)


def first_requests(facts: ModuleFacts) -> dict[tuple[Location, str], VariableFact]:
    """The request that made each variable, by (call site, store key)."""
    made: dict[tuple[Location, str], VariableFact] = {}
    for fact in facts.variables:
        if fact.outcome is Outcome.CREATE:
            made.setdefault((fact.loc, store_key(fact)), fact)
    return made


def message_home(fact: Sited, path: str) -> str:
    """The file whose lines a finding's message names as `line N`: the analysed file `path`
    when the finding is in it; none when it is in an imported module, since the finding may
    then be reported at a call in another file (`scopelint.placement`)."""
    return path if fact.loc.path in ("", path) else "\0"


def repeat_origin(fact: VariableFact, first: Optional[VariableFact], path: str
                  ) -> tuple[str, tuple[Related, ...]]:
    """Where the existing variable came from, and why this line asks again (loop or call);
    `first` is the request that made it, to find the loop that repeats the line; `path` is
    the analysed file."""
    if fact.first is None:
        return "", ()
    here = message_home(fact, path)
    text = f"first created at {fact.first.where(here, path)}"
    found = [related_at(fact.first, "first created here")]
    depth = _diverging(fact)
    if depth is not None:
        site = fact.stack[depth]
        if fact.through is not None and fact.first == fact.loc and depth < len(fact.first_stack):
            # one helper line named by its callers: the calls that name it tell them apart
            made = fact.first_stack[depth]
            text += f" through the call at {made.where(here)}"
            found.append(related_at(made, "first created through this call"))
        found.append(related_at(site, "the repeat comes from this call"))
        return f"{text}; the repeat comes from the call at {site.where(here, path)}", tuple(found)
    if fact.first == fact.loc:
        loop = _repeating_loop(fact, first)
        text += (f"; the loop at line {loop} runs this line again" if loop
                 else "; this line runs again (a loop, or a repeated call)")
    return text, tuple(found)


def repeating_call(fact: VariableFact) -> Optional[Location]:
    """The call that repeats a creation: where its call stack leaves the first one's."""
    depth = _diverging(fact)
    return None if depth is None else fact.stack[depth]


def _diverging(fact: VariableFact) -> Optional[int]:
    """The depth where a repeat's call stack leaves the first creation's."""
    for i, site in enumerate(fact.stack):
        if i >= len(fact.first_stack) or fact.first_stack[i] != site:
            return i
    return None


def _repeating_loop(fact: VariableFact, first: Optional[VariableFact]) -> Optional[int]:
    """The line of the outermost loop whose iteration differs between the two requests."""
    if first is None or first.stack != fact.stack:
        return None
    for (line, i), (first_line, first_i) in zip(fact.loops, first.loops):
        if line != first_line:
            return None
        if i != first_i:
            return line or None
    return None


Message = tuple[str, tuple[Related, ...]]


class Sited(Protocol):
    """A fact at a call site, reached through a call stack."""

    @property
    def loc(self) -> Location: ...

    @property
    def stack(self) -> CallStack: ...


def finding(path: str, code: str, fact: Sited, message: str,
            related: tuple[Related, ...] = ()) -> Finding:
    """A finding at a fact's site, in its own module (`path` when that is the analysed file)."""
    loc = fact.loc
    return Finding(loc.path or path, loc.line, loc.col, code, message, related, fact.stack)


def once_per_site(path: str, code: str, items: Iterable[tuple[Sited, Message]]
                  ) -> Iterator[Finding]:
    """One finding per call site (a loop or a repeated call gives several facts there)."""
    seen: set[Location] = set()
    for fact, (message, found) in items:
        if fact.loc not in seen:
            seen.add(fact.loc)
            yield finding(path, code, fact, message, found)


ERRORS = (Outcome.DUPLICATE, Outcome.MISSING, Outcome.MISMATCH)


def first_errors(facts: ModuleFacts) -> list[VariableFact]:
    """Facts where TF raises, keeping only the first of each replayed call.

    TF stops at the first error of a call (the second discriminator call fails
    on its first variable); later ones in the same call are the same mistake.
    """
    failed_calls: set[tuple[Location, ...]] = set()
    kept: list[VariableFact] = []
    for fact in facts.variables:
        if fact.outcome not in ERRORS:
            continue
        if fact.stack and fact.stack in failed_calls:
            continue
        failed_calls.add(fact.stack)
        kept.append(fact)
    return kept


def closest(name: str, candidates: Iterable[str]) -> Optional[str]:
    """The one candidate a slip away from `name`: the same path but for one component, at
    most 2 edits and a quarter of that component's length away (`w` is never a slip of
    `b`); None when none is that close, or when two are equally close."""
    parts = name.split("/")
    best: dict[int, set[str]] = {}
    for candidate in set(candidates):
        other = candidate.split("/")
        if len(other) != len(parts):
            continue
        differ = [(a, b) for a, b in zip(parts, other) if a != b]
        if len(differ) == 1:
            a, b = differ[0]
            distance = edit_distance(a, b)
            if distance <= min(2, len(a) // 4, len(b) // 4):
                best.setdefault(distance, set()).add(candidate)
    if not best:
        return None
    nearest = best[min(best)]
    return next(iter(nearest)) if len(nearest) == 1 else None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def raise_statuses(facts: ModuleFacts) -> list[Optional[str]]:
    """Per variable fact: "raises" where TF raises, "after error" past it, else None.

    TF stops at the first request that fails, at a name it rejects, at an argument of the
    wrong type and at a shape it rejects (TFS104, TFS105, TFS106, TFS208); a `try` that
    catches the error leaves no such fact.
    """
    variables = facts.variables
    stops = [(f.variables_before, f.loc) for f in facts.invalid_names]
    stops += [(f.variables_before, f.loc) for f in facts.misplaced_args if f.raises]
    stops += [(f.variables_before, f.loc) for f in facts.invalid_args if not f.caught]
    stops += [(f.variables_before, f.loc) for f in facts.undefined_shapes if f.raises(variables)]
    stops += [(i, v.loc) for i, v in enumerate(variables) if v.outcome in ERRORS][:1]
    if not stops:
        return [None] * len(variables)
    cut, loc = min(stops, key=lambda stop: stop[0])
    return [None if i < cut else "raises" if i == cut and v.loc == loc else "after error"
            for i, v in enumerate(variables)]
