"""The `scopelint` command: subcommands, options, output and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scopelint import __version__, runner
from scopelint.analysis import FileResult
from scopelint.cli import main
from scopelint.facts import Finding, Location, ModuleFacts, Outcome, Related, Reuse, VariableFact
from scopelint.rules import all_rules

REPO = Path(__file__).resolve().parents[1]
NAME_SCOPE = ('import tensorflow as tf\n\nwith tf.name_scope("a"):\n'
              '    w = tf.get_variable("v", [1])\n')
BROKEN = 'x = = 1\n'
CLEAN = "import tensorflow as tf\n\nx = tf.Variable(1.0, name='x')\n"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory, made the working directory, with one file per kind of finding."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    (tmp_path / "a_scope.py").write_text(NAME_SCOPE)
    (tmp_path / "b_broken.py").write_text(BROKEN)
    (tmp_path / "c_binary.py").write_bytes(b"\x00\x01binary")
    (tmp_path / "d_clean.py").write_text(CLEAN)
    return tmp_path


def check(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    status = main(["check", "--no-cache", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return status, out, err


def parsed(out: str) -> list[tuple[str, int, str]]:
    """(path, line, code) of each text line."""
    rows = []
    for line in out.splitlines():
        path, number, _col, rest = line.split(":", 3)
        rows.append((os.path.normpath(path), int(number), rest.split()[0]))
    return rows


def test_text_output_sorted_with_exit_1(project: Path, capsys) -> None:
    status, out, err = check(capsys, ".")
    assert status == 1
    assert parsed(out) == [("a_scope.py", 4, "TFS201"), ("b_broken.py", 1, "TFS001"),
                           ("c_binary.py", 1, "TFS002")]
    assert re.fullmatch(r"Found 3 findings in 3 files \(4 checked, 0 skipped, 0 cached\) "
                        r"in \d+\.\d\d s\n", err)


def test_clean_file_exit_0(project: Path, capsys) -> None:
    status, out, err = check(capsys, "d_clean.py")
    assert (status, out) == (0, "")
    assert re.fullmatch(r"No findings \(1 file checked, 0 skipped, 0 cached\) in \S+ s\n", err)


def test_quiet_prints_no_summary(project: Path, capsys) -> None:
    assert check(capsys, "--quiet", "b_broken.py")[2] == ""
    assert check(capsys, "-q", "d_clean.py") == (0, "", "")


@pytest.mark.parametrize("form", ["json", "sarif", "github"])
def test_machine_formats_keep_stdout_clean(project: Path, capsys, form: str) -> None:
    status, out, err = check(capsys, "--format", form, "--statistics", ".")
    assert status == 1 and "Found 3 findings" not in out and "TFS001 the file" not in out
    assert "1     TFS001 the file parses neither as Python 3 nor as Python 2" in err
    assert err.splitlines()[-1].startswith("Found 3 findings in 3 files")
    if form != "github":
        json.loads(out)


def test_exit_zero(project: Path, capsys) -> None:
    status, out, _ = check(capsys, "--exit-zero", "b_broken.py")
    assert status == 0 and "TFS001" in out


def test_json_output(project: Path, capsys) -> None:
    status, out, _ = check(capsys, "--format", "json", "b_broken.py", "c_binary.py")
    rows = json.loads(out)
    assert status == 1
    assert [(os.path.normpath(r["path"]), r["line"], r["code"]) for r in rows] == [
        ("b_broken.py", 1, "TFS001"), ("c_binary.py", 1, "TFS002")]
    assert set(rows[0]) == {"path", "line", "col", "code", "message"}


@pytest.mark.parametrize(("options", "codes"), [
    (["--select", "TFS0"], ["TFS001", "TFS002"]),
    (["--select", "TFS001,TFS2"], ["TFS201", "TFS001"]),
    (["--ignore", "TFS00"], ["TFS201"]),
    (["--ignore", "TFS0", "--extend-select", "TFS002"], ["TFS201", "TFS002"]),
    (["--extend-ignore", "TFS001", "--extend-ignore", "TFS002"], ["TFS201"]),
    (["--select", "TFS1", "--select", "TFS2"], ["TFS201"]),  # the last --select wins
])
def test_select_and_ignore(project: Path, capsys, options: list[str], codes: list[str]) -> None:
    _, out, _ = check(capsys, *options, ".")
    assert [code for _, _, code in parsed(out)] == codes


def test_noqa(project: Path, capsys) -> None:
    (project / "e.py").write_text(NAME_SCOPE.replace('[1])', '[1])  # noqa: TFS201'))
    (project / "f.py").write_text('x = = 1  # noqa\n')
    (project / "g.py").write_text('x = = 1  # noqa: TFS2\n')
    _, out, _ = check(capsys, "e.py", "f.py", "g.py")
    assert parsed(out) == [("g.py", 1, "TFS001")]


def test_statistics(project: Path, capsys) -> None:
    _, out, err = check(capsys, "--statistics", "--ignore", "TFS002", ".")
    counts = out.splitlines()[2:]
    assert [line.split()[:2] for line in counts] == [["1", "TFS001"], ["1", "TFS201"]]
    assert err.startswith("Found 2 findings in 2 files (4 checked")
    _, out, err = check(capsys, "--statistics", "--format", "json", "b_broken.py")
    assert len(json.loads(out)) == 1 and err.split()[:2] == ["1", "TFS001"]


def test_show_source_colour_only_on_a_tty(project: Path, capsys, monkeypatch) -> None:
    (project / "h.py").write_text('x = 1\ny = = 1\n')
    _, out, _ = check(capsys, "--show-source", "h.py")
    first, source, caret = out.splitlines()
    assert source == 'y = = 1' and caret == " " * (int(first.split(":")[2]) - 1) + "^"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, out, _ = check(capsys, "--show-source", "h.py")
    assert "\033[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = check(capsys, "--show-source", "h.py")
    assert "\033[" not in out


@pytest.mark.parametrize("args", [
    ["check", "--format", "xml"], ["check", "--jobs", "-1"], ["check", "--jobs", "many"],
    ["check", "--bogus"], [], ["frobnicate"], ["explain"],
])
def test_usage_errors_exit_2(project: Path, capsys, args: list[str]) -> None:
    assert main(args) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["missing.py"], "scopelint: error: missing.py: no such file or directory\n"),
    (["--select", "TFS9", "."], "scopelint: error: --select: unknown code 'TFS9'"),
    (["--ignore", "E501", "."], "scopelint: error: --ignore: unknown code 'E501'"),
    (["--config", "nope.toml", "."], "scopelint: error: --config: no such file: nope.toml\n"),
])
def test_bad_paths_and_codes_exit_2(project: Path, capsys, args: list[str], message: str) -> None:
    status, out, err = check(capsys, *args)
    assert (status, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1


def test_config_file_and_overrides(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.scopelint]\nignore = ["TFS0"]\n[tool.scopelint.per-file-ignores]\n'
        '"a_*.py" = ["TFS201"]\n')
    assert check(capsys, ".")[:2] == (0, "")
    _, out, _ = check(capsys, "--ignore", "TFS002", ".")
    assert [code for _, _, code in parsed(out)] == ["TFS001"]


def test_config_exclude(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text('[tool.scopelint]\nexclude = ["b_*.py", "c_*"]\n')
    _, out, _ = check(capsys, ".")
    assert parsed(out) == [("a_scope.py", 4, "TFS201")]


def test_named_excluded_file_is_checked_unless_force_exclude(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text('[tool.scopelint]\nextend-exclude = ["b_*.py"]\n')
    assert parsed(check(capsys, "b_broken.py")[1]) == [("b_broken.py", 1, "TFS001")]
    status, out, err = check(capsys, "--force-exclude", "b_broken.py")
    assert (status, out) == (0, "") and err.startswith("No findings (0 files checked")


def test_bad_config_exit_2(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text('[tool.scopelint]\nselekt = ["TFS1"]\n')
    status, out, err = check(capsys, ".")
    assert (status, out) == (2, "")
    assert "pyproject.toml" in err and "'selekt'" in err and err.count("\n") == 1


def fake_run(results: list[FileResult]):
    def run(paths, settings, *, jobs, use_cache, want_facts, progress):
        return runner.RunResult(results, skipped=0, cached=0, seconds=0.0)
    return run


def test_related_locations_in_json(project: Path, capsys, monkeypatch) -> None:
    finding = Finding("m.py", 5, 3, "TFS101", "Variable d/w already exists",
                      (Related(9, 1, "second call of discriminator() here"),))
    monkeypatch.setattr(runner, "run", fake_run([FileResult("m.py", [finding])]))
    _, out, _ = check(capsys, "--format", "json", ".")
    assert json.loads(out)[0]["related"] == [
        {"path": "m.py", "line": 9, "col": 1, "message": "second call of discriminator() here"}]


def variable(line: int, name, outcome: Outcome, pattern: str = "") -> VariableFact:
    return VariableFact(Location(line, 5), "get_variable", name, pattern or name, outcome,
                        Reuse.AUTO)


def test_names_rows_from_the_facts(project: Path, capsys, monkeypatch) -> None:
    facts = ModuleFacts(variables=[
        variable(3, "r/w:0", Outcome.CREATE), variable(3, "r/w:0", Outcome.REUSE),
        variable(7, None, Outcome.UNKNOWN, "…/w:0")])
    results = [FileResult("m.py", [], facts),
               FileResult("bad.py", [Finding("bad.py", 1, 7, "TFS001", "syntax error")])]
    monkeypatch.setattr(runner, "run", fake_run(results))
    assert main(["names", "."]) == 1  # bad.py could not be analysed
    out, err = capsys.readouterr()
    assert out == ("m.py:3:5: get_variable r/w:0\nm.py:3:5: get_variable r/w:0 (reused)\n"
                   "m.py:7:5: get_variable …/w:0 (maybe reused)\n")
    assert err == "bad.py:1:7: TFS001 syntax error\n"
    assert main(["names", "--format", "json", "."]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[1] == {"path": "m.py", "line": 3, "col": 5, "api": "get_variable",
                       "name": "r/w:0", "pattern": "r/w:0", "shape": None, "dtype": None,
                       "reused": True, "status": None, "stack": [], "cause": None}
    assert rows[2]["name"] is None and rows[2]["reused"] is None


def test_uncertain_names_say_why(tmp_path: Path, capsys) -> None:
    (tmp_path / "m.py").write_text(
        "import tensorflow.compat.v1 as tf\n"
        "import model_lib\n"
        "model_lib.setup()\n"
        "with tf.variable_scope('a'):\n"
        "    v = tf.get_variable('v', [1])\n", encoding="utf-8")
    path = str(tmp_path / "m.py")
    assert main(["names", "--no-cache", "-v", path]) == 0
    out, err = capsys.readouterr()
    assert out.endswith(f"a/v…:0 [1] float32 (maybe reused) [uncertain since {path}:3: call of "
                        "`model_lib.setup`]\n")
    assert f"{path}: calls that may have changed the TF state:\n" in err
    assert main(["names", "--no-cache", "--format", "json", path]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["cause"] == f"{path}:3: call of `model_lib.setup`"


def test_names_mark_where_tf_raises(tmp_path: Path, capsys) -> None:
    (tmp_path / "m.py").write_text(
        "import tensorflow.compat.v1 as tf\n"
        "with tf.variable_scope('a'):\n"
        "    v = tf.get_variable('v', [1])\n"
        "with tf.variable_scope('a'):\n"
        "    v = tf.get_variable('v', [1])\n"
        "    u = tf.get_variable('u', [1])\n", encoding="utf-8")
    assert main(["names", "--no-cache", str(tmp_path / "m.py")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1] for line in out] == [
        "get_variable a/v:0 [1] float32", "get_variable a/v:0 [1] float32 (raises)",
        "get_variable a/u:0 [1] float32 (after error)"]


def test_names_show_shapes_and_dtypes(tmp_path: Path, capsys) -> None:
    """Shapes follow the input through ops; `null` in JSON, `?` in text, when unknown."""
    (tmp_path / "m.py").write_text(
        "import tensorflow.compat.v1 as tf\n"
        "x = tf.placeholder(tf.float32, [None, 28, 28])\n"
        "h = tf.layers.dense(tf.reshape(x, [-1, 784]), 64)\n"
        "n = tf.Variable(0, name='n')\n"
        "u = tf.get_variable('u', unknown_shape, tf.float16)\n", encoding="utf-8")
    assert main(["names", "--no-cache", str(tmp_path / "m.py")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1] for line in out] == [
        "layers.dense dense/kernel:0 [784, 64] float32", "layers.dense dense/bias:0 [64] float32",
        "Variable n:0 [] int32", "get_variable u:0 ? float16"]
    assert main(["names", "--no-cache", "--format", "json", str(tmp_path / "m.py")]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["shape"], r["dtype"]) for r in rows] == [
        ([784, 64], "float32"), ([64], "float32"), ([], "int32"), (None, "float16")]


def test_names_on_real_code(project: Path, capsys) -> None:
    assert main(["names", "--no-cache", "--format", "json", "a_scope.py"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["line"], r["api"], r["name"], r["reused"]) for r in rows] == [
        (4, "get_variable", "v:0", False)]


def test_internal_error_is_one_line(project: Path, capsys, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(runner, "run", broken)
    status, out, err = check(capsys, ".")
    assert (status, out) == (2, "")
    assert err == "scopelint: internal error: RuntimeError: boom\n"


@pytest.mark.parametrize("rule", ["TFS201", "tfs201", "get-variable-under-name-scope",
                                  "Get-Variable-Under-Name-Scope"])
def test_explain_by_code_or_name(capsys, rule: str) -> None:
    assert main(["explain", rule]) == 0
    assert capsys.readouterr().out == all_rules()["TFS201"].doc()


@pytest.mark.parametrize(("rule", "hint"), [
    ("TFS999", ""), ("duplicate-variables", " (did you mean 'duplicate-variable'?)"),
    ("dup", " (did you mean 'duplicate-variable'?)"),
    ("rnn", " (did you mean 'shared-rnn-cell'?)")])
def test_explain_unknown_rule(capsys, rule: str, hint: str) -> None:
    assert main(["explain", rule]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scopelint: error: unknown rule {rule!r}{hint} (known: TFS000")


def test_codes_in_any_case(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.scopelint]\nselect = ["tfs0", "Tfs201"]\nignore = ["tfs002"]\n'
        '[tool.scopelint.per-file-ignores]\n"b_*.py" = ["tfs001"]\n')
    assert [code for _, _, code in parsed(check(capsys, ".")[1])] == ["TFS201"]
    _, out, _ = check(capsys, "--select", "tfs00", "--ignore", "tfS2", ".")
    assert [code for _, _, code in parsed(out)] == ["TFS002"]


def test_rules(capsys) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(all_rules())
    assert main(["rules", "--format", "markdown"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| Code | Name | Summary |" and len(table) == len(all_rules()) + 2


def test_version(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"scopelint {__version__}\n"


def test_python_dash_m(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "scopelint", "check", "--no-cache", "."],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1 and done.stderr.startswith("Found 3 findings in 3 files")
    assert [code for _, _, code in parsed(done.stdout)] == ["TFS201", "TFS001", "TFS002"]
    done = subprocess.run([sys.executable, "-m", "scopelint", "check", "--format"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_command_output_is_whole_and_a_closed_pipe_is_quiet() -> None:
    """`run` exits without the interpreter's teardown: the output is flushed first, and a
    reader that goes away early (`| head -1`) gets no traceback."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scopelint", "names", "--format", "json", "--no-cache",
               str(REPO / "fixtures" / "projects")]
    whole = subprocess.run(command, capture_output=True, env=env, check=True).stdout
    assert len(whole) > 65536 and json.loads(whole)
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0 and proc.stderr.read() == b""


@pytest.mark.parametrize("command", ["check", "names"])
def test_no_python_files_is_said_on_stderr(tmp_path: Path, capsys, command: str) -> None:
    (tmp_path / "notes.txt").write_text("nothing to check\n")
    assert main([command, "--no-cache", "-q", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == (
        f"scopelint: warning: no Python files or notebooks found under {tmp_path}\n")


def test_names_exits_as_check_does_on_a_file_it_cannot_parse(project: Path, capsys) -> None:
    assert main(["names", "--no-cache", "b_broken.py", "a_scope.py"]) == 1
    out, err = capsys.readouterr()
    assert out == "a_scope.py:4:9: get_variable v:0 [1] float32\n"
    assert err.startswith("b_broken.py:1:5: TFS001 syntax error")
