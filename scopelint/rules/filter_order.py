"""TFS202, in time: a variable collection read before the variables it selects are made.

`trainable_variables(scope="gen")` copies the collection as it is when it runs: read before
the generator is built, it is an empty list for good, and handed to `minimize(var_list=...)`
or `Saver(...)` TF raises. The finding is at the read and names where the variables are made.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from scopelint.facts import EmptyFilterFact, Finding, ModuleFacts, Outcome, VariableFact
from scopelint.rules.common import finding, related_at

# What each API does with an empty var_list (TF 1.15 and later).
OUTCOMES = {
    "minimize": "raises 'No variables to optimize.'",
    "compute_gradients": "raises 'No variables to optimize.'",
    "Saver": "raises 'No variables to save'",
    "variables_initializer": "initializes nothing",
    "initialize_variables": "initializes nothing",
}


def early_filters(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    """One finding per collection read whose empty list reaches an API that needs variables."""
    seen = set()
    for fact in facts.empty_filters:
        later = _first_made_later(fact, facts)
        if later is None or fact.loc in seen:
            continue
        seen.add(fact.loc)
        here = fact.loc.path
        what = f"the variables under '{fact.scope}'" if fact.scope else "the variables"
        message = (f"this reads {what} before any exists (the first, '{later.name}', is made "
                   f"at {later.loc.where(here)}), so it is an empty list: {fact.api}() at "
                   f"{fact.consumer.where(here)} {OUTCOMES[fact.api]}")
        yield finding(path, "TFS202", fact, message, (
            related_at(later.loc, "the first variable it would select is made here"),
            related_at(fact.consumer, "the empty list is used here")))


def _first_made_later(fact: EmptyFilterFact, facts: ModuleFacts) -> Optional[VariableFact]:
    """The first variable the read would have selected, made after it in the same graph."""
    match = re.compile(fact.scope or "").match
    return next((v for v in facts.variables[fact.variables_before:]
                 if v.graph == fact.graph and v.outcome is Outcome.CREATE and v.name
                 and match(v.name)), None)
