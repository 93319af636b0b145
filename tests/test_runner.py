"""The runner: deterministic order, worker failures, summary, progress."""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from scopelint import analysis, runner
from scopelint.facts import ModuleFacts
from scopelint.files import PathNotFound
from scopelint.engine.project import ProjectSettings

TFS201 = ('import tensorflow.compat.v1 as tf\nwith tf.name_scope("a"):\n'
          '    v = tf.get_variable("v", [1])\n')
TFS101 = ('import tensorflow as tf\nfor i in range(2):\n'
          '    with tf.variable_scope("s"):\n        w = tf.get_variable("w", [1])\n')
SOURCES = [TFS201, TFS101, "x = 1\n", "x = = 1\n", "import os\nos.getcwd()\n"]
SETTINGS = SimpleNamespace(exclude=(), settings_key=lambda: "test", project=ProjectSettings())
fork_only = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                               reason="patching workers needs the fork start method")


def view(result: runner.RunResult) -> list[tuple[str, list]]:
    return [(r.path, r.findings) for r in result.results]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for i in range(24):
        path = tmp_path / f"pkg{i % 3}" / f"m{i:02}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(SOURCES[i % len(SOURCES)])
    return tmp_path


def test_results_are_sorted_and_the_same_for_any_jobs(project: Path) -> None:
    results = [runner.run(["."], SETTINGS, jobs=jobs, use_cache=False) for jobs in (1, 2, 3, 8)]
    first = view(results[0])
    assert [path for path, _ in first] == sorted(path for path, _ in first)
    for _, findings in first:
        assert findings == sorted(findings, key=lambda f: (f.line, f.col, f.code))
    assert {f.code for _, fs in first for f in fs} == {"TFS001", "TFS101", "TFS201"}
    assert all(view(r) == first for r in results[1:])


def test_summary(project: Path) -> None:
    result = runner.run(["."], SETTINGS, jobs=2, use_cache=False)
    assert re.fullmatch(r"Found \d+ findings in \d+ files \(24 checked, 9 skipped, 0 cached\) "
                        r"in \d+\.\d\d s", result.summary)
    one = next(r.findings[:1] for r in result.results if r.findings)
    assert result.summary_for(one).startswith("Found 1 finding in 1 file (24 checked")
    assert result.summary_for([]).startswith("No findings (24 files checked, 9 skipped")


def test_facts_for_names(project: Path) -> None:
    result = runner.run(["pkg0"], SETTINGS, jobs=1, want_facts=True)
    by_source = {(project / r.path).read_text(): r.facts for r in result.results}
    assert by_source[TFS101] is not None and by_source[TFS101].variables
    assert by_source["import os\nos.getcwd()\n"] == ModuleFacts()  # skipped: no TF facts
    assert by_source["x = = 1\n"] is None  # not analysed


@fork_only
def test_a_crashing_worker_loses_no_other_file(project: Path, monkeypatch) -> None:
    expected = view(runner.run(["."], SETTINGS, jobs=1, use_cache=False))
    real = analysis.analyze_text

    def crash(path: str, text: str, prefilter: bool = False, project: object = None,
              session: object = None):
        if path.endswith(("m05.py", "m16.py")):
            os._exit(3)
        return real(path, text, prefilter)

    monkeypatch.setattr(analysis, "analyze_text", crash)
    got = view(runner.run(["."], SETTINGS, jobs=2, use_cache=False))
    assert [p for p, _ in got] == [p for p, _ in expected]
    for (path, findings), (_, want) in zip(got, expected):
        if path.endswith(("m05.py", "m16.py")):
            assert [f.code for f in findings] == ["TFS000"]
            assert "worker process analysing it died" in findings[0].message
        else:
            assert findings == want


@pytest.mark.parametrize("jobs", [1, 2])
def test_unexpected_exception_is_tfs000_and_the_run_goes_on(project: Path, monkeypatch,
                                                            jobs: int) -> None:
    real = analysis.analyze_text

    def fail(path: str, text: str, prefilter: bool = False, project: object = None,
             session: object = None):
        if path.endswith("m01.py"):
            raise KeyError("surprise")
        if path.endswith("m06.py"):
            raise RecursionError("deep")
        return real(path, text, prefilter)

    monkeypatch.setattr(analysis, "analyze_text", fail)
    results = {r.path: r.findings for r in runner.run(["."], SETTINGS, jobs=jobs).results}
    (internal,) = results[os.path.join("pkg1", "m01.py")]
    assert (internal.code, internal.path) == ("TFS000", os.path.join("pkg1", "m01.py"))
    assert "KeyError" in internal.message
    (deep,) = results[os.path.join("pkg0", "m06.py")]
    assert (deep.code, deep.message) == ("TFS001", "code is nested too deeply to analyse")
    assert [f.code for f in results[os.path.join("pkg0", "m00.py")]] == ["TFS201"]


