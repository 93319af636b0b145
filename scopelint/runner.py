"""Checking many files: discovery, cache, prefilter, and worker processes.

Files are analysed in worker processes (in-process with `jobs=1` or for a
single file), in a thread with a large stack so that deeply nested code
ends as a RecursionError (TFS001), not a segfault. A worker that
dies (BrokenProcessPool) loses no other file: the unfinished files are split
in halves and rerun in fresh pools until the file that kills a worker is
alone, and it gets a TFS000 finding. Results are sorted by path, whatever the
number of jobs. The analysis (the engine, libcst) is imported only where a file is
analysed: a run whose files are all cached imports none of it.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Protocol, Sequence, TypeVar

from scopelint.cache import CACHE_DIR, Cache, content_hash
from scopelint.facts import Finding
from scopelint.files import Excluder, SourceError, discover, is_notebook, read_source
from scopelint.placement import place
from scopelint.rules.input_problems import INTERNAL, UNREADABLE

if TYPE_CHECKING:
    from scopelint.analysis import FileResult
    from scopelint.engine.project import ProjectSettings
    from scopelint.engine.session import Session
    from scopelint.engine.tree_store import TreeStore

STACK_BYTES = 512 * 1024 * 1024
MIN_POOL_FILES = 2  # a single file is analysed in-process
CHUNKS_PER_WORKER = 4
PROGRESS_DELAY = 0.5  # seconds before the progress line first shows: short runs stay quiet
T = TypeVar("T")


class RunSettings(Protocol):
    """What the runner needs from the CLI's settings."""

    @property
    def exclude(self) -> Sequence[str]: ...

    @property
    def project(self) -> ProjectSettings: ...

    def settings_key(self) -> str: ...


@dataclass
class RunResult:
    """Every file's result (sorted by path) and the run's counts."""

    results: list[FileResult]
    skipped: int  # files the prefilter let skip the engine
    cached: int
    seconds: float

    @property
    def summary(self) -> str:
        return self.summary_for([f for r in self.results for f in r.findings])

    def summary_for(self, findings: Sequence[Finding], seconds: Optional[float] = None) -> str:
        """The summary line for the findings actually reported, e.g.
        `Found 3 findings in 2 files (120 checked, 40 skipped, 80 cached) in 1.20 s`; the
        time is `seconds` when given (the whole command's), else the run's."""
        checked = len(self.results)
        rest = f"{self.skipped} skipped, {self.cached} cached"
        if findings:
            files = len({f.path for f in findings})
            head = f"Found {_plural(len(findings), 'finding')} in {_plural(files, 'file')}"
            counts = f"{checked} checked, {rest}"
        else:
            head, counts = "No findings", f"{_plural(checked, 'file')} checked, {rest}"
        return f"{head} ({counts}) in {self.seconds if seconds is None else seconds:.2f} s"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class Outcome:
    """One analysed file, as a worker returns it."""

    result: FileResult
    digest: Optional[str]  # content hash of the bytes analysed; None if unread
    skipped: bool


