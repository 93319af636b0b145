"""Run fixtures under real TensorFlow and compare with scopelint's predictions.

Used by tests/test_oracle.py and tests/test_projects.py; also a small CLI to
look at what TF does:

    python tests/helpers/oracle.py fixtures/tfs101_same_block.py fixtures/projects/ok_gan [...]

prints, per fixture (per entry script of a project folder), every variable TF
created or fetched (file, line, name, how), the TF error and the annotations.

How it records (one process, one fresh ``tf.Graph`` per fixture or entry run):

* a custom getter set on the graph's root variable scope sees every
  ``get_variable`` call, create or fetch; nested variable scopes inherit it
  (they copy the parent's custom getter), and ``tf.layers``, optimizer slots
  and ``ExponentialMovingAverage.apply`` shadow variables all go through it;
* ``tf.variable_creator_scope`` sees every variable construction; those made
  inside a ``get_variable`` call are already recorded by the getter and are
  skipped, the rest (``tf.Variable``, Adam's ``beta1_power``) are recorded;
* the recorded site is the innermost stack frame that belongs to the fixture
  file (compiled with its real file name), or, for a project, to any file of
  the project folder (relative path, line);
* on an exception, the site is the innermost traceback frame of ours (the
  whole chain of our frames is kept too).

``import tensorflow`` inside a fixture or a project module (TF1 style) is
served ``tensorflow.compat.v1``; every other import is left alone. A project's
entry runs as ``__main__`` with the project folder first on ``sys.path`` and
its modules imported afresh; ``sys.argv`` is just the script (for
``tf.app.run``), and a clean ``sys.exit`` ends the run normally; a run that fails
with an error TF did not raise fails of the TF error it was handling, if any (an
``except ValueError:`` that exits, re-raises or returns an error status). TF >= 2.16
no longer ships ``tf.estimator``: a stand-in (``_estimator_stand_in``) builds
the graph ``Estimator.train`` builds before any session runs. A notebook fixture
runs as scopelint reads it: its code cells joined, IPython syntax made `pass`.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import re
import inspect
import sys
import traceback
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from scopelint.rules import all_rules

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"

ERROR_CODES = ("TFS101", "TFS102", "TFS103", "TFS104", "TFS106")
# Codes whose finding TF raises on only in some of its forms (a dtype that lands on `shape`
# raises; a name that lands on `trainable` does not; TFS105 under a `try` that catches it):
# checked when TF raises.
SOMETIMES_RAISING = ("TFS105", "TFS208")
# The codes a fixture may expect: those of the rules that check facts.
KNOWN_CODES = {code for code, rule in all_rules().items() if rule.check is not None}
EXPECT_RE = re.compile(r"#\s*expect:\s*([A-Z0-9 ,]+)")
# where TF raises for a finding reported elsewhere: an empty variable list (TFS202 at the
# read) raises at the `minimize`/`Saver` it reaches
RAISES_RE = re.compile(r"#\s*raises:\s*([A-Z0-9 ,]+)")
# in a project's entry script: what `scopelint check <entry>` alone reports at this call
EXPECT_ALONE_RE = re.compile(r"#\s*expect-alone:\s*([A-Z0-9 ,]+)")
SKIP_RE = re.compile(r"^#\s*oracle:\s*skip\b(.*)$", re.MULTILINE)
# TF's error is checked, names are not: calls take different paths through the same lines
ERRORS_ONLY_RE = re.compile(r"^#\s*oracle:\s*errors-only\b(.*)$", re.MULTILINE)


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.py"))


def notebook_files() -> list[Path]:
    """Notebook fixtures: their code cells, joined as scopelint reads them, are the program."""
    return sorted(FIXTURES.glob("notebooks/*.ipynb"))


def python2_files() -> list[Path]:
    """Python 2 fixtures; each has a Python 3 twin `py2twin_<name>.py` that the oracle runs."""
    return sorted(FIXTURES.glob("python2/*.py"))


def python2_twin(path: Path) -> Path:
    return FIXTURES / f"py2twin_{path.name}"


def fixture_text(path: Path) -> str:
    """The program text of a fixture: a notebook's code cells as one module."""
    if path.suffix == ".ipynb":
        from scopelint.notebook import read_notebook

        return read_notebook(path.read_bytes()).text
    return path.read_text(encoding="utf-8")


