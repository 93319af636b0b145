"""README.md stays in sync with the rule docs, and the docs' examples do what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("code", ["TFS104", "TFS105", "TFS206", "TFS207", "TFS208", "TFS209"])
def test_example_triggers_the_rule_and_the_fix_does_not(code: str) -> None:
    from scopelint.analysis import analyze_text
    from scopelint.rules import all_rules

    rule = all_rules()[code]
    header = "import tensorflow.compat.v1 as tf\n"
    found = {f.code for f in analyze_text("example.py", header + rule.example).findings}
    fixed = {f.code for f in analyze_text("fix.py", header + rule.fix).findings}
    assert code in found and code not in fixed, (found, fixed)