def run(
    paths: list[str],
    settings: RunSettings,
    *,
    jobs: Optional[int] = None,
    use_cache: bool = True,
    want_facts: bool = False,
    progress: bool = False,
    prefilter: bool = True,
) -> RunResult:
    """Check every file under `paths`; never raises for bad input (PathNotFound aside)."""
    from scopelint.analysis import FileResult

    start = time.perf_counter()
    dir_errors: dict[str, str] = {}
    files = discover(paths, list(settings.exclude), getattr(settings, "root", None), dir_errors,
                     force_exclude=getattr(settings, "force_exclude", False))
    results = {path: FileResult(path, [Finding(path, 1, 1, UNREADABLE.code, message)])
               for path, message in dir_errors.items()}
    cache = Cache(settings.settings_key()) if use_cache and not want_facts else None
    todo = []
    for path in files:
        hit = _cached(cache, path)
        if hit is None:
            todo.append(path)
        else:
            results[path] = hit
    cached = len(files) - len(todo)
    meter = Progress(len(files), cached) if progress and sys.stderr.isatty() else None
    skipped = 0
    trees = None
    if use_cache and todo:
        from scopelint.engine.tree_store import TreeStore

        trees = TreeStore(os.path.abspath(CACHE_DIR), map(os.path.realpath, todo))
    outcomes = analyse(todo, jobs or os.cpu_count() or 1, prefilter, want_facts,
                       settings.project, meter.advance if meter else None, trees) if todo else []
    for outcome in outcomes:
        result = outcome.result
        results[result.path] = result
        skipped += outcome.skipped
        if cache is not None and outcome.digest and not any(
                f.code == INTERNAL.code for f in result.findings):
            cache.put(result.path, outcome.digest, result.findings, result.modules)
    if meter:
        meter.close()
    if cache is not None:
        cache.save()
    placed: dict[str, list[Finding]] = {path: [] for path in results}
    for finding in place((f for r in results.values() for f in r.findings), results):
        placed[finding.path].append(finding)
    for path, result in results.items():
        result.findings = placed[path]
    ordered = [results[p] for p in sorted(results)]
    return RunResult(ordered, skipped, cached, time.perf_counter() - start)


def run_stdin(name: str, data: bytes, settings: RunSettings, *,
              want_facts: bool = False) -> RunResult:
    """Check source read from stdin as the file `name`: its excludes apply; no cache."""
    start = time.perf_counter()
    root = getattr(settings, "root", None) or os.getcwd()
    if Excluder(list(settings.exclude), root).named_excluded(os.path.normpath(name)):
        return RunResult([], 0, 0, time.perf_counter() - start)
    from scopelint.analysis import recursion_guard
    from scopelint.engine.session import Session

    recursion_guard()
    outcome = in_big_stack(lambda: analyse_data(name, data, True, want_facts, settings.project,
                                                Session()))
    result = outcome.result
    result.findings = place(result.findings, [name])
    return RunResult([result], int(outcome.skipped), 0, time.perf_counter() - start)


def _cached(cache: Optional[Cache], path: str) -> Optional[FileResult]:
    """The cached result of a file, or None when it must be analysed."""
    if cache is None:
        return None
    try:
        digest = _digest(path, read_source(path))
    except SourceError:
        return None
    findings = cache.get(path, digest)
    if findings is None:
        return None
    from scopelint.analysis import FileResult

    return FileResult(path, findings)


class Progress:
    """A `done/total` line on stderr, from PROGRESS_DELAY seconds on, redrawn at most ten
    times a second and erased at the end."""

    def __init__(self, total: int, done: int) -> None:
        self.total, self.done = total, done
        self.shown = time.monotonic() + PROGRESS_DELAY - 0.1
        self.drawn = False

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.shown >= 0.1 or (self.drawn and self.done == self.total):
            self.shown, self.drawn = now, True
            sys.stderr.write(f"\rscopelint: {self.done}/{self.total} files")
            sys.stderr.flush()

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def analyse(paths: list[str], jobs: int, prefilter: bool, want_facts: bool,
            project: ProjectSettings, on_file: Optional[Callable[[], None]] = None,
            trees: Optional[TreeStore] = None) -> list[Outcome]:
    """Analyse `paths` in-process or in `jobs` worker processes; one outcome per path.
    `trees`: the libcst trees of earlier runs, which the analyses read and add to."""
    if jobs <= 1 or len(paths) < MIN_POOL_FILES:
        from scopelint.engine.session import Session

        session = Session()
        session.share_modules = session.release_checked = len(paths) > 1
        gc.freeze()  # see `_start_worker`
        try:
            return analyse_chunk(paths, prefilter, want_facts, project, session, on_file, trees)
        finally:
            gc.unfreeze()
    return _pooled(paths, jobs, prefilter, want_facts, project, on_file, trees)


