"""TFS207, over time: a new RNN cell object each time step, so no step shares weights."""

from __future__ import annotations

from typing import Iterator

from scopelint.facts import Finding, ModuleFacts
from scopelint.rules.common import once_per_site


def step_cells(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    """One finding per cell call that a new cell object runs at each time step."""
    return once_per_site(path, "TFS207", (
        (fact, (f"a new {fact.cell} object runs this call at each time step (it gets the "
                f"state of the previous step's cell): each step makes its own weights "
                f"('{fact.scope}/...' here, '{fact.first_scope}/...' the step before), so the "
                f"steps share none; build the cell once, before the loop", ()))
        for fact in facts.step_cells))
