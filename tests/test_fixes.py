"""Fixes without TensorFlow: the fixture pairs, idempotence, bytes kept, noqa, passes, CLI.

fixtures/fixed/X.py is what `scopelint check --fix --unsafe-fixes` makes of fixtures/X.py
(byte for byte, so it keeps X's `# expect:` comments); a fixture no fix changes has no
pair. tests/test_fix_oracle.py runs the pairs under real TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from helpers.oracle import FIXTURES, fixture_files
from helpers.programs import PROGRAMS, mutated_fixtures
from helpers.sarif import sarif_schema

from scopelint.cli import main
from scopelint.facts import Finding
from scopelint.fixes import SAFE, UNSAFE, Edit, Fix, Position
from scopelint.fixes.apply import choose, fix_text, splice, with_fixes
from scopelint.rules import all_rules, fixers

FIXERS = fixers()


def keep_all(findings, text):
    return list(findings)


def fixed(path: Path, text: str, unsafe: bool = True):
    return fix_text(str(path), text, keep_all, unsafe=unsafe)


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_pair_is_the_fix_output_and_fixing_again_changes_nothing(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = fixed(path, text)
    pair = FIXTURES / "fixed" / path.name
    if result.text != text:
        assert pair.exists(), f"{path.name}: fixed by --fix but has no fixtures/fixed/ pair"
        assert pair.read_text(encoding="utf-8") == result.text, path.name
    else:
        assert not pair.exists(), f"{path.name}: no fix applies, yet it has a pair"
    again = fixed(path, result.text)
    assert again.fixed == 0 and again.text == result.text, path.name


def test_no_fixer_raises_on_any_fixture() -> None:
    """`apply` hides a fixer's exception (the finding stays, unfixed): none may happen here."""
    import libcst as cst

    from scopelint.analysis import analyze_text
    from scopelint.fixes.context import FixContext

    for path in fixture_files():
        text = path.read_text(encoding="utf-8")
        result = analyze_text(str(path), text)
        ctx = FixContext(text, cst.parse_module(text), result.facts)
        for finding in result.findings:
            if finding.code in FIXERS:
                FIXERS[finding.code](finding, ctx)


def test_every_fixer_and_both_applicabilities_have_a_pair() -> None:
    seen = set()
    for pair in sorted((FIXTURES / "fixed").glob("*.py")):
        path = FIXTURES / pair.name
        text = path.read_text(encoding="utf-8")
        seen |= {(f.code, f.fix.applicability) for f in with_fixes(str(path), text, _all(path))
                 if f.fix}
    assert {code for code, _ in seen} == set(FIXERS)
    assert ("TFS101", SAFE) in seen and ("TFS101", UNSAFE) in seen


def test_each_rule_doc_says_its_fix_kind() -> None:
    rules = all_rules()
    assert {code for code, rule in rules.items() if rule.autofix} == set(FIXERS)
    for code in FIXERS:
        assert rules[code].autofix.startswith(("Safe", "Unsafe")), code
        assert f"## Fix\n{rules[code].autofix}\n" in rules[code].doc()
    assert "## Fix\nNone: no automatic fix.\n" in rules["TFS204"].doc()


def _all(path: Path) -> list[Finding]:
    from scopelint.analysis import analyze_text

    return analyze_text(str(path), path.read_text(encoding="utf-8")).findings


def test_a_fix_the_engine_refutes_is_not_offered() -> None:
    """get_variable("count") in the reusing scope would fetch a variable that tf.Variable,
    not get_variable, made: TF would raise 'does not exist', and so predicts the engine."""
    import libcst as cst

    from scopelint.analysis import analyze_text
    from scopelint.fixes.context import FixContext
    from scopelint.rules import variable_reuse_fix

    path = FIXTURES / "tfs203_reuse_true.py"
    text = path.read_text(encoding="utf-8")
    result = analyze_text(str(path), text)
    (finding,) = result.findings
    assert variable_reuse_fix.fix(finding, FixContext(text, cst.parse_module(text), result.facts))
    assert with_fixes(str(path), text, [finding])[0].fix is None


def test_safe_only_without_unsafe_fixes() -> None:
    path = FIXTURES / "tfs101_name_scopes_do_not_separate.py"
    text = path.read_text(encoding="utf-8")
    assert fixed(path, text, unsafe=False).text == text