def _pooled(paths: list[str], jobs: int, prefilter: bool, want_facts: bool,
            project: ProjectSettings, on_file: Optional[Callable[[], None]],
            trees: Optional[TreeStore]) -> list[Outcome]:
    """Analyse in worker processes; files a crashing worker took down are bisected."""
    outcomes: list[Outcome] = []
    batches = [paths]
    while batches:
        batch = batches.pop()
        lost = _pool_pass(batch, jobs, prefilter, want_facts, project, outcomes, on_file, trees)
        if len(lost) == 1:
            outcomes.append(_failed(lost[0], RuntimeError("the worker process analysing it died")))
            if on_file:
                on_file()
        elif lost:
            half = len(lost) // 2
            batches += [lost[half:], lost[:half]]
    return outcomes


def _pool_pass(paths: list[str], jobs: int, prefilter: bool, want_facts: bool,
               project: ProjectSettings, outcomes: list[Outcome],
               on_file: Optional[Callable[[], None]], trees: Optional[TreeStore]) -> list[str]:
    """One pool over `paths`, appending to `outcomes`; returns the files a crash lost."""
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = min(jobs, len(paths))
    chunks = _chunks(paths, workers)
    lost: list[str] = []
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker)
    try:
        futures: list[tuple[list[str], Future[list[Outcome]]]] = [
            (chunk, pool.submit(_worker_chunk, chunk, prefilter, want_facts, project, trees))
            for chunk in chunks]
        for chunk, future in futures:
            try:
                done = future.result()
            except BrokenProcessPool:
                lost += chunk
                continue
            except Exception as err:  # noqa: BLE001 - e.g. a result that cannot be unpickled
                done = [_failed(path, err) for path in chunk]
            outcomes.extend(done)
            if on_file:
                for _ in done:
                    on_file()
    finally:  # on Ctrl-C, do not wait for the queued chunks
        pool.shutdown(cancel_futures=True)
    return lost


def _chunks(paths: list[str], workers: int) -> list[list[str]]:
    """Runs of neighbouring files (path order) of about 1/(CHUNKS_PER_WORKER workers) of the
    bytes each, so that a worker mostly reads the files of one project, whose modules it
    then replays once (see `engine.sharing`), and the workers still finish together."""
    sizes = {path: _size(path) for path in paths}
    budget = sum(sizes.values()) / (workers * CHUNKS_PER_WORKER)
    chunks: list[list[str]] = [[]]
    load = 0
    for path in sorted(paths):
        if chunks[-1] and load + sizes[path] > budget:
            chunks.append([])
            load = 0
        chunks[-1].append(path)
        load += sizes[path]
    return chunks


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _failed(path: str, err: BaseException) -> Outcome:
    from scopelint.analysis import FileResult, internal_error

    return Outcome(FileResult(path, [internal_error(path, err)]), None, False)


def analyse_chunk(paths: list[str], prefilter: bool, want_facts: bool, project: ProjectSettings,
                  session: Session, on_file: Optional[Callable[[], None]] = None,
                  trees: Optional[TreeStore] = None) -> list[Outcome]:
    """Analyse files one after another in a thread with a large stack (with the libcst
    trees of earlier runs, `trees`, adding those it parses)."""
    from scopelint.analysis import recursion_guard

    if session.trees is None:
        session.trees = trees

    def each() -> list[Outcome]:
        outcomes = []
        for path in paths:
            moving_to(session, path)
            outcomes.append(analyse_file(path, prefilter, want_facts, project, session))
            if on_file:
                on_file()
        session.save_trees()
        return outcomes

    recursion_guard()
    with analysing(session):
        outcomes = in_big_stack(each)
    _write_stats(session)
    return outcomes


STATS = "SCOPELINT_STATS"


def _write_stats(session: Session) -> None:
    """With `SCOPELINT_STATS=FILE` in the environment, append the session's replay counts
    so far (`Session.stats`) to FILE as one JSON line with the process id: the last line of
    each process holds its totals (a worker process has its own session)."""
    target = os.environ.get(STATS)
    if target:
        import json

        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"pid": os.getpid(), **session.stats()}) + "\n")