def annotations(text: str, pattern: re.Pattern[str] = EXPECT_RE) -> dict[int, set[str]]:
    """line -> set of expected codes, from `# expect: TFS101, TFS203` comments."""
    out: dict[int, set[str]] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = pattern.search(line)
        if m:
            codes = {c.strip() for c in m.group(1).split(",") if c.strip()}
            out.setdefault(lineno, set()).update(codes)
    return out


def oracle_skip_reason(text: str) -> Optional[str]:
    m = SKIP_RE.search(text)
    return (m.group(1).strip() or "marked oracle: skip") if m else None


def names_skip_reason(text: str) -> Optional[str]:
    """Why only TF's error is checked for this fixture (`# oracle: errors-only (...)`)."""
    m = ERRORS_ONLY_RE.search(text)
    return (m.group(1).strip() or "marked oracle: errors-only") if m else None


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
    if message.startswith(("If initializer is a constant, do not specify shape",
                           "The initializer passed is not valid")):
        return "TFS106"
    if message in ("No variables to optimize.", "No variables to save"):
        return "TFS202"  # a variable list read before its variables were made
    if message.startswith(("Unknown activation function", "Invalid data_format")) or (
            "argument must be a tuple of" in message):
        return "TFS208"  # a layer's name given by position, where no string goes
    return None


Site = tuple[str, int]  # (file relative to the fixture folder, line); a fixture's own file name
Where = Callable[[str], Optional[str]]  # a code object's file name -> Site path; None: not ours


def classify_type_error(message: str) -> Optional[str]:
    """The scopelint code for a TypeError from an argument bound to the wrong parameter
    (TFS208) or one the API cannot take (TFS105)."""
    if (message.startswith("Cannot convert the argument `type_value`")
            or message.startswith("Dimension value must be integer")
            or message == "'str' object is not callable"):
        return "TFS208"
    if any(text in message for text in _INVALID_ARGUMENT):
        return "TFS105"
    return None


# What TF's TypeErrors on arguments a scope, variable or layer API cannot take say.
_INVALID_ARGUMENT = (
    "got an unexpected keyword argument", "got multiple values for argument",
    "positional arguments but", "name_or_scope must be a string or VariableScope",
    "expected string or bytes-like object", "is not a string type. You likely meant",
    "If default_name is None then name_or_scope is required", "unhashable type",
    "as a Python `bool` is not allowed", "can only concatenate str",
    "unsupported operand type(s) for +",
)


@dataclass
class Row:
    path: str
    line: int
    name: Optional[str]  # None: a scopelint row whose name it does not know
    how: str  # "get_variable" (create or fetch) or "Variable" (created outside get_variable)
    shape: Optional[tuple] = None  # the static shape (None: unknown, or unknown rank)
    dtype: Optional[str] = None  # the base dtype's name, `float32`

    @property
    def site(self) -> Site:
        return (self.path, self.line)

    def key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.name)


@dataclass
class TFRun:
    path: str
    rows: list[Row] = field(default_factory=list)
    error: Optional[BaseException] = None
    error_site: Optional[Site] = None  # the innermost frame of ours
    error_stack: list[Site] = field(default_factory=list)  # all frames of ours, outermost first
    error_code: Optional[str] = None
    stdout: str = ""
    lines: set[int] = field(default_factory=set)  # the fixture's lines that ran
    raised: list[BaseException] = field(default_factory=list)  # by get_variable, caught or not

    @property
    def error_line(self) -> Optional[int]:
        return None if self.error_site is None else self.error_site[1]

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


def _frame_site(frame, where: Where) -> Optional[Site]:
    """The innermost frame of ours on the stack."""
    while frame is not None:
        path = where(frame.f_code.co_filename)
        if path is not None:
            return (path, frame.f_lineno)
        frame = frame.f_back
    return None


def _tb_sites(tb, where: Where) -> list[Site]:
    """The traceback frames of ours, outermost first."""
    sites = []
    while tb is not None:
        path = where(tb.tb_frame.f_code.co_filename)
        if path is not None:
            sites.append((path, tb.tb_lineno))
        tb = tb.tb_next
    return sites


