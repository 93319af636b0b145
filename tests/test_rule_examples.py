"""A rule's examples are its tests (as Fixit's VALID / INVALID): `example` reports exactly
the lines it marks `# TFSNNN`, its own code among them; `use_instead` reports nothing.
tests/test_oracle.py runs both under real TensorFlow, like fixtures (helpers/examples.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.examples import checked_rules, program
from helpers.oracle import annotations as marked_lines

from scopelint.analysis import analyze_text
from scopelint.rules import Rule, all_rules
from scopelint.rules.input_problems import PYTHON2, SYNTAX

PACKAGE = Path(__file__).resolve().parents[1] / "scopelint"
CODE_LITERAL = re.compile(r"""["'](TFS\d{3})["']""")


def _reported(text: str) -> set[tuple[int, str]]:
    return {(f.line, f.code) for f in analyze_text("example.py", text).findings}


@pytest.mark.parametrize("rule", checked_rules(), ids=lambda rule: rule.code)
def test_example_reports_the_lines_it_marks(rule: Rule) -> None:
    text = program(rule.example)
    marked = {(line, code) for line, codes in marked_lines(text).items() for code in codes}
    assert rule.code in {code for _, code in marked}, f"{rule.code}: its example marks no line"
    assert _reported(text) == marked, text


@pytest.mark.parametrize("rule", checked_rules(), ids=lambda rule: rule.code)
def test_use_instead_is_silent(rule: Rule) -> None:
    text = program(rule.use_instead)
    assert not marked_lines(text) and not _reported(text), text


@pytest.mark.parametrize("rule", [SYNTAX, PYTHON2], ids=lambda rule: rule.code)
def test_input_problem_examples(rule: Rule) -> None:
    """The input problems whose examples are file contents (the others: a scopelint bug, bytes
    that do not decode): the example is reported on its line, what to write instead is not."""
    assert _reported(rule.example) == {(1, rule.code)}
    assert not _reported(rule.use_instead)


def test_a_code_is_written_once_in_its_rule_module() -> None:
    """Outside its rule module, code refers to a rule by its module or object, never by a
    code string (docs and comments may name it)."""
    written: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8")):
            written.setdefault(code, []).append(path.relative_to(PACKAGE).as_posix())
    assert written == {code: [written[code][0]] for code in all_rules()}, written
    assert all(where[0].startswith("rules/") for where in written.values()), written
