"""The rules: each module here is one rule (`RULE`), or a family of input problems.

A rule module holds everything about its rule: its code (written there only), name,
severity, doc (what / why / example / use instead), message, its check (which reads the
engine's facts, never the tree), the hooks it has the engine run at TF API calls
(`engine.hooks`: detections that need the replay's values there), its fix (the module
`<rule>_fix.py` beside it, loaded when a fix is asked for) and its examples (`example`
reports exactly the lines it marks, `use_instead` nothing: tests/test_rule_examples.py
checks both, tests/test_oracle.py runs them under real TensorFlow). `catalog.RULES` lists
every rule; CONTRIBUTING.md says how to add one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Optional

from scopelint.facts import Finding, ModuleFacts

if TYPE_CHECKING:
    from scopelint.engine.hooks import Hook, Hooks
    from scopelint.fixes import Fix
    from scopelint.fixes.context import FixContext

Check = Callable[[str, ModuleFacts], Iterator[Finding]]
Fixer = Callable[[Finding, "FixContext"], Optional["Fix"]]
# A rule's hooks by API full name, given once the engine is loaded (they may need its modules).
HooksOf = Callable[[], Mapping[str, "Hook"]]

ERROR, WARNING, NOTE = "error", "warning", "note"  # severities, as SARIF names them


@dataclass(frozen=True)
class FixIn:
    """A rule's fixer: the `fix(finding, ctx)` of the module `module`, imported when first
    called (fixers need libcst, which a check without fixes may never load)."""

    module: str

    def __call__(self, finding: Finding, ctx: FixContext) -> Optional[Fix]:
        fix: Fixer = importlib.import_module(self.module).fix
        return fix(finding, ctx)


@dataclass(frozen=True)
class Rule:
    """A rule's code, its documentation, the function that reads facts and its fixer."""

    code: str
    name: str  # short kebab-case name, e.g. "duplicate-variable"
    summary: str  # one line, used in tables and SARIF shortDescription
    what: str  # What it does
    why: str  # Why is this bad?
    example: str  # a program that triggers it: `# TFSNNN` marks each line reported
    use_instead: str  # the same program, right: no finding
    severity: str = ERROR  # ERROR: TF raises or the file is not analysed; WARNING; NOTE
    check: Optional[Check] = None  # None for problems the pipeline reports
    hooks: Optional[HooksOf] = None  # what the engine runs for it at TF API calls
    fix: Optional[Fixer] = None  # what `check --fix` runs (scopelint.fixes)
    autofix: str = ""  # what the fix does, starting "Safe"/"Unsafe", for `explain`

    def doc(self) -> str:
        """The rule's documentation as Markdown, as `scopelint explain` prints it."""
        return (
            f"# {self.code} {self.name}\n\n{self.summary}\n\n"
            f"## What it does\n{self.what}\n\n"
            f"## Why is this bad?\n{self.why}\n\n"
            f"## Example\n```python\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n```python\n{self.use_instead.strip()}\n```\n\n"
            f"## Fix\n{self.autofix or 'None: no automatic fix.'}\n"
        )


def all_rules() -> dict[str, Rule]:
    """Every rule by code, in code order."""
    return dict(_table())


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, Rule], ...]:
    from scopelint.rules import catalog

    return tuple((rule.code, rule) for rule in sorted(catalog.RULES, key=lambda r: r.code))


def fixers() -> dict[str, Fixer]:
    """The fixer of every rule that has one, by code."""
    return {code: rule.fix for code, rule in all_rules().items() if rule.fix is not None}


def hooks() -> Hooks:
    """Every rule's hooks, as the engine runs them (`engine.hooks`)."""
    from scopelint.engine.hooks import Hooks

    return Hooks((api, hook) for _, rule in _table() if rule.hooks is not None
                 for api, hook in rule.hooks().items())


def severity(code: str) -> str:
    """A code's severity; an unknown code (a plugin's, a typo in a baseline) is an error."""
    rule = all_rules().get(code)
    return rule.severity if rule is not None else ERROR
