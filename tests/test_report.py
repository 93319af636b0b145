"""Output formats: text, JSON, GitHub annotations and SARIF 2.1.0 (schema-validated)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema

from scopelint.facts import Finding, Related
from scopelint.report import ReportContext, reporter
from scopelint.report.github import data, prop
from scopelint.rules import all_rules

from helpers.sarif import sarif_schema

SOURCE = {
    "pkg/m.py": ["import tensorflow as tf\n", "with tf.name_scope('a'):\n",
                 "\tw = tf.get_variable('v', [1])\n"],
}
DUP = Finding("pkg/m.py", 3, 6, "TFS101", "Variable v already exists",
              (Related(1, 1, "first created here"), Related(2, 5, "called again here")))
WARN = Finding("pkg/m.py", 3, 6, "TFS201", "get_variable ignores name_scope 'a'")
SYNTAX = Finding("pkg/b.py", 1, 7, "TFS001", "syntax error: invalid syntax")
PY2 = Finding("pkg/c.py", 2, 1, "TFS003", "Python 2 file")


def ctx(**options: bool) -> ReportContext:
    return ReportContext(lines=lambda path: SOURCE.get(path, []), **options)


def render(fmt: str, findings: list[Finding], **options: bool) -> str:
    return reporter(fmt)(findings, ctx(**options))


def test_text() -> None:
    assert render("text", [SYNTAX, DUP]) == (
        "pkg/b.py:1:7: TFS001 syntax error: invalid syntax\n"
        "pkg/m.py:3:6: TFS101 Variable v already exists\n")


def test_text_show_source_keeps_tabs_under_the_caret() -> None:
    out = render("text", [WARN], show_source=True)
    assert out.splitlines()[1:] == ["\tw = tf.get_variable('v', [1])", "\t    ^"]
    assert "\033[" not in out
    coloured = render("text", [WARN, SYNTAX], show_source=True, color=True)
    assert "\033[31m" in coloured
    assert coloured.count("\n") == 4  # no source line for an unreadable file


def test_json() -> None:
    rows = json.loads(render("json", [DUP, SYNTAX]))
    assert rows[0] == {"path": "pkg/m.py", "line": 3, "col": 6, "code": "TFS101",
                       "message": "Variable v already exists",
                       "related": [{"path": "pkg/m.py", "line": 1, "col": 1,
                                    "message": "first created here"},
                                   {"path": "pkg/m.py", "line": 2, "col": 5,
                                    "message": "called again here"}]}
    assert "related" not in rows[1]
    assert json.loads(render("json", [])) == []


def test_github_annotations_escape_like_the_actions_toolkit() -> None:
    assert data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert prop("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    odd = Finding("dir,x/a:b.py", 2, 3, "TFS203", "50% of 'w'\nsecond line")
    assert render("github", [odd, DUP]) == (
        "::warning file=dir%2Cx/a%3Ab.py,line=2,col=3,title=TFS203::50%25 of 'w'%0Asecond line\n"
        "::error file=pkg/m.py,line=3,col=6,title=TFS101::Variable v already exists\n")


def sarif(findings: list[Finding]) -> dict:
    return json.loads(render("sarif", findings))


def test_sarif_is_valid_against_the_2_1_0_schema() -> None:
    schema = sarif_schema()
    validator = jsonschema.Draft4Validator(schema)
    for findings in ([], [DUP, WARN, SYNTAX, PY2]):
        validator.validate(sarif(findings))
    broken = sarif([DUP])
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(broken)


def test_sarif_has_what_github_code_scanning_reads() -> None:
    log = sarif([DUP, WARN, SYNTAX])
    assert log["version"] == "2.1.0" and log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "scopelint"
    assert driver["version"]
    assert "informationUri" not in driver  # no public page to point at yet
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(all_rules())
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"] and "helpUri" not in rule
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning") and result["message"]["text"]
        assert len(result["partialFingerprints"]) == 1
        (loc,) = result["locations"]
        physical = loc["physicalLocation"]
        assert not os.path.isabs(physical["artifactLocation"]["uri"])
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    dup = run["results"][0]
    assert dup["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/m.py"
    assert dup["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 6}
    related = dup["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert related[1]["message"]["text"] == "called again here"
    assert related[1]["physicalLocation"]["region"] == {"startLine": 2, "startColumn": 5}
    assert "relatedLocations" not in run["results"][1]


def test_sarif_uri_relative_to_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    finding = Finding(str(tmp_path / "src" / "my file.py"), 1, 1, "TFS001", "x")
    uri = sarif([finding])["runs"][0]["results"][0]["locations"][0]
    assert uri["physicalLocation"]["artifactLocation"]["uri"] == "src/my%20file.py"


def fingerprints(lines: list[str], findings: list[Finding]) -> list[str]:
    context = ReportContext(lines=lambda path: lines)
    log = json.loads(reporter("sarif")(findings, context))
    return [r["partialFingerprints"]["scopelint/v1"] for r in log["runs"][0]["results"]]


def test_fingerprints_survive_moved_lines_and_tell_repeats_apart() -> None:
    lines = ["a = 1\n", "w = tf.get_variable('w', [1])\n", "w = tf.get_variable('w', [1])\n"]
    found = [Finding("m.py", 2, 5, "TFS101", "m"), Finding("m.py", 3, 5, "TFS101", "m")]
    before = fingerprints(lines, found)
    moved = [Finding("m.py", 3, 5, "TFS101", "m"), Finding("m.py", 4, 5, "TFS101", "m")]
    assert fingerprints(["\n", *lines], moved) == before
    assert len(set(before)) == 2


def test_python2_note_is_a_sarif_note_and_a_github_notice() -> None:
    assert [r["level"] for r in sarif([PY2])["runs"][0]["results"]] == ["note"]
    assert render("github", [PY2]).startswith("::notice file=pkg/c.py,line=2,col=1,")
