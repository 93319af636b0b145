"""The rule catalog: each rule module defines one `Rule` (its doc and its check)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from scopelint.facts import Finding, ModuleFacts

Check = Callable[[str, ModuleFacts], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A rule's code, its documentation and the function that reads facts."""

    code: str
    name: str  # short kebab-case name, e.g. "duplicate-variable"
    summary: str  # one line, used in tables and SARIF shortDescription
    what: str  # What it does
    why: str  # Why is this bad?
    example: str  # code that triggers it
    fix: str  # Use instead
    check: Optional[Check] = None  # None for input problems reported by the pipeline
    autofix: str = ""  # what `check --fix` does, starting "Safe"/"Unsafe" (scopelint.fixes)

    def doc(self) -> str:
        """The rule's documentation as Markdown, as `scopelint explain` prints it."""
        return (
            f"# {self.code} {self.name}\n\n{self.summary}\n\n"
            f"## What it does\n{self.what}\n\n"
            f"## Why is this bad?\n{self.why}\n\n"
            f"## Example\n```python\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n```python\n{self.fix.strip()}\n```\n\n"
            f"## Fix\n{self.autofix or 'None: no automatic fix.'}\n"
        )


def all_rules() -> dict[str, Rule]:
    """Every rule by code, in code order."""
    from scopelint.rules import catalog

    return {rule.code: rule for rule in sorted(catalog.RULES, key=lambda r: r.code)}
