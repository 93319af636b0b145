"""The oracle: every fixture runs under real TensorFlow (TF1 semantics).

For each fixture, in one process and a fresh graph each (see tests/helpers/oracle.py
for how variables are recorded):

(a) the TF error (if any) is at the single TFS101/TFS102/TFS103 annotation and
    of that kind, and no such annotation exists without an error;
(b) the names scopelint predicts (facts.variables with a known name, up to the
    first request it predicts fails; facts from branches TF did not take, whose
    line or a call leading to them never ran, left out) equal, in order, what TF
    created or fetched, line by line (TF rows at lines where every fact of scopelint is
    unknown are dropped; at lines where only some are unknown, TF rows with
    names scopelint does not predict there are dropped; inside one statement's
    consecutive rows order is free). A fixture marked `# oracle: errors-only` gets (a)
    only, when its calls take different paths through the same lines (a line-level
    comparison cannot tell which call a fact belongs to);
(c) every shape and dtype scopelint predicts for a named variable is TF's for the
    variable of that name at that line.

Skipped, with the reason, only when TensorFlow cannot be imported.
"""

from __future__ import annotations

import importlib.util
import re
import textwrap
import traceback
from pathlib import Path

import pytest

from helpers import oracle
from helpers.examples import example_files
from helpers.oracle import (
    ERROR_CODES,
    RAISES_RE,
    SOMETIMES_RAISING,
    annotations,
    fixture_files,
    fixture_text,
    notebook_files,
    oracle_skip_reason,
)

if importlib.util.find_spec("tensorflow") is None:
    pytest.skip("tensorflow is not installed: the oracle needs real TF "
                "(pip install tensorflow tf-keras)", allow_module_level=True)

# Fixtures, and every rule's example and use-instead programs (helpers/examples.py).
FIXTURES = fixture_files() + notebook_files() + example_files()
_RUNS: dict[str, oracle.TFRun] = {}


def _run(tf, path: Path) -> oracle.TFRun:
    text = fixture_text(path)
    reason = oracle_skip_reason(text)
    if reason:
        pytest.skip(f"{path.name}: {reason}")
    key = str(path)
    if key not in _RUNS:
        _RUNS[key] = oracle.run_under_tf(path)
    run = _RUNS[key]
    if run.error is not None and run.error_code is None:
        tb = "".join(traceback.format_exception(run.error))
        pytest.fail(f"{path.name} is broken: it raised an error that is not a variable-scope "
                    f"error at line {run.error_line}:\n{tb}", pytrace=False)
    return run


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_tf_error_matches_annotation(tf, path: Path) -> None:
    run = _run(tf, path)
    text = fixture_text(path)
    annotated = {(line, code) for line, codes in annotations(text).items() for code in codes
                 if code in ERROR_CODES or (code in SOMETIMES_RAISING and code == run.error_code)}
    annotated |= {(line, code) for line, codes in annotations(text, RAISES_RE).items()
                  for code in codes}
    actual = set() if run.error is None else {(run.error_line, run.error_code)}
    assert actual == annotated, (
        f"{path.name}: TF error {sorted(actual) or 'none'} but annotated "
        f"{sorted(annotated) or 'none'}\nwhat TF did:\n{oracle.tf_table(run)}")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_predicted_names_match_tf(tf, path: Path) -> None:
    run = _run(tf, path)
    text = fixture_text(path)
    reason = oracle.names_skip_reason(text)
    if reason:
        pytest.skip(f"{path.name}: {reason}")
    sl_rows, unknown_lines, facts, partial = oracle.scopelint_rows(path, text, run.lines)
    tf_seq = oracle.normalise(oracle.comparable_tf_rows(run.rows, unknown_lines, partial))
    sl_seq = oracle.normalise(sl_rows)
    if tf_seq != sl_seq:
        fact_lines = "\n".join(
            f"  {f.loc.line:4d}  {f.api:14s} {f.name!s:40s} {getattr(f.outcome, 'name', f.outcome)}"
            for f in facts) or "  (none)"
        pytest.fail(textwrap.dedent(f"""\
            {path.name}: scopelint's predicted names differ from what TF did
            --- diff (file:line, name); - tensorflow, + scopelint
            {{diff}}
            --- what TF did
            {{tf}}
            --- scopelint facts (all)
            {{facts}}""").format(diff=oracle.diff_rows(tf_seq, sl_seq), tf=oracle.tf_table(run),
                                  facts=fact_lines), pytrace=False)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_predicted_shapes_match_tf(tf, path: Path) -> None:
    """Every shape and dtype scopelint predicts for a named variable is the one TF gives it."""
    run = _run(tf, path)
    text = fixture_text(path)
    sl_rows, _, _, _ = oracle.scopelint_rows(path, text, run.lines)
    wrong = oracle.spec_diff(run, sl_rows)
    assert not wrong, "\n".join([f"{path.name}: shapes or dtypes differ from TF's:", *wrong,
                                 "what TF did:", oracle.tf_table(run)])


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_invalid_name_message_is_tfs(tf, path: Path) -> None:
    """TFS104 says what TF says: the same name, the same kind of scope, the same pattern."""
    run = _run(tf, path)
    if run.error_code != "TFS104":
        return
    from scopelint.analysis import analyze_text

    result = analyze_text(str(path), path.read_text(encoding="utf-8"))
    messages = [f.message for f in result.findings
                if f.code == "TFS104" and f.line == run.error_line]
    error = str(run.error)
    tf_name, tf_kind = re.match(r"'(.*)' is not a valid (.*?) name\.", error).groups()
    tf_pattern = error.rsplit("pattern: ", 1)[-1]
    for message in messages:
        name, kind = re.search(r"'(.*)' is not a valid (.*?) name\.", message).groups()
        assert re.fullmatch(".*".join(map(re.escape, name.split("…"))), tf_name), message
        assert kind == tf_kind and message.endswith(tf_pattern), (message, error)
    assert messages, f"no TFS104 at line {run.error_line}: {error}"


