"""Multi-file fixture projects (fixtures/projects/<name>/) against real TF and scopelint.

A project is ordinary TF1 research code: modules, packages, relative and star
imports, one or two entry scripts marked `# oracle: entry`, each run by the
user in its own process (here: its own fresh graph, see tests/helpers/oracle.py).
`# expect: CODE` marks where scopelint must report, in any file of the project;
`# expect-alone: CODE` marks, in an entry script, the call that leads to a
finding in another file: where `scopelint check <entry>` alone reports it.

(a) each entry run's TF error (file, line, code) is annotated (and, when it is
    in another file, the entry's innermost call on the traceback has the
    `expect-alone`), and every TFS101/102/103 annotation is raised by some run;
(b) `scopelint check <project>` finds exactly the annotations;
(c) `scopelint names <entry>` agrees with what TF created or fetched in that
    run, across modules (see oracle.names_diff);
(d) `scopelint check <entry>` alone finds the entry's own annotations plus its
    `expect-alone` ones;
(e) enough projects, at least half of them clean.
"""

from __future__ import annotations

import ast
import json
import traceback
from pathlib import Path

import pytest

from helpers import oracle
from helpers.oracle import ERROR_CODES, EXPECT_ALONE_RE, KNOWN_CODES, annotations, relative
from scopelint import cli

PROJECTS = oracle.project_dirs()
RUNS = [(d, e) for d in PROJECTS for e in oracle.project_entries(d)]
_TF_RUNS: dict[tuple[Path, Path], oracle.TFRun] = {}


def _run_id(run: tuple[Path, Path]) -> str:
    directory, entry = run
    return f"{directory.name}:{relative(directory, entry)}"


def _tf_run(directory: Path, entry: Path) -> oracle.TFRun:
    if (directory, entry) not in _TF_RUNS:
        _TF_RUNS[directory, entry] = oracle.run_project_under_tf(directory, entry)
    run = _TF_RUNS[directory, entry]
    if run.error is not None and run.error_code is None:
        tb = "".join(traceback.format_exception(run.error))
        pytest.fail(f"{_run_id((directory, entry))} is broken: it raised an error that is not "
                    f"a variable-scope error at {run.error_site}:\n{tb}", pytrace=False)
    return run


def _scopelint(capsys: pytest.CaptureFixture[str], command: str, path: Path) -> list[dict]:
    """The JSON rows of `scopelint <command> --format json --no-cache <path>`, in-process."""
    capsys.readouterr()
    cli.main([command, "--format", "json", "--no-cache", str(path)])
    return json.loads(capsys.readouterr().out)


def _report(title: str, expected: set, got: set) -> str:
    lines = [title]
    lines += [f"  missing  {item}" for item in sorted(expected - got)]
    lines += [f"  extra    {item}" for item in sorted(got - expected)]
    return "\n".join(lines)


# ------------------------------------------------------------------ (a) TF


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_tf_error_is_annotated(tf, run: tuple[Path, Path]) -> None:
    directory, entry = run
    result = _tf_run(directory, entry)
    if result.error is None:
        return
    raised = (*result.error_site, result.error_code)
    assert raised in (oracle.project_annotations(directory)
                      | oracle.project_annotations(directory, oracle.RAISES_RE)), (
        f"{_run_id(run)}: TF raised {raised} ({result.error_text}), not annotated\n"
        f"what TF did:\n{oracle.tf_table(result)}")
    entry_path = relative(directory, entry)
    if result.error_site[0] != entry_path:  # the entry's innermost call that leads there
        call = [site for site in result.error_stack if site[0] == entry_path][-1]
        alone = oracle.project_annotations(directory, EXPECT_ALONE_RE)
        assert (*call, result.error_code) in alone, (
            f"{_run_id(run)}: TF raised {raised} through {entry_path}:{call[1]}, which has "
            f"no `# expect-alone: {result.error_code}`")


@pytest.mark.parametrize("directory", PROJECTS, ids=lambda d: d.name)
def test_every_error_annotation_is_raised(tf, directory: Path) -> None:
    annotated = {a for a in oracle.project_annotations(directory) if a[2] in ERROR_CODES}
    raised = set()
    for entry in oracle.project_entries(directory):
        result = _tf_run(directory, entry)
        if result.error is not None:
            raised.add((*result.error_site, result.error_code))
    assert annotated <= raised, _report(f"{directory.name}: annotated TF errors no entry raises",
                                        annotated, raised & annotated)


