"""What the rules share: wording, the repeat's origin, one finding per site."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, Related, Reuse, VariableFact

REUSE_WORDS = {
    Reuse.YES: "reuse=True",
    Reuse.AUTO: "reuse=tf.AUTO_REUSE",
    Reuse.NO: "no reuse",
    Reuse.UNKNOWN: "unknown reuse",
}


def store_key(fact: VariableFact) -> str:
    """The name TF's error messages use: the variable-store key."""
    return fact.key or (fact.name or fact.pattern).rsplit(":", 1)[0]


def repeat_origin(fact: VariableFact) -> tuple[str, tuple[Related, ...]]:
    """Where the existing variable came from, and why this line asks again (loop or call)."""
    if fact.first is None:
        return "", ()
    text = f"first created at line {fact.first.line}"
    related = [Related(fact.first.line, fact.first.col, "first created here")]
    site = repeating_call(fact)
    if site is not None:
        related.append(Related(site.line, site.col, "the repeat comes from this call"))
        return f"{text}; the repeat comes from the call at line {site.line}", tuple(related)
    if fact.first == fact.loc:
        text += "; this line runs again (a loop, or a repeated call)"
    return text, tuple(related)


def repeating_call(fact: VariableFact) -> Optional[Location]:
    """The call that repeats a creation: where its call stack leaves the first one's."""
    for i, site in enumerate(fact.stack):
        if i >= len(fact.first_stack) or fact.first_stack[i] != site:
            return site
    return None


Message = tuple[str, tuple[Related, ...]]


def once_per_site(path: str, code: str, items: Iterable[tuple[Location, Message]]
                  ) -> Iterator[Finding]:
    """One finding per call site (a loop or a repeated call gives several facts there)."""
    seen: set[Location] = set()
    for loc, (message, related) in items:
        if loc not in seen:
            seen.add(loc)
            yield Finding(path, loc.line, loc.col, code, message, related)


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