@contextlib.contextmanager
def recording(run: TFRun, where: Where) -> Iterator[object]:
    """A fresh default graph whose every variable request is appended to run.rows."""
    tf = load_tf()
    depth = [0]

    def getter(getter, *args, **kwargs):
        depth[0] += 1
        try:
            var = getter(*args, **kwargs)
        except ValueError as err:
            run.raised.append(err)
            raise
        finally:
            depth[0] -= 1
        site = _frame_site(sys._getframe(1), where)
        if site is not None:
            run.rows.append(Row(*site, var.name, "get_variable", *_spec(var)))
        return var

    def creator(next_creator, **kwargs):
        var = next_creator(**kwargs)
        if depth[0] == 0:
            site = _frame_site(sys._getframe(1), where)
            if site is not None:
                run.rows.append(Row(*site, var.name, "Variable", *_spec(var)))
        return var

    with _recorder(getter, creator):
        graph = tf.Graph()
        with graph.as_default():
            yield graph


_RECORDERS: list[tuple[Callable, Callable]] = []  # (getter, creator) recording, innermost last


@contextlib.contextmanager
def _recorder(getter, creator) -> Iterator[None]:
    """Every graph made meanwhile (the recording's own, `tf.Graph()`, a test's `setUp`
    resetting the default graph) starts with the innermost recording's creator, and its
    getter on the graph's root scope."""
    tf = load_tf()
    graph_class = tf.Graph
    if not _RECORDERS:
        init = graph_class.__init__

        def recorded_init(self, *args, **kwargs):
            init(self, *args, **kwargs)
            getter, creator = _RECORDERS[-1]
            self._variable_creator_stack = [(100, creator)]  # noqa: SLF001 - TF's own stack
            with self.as_default():
                tf.get_variable_scope().set_custom_getter(getter)

        graph_class.__init__ = recorded_init
    _RECORDERS.append((getter, creator))
    try:
        yield
    finally:
        _RECORDERS.pop()
        if not _RECORDERS:
            graph_class.__init__ = init


def _spec(var) -> tuple[Optional[tuple], str]:
    """A TF variable's static shape (None for an unknown rank) and base dtype name."""
    shape = var.shape
    return (None if shape.rank is None else tuple(shape.as_list()),
            var.dtype.base_dtype.name)


@contextlib.contextmanager
def _tf1_imports(where: Where) -> Iterator[None]:
    """`import tensorflow` in our files (TF1 style) is served ``tensorflow.compat.v1``, and
    ``tensorflow.contrib.rnn`` (gone since TF 2) the stand-in of `_contrib_rnn_stand_in`."""
    tf = load_tf()
    real_import = builtins.__import__
    contrib = types.SimpleNamespace(rnn=_contrib_rnn_stand_in())

    def fixture_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and where(str((globals or {}).get("__file__", ""))) is not None:
            if name == "tensorflow":
                return tf
            if name == "tensorflow.contrib.rnn" and fromlist:
                return contrib.rnn
        return real_import(name, globals, locals, fromlist, level)

    builtins.__import__ = fixture_import
    tf.contrib = contrib
    try:
        yield
    finally:
        builtins.__import__ = real_import
        del tf.contrib


def _contrib_rnn_stand_in() -> types.SimpleNamespace:
    """``tf.contrib.rnn`` of TF 1.15: the core cells and drivers it re-exports, and its
    stacked bidirectional drivers (tensorflow/contrib/rnn/python/ops/rnn.py), whose
    variable scopes are transcribed here."""
    tf = load_tf()

    def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                                initial_states_bw=None, dtype=None, sequence_length=None,
                                scope=None):
        prev_layer, states_fw, states_bw = inputs, [], []
        with tf.variable_scope(scope or "stack_bidirectional_rnn"):
            for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
                with tf.variable_scope("cell_%d" % i) as cell_scope:
                    prev_layer, state_fw, state_bw = tf.nn.static_bidirectional_rnn(
                        cell_fw, cell_bw, prev_layer,
                        initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                        initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                        sequence_length=sequence_length, dtype=dtype, scope=cell_scope)
                states_fw.append(state_fw)
                states_bw.append(state_bw)
        return prev_layer, tuple(states_fw), tuple(states_bw)

    def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                                        initial_states_bw=None, dtype=None,
                                        sequence_length=None, parallel_iterations=None,
                                        time_major=False, scope=None, swap_memory=False):
        prev_layer, states_fw, states_bw = inputs, [], []
        with tf.variable_scope(scope or "stack_bidirectional_rnn"):
            for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
                with tf.variable_scope("cell_%d" % i):
                    outputs, (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
                        cell_fw, cell_bw, prev_layer,
                        initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                        initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                        sequence_length=sequence_length,
                        parallel_iterations=parallel_iterations, dtype=dtype,
                        swap_memory=swap_memory, time_major=time_major)
                    prev_layer = tf.concat(outputs, 2)
                states_fw.append(state_fw)
                states_bw.append(state_bw)
        return prev_layer, tuple(states_fw), tuple(states_bw)

    cells = tf.nn.rnn_cell
    return types.SimpleNamespace(
        **{name: getattr(cells, name) for name in (
            "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
            "DropoutWrapper", "ResidualWrapper", "DeviceWrapper")},
        static_rnn=tf.nn.static_rnn, static_bidirectional_rnn=tf.nn.static_bidirectional_rnn,
        stack_bidirectional_rnn=stack_bidirectional_rnn,
        stack_bidirectional_dynamic_rnn=stack_bidirectional_dynamic_rnn)


