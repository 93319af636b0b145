"""README.md stays in sync with the rule docs."""

from __future__ import annotations

import re
from pathlib import Path

from scopelint.cli import rules_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
TABLE = re.compile(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", re.DOTALL)
SECTIONS = ("## Use with pre-commit", "## Use with flake8", "## GitHub Actions", "## Configuration")


def test_rule_table_matches_the_rule_docs() -> None:
    match = TABLE.search(README.read_text(encoding="utf-8"))
    assert match, "README.md lacks the <!-- rules:start --> / <!-- rules:end --> markers"
    assert match.group(1) == rules_markdown(), (
        "README rule table is stale: paste `python -m scopelint rules --format markdown` "
        "between the markers")


def test_readme_sections() -> None:
    text = README.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert f"\n{heading}\n" in text