MESSY = ('# -*- coding: utf-8 -*-\r\n"""Ünïcode, CRLF, tabs."""\r\n'
         'import tensorflow.compat.v1 as tf\r\n\r\nx = 1  # keep  me\r\n'
         'with tf.name_scope("né"):  # a comment\r\n'
         '\tw = tf.get_variable("w", [1])\r\n\ty = """\r\n  text\r\n"""\r\n')


def test_every_other_byte_is_kept() -> None:
    result = fixed(Path("messy.py"), MESSY)
    assert result.fixed == 1
    assert result.text == MESSY.replace("tf.name_scope", "tf.variable_scope")


def test_fix_on_a_noqa_line_is_not_applied() -> None:
    text = MESSY.replace("# a comment", "# noqa: TFS201")
    finding = Finding("messy.py", 7, 6, "TFS201", "m")
    with_fix = with_fixes("messy.py", MESSY, [finding])[0]
    assert with_fix.fix is not None
    assert choose([("TFS201", with_fix.fix)], text) == []
    assert choose([("TFS201", with_fix.fix)], MESSY) == [with_fix.fix]


def _fix(start: tuple[int, int], end: tuple[int, int], content: str) -> Fix:
    return Fix("m", (Edit(Position(*start), Position(*end), content),), SAFE)


def test_overlapping_fixes_wait_for_a_later_pass() -> None:
    text = "aaa\nbbb\nccc\n"
    first, inside, after, same = (_fix((1, 1), (3, 1), "A\n"), _fix((2, 1), (2, 2), "B"),
                                  _fix((3, 1), (3, 1), "C"), _fix((1, 1), (3, 1), "A\n"))
    chosen = choose([("X", after), ("X", inside), ("X", first), ("X", same)], text)
    assert chosen == [first, after]
    assert splice(text, [e for fix in chosen for e in fix.edits]) == "A\nCccc\n"


def test_several_fixes_in_one_file_in_passes() -> None:
    path = FIXTURES / "tfs101_name_scopes_do_not_separate.py"
    result = fixed(path, path.read_text(encoding="utf-8"))
    assert result.fixed == 3 and result.remaining == []


@pytest.mark.parametrize(("header", "spelled"), [
    ("import tensorflow as tf", "tf.AUTO_REUSE"),
    ("import tensorflow.compat.v1 as tf", "tf.AUTO_REUSE"),
    ("from tensorflow.compat import v1", "v1.AUTO_REUSE"),
    ("import tensorflow.compat.v1 as tfv1\nfrom tensorflow.compat.v1 import variable_scope as vs",
     "tfv1.AUTO_REUSE"),
    ("import tensorflow\nimport numpy as tf", "tensorflow.AUTO_REUSE"),
    ("from tensorflow.compat.v1 import variable_scope as vs", None),
    ("import tensorflow.compat.v1 as tf\ntf = None", None),
])
def test_root_api_is_spelled_as_the_file_imports_it(header: str, spelled: str) -> None:
    import libcst as cst

    from scopelint.fixes.spelling import tf_api

    assert tf_api(cst.parse_module(header + "\n"), "AUTO_REUSE") == spelled


def test_a_call_keeps_its_own_spelling() -> None:
    import libcst as cst

    from scopelint.fixes.spelling import renamed_callee

    module = cst.parse_module("import tensorflow as tf\nimport numpy as np\n")
    call = cst.parse_expression("tf.compat.v1.name_scope('a')")
    assert isinstance(call, cst.Call)
    renamed = renamed_callee(call, module, "variable_scope")
    assert renamed is not None and module.code_for_node(renamed) == "tf.compat.v1.variable_scope"
    other = cst.parse_expression("np.name_scope('a')")
    assert isinstance(other, cst.Call)
    assert module.code_for_node(renamed_callee(other, module, "variable_scope")) == \
        "tf.variable_scope"


# ----------------------------------------------------------------------------------- CLI

GAN = (FIXTURES / "tfs101_reuse_parameter_not_passed.py").read_text(encoding="utf-8")
SCOPE = (FIXTURES / "tfs201_name_scope.py").read_text(encoding="utf-8")


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gan.py").write_text(GAN, encoding="utf-8")
    (tmp_path / "scope.py").write_text(SCOPE, encoding="utf-8")
    return tmp_path