class _EstimatorSpec:
    """What a model_fn returns to the Estimator stand-in."""

    def __init__(self, mode, predictions=None, loss=None, train_op=None, **_):
        self.mode, self.predictions, self.loss, self.train_op = mode, predictions, loss, train_op


def _estimator_stand_in(run: TFRun, where: Where) -> types.SimpleNamespace:
    """``tf.estimator`` for TF >= 2.16, which no longer ships it: ``train`` builds the graph
    the way tensorflow_estimator's ``Estimator._train_model_default`` does (a fresh graph,
    the global step, input_fn returning (features, labels), then model_fn, each given the
    arguments it accepts) and stops before any session runs; that graph is recorded like
    the entry's own."""
    tf = load_tf()

    class Estimator:
        def __init__(self, model_fn, config=None, params=None, **_):
            self._model_fn, self.config, self.params = model_fn, config, params or {}

        def _call(self, fn, mode: str, **args):
            """Call fn with the arguments (mode, params, config, ...) its signature names."""
            offered = {"mode": mode, "params": self.params, "config": self.config, **args}
            accepted = inspect.signature(fn).parameters
            return fn(**{k: v for k, v in offered.items() if k in accepted})

        def train(self, input_fn, **_):
            with recording(run, where) as graph:
                tf.train.create_global_step(graph)
                features, labels = self._call(input_fn, "train")
                self._call(self._model_fn, "train", features=features, labels=labels)
            return self

    modes = types.SimpleNamespace(TRAIN="train", EVAL="eval", PREDICT="infer")
    return types.SimpleNamespace(Estimator=Estimator, EstimatorSpec=_EstimatorSpec, ModeKeys=modes)


@contextlib.contextmanager
def _estimator_if_missing(run: TFRun, where: Where) -> Iterator[None]:
    tf = load_tf()
    if hasattr(tf, "estimator"):
        yield
        return
    tf.estimator = _estimator_stand_in(run, where)
    try:
        yield
    finally:
        del tf.estimator


def _run_script(script: Path, where: Where) -> TFRun:
    """Exec one script as ``__main__`` in a fresh recorded graph."""
    filename = str(script)
    run = TFRun(filename)
    code = compile(fixture_text(script), filename, "exec")
    # `tf` is bound up front for snippets that use it without an import (scopelint assumes
    # `import tensorflow as tf` there); a script's own binding replaces it.
    main = types.ModuleType("__main__")  # what `tf.test.main()` loads the tests from
    env = main.__dict__
    env.update({"__file__": filename, "__builtins__": builtins, "tf": load_tf()})
    out = io.StringIO()
    argv, saved_main = sys.argv, sys.modules["__main__"]
    sys.argv = [filename]  # tf.app.run / absl.app.run parse the command line
    sys.modules["__main__"] = main
    try:
        with _tf1_imports(where), _estimator_if_missing(run, where), recording(run, where), \
                contextlib.redirect_stdout(out), warnings.catch_warnings(), \
                _lines_run(filename, run.lines):
            warnings.simplefilter("ignore")
            exec(code, env)  # noqa: S102 - running our own fixtures is the point
    except SystemExit as exit_:  # app.run(main) ends with sys.exit(main(argv))
        if exit_.code:
            _record_error(run, exit_, where)
    except BaseException as err:  # noqa: BLE001
        _record_error(run, err, where)
    finally:
        sys.argv = argv
        sys.modules["__main__"] = saved_main
    run.stdout = out.getvalue()
    return run