# ------------------------------------------------------------ (b) scopelint


@pytest.mark.parametrize("directory", PROJECTS, ids=lambda d: d.name)
def test_findings_match_annotations(capsys: pytest.CaptureFixture[str], directory: Path) -> None:
    rows = _scopelint(capsys, "check", directory)
    got = {(relative(directory, r["path"]), r["line"], r["code"]) for r in rows}
    expected = oracle.project_annotations(directory)
    assert got == expected, _report(
        f"{directory.name}: `scopelint check` differs from the `# expect:` annotations",
        expected, got)


# ------------------------------------------------------------- (c) names


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_names_match_tf(tf, capsys: pytest.CaptureFixture[str], run: tuple[Path, Path]) -> None:
    directory, entry = run
    result = _tf_run(directory, entry)
    rows = _scopelint(capsys, "names", entry)
    predicted = [oracle.Row(relative(directory, r["path"]), r["line"], r["name"], r["api"])
                 for r in rows]
    diff = oracle.names_diff(result, predicted)
    if diff is not None:
        pytest.fail(f"{_run_id(run)}: scopelint's names differ from what TF did\n"
                    f"--- diff (file:line, name); - tensorflow, + scopelint\n{diff}\n"
                    f"--- what TF did\n{oracle.tf_table(result)}", pytrace=False)


# ----------------------------------------------------- (d) the entry alone


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_entry_checked_alone(capsys: pytest.CaptureFixture[str], run: tuple[Path, Path]) -> None:
    """What pre-commit and flake8 see: only the entry file is checked; findings in the
    modules it imports are reported at the entry's call that leads there."""
    directory, entry = run
    text = entry.read_text(encoding="utf-8")
    expected = {(line, code) for pattern in (oracle.EXPECT_RE, EXPECT_ALONE_RE)
                for line, codes in annotations(text, pattern).items() for code in codes}
    got = {(r["line"], r["code"]) for r in _scopelint(capsys, "check", entry)}
    assert got == expected, _report(
        f"{_run_id(run)}: `scopelint check {relative(directory, entry)}` differs from its "
        "`# expect:` and `# expect-alone:` annotations", expected, got)


# ------------------------------------------------------- the fixtures


@pytest.mark.parametrize("directory", PROJECTS, ids=lambda d: d.name)
def test_project_is_well_formed(directory: Path) -> None:
    """Docstrings, known codes, an entry, ok_ means clean, the name says the bug, and every
    finding outside the entries has its `expect-alone` call in an entry."""
    entries = oracle.project_entries(directory)
    assert entries, f"{directory.name}: no `# oracle: entry` script"
    for path in oracle.project_files(directory):
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text))
        assert doc and "\n" not in doc.strip(), f"{path}: needs a one-line module docstring"
        if path not in entries:
            assert not annotations(text, EXPECT_ALONE_RE), f"{path}: expect-alone outside an entry"
    notes = oracle.project_annotations(directory)
    alone = oracle.project_annotations(directory, EXPECT_ALONE_RE)
    codes = {code for *_, code in notes | alone}
    assert codes <= KNOWN_CODES, f"{directory.name}: unknown codes {codes - KNOWN_CODES}"
    if directory.name.startswith("ok_"):
        assert not codes, f"{directory.name}: ok_ projects must not expect findings"
        return
    prefix = directory.name.split("_")[0].upper()
    assert prefix in codes, f"{directory.name}: named after {prefix}, which it does not expect"
    entry_paths = {relative(directory, e) for e in entries}
    elsewhere = {code for path, _, code in notes if path not in entry_paths}
    assert elsewhere <= {code for *_, code in alone}, (
        f"{directory.name}: findings in imported modules without an expect-alone call site")


def test_enough_projects() -> None:
    clean = [d for d in PROJECTS if d.name.startswith("ok_")]
    assert len(PROJECTS) >= 26, f"only {len(PROJECTS)} projects"
    assert len(clean) * 2 >= len(PROJECTS), f"only {len(clean)}/{len(PROJECTS)} projects are clean"


# ------------------------------------------------------------ the harness itself