def test_jobs_1_runs_in_process(project: Path, monkeypatch) -> None:
    def no_pool(*args, **kwargs):
        raise AssertionError("no pool with --jobs 1")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", no_pool)
    assert len(runner.run(["."], SETTINGS, jobs=1, use_cache=False).results) == 24


def test_unreadable_files_and_directories_are_tfs002(project: Path, monkeypatch) -> None:
    from scopelint import files

    real_scandir, real_open = os.scandir, open

    def scandir(path):
        if os.path.basename(path) == "pkg2":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("m03.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(files, "open", fake_open, raising=False)
    results = {r.path: r.findings for r in runner.run(["."], SETTINGS, jobs=1).results}
    assert [(f.code, f.message) for f in results["pkg2"]] == [
        ("TFS002", "cannot read directory: Permission denied")]
    assert [(f.code, f.message) for f in results[os.path.join("pkg0", "m03.py")]] == [
        ("TFS002", "cannot read file: Permission denied")]
    assert not any(path.startswith("pkg2" + os.sep) for path in results)


def test_missing_path(project: Path) -> None:
    with pytest.raises(PathNotFound):
        runner.run(["nope.py"], SETTINGS, jobs=1)


def test_progress_only_on_a_tty(project: Path, monkeypatch) -> None:
    monkeypatch.setattr(runner, "PROGRESS_DELAY", 0)
    plain = io.StringIO()
    monkeypatch.setattr("sys.stderr", plain)
    runner.run(["."], SETTINGS, jobs=1, use_cache=False, progress=True)
    assert plain.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    runner.run(["."], SETTINGS, jobs=2, use_cache=False, progress=True)
    assert "24/24 files" in tty.getvalue()
    assert tty.getvalue().endswith("\r\033[K")
    quiet = Tty()
    monkeypatch.setattr("sys.stderr", quiet)
    runner.run(["."], SETTINGS, jobs=1, use_cache=False, progress=False)
    assert quiet.getvalue() == ""


def test_a_run_forgets_a_project_when_it_moves_on_to_the_next(tmp_path: Path) -> None:
    """Path order takes each project's files together: the files read for one project are
    dropped when the run reaches the next, with their trees and the origins of its unknown
    values (they hold its trees), and what it found is unchanged."""
    from scopelint.engine.project import SourceFile
    from scopelint.engine.session import Session

    model = ("import tensorflow as tf\nfrom unseen import name\n"
             "bias = tf.get_variable(name(), [1])\n"
             "def net(x):\n    return tf.get_variable('w', [1])\n")
    for name in ("first", "second"):
        (tmp_path / name / "pkg").mkdir(parents=True)
        (tmp_path / name / "pkg" / "__init__.py").write_text("")
        (tmp_path / name / "pkg" / "model.py").write_text(model)
        (tmp_path / name / "main.py").write_text(
            "from pkg.model import net\nnet(1)\nnet(2)\n")
    run = runner.run([str(tmp_path)], SETTINGS, jobs=1, use_cache=False)
    found = {(os.path.relpath(f.path, tmp_path).split(os.sep)[0], f.code)
             for r in run.results for f in r.findings}
    assert found == {("first", "TFS101"), ("second", "TFS101")}
    session = Session()  # the run's steps, in a session the test can look into
    earlier: list[SourceFile] = []
    for name in ("first", "second"):
        main = str(tmp_path / name / "main.py")
        runner.moving_to(session, main)
        assert not any(f._cst or f._tree for f in earlier)  # not left to a GC pass
        runner.analyse_file(main, True, False, SETTINGS.project, session)
        kept = {os.path.relpath(f.path, tmp_path).split(os.sep)[0]
                for f in session.loaded_files()}
        origins = {os.path.relpath(positions.path, tmp_path).split(os.sep)[0]
                   for positions, _, _ in session.holes.origins.values()}
        assert kept == origins == {name}
        earlier = session.loaded_files()
    gc.unfreeze()  # `moving_to` froze what outlived its pass