def _message_at(run: oracle.TFRun, path: Path) -> str:
    """scopelint's one message of TF's error code at the line TF raised at."""
    from scopelint.analysis import analyze_text

    result = analyze_text(str(path), path.read_text(encoding="utf-8"))
    (message,) = [f.message for f in result.findings
                  if f.code == run.error_code and f.line == run.error_line]
    return message


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_invalid_argument_message_is_tfs(tf, path: Path) -> None:
    """TFS105 names what TF's TypeError names: the keyword, the parameter or the type."""
    run = _run(tf, path)
    if run.error_code != "TFS105":
        return
    message = _message_at(run, path)
    error = str(run.error).splitlines()[0]
    words = {w for group in re.findall(r"'(\w+)'|\"(\w+)\"|`(\w+)`", error) for w in group if w}
    words = words or set(re.findall(r"\b[a-z]+_[a-z_]+\b", error))
    assert any(word in message for word in words), (message, error)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_undefined_shape_message_is_tfs(tf, path: Path) -> None:
    """TFS106 says which of TF's two shape errors it raises."""
    run = _run(tf, path)
    if run.error_code != "TFS106":
        return
    message = _message_at(run, path)
    error = str(run.error)
    assert (error in message) if error.startswith("If initializer") else (
        "not fully defined" in message), (message, error)


@pytest.mark.parametrize("path", [p for p in FIXTURES if "MultiRNNCell" in p.read_text()],
                         ids=lambda p: p.name)
