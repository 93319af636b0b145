"""scopelint against the annotations in fixtures/*.py, fixtures/python2/*.py and
fixtures/notebooks/*.ipynb (whose lines are those of the code cells joined in order).

Each fixture marks every line scopelint must report with `# expect: TFS101`
(or several codes, `# expect: TFS201, TFS101`); every other line must stay
silent. The set of (line, code) findings must equal the set of annotations.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from helpers.oracle import (
    ERROR_CODES, KNOWN_CODES, annotations, fixture_files, fixture_text, notebook_files,
    python2_files, python2_twin,
)

FIXTURES = fixture_files()
NOTEBOOKS = notebook_files()
PYTHON2 = python2_files()


def _expected(text: str) -> set[tuple[int, str]]:
    return {(line, code) for line, codes in annotations(text).items() for code in codes}


@pytest.mark.parametrize("path", FIXTURES + NOTEBOOKS + PYTHON2, ids=lambda p: p.name)
def test_findings_match_annotations(path: Path) -> None:
    text = fixture_text(path)
    expected = _expected(text)
    from scopelint.analysis import analyze_bytes

    result = analyze_bytes(str(path), path.read_bytes())
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_fixture_is_well_formed(path: Path) -> None:
    """A markdown title first, markdown between code cells, IPython syntax, ok_ means clean."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    kinds = [cell["cell_type"] for cell in cells]
    assert kinds[0] == "markdown" and "".join(cells[0]["source"]).count("\n") == 1, path.name
    assert any(a == b == "code" or (a, b) == ("code", "markdown") for a, b in zip(kinds, kinds[1:]))
    code = "".join(line for cell in cells if cell["cell_type"] == "code" for line in cell["source"])
    assert any(line.lstrip().startswith(("%", "!")) for line in code.splitlines()), path.name
    notes = annotations(fixture_text(path))
    assert {c for cs in notes.values() for c in cs} <= KNOWN_CODES
    assert bool(notes) != path.name.startswith("ok_"), path.name


@pytest.mark.parametrize("path", PYTHON2, ids=lambda p: p.name)
def test_python2_fixture_is_well_formed(path: Path) -> None:
    """CPython rejects it, one TFS003 annotation, and a Python 3 twin exists."""
    text = path.read_text(encoding="utf-8")
    with pytest.raises(SyntaxError):
        ast.parse(text)
    notes = annotations(text)
    assert sum("TFS003" in codes for codes in notes.values()) == 1, path.name
    assert python2_twin(path).is_file(), f"{path.name}: no {python2_twin(path).name}"