@contextmanager
def analysing(session: Session) -> Iterator[None]:
    """How a run analyses its files (restored after).

    The cyclic garbage collector is off: the parsed trees and shared modules a run keeps
    are large and long-lived, so its passes over them cost about a third of the analysis,
    while the cycles it would free are few (about a fifth more memory). And each project
    module is read from disk once (`Session.reading_once`), not once per file importing it.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        with session.reading_once():
            yield
    finally:
        if collecting:
            gc.enable()


# The session of a worker process, which lives for one run (set by `_start_worker`, in the
# context of the thread that runs the pool's tasks): the chunks of a project that reach the
# same worker share the files it read and the modules it replayed.
WORKER_SESSION: ContextVar[Session] = ContextVar("WORKER_SESSION")


def _start_worker() -> None:
    """A worker process (it lives for one run): what exists when a run begins, such as what
    earlier runs kept or what a worker inherited, is frozen out of the cyclic GC's passes
    (`gc.freeze`), so that the pass freeing a project walks only what the run made; in a
    worker the GC stays off for good, as while it analyses (`analysing`): between chunks
    too, a pass would walk what it keeps. Its session is made here."""
    from scopelint.engine.session import Session

    gc.freeze()
    gc.disable()
    session = Session()
    session.release_checked = True
    WORKER_SESSION.set(session)


def _worker_chunk(paths: list[str], prefilter: bool, want_facts: bool,
                  project: ProjectSettings, trees: Optional[TreeStore]) -> list[Outcome]:
    """The pool's task: a chunk, analysed in the worker's session."""
    return analyse_chunk(paths, prefilter, want_facts, project, WORKER_SESSION.get(),
                         trees=trees)


def moving_to(session: Session, path: str) -> None:
    """When a run moves on to another project (`project.package_root`), forget the files
    read and modules shared for the last one: path order takes a project's files together,
    so they are seldom needed again, and a run over many projects keeps about one
    project's trees instead of all of them (a cyclic GC pass frees them). What survives
    the pass lives on (the session, the outcomes, bounded caches) and is frozen out of
    the later ones (`gc.freeze`, undone when the run ends): each walks one project's
    objects, not the survivors of all before."""
    from scopelint.engine.project import package_root

    root = package_root(path)
    if session.package_root is not None and session.package_root != root:
        session.forget()
        gc.collect()
        gc.freeze()
    session.package_root = root


def analyse_file(path: str, prefilter: bool, want_facts: bool,
                 project: ProjectSettings, session: Session) -> Outcome:
    """Read and analyse one file; every failure becomes a finding.

    Every file is decoded and parsed by CPython (TFS002, TFS001); files the
    prefilter clears, or beyond `limits`, stop there, the rest go to libcst
    and the engine.
    """
    from scopelint.analysis import FileResult, unreadable

    try:
        data = read_source(path)
    except SourceError as err:
        return Outcome(FileResult(path, [unreadable(path, err)]), None, False)
    return analyse_data(path, data, prefilter, want_facts, project, session)


def analyse_data(path: str, data: bytes, prefilter: bool, want_facts: bool,
                 project: ProjectSettings, session: Session) -> Outcome:
    """Analyse one file's bytes; every failure becomes a finding."""
    from scopelint.analysis import FileResult, analyze_bytes, internal_error, too_deep

    try:
        result = analyze_bytes(path, data, prefilter, project, session)
        if result.facts is not None:
            result.modules = result.facts.modules
        if not want_facts:
            result.facts = None
    except RecursionError:
        result = FileResult(path, [too_deep(path)])
    except Exception as err:  # noqa: BLE001 - one file's failure must not stop the run
        result = FileResult(path, [internal_error(path, err)])
    return Outcome(result, _digest(path, data), result.skipped)


def _digest(path: str, data: bytes) -> str:
    """The cache key of a file: its content, and whether it is read as a notebook."""
    return content_hash(data) + (":ipynb" if is_notebook(path) else "")


def in_big_stack(work: Callable[[], T]) -> T:
    """Run `work` in a thread with a STACK_BYTES stack and return (or raise) what it does."""
    box: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            box.append(work())
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller
            failure.append(err)

    try:
        previous = threading.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):  # platform refuses: keep the default size
        previous = None
    try:
        thread = threading.Thread(target=target, name="scopelint-analysis")
        thread.start()
    finally:
        if previous is not None:
            threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return box[0]