def test_shared_cells_share_weights(tf, path: Path) -> None:
    """Under TF, a TFS207 stack builds its weights in `cell_0/` only; a clean one, in a
    scope per layer."""
    run = _run(tf, path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    shared = any("TFS207" in codes and "MultiRNNCell" in lines[line - 1]
                 for line, codes in annotations(text).items())
    names = [r.name for r in run.rows]
    assert any("/cell_0/" in n for n in names), names
    layers = any("/cell_1/" in n for n in names)
    if shared:
        assert not layers, names
    elif "* 1)" not in text:  # one layer: cell_0 only
        assert layers, names


def test_name_patterns_are_tfs(tf) -> None:
    """TFS104 checks names with TF's own regexes, copied from the installed TF."""
    from tensorflow.python.framework import ops

    from scopelint.engine import validity

    assert validity.VALID_OP_NAME.pattern == ops._VALID_OP_NAME_REGEX.pattern
    assert validity.VALID_SCOPE_NAME.pattern == ops._VALID_SCOPE_NAME_REGEX.pattern


@pytest.mark.parametrize("api", ["VariableScope", "variable_scope", "name_scope", "get_variable",
                                 "Variable"])
def test_signatures_are_tfs(tf, api: str) -> None:
    """The positional parameters TFS208 and the engine bind are TF's, in TF's order."""
    import inspect

    from scopelint.engine.arguments import SIGNATURES

    target = getattr(tf, api)
    params = [p for p in inspect.signature(target.__init__ if inspect.isclass(target)
                                           else target).parameters if p != "self"]
    ours = SIGNATURES[api]
    assert params[:len(ours)] == list(ours)


@pytest.mark.parametrize("optimizer", ["AdamOptimizer", "MomentumOptimizer", "RMSPropOptimizer",
                                       "AdagradOptimizer", "AdadeltaOptimizer", "FtrlOptimizer",
                                       "AdagradDAOptimizer", "ProximalAdagradOptimizer"])
def test_optimizer_signatures_are_tfs(tf, optimizer: str) -> None:
    """The positional parameters the engine binds an optimizer's name (and slots) from."""
    import inspect

    from scopelint.engine.arguments import SIGNATURES

    params = [p for p in inspect.signature(getattr(tf.train, optimizer).__init__).parameters
              if p != "self"]
    ours = SIGNATURES[optimizer]
    assert params[:len(ours)] == list(ours)


@pytest.mark.parametrize("api, signature", [
    ("slim.conv2d", "slim_conv"), ("slim.conv2d_transpose", "slim_conv"),
    ("slim.convolution3d", "slim_conv")])
def test_fallback_layer_signatures_are_tfs(tf, api: str, signature: str) -> None:
    """The positional parameters the engine binds a slim layer's input and sizes from when
    the layer has no signature of its own in the table (the others are checked whole)."""
    import inspect

    import tf_slim as slim

    from scopelint.engine.arguments import SIGNATURES

    module, name = api.split(".")
    target = inspect.unwrap(getattr(slim if module == "slim" else tf.layers, name))
    params = list(inspect.signature(target).parameters)
    assert params[:len(SIGNATURES[signature])] == list(SIGNATURES[signature])


# ------------------------------------------------------------ the harness itself

HARNESS_PROGRAM = '''\
"""Harness self-check."""
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
with tf.variable_scope("a"):
    with tf.variable_scope("b"):
        w = tf.get_variable("w", [2, 2])
with tf.variable_scope("a", reuse=True):
    with tf.variable_scope("b"):
        w_same = tf.get_variable("w", [2, 2])
y = tf.layers.dense(tf.matmul(x, w), 2)
v = tf.Variable(1.0, name="v")
loss = tf.reduce_sum(y) * v
train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
ema_op = tf.train.ExponentialMovingAverage(0.9).apply([w])
w_dup = tf.get_variable("a/b/w", [2, 2])
'''


def test_harness_records_every_variable_hook(tf, tmp_path: Path) -> None:
    """Nested scopes inherit the root custom getter; layers, Adam slots, EMA shadows and
    tf.Variable are all recorded at the right line; `import tensorflow` gives compat.v1;
    the error line is the fixture's line."""
    path = tmp_path / "harness.py"
    path.write_text(HARNESS_PROGRAM, encoding="utf-8")
    run = oracle.run_under_tf(path)
    got = [(r.line, r.how, r.name) for r in run.rows]
    assert got == [
        (7, "get_variable", "a/b/w:0"),
        (10, "get_variable", "a/b/w:0"),
        (11, "get_variable", "dense/kernel:0"),
        (11, "get_variable", "dense/bias:0"),
        (12, "Variable", "v:0"),
        (14, "Variable", "beta1_power:0"),
        (14, "Variable", "beta2_power:0"),
        (14, "get_variable", "a/b/w/Adam:0"),
        (14, "get_variable", "a/b/w/Adam_1:0"),
        (14, "get_variable", "dense/kernel/Adam:0"),
        (14, "get_variable", "dense/kernel/Adam_1:0"),
        (14, "get_variable", "dense/bias/Adam:0"),
        (14, "get_variable", "dense/bias/Adam_1:0"),
        (14, "get_variable", "v/Adam:0"),
        (14, "get_variable", "v/Adam_1:0"),
        (15, "get_variable", "a/b/w/ExponentialMovingAverage:0"),
    ], got
    assert run.error_line == 16 and run.error_code == "TFS101", run.error_text


def test_harness_error_inside_function_is_recorded_at_fixture_line(tf, tmp_path: Path) -> None:
    path = tmp_path / "func.py"
    path.write_text(textwrap.dedent('''\
        import tensorflow.compat.v1 as tf


        def f():
            return tf.get_variable("w", [1])


        f()
        f()
        '''), encoding="utf-8")
    run = oracle.run_under_tf(path)
    assert [(r.line, r.name) for r in run.rows] == [(5, "w:0")]
    assert (run.error_line, run.error_code) == (5, "TFS101")


def test_normalise_sorts_only_within_one_statement() -> None:
    rows = [oracle.Row("m.py", 3, "b", ""), oracle.Row("m.py", 3, "a", ""),
            oracle.Row("m.py", 4, "z", ""), oracle.Row("n.py", 4, "y", ""),
            oracle.Row("m.py", 3, "c", "")]
    assert oracle.normalise(rows) == [("m.py", 3, "a"), ("m.py", 3, "b"), ("m.py", 4, "z"),
                                      ("n.py", 4, "y"), ("m.py", 3, "c")]


def test_whole_signatures_are_tfs(tf) -> None:
    """The signature table the argument checks (TFS105) bind with is the installed TF's (whose
    `tf.compat.v1` keeps TF 1.15's) and tf_slim's, parameter for parameter."""
    import inspect

    import tf_slim

    from scopelint.engine.arguments import CLOSED, SIGNATURES

    live = {"variable_scope": tf.variable_scope.__init__, "name_scope": tf.name_scope.__init__,
            "get_variable": tf.get_variable, "make_template": tf.make_template}
    live.update({key: getattr(tf.layers, key[len("layers."):])
                 for key in SIGNATURES if key.startswith("layers.")})
    live.update({key: getattr(tf_slim, key[len("slim."):])
                 for key in SIGNATURES if key.startswith("slim.")})
    for key, function in live.items():
        params = inspect.signature(function).parameters.values()
        names = tuple(p.name for p in params if p.name != "self" and p.kind in (
            p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        assert SIGNATURES[key] == names, key
        assert (key in CLOSED) == all(p.kind is not p.VAR_KEYWORD for p in params), key
