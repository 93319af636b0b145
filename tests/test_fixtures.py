"""scopelint against the annotations in fixtures/*.py.

Each fixture marks every line scopelint must report with `# expect: TFS101`
(or several codes, `# expect: TFS201, TFS101`); every other line must stay
silent. The set of (line, code) findings must equal the set of annotations.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from oracle import ERROR_CODES, annotations, fixture_files

FIXTURES = fixture_files()
KNOWN_CODES = {"TFS101", "TFS102", "TFS103", "TFS104", "TFS201", "TFS202", "TFS203", "TFS204",
               "TFS205", "TFS206", "TFS207", "TFS208", "TFS209"}


def _expected(text: str) -> set[tuple[int, str]]:
    return {(line, code) for line, codes in annotations(text).items() for code in codes}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_findings_match_annotations(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = _expected(text)
    from scopelint.analysis import analyze_text

    result = analyze_text(str(path), text)
    got = {(f.line, f.code) for f in result.findings}
    if got != expected:
        lines = text.splitlines()
        report = [f"{path.name}: findings differ from the `# expect:` annotations"]
        for line, code in sorted(expected - got):
            report.append(f"  missing  {line:3d} {code}   | {lines[line - 1].strip()}")
        for f in sorted(result.findings, key=lambda f: (f.line, f.code)):
            if (f.line, f.code) not in expected:
                report.append(f"  extra    {f.line:3d} {f.code}   | {f.message}")
        pytest.fail("\n".join(report), pytrace=False)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_is_well_formed(path: Path) -> None:
    """One-line docstring, known codes only, at most one error TF raises, ok_ means clean."""
    text = path.read_text(encoding="utf-8")
    module = ast.parse(text)
    doc = ast.get_docstring(module)
    assert doc and "\n" not in doc.strip(), f"{path.name}: needs a one-line module docstring"
    notes = annotations(text)
    codes = {c for cs in notes.values() for c in cs}
    assert codes <= KNOWN_CODES, f"{path.name}: unknown codes {codes - KNOWN_CODES}"
    raising = [(line, c) for line, cs in notes.items() for c in cs if c in ERROR_CODES]
    assert len(raising) <= 1, f"{path.name}: more than one TF error annotated: {raising}"
    if path.name.startswith("ok_"):
        assert not notes, f"{path.name}: ok_ fixtures must not expect findings"


def test_enough_fixtures() -> None:
    assert len(FIXTURES) >= 60, f"only {len(FIXTURES)} fixtures"


def test_enough_clean_look_alikes() -> None:
    clean = [p for p in FIXTURES if not annotations(p.read_text(encoding="utf-8"))]
    share = len(clean) / len(FIXTURES)
    assert share >= 0.40, f"only {len(clean)}/{len(FIXTURES)} fixtures ({share:.0%}) are clean"


def test_every_rule_has_a_fixture() -> None:
    seen = set()
    for p in FIXTURES:
        for codes in annotations(p.read_text(encoding="utf-8")).values():
            seen |= codes
    assert KNOWN_CODES <= seen, f"no fixture for {sorted(KNOWN_CODES - seen)}"