def _record_error(run: TFRun, err: BaseException, where: Where) -> None:
    err = _tf_cause(run, err)
    run.error = err
    run.error_stack = _tb_sites(err.__traceback__, where)
    run.error_site = run.error_stack[-1] if run.error_stack else None
    run.error_code = _classify(err)


def _classify(err: BaseException) -> Optional[str]:
    if isinstance(err, ValueError):
        return classify_tf_error(str(err))
    if isinstance(err, TypeError):
        return classify_type_error(str(err))
    return None


def _tf_cause(run: TFRun, err: BaseException) -> BaseException:
    """The TF error a failed run comes from: `err`, or the one it was raised while handling
    (`except ValueError: sys.exit(1)`, `raise RuntimeError(...) from e`); for an exit with
    an error status and no such error, the last one get_variable raised (a handler that
    returned out of `main` in `sys.exit(main())`)."""
    link: Optional[BaseException] = err
    while link is not None:
        if _classify(link):
            return link
        link = link.__cause__ or link.__context__
    if isinstance(err, SystemExit) and run.raised:
        return run.raised[-1]
    return err


def run_under_tf(path: os.PathLike | str) -> TFRun:
    """Exec one fixture in a fresh graph and record every variable request."""
    script = Path(path).resolve()
    filename = str(script)
    return _run_script(script, lambda f: script.name if f == filename else None)


# ------------------------------------------------------------------- projects

PROJECTS = FIXTURES / "projects"
ENTRY_RE = re.compile(r"^#\s*oracle:\s*entry\b", re.MULTILINE)


def project_dirs() -> list[Path]:
    return sorted(d for d in PROJECTS.iterdir() if d.is_dir()) if PROJECTS.is_dir() else []


def project_files(directory: Path) -> list[Path]:
    return sorted(p for p in Path(directory).rglob("*.py") if "__pycache__" not in p.parts)


def project_entries(directory: Path) -> list[Path]:
    """The scripts a user runs (`# oracle: entry`), each in its own fresh graph."""
    return [p for p in project_files(directory) if ENTRY_RE.search(p.read_text(encoding="utf-8"))]


def relative(directory: Path, path: os.PathLike | str) -> str:
    """A project file's path relative to the project folder, with `/`."""
    return Path(path).resolve().relative_to(Path(directory).resolve()).as_posix()


def project_annotations(directory: Path,
                        pattern: re.Pattern[str] = EXPECT_RE) -> set[tuple[str, int, str]]:
    """(relative path, line, code) for every annotation in the project's files."""
    return {(relative(directory, p), line, code)
            for p in project_files(directory)
            for line, codes in annotations(p.read_text(encoding="utf-8"), pattern).items()
            for code in codes}


def _forget_modules_under(root: Path) -> None:
    """Drop the modules (and namespace packages) loaded from the project folder."""
    prefix = str(root) + os.sep
    for name, module in list(sys.modules.items()):
        places = [getattr(module, "__file__", None) or "", *getattr(module, "__path__", [])]
        if any(str(place).startswith(prefix) for place in places):
            del sys.modules[name]


def _set_aside_names_of(root: Path) -> dict[str, object]:
    """Take out of `sys.modules` the modules loaded elsewhere under a name one of the
    project's own top-level modules has (the tests' `helpers` package): they would shadow
    the project's while it runs. Returns them, to be put back."""
    own = {p.stem for p in root.glob("*.py")} | {p.name for p in root.iterdir() if p.is_dir()}
    return {name: sys.modules.pop(name) for name in list(sys.modules)
            if name.split(".")[0] in own}


def run_project_under_tf(directory: os.PathLike | str, entry: os.PathLike | str) -> TFRun:
    """Run one entry script of a project in a fresh graph: the project folder first on
    sys.path, its modules imported afresh; rows and the error are located at the
    innermost frame in any project file."""
    root = Path(directory).resolve()
    prefix = str(root) + os.sep

    def where(filename: str) -> Optional[str]:
        return Path(filename[len(prefix):]).as_posix() if filename.startswith(prefix) else None

    _forget_modules_under(root)
    aside = _set_aside_names_of(root)
    sys.path.insert(0, str(root))
    bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in fixtures
    try:
        return _run_script(Path(entry).resolve(), where)
    finally:
        sys.dont_write_bytecode = bytecode
        sys.path.remove(str(root))
        _forget_modules_under(root)
        sys.modules.update(aside)