HARNESS_PROJECT = {
    "pkg/__init__.py": '"""Package."""\nfrom .layers import dense\n',
    "pkg/layers.py": '''\
"""A helper and a module-level variable, created at import."""
import tensorflow as tf

counter = tf.Variable(0, name="counter")


def dense(x, name):
    with tf.variable_scope(name):
        return tf.matmul(x, tf.get_variable("w", [2, 2]))
''',
    "train.py": '''\
"""Entry run through tf.app.run."""
import tensorflow as tf

from pkg import dense


def main(_):
    x = tf.placeholder(tf.float32, [None, 2])
    dense(x, "a")
    dense(x, "a")


# oracle: entry
tf.app.run(main)
''',
}


def test_harness_follows_the_program_across_files(tf, tmp_path: Path) -> None:
    """Rows and the error are located in the module that makes them; `import tensorflow`
    in a module gives compat.v1; tf.app.run works; every run imports the modules afresh."""
    for name, text in HARNESS_PROJECT.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    for _ in range(2):
        run = oracle.run_project_under_tf(tmp_path, tmp_path / "train.py")
        assert [(r.path, r.line, r.how, r.name) for r in run.rows] == [
            ("pkg/layers.py", 4, "Variable", "counter:0"),
            ("pkg/layers.py", 9, "get_variable", "a/w:0"),
        ], oracle.tf_table(run)
        assert (run.error_site, run.error_code) == (("pkg/layers.py", 9), "TFS101"), run.error_text
    assert oracle.project_entries(tmp_path) == [tmp_path / "train.py"]


def test_harness_estimator_stand_in(tf, tmp_path: Path) -> None:
    """Estimator.train: a fresh graph with the global step, then input_fn and model_fn
    with the arguments their signatures take."""
    (tmp_path / "train.py").write_text('''\
"""Estimator entry."""
import tensorflow as tf


def input_fn(params):
    return {"x": tf.zeros([1, params["n"]])}, None


def model_fn(features, mode):
    assert mode == tf.estimator.ModeKeys.TRAIN and tf.train.get_global_step() is not None
    tf.get_variable("w", [features["x"].shape[1]])
    return tf.estimator.EstimatorSpec(mode, loss=tf.constant(0.0))


# oracle: entry
tf.estimator.Estimator(model_fn=model_fn, params={"n": 3}).train(input_fn, max_steps=1)
''', encoding="utf-8")
    run = oracle.run_project_under_tf(tmp_path, tmp_path / "train.py")
    assert run.error is None, run.error_text
    assert [(r.path, r.line, r.name) for r in run.rows] == [
        ("train.py", 16, "global_step:0"), ("train.py", 11, "w:0")]


def _rows(*rows: tuple[str, int, str | None]) -> list[oracle.Row]:
    return [oracle.Row(path, line, name, "") for path, line, name in rows]


def test_names_diff_stops_at_the_statement_that_raises() -> None:
    """scopelint goes on past the failing request; TF stops inside that statement."""
    run = oracle.TFRun("train.py", rows=_rows(("m.py", 7, "d/k"), ("m.py", 7, "d/b")),
                       error_site=("m.py", 7))
    second_call = _rows(("m.py", 7, "d/k"), ("m.py", 7, "d/b"), ("m.py", 7, "d/k"),
                        ("m.py", 7, "d/b"), ("train.py", 9, "after"))
    assert oracle.names_diff(run, second_call) is None
    assert oracle.names_diff(run, second_call[:2]) is not None  # nothing at the raising site
    run = oracle.TFRun("train.py", rows=_rows(("m.py", 3, "w"), ("t.py", 9, "beta1_power")),
                       error_site=("t.py", 9))
    adam = _rows(("m.py", 3, "w"), ("t.py", 9, None), ("t.py", 9, "beta1_power"))
    assert oracle.names_diff(run, adam) is None
    assert oracle.names_diff(run, [*_rows(("m.py", 3, "v")), *adam[1:]]) is not None


def test_names_diff_without_error_is_exact() -> None:
    run = oracle.TFRun("t.py", rows=_rows(("m.py", 3, "a"), ("m.py", 3, "b"), ("t.py", 5, "c")))
    same = _rows(("m.py", 3, "b"), ("m.py", 3, "a"), ("t.py", 5, "c"))
    assert oracle.names_diff(run, same) is None
    assert oracle.names_diff(run, same[:2]) is not None
    assert oracle.names_diff(run, _rows(("m.py", 3, None), ("t.py", 5, "c"))) is None  # unknown
