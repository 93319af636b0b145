"""Run fixtures under real TensorFlow and compare with scopelint's predictions.

Used by tests/test_oracle.py; also a small CLI to look at what TF does:

    python tests/oracle.py fixtures/tfs101_same_block.py [...]

prints, per fixture, every variable TF created or fetched (line, name, how)
and the TF error, next to what scopelint predicts.

How it records (one process, one fresh ``tf.Graph`` per fixture):

* a custom getter set on the graph's root variable scope sees every
  ``get_variable`` call, create or fetch; nested variable scopes inherit it
  (they copy the parent's custom getter), and ``tf.layers``, optimizer slots
  and ``ExponentialMovingAverage.apply`` shadow variables all go through it;
* ``tf.variable_creator_scope`` sees every variable construction; those made
  inside a ``get_variable`` call are already recorded by the getter and are
  skipped, the rest (``tf.Variable``, Adam's ``beta1_power``) are recorded;
* the recorded line is the innermost stack frame that belongs to the fixture
  file (the fixture is compiled with its real file name);
* on an exception, the line is the innermost traceback frame of the fixture.

``import tensorflow`` inside a fixture (TF1 style) is served
``tensorflow.compat.v1``; every other import is left alone.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import re
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

ERROR_CODES = ("TFS101", "TFS102", "TFS103", "TFS104")
# Codes whose finding TF raises on only in some of its forms (a dtype that lands on `shape`
# raises; a name that lands on `trainable` does not): checked when TF raises.
SOMETIMES_RAISING = ("TFS208",)
EXPECT_RE = re.compile(r"#\s*expect:\s*([A-Z0-9 ,]+)")
SKIP_RE = re.compile(r"^#\s*oracle:\s*skip\b(.*)$", re.MULTILINE)


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.py"))


def annotations(text: str) -> dict[int, set[str]]:
    """line -> set of expected codes, from `# expect: TFS101, TFS203` comments."""
    out: dict[int, set[str]] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = EXPECT_RE.search(line)
        if m:
            codes = {c.strip() for c in m.group(1).split(",") if c.strip()}
            out.setdefault(lineno, set()).update(codes)
    return out


def oracle_skip_reason(text: str) -> Optional[str]:
    m = SKIP_RE.search(text)
    return (m.group(1).strip() or "marked oracle: skip") if m else None


def classify_tf_error(message: str) -> Optional[str]:
    """The scopelint code for a ValueError TF raises while building the graph."""
    if re.match(r"'.*' is not a valid (root )?scope name\.", message, re.DOTALL):
        return "TFS104"
    if "already exists, disallowed" in message:
        return "TFS101"
    if "does not exist, or was not created with tf.get_variable()" in message:
        return "TFS102"
    if message.startswith("Trying to share variable"):
        return "TFS103"
    return None


def classify_type_error(message: str) -> Optional[str]:
    """The scopelint code for a TypeError from an argument bound to the wrong parameter."""
    if (message.startswith("Cannot convert the argument `type_value`")
            or message.startswith("Dimension value must be integer")):
        return "TFS208"
    return None


@dataclass
class Row:
    line: int
    name: str
    how: str  # "get_variable" (create or fetch) or "Variable" (created outside get_variable)

    def key(self) -> tuple[int, str]:
        return (self.line, self.name)


@dataclass
class TFRun:
    path: str
    rows: list[Row] = field(default_factory=list)
    error: Optional[BaseException] = None
    error_line: Optional[int] = None
    error_code: Optional[str] = None
    stdout: str = ""

    @property
    def error_text(self) -> str:
        if self.error is None:
            return ""
        first = str(self.error).splitlines()[0] if str(self.error) else ""
        return f"{type(self.error).__name__}: {first}"


_TF = None


def load_tf():
    """Import TF1 semantics once per process (graph mode, ref variables)."""
    global _TF
    if _TF is None:
        warnings.filterwarnings("ignore")
        import tensorflow.compat.v1 as tf  # noqa: WPS433

        tf.disable_v2_behavior()
        tf.logging.set_verbosity(tf.logging.ERROR)
        _alias_legacy_layers()
        _TF = tf
    return _TF


def _alias_legacy_layers() -> None:
    """tf_slim 1.1 imports `tf_keras.legacy_tf_layers`, which tf-keras now keeps under `src`."""
    try:
        import tf_keras.src.legacy_tf_layers as legacy
    except ImportError:
        return
    sys.modules.setdefault("tf_keras.legacy_tf_layers", legacy)


def _fixture_line(frame, filename: str) -> Optional[int]:
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _tb_fixture_line(tb, filename: str) -> Optional[int]:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _import_hook(tf_v1):
    real_import = builtins.__import__

    def fixture_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name == "tensorflow":
            # TF1 style `import tensorflow as tf` / `from tensorflow import x`
            return tf_v1
        return real_import(name, globals, locals, fromlist, level)

    return fixture_import


def run_under_tf(path: os.PathLike | str) -> TFRun:
    """Exec one fixture in a fresh graph and record every variable request."""
    tf = load_tf()
    filename = str(Path(path).resolve())
    text = Path(filename).read_text(encoding="utf-8")
    run = TFRun(filename)
    depth = [0]

    def getter(getter, *args, **kwargs):
        depth[0] += 1
        try:
            var = getter(*args, **kwargs)
        finally:
            depth[0] -= 1
        line = _fixture_line(sys._getframe(1), filename)
        if line is not None:
            run.rows.append(Row(line, var.name, "get_variable"))
        return var

    def creator(next_creator, **kwargs):
        var = next_creator(**kwargs)
        if depth[0] == 0:
            line = _fixture_line(sys._getframe(1), filename)
            if line is not None:
                run.rows.append(Row(line, var.name, "Variable"))
        return var

    code = compile(text, filename, "exec")
    fake_builtins = dict(builtins.__dict__)
    fake_builtins["__import__"] = _import_hook(tf)
    env = {"__name__": "__main__", "__file__": filename, "__builtins__": fake_builtins}
    graph = tf.Graph()
    out = io.StringIO()
    with graph.as_default(), tf.variable_creator_scope(creator):
        tf.get_variable_scope().set_custom_getter(getter)
        try:
            with contextlib.redirect_stdout(out), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(code, env)  # noqa: S102 - running our own fixtures is the point
        except BaseException as err:  # noqa: BLE001
            run.error = err
            run.error_line = _tb_fixture_line(err.__traceback__, filename)
            if isinstance(err, ValueError):
                run.error_code = classify_tf_error(str(err))
            elif isinstance(err, TypeError):
                run.error_code = classify_type_error(str(err))
    run.stdout = out.getvalue()
    return run


# ----------------------------------------------------------------- scopelint side

FAILING = ("DUPLICATE", "MISSING", "MISMATCH")


def scopelint_rows(path: os.PathLike | str, text: str):
    """(rows, unknown_lines, facts, partial) from scopelint: rows of named facts up to
    the first failing request, the lines where every fact has an unknown name, all
    facts, and the lines where only some facts are named (line -> those names)."""
    from scopelint.analysis import analyze_text

    result = analyze_text(str(path), text)
    if result.facts is None:
        msgs = "; ".join(f"{f.code} {f.message}" for f in result.findings)
        raise AssertionError(f"scopelint produced no facts for {path}: {msgs}")
    facts = list(result.facts.variables)
    cut = len(facts)
    for i, fact in enumerate(facts):
        if getattr(fact.outcome, "name", str(fact.outcome)) in FAILING:
            cut = i
            break
    # TF also stops at a name it rejects, and at an argument of the wrong type
    raising = [f.variables_before for f in result.facts.invalid_names]
    raising += [f.variables_before for f in result.facts.misplaced_args if f.raises]
    cut = min([cut, *raising])
    kept = facts[:cut]
    by_line: dict[int, list] = {}
    for fact in kept:
        by_line.setdefault(fact.loc.line, []).append(fact)
    unknown_lines = {line for line, fs in by_line.items() if all(f.name is None for f in fs)}
    rows = [Row(f.loc.line, f.name, f.api) for f in kept if f.name is not None]
    # lines where some facts are named and some are not (e.g. an optimizer whose
    # beta1_power is known but whose slots are not): line -> the names it predicts
    partial = {line: {f.name for f in fs if f.name is not None}
               for line, fs in by_line.items()
               if any(f.name is None for f in fs) and any(f.name is not None for f in fs)}
    return rows, unknown_lines, facts, partial


def comparable_tf_rows(run_rows: list[Row], unknown_lines: set[int],
                       partial: dict[int, set[str]]) -> list[Row]:
    """TF rows scopelint makes a claim about: rows at lines where every fact is
    unknown are dropped; at lines with some unknown facts, only the rows whose
    names scopelint predicts there are kept (the unknown facts stand for the rest)."""
    out = []
    for row in run_rows:
        if row.line in unknown_lines:
            continue
        if row.line in partial and row.name not in partial[row.line]:
            continue
        out.append(row)
    return out


def normalise(rows: list[Row]) -> list[tuple[int, str]]:
    """Sequence of (line, name); names inside one run of consecutive rows at the
    same line are sorted (one statement creating several variables, e.g. a layer
    or an optimizer's slots, may order them as a library detail)."""
    out: list[tuple[int, str]] = []
    group: list[tuple[int, str]] = []
    for row in rows:
        if group and group[-1][0] != row.line:
            out.extend(sorted(group))
            group = []
        group.append(row.key())
    out.extend(sorted(group))
    return out


def diff_rows(tf_rows: list[tuple[int, str]], sl_rows: list[tuple[int, str]]) -> str:
    import difflib

    a = [f"{line:4d}  {name}" for line, name in tf_rows]
    b = [f"{line:4d}  {name}" for line, name in sl_rows]
    return "\n".join(difflib.unified_diff(a, b, "tensorflow", "scopelint", lineterm="", n=3))


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or fixture_files()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        skip = oracle_skip_reason(text)
        print(f"=== {path.name}" + (f"  (oracle skip: {skip})" if skip else ""))
        if skip:
            continue
        run = run_under_tf(path)
        for row in run.rows:
            print(f"  tf  {row.line:4d}  {row.how:12s} {row.name}")
        if run.error is not None:
            print(f"  tf  {run.error_line}  ERROR {run.error_code}  {run.error_text}")
            if run.error_code is None:
                traceback.print_exception(run.error)
        exp = annotations(text)
        errs = {line: codes & set(ERROR_CODES) for line, codes in exp.items() if codes & set(ERROR_CODES)}
        print(f"  annotations: {dict(sorted(exp.items()))}  error annotations: {errs}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