@contextlib.contextmanager
def _lines_run(filename: str, lines: set[int]):
    """Record the lines of `filename` that run (branches the run does not take stay out)."""
    def local(frame, event, arg):
        if event == "line":
            lines.add(frame.f_lineno)
        return local

    def trace(frame, event, arg):
        if frame.f_code.co_filename != filename:
            return None
        lines.add(frame.f_lineno)
        return local

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(previous)


# ----------------------------------------------------------------- scopelint side

FAILING = ("DUPLICATE", "MISSING", "MISMATCH")


def scopelint_rows(path: os.PathLike | str, text: str, ran: Optional[set[int]] = None):
    """(rows, unknown_sites, facts, partial) from scopelint for one fixture: rows of
    named facts up to the first failing request (see `split_named`), and all facts.

    With `ran` (the lines TF ran), facts from a branch TF did not take are left out:
    those whose line, or the line of a call leading to them, never ran."""
    from scopelint.analysis import analyze_text

    result = analyze_text(str(path), text)
    if result.facts is None:
        msgs = "; ".join(f"{f.code} {f.message}" for f in result.findings)
        raise AssertionError(f"scopelint produced no facts for {path}: {msgs}")
    facts = [f for f in result.facts.variables
             if ran is None or all(loc.line in ran for loc in (*f.stack, f.loc))]
    cut = len(facts)
    for i, fact in enumerate(facts):
        if getattr(fact.outcome, "name", str(fact.outcome)) in FAILING:
            cut = i
            break
    # TF also stops at a name it rejects, at an argument of the wrong type, at a shape
    every = result.facts.variables
    raising = [f.variables_before for f in result.facts.invalid_names]
    raising += [f.variables_before for f in result.facts.misplaced_args if f.raises]
    raising += [f.variables_before for f in result.facts.invalid_args if not f.caught]
    raising += [f.variables_before for f in result.facts.undefined_shapes if f.raises(every)]
    stop = every[min(raising)] if raising and min(raising) < len(every) else None
    if stop is not None:
        cut = min(cut, next((i for i, f in enumerate(facts) if f is stop), cut))
    name = Path(path).name
    rows, unknown_sites, partial = split_named(
        Row(name, f.loc.line, f.name, f.api, f.shape, f.dtype) for f in facts[:cut])
    return rows, unknown_sites, facts, partial


def split_named(rows: Iterable[Row]) -> tuple[list[Row], set[Site], dict[Site, set[str]]]:
    """scopelint's rows (name None when unknown) as (the named rows, the sites where
    every row is unknown, the sites where only some are named -> those names; e.g. an
    optimizer whose beta1_power is known but whose slots are not)."""
    rows = list(rows)
    by_site: dict[Site, list[Row]] = {}
    for row in rows:
        by_site.setdefault(row.site, []).append(row)
    unknown = {site for site, rs in by_site.items() if all(r.name is None for r in rs)}
    partial = {site: {r.name for r in rs if r.name is not None}
               for site, rs in by_site.items()
               if any(r.name is None for r in rs) and any(r.name is not None for r in rs)}
    return [r for r in rows if r.name is not None], unknown, partial


def comparable_tf_rows(run_rows: list[Row], unknown_sites: set[Site],
                       partial: dict[Site, set[str]]) -> list[Row]:
    """TF rows scopelint makes a claim about: rows at sites where every fact is
    unknown are dropped; at sites with some unknown facts, only the rows whose
    names scopelint predicts there are kept (the unknown facts stand for the rest)."""
    out = []
    for row in run_rows:
        if row.site in unknown_sites:
            continue
        if row.site in partial and row.name not in partial[row.site]:
            continue
        out.append(row)
    return out


def normalise(rows: list[Row]) -> list[tuple[str, int, str]]:
    """Sequence of (path, line, name); names inside one run of consecutive rows at the
    same site are sorted (one statement creating several variables, e.g. a layer
    or an optimizer's slots, may order them as a library detail)."""
    out: list[tuple[str, int, str]] = []
    group: list[tuple[str, int, str]] = []
    for row in rows:
        if group and group[-1][:2] != row.site:
            out.extend(sorted(group))
            group = []
        group.append(row.key())
    out.extend(sorted(group))
    return out


