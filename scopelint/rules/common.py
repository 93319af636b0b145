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


def repeat_origin(fact: VariableFact) -> tuple[str, tuple[Related, ...]]:
    """Where the existing variable came from, and why this line asks again (loop or call)."""
    if fact.first is None:
        return "", ()
    here = fact.loc.path
    text = f"first created at {fact.first.where(here)}"
    found = [related_at(fact.first, "first created here")]
    site = repeating_call(fact)
    if site is not None:
        found.append(related_at(site, "the repeat comes from this call"))
        return f"{text}; the repeat comes from the call at {site.where(here)}", tuple(found)
    if fact.first == fact.loc:
        text += "; this line runs again (a loop, or a repeated call)"
    return text, tuple(found)


def repeating_call(fact: VariableFact) -> Optional[Location]:
    """The call that repeats a creation: where its call stack leaves the first one's."""
    for i, site in enumerate(fact.stack):
        if i >= len(fact.first_stack) or fact.first_stack[i] != site:
            return site
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