def check(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["check", "--no-cache", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_fix_writes_safe_fixes_and_reports_what_remains(project: Path, capsys) -> None:
    status, out, err = check(capsys, "--fix", ".")
    assert (project / "gan.py").read_text() == \
        (FIXTURES / "fixed" / "tfs101_reuse_parameter_not_passed.py").read_text()
    assert (project / "scope.py").read_text() == SCOPE  # unsafe: left alone
    assert status == 1 and "gan.py" not in out and "scope.py:5:15: TFS201" in out
    assert "fixed 1 finding in 1 file (1 more with --unsafe-fixes)" in err
    status, out, _ = check(capsys, "--fix", "--unsafe-fixes", ".")
    assert status == 0 and out == ""
    assert (project / "scope.py").read_text() == \
        (FIXTURES / "fixed" / "tfs201_name_scope.py").read_text()


def test_diff_writes_nothing_and_names_the_changed_variables(project: Path, capsys) -> None:
    status, out, err = check(capsys, "--diff", "--unsafe-fixes", ".")
    assert status == 1
    assert (project / "gan.py").read_text() == GAN and (project / "scope.py").read_text() == SCOPE
    assert "--- gan.py\n+++ gan.py\n" in out and "+    fake, reuse=True,\n" in out
    assert '-with tf.name_scope("conv1"):\n+with tf.variable_scope("conv1"):\n' in out
    assert out.endswith("Variable names (checkpoint keys) these fixes change:\n"
                        "  scope.py: - weights\n  scope.py: + conv1/weights\n")
    assert "would fix 2 findings in 2 files" in err


def test_json_and_sarif_carry_the_fix(project: Path, capsys) -> None:
    _, out, _ = check(capsys, "--format", "json", "gan.py")
    (row,) = json.loads(out)
    assert row["fix"] == {"applicability": "safe", "message": "pass reuse=True at the second "
                          "call (line 15)", "edits": [{"content": "    fake, reuse=True,\n",
                                                      "location": {"row": 16, "column": 1},
                                                      "end_location": {"row": 17, "column": 1}}]}
    _, out, _ = check(capsys, "--format", "sarif", "scope.py")
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    (result,) = log["runs"][0]["results"]
    (change,) = result["fixes"][0]["artifactChanges"]
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 4, "startColumn": 1, "endLine": 5, "endColumn": 1},
        "insertedContent": {"text": 'with tf.variable_scope("conv1"):\n'}}]
    assert result["fixes"][0]["properties"] == {"applicability": "unsafe"}


@pytest.mark.slow
@given(st.one_of(PROGRAMS, mutated_fixtures()))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fixes_of_generated_code_raise_nothing_and_settle(source: str) -> None:
    import libcst as cst

    from scopelint.analysis import analyze_text
    from scopelint.fixes.context import FixContext

    result = analyze_text("gen.py", source)
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError:  # Python 2 (analysed as rewritten, never fixed)
        tree = None
    if result.facts is not None and tree is not None:
        ctx = FixContext(source, tree, result.facts)
        for finding in result.findings:
            if finding.code in FIXERS:
                FIXERS[finding.code](finding, ctx)
    once = fixed(Path("gen.py"), source)
    if once.text != source:
        assert all(f.code >= "TFS100" for f in analyze_text("gen.py", once.text).findings)
    again = fixed(Path("gen.py"), once.text)
    assert again.text == once.text


def test_fix_reports_what_modules_importing_a_fixed_one_still_find(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """The DCGAN project: the TFS205 fix in model.py also ends the TFS102 in main.py."""
    import shutil

    shutil.copytree(FIXTURES / "projects" / "tfs205_dcgan_adam", tmp_path / "dcgan")
    monkeypatch.chdir(tmp_path)
    status, out, err = check(capsys, "--fix", "--unsafe-fixes", "dcgan")
    assert "fixed 1 finding in 1 file" in err
    assert (status, out) == (0, "")


def test_fixes_of_one_code_are_confirmed_by_one_engine_run(monkeypatch) -> None:
    """JSON and SARIF carry every finding's fix: the fixes of one code are confirmed together
    (one engine run), not one run each, and each still carries its own edit."""
    import scopelint.fixes.apply as apply

    source = "import tensorflow.compat.v1 as tf\n" + "".join(
        f'with tf.name_scope("n{i}"):\n    v{i} = tf.get_variable("v{i}", [1])\n'
        for i in range(5))
    runs = []
    real = apply.analyze_text
    monkeypatch.setattr(apply, "analyze_text", lambda *a, **k: runs.append(1) or real(*a, **k))
    result = real("m.py", source)
    fixed_ = with_fixes("m.py", source, result.findings, result)
    assert len(runs) == 1 and [f.code for f in fixed_] == ["TFS201"] * 5
    assert len({f.fix.edits for f in fixed_ if f.fix}) == 5