def diff_rows(tf_rows: list[tuple[str, int, str]], sl_rows: list[tuple[str, int, str]]) -> str:
    import difflib

    a = [f"{path}:{line:<4d}  {name}" for path, line, name in tf_rows]
    b = [f"{path}:{line:<4d}  {name}" for path, line, name in sl_rows]
    return "\n".join(difflib.unified_diff(a, b, "tensorflow", "scopelint", lineterm="", n=3))


def spec_diff(run: TFRun, scopelint: list[Row]) -> list[str]:
    """The named rows of scopelint whose shape or dtype, where it predicts one, is not
    what TF gave the variable of that name at that line."""
    real = {(r.path, r.line, r.name): (r.shape, r.dtype) for r in run.rows}
    out = []
    for row in scopelint:
        found = real.get((row.path, row.line, row.name))
        if found is None:
            continue  # the names comparison reports it
        shape, dtype = found
        if (row.shape is not None and row.shape != shape) or (row.dtype and row.dtype != dtype):
            out.append(f"{row.path}:{row.line} {row.name}: TF {_shape(shape)} {dtype}, "
                       f"scopelint {_shape(row.shape)} {row.dtype or '?'}")
    return out


def _shape(shape: Optional[tuple]) -> str:
    return "?" if shape is None else str(list(shape))


def tf_table(run: TFRun) -> str:
    """What TF did, one line per row (name, shape, dtype), then the error."""
    rows = [f"  {r.path}:{r.line:<4d}  {r.how:12s} {r.name} {_shape(r.shape)} {r.dtype}"
            for r in run.rows]
    if run.error is not None:
        site = "?" if run.error_site is None else f"{run.error_site[0]}:{run.error_site[1]}"
        rows.append(f"  {site}  raised {run.error_code}: {run.error_text}")
    return "\n".join(rows) or "  (nothing)"


def names_diff(run: TFRun, scopelint: list[Row]) -> Optional[str]:
    """None when scopelint's rows of one program run (name None when unknown) agree
    with TF's, else the diff. Without a TF error the sequences are equal. With one,
    scopelint's rows (which go on past the request that raises) start with TF's rows
    up to the last statement at the raising site; the rows TF recorded there are
    among scopelint's rows of that statement; and scopelint has a row for the request
    that raises (more rows at that site than TF made, or one whose name it leaves
    unknown)."""
    named, unknown, partial = split_named(scopelint)
    tf_rows = comparable_tf_rows(run.rows, unknown, partial)
    if run.error_site is None or run.error_code == "TFS202":  # raised by no variable request
        ok = normalise(tf_rows) == normalise(named)
    else:
        head = len(tf_rows)
        while head and tf_rows[head - 1].site == run.error_site:
            head -= 1
        tail = head
        while tail < len(named) and named[tail].site == run.error_site:
            tail += 1
        at_site = [r for r in scopelint if r.site == run.error_site]
        made = sum(r.site == run.error_site for r in run.rows)
        ok = (normalise(tf_rows[:head]) == normalise(named[:head])
              and {r.name for r in tf_rows[head:]} <= {r.name for r in named[head:tail]}
              and (len(at_site) > made or any(r.name is None for r in at_site)))
    return None if ok else diff_rows(normalise(tf_rows), normalise(named))


def _print_run(run: TFRun) -> None:
    print(tf_table(run))
    if run.error is not None and run.error_code is None:
        traceback.print_exception(run.error)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [*fixture_files(), *project_dirs()]
    for path in paths:
        if path.is_dir():
            for entry in project_entries(path):
                print(f"=== {path.name}: {relative(path, entry)}")
                _print_run(run_project_under_tf(path, entry))
            print(f"  annotations: {sorted(project_annotations(path))}")
            continue
        text = fixture_text(path)
        skip = oracle_skip_reason(text)
        print(f"=== {path.name}" + (f"  (oracle skip: {skip})" if skip else ""))
        if skip:
            continue
        _print_run(run_under_tf(path))
        exp = annotations(text)
        errs = {line: codes & set(ERROR_CODES) for line, codes in exp.items() if codes & set(ERROR_CODES)}
        print(f"  annotations: {dict(sorted(exp.items()))}  error annotations: {errs}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
