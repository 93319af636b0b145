"""Benchmark scopelint against flake8, ruff, pylint and Fixit on real TF1 code.

Fetches a pinned set of TF1-era packages (`pip download --no-deps`), unpacks
them in a temporary folder, installs the peer tools in their own virtualenv,
runs every tool once per configuration, and prints one table (wall time, CPU
time, peak RSS of the largest process, wall ratio to scopelint's cold run);
then what pre-commit sees: files of tensorpack and tensor2tensor, one at a time,
edited and re-checked with the cache of the rest warm, and a file without TF,
each next to flake8 on the same file; then the targets, met or missed (issue 24's
first). It also checks that the cache and the shortcuts (function bodies parsed
when first run, modules shared between programs) change nothing: `check` and
`names` print the same JSON with the cache off, cold and warm, with
`SCOPELINT_NO_SHORTCUTS=1`, and for files checked alone with the trees of what they
import read from the cache. `--quick` takes two small packages, whose files are
then the edited ones. scopelint runs from its compiled bytecode, as a package pip
installs does (the peers get theirs from pip), whatever `PYTHONDONTWRITEBYTECODE` says.
Run from the repository root:

    python benchmarks/run.py [--quick] [--skip-peers]
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("tf-slim==1.1.0", "tflearn==0.5.0", "bert-tensorflow==1.0.4",
            "tensor2tensor==1.15.7", "tensorpack==0.11", "dm-sonnet==1.36")
QUICK_PACKAGES = ("tf-slim==1.1.0", "bert-tensorflow==1.0.4")
# The projects (folders of the unpacked packages) whose files are edited and re-checked.
EDITED, EDITS = ("tensorpack", "tensor2tensor"), 10
QUICK_EDITED, QUICK_EDITS = ("tf_slim", "bert_tensorflow"), 3
PEERS = ("flake8", "ruff", "pylint", "fixit")


@dataclass
class Measure:
    """One timed run of a command."""

    wall: float
    cpu: float
    rss_mb: float
    status: int


def measure(cmd: list[str], cwd: Path, env: Optional[dict[str, str]] = None) -> Measure:
    """Run `cmd` once; CPU time and peak RSS come from os.wait4 (children included)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            err.seek(0)
            tail = err.read().decode(errors="replace")[-400:]
            print(f"warning: {' '.join(cmd[:4])} exited {proc.returncode}: {tail}", file=sys.stderr)
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def fetch(packages: tuple[str, ...], folder: Path) -> Path:
    """Download and unpack the packages; returns the folder holding their sources."""
    downloads, source = folder / "downloads", folder / "src"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                    str(downloads), *packages], check=True)
    for archive in sorted(downloads.iterdir()):
        target = source / archive.name.split("-")[0]
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(target)
        else:
            with tarfile.open(archive) as tf:
                if hasattr(tarfile, "data_filter"):
                    tf.extractall(target, filter="data")
                else:  # Python without extraction filters
                    tf.extractall(target)
    return source


def peers_venv(folder: Path) -> Path:
    """A virtualenv with the peer tools; returns its bin folder."""
    venv.create(folder / "venv", with_pip=True)
    bin_dir = folder / "venv" / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *PEERS], check=True)
    return bin_dir


def sample_file(path: Path, lines: int = 200) -> Path:
    """A typical TF1 model file of about `lines` lines."""
    block = [
        "def block_{i}(x, reuse=False):",
        "    with tf.variable_scope('block_{i}', reuse=reuse):",
        "        w = tf.get_variable('w', [3, 3])",
        "        b = tf.get_variable('b', [3], initializer=tf.zeros_initializer())",
        "        with tf.name_scope('ops'):",
        "            y = tf.matmul(x, w) + b",
        "        return tf.nn.relu(y)",
        "",
        "",
    ]
    out = ["import tensorflow.compat.v1 as tf", "", ""]
    i = 0
    while len(out) + len(block) + 8 <= lines:
        out += [line.format(i=i) for line in block]
        i += 1
    out += ["x = tf.placeholder(tf.float32, [None, 3])"]
    out += [f"x = block_{k}(x)" for k in range(i)]
    out += ["loss = tf.reduce_sum(x)", "train = tf.train.AdamOptimizer().minimize(loss)"]
    path.write_text("\n".join(out[:lines]) + "\n")
    return path


def analysis_vs_parse(source: Path) -> tuple[float, float, int, int, int]:
    """In-process: seconds of bare libcst.parse_module vs the full analysis, on the files
    that mention TF; then the lines of those files, and the lines the analysis handed to
    libcst (a file's lines outside the function bodies it left out, plus each body it
    parsed; imported modules included)."""
    import libcst

    from scopelint import analysis
    from scopelint.engine.session import Session
    from scopelint.files import SourceError, decode_source
    from scopelint.prefilter import mentions_tf

    analysis.recursion_guard()
    texts = []
    for path in sorted(source.rglob("*.py")):
        try:
            text = decode_source(path.read_bytes())
        except (OSError, SourceError):
            continue
        tree = analysis.parse_python(str(path), text)
        if mentions_tf(text) and not isinstance(tree, analysis.Finding):
            texts.append((str(path), text))

    def best(work: Callable[[Session, str, str], object]) -> tuple[float, Session]:
        """The best of two passes, each begun cold (a new session: nothing read or shared
        before), with the cyclic garbage collector off as in scopelint's workers
        (`runner.analysing`); and the last pass's session."""
        times = []
        for _ in range(2):
            session = Session()
            gc.collect()
            gc.disable()
            start = time.process_time()
            for path, text in texts:
                work(session, path, text)
            times.append(time.process_time() - start)
            gc.enable()
        return min(times), session

    bare, _ = best(lambda _, __, text: libcst.parse_module(text))
    full, session = best(lambda session, path, text: analysis.analyze_text(
        path, text, session=session))
    lines = sum(text.count("\n") for _, text in texts)
    handed = sum(f.libcst_lines for f in session.loaded_files())
    return bare, full, len(texts), lines, handed


def same_outputs(source: Path, folder: Path, env: dict[str, str], alone: list[Path]
                 ) -> list[str]:
    """The configurations in which `check` or `names` prints other JSON than with the cache
    off and the shortcuts on (or prints nothing there): the cache cold (a new cache folder)
    and warm (the same again), and the shortcuts off (`SCOPELINT_NO_SHORTCUTS=1`: every
    function parsed whole, every module replayed for each program, nothing shared), cache
    off and cold; and each file of `alone` checked alone with the trees of the modules it
    imports taken from the cache (`engine/tree_store.py`); an empty list when every output
    is the same."""
    differ = []
    for command in ("check", "names"):
        def output(cwd: Path, cache: bool, path: Path = source, **extra: str) -> bytes:
            return subprocess.run(
                [sys.executable, "-m", "scopelint", command, "--format", "json", "--quiet",
                 *(() if cache else ("--no-cache",)), str(path)],
                cwd=cwd, env={**env, **extra}, capture_output=True).stdout

        stored = folder / f"{command}-trees"
        stored.mkdir()
        for path in alone:
            output(stored, True, path)  # stores the trees of what it imports
            if output(stored, True, path) != output(folder, False, path):
                differ.append(f"{command}: {path.relative_to(source)} alone, trees stored")

        shared, unshared = folder / f"{command}-cache", folder / f"{command}-cache-unshared"
        shared.mkdir()
        unshared.mkdir()
        reference = output(folder, False)
        runs = {"cache cold": output(shared, True), "cache warm": output(shared, True),
                "unshared": output(folder, False, SCOPELINT_NO_SHORTCUTS="1"),
                "unshared, cache cold": output(unshared, True, SCOPELINT_NO_SHORTCUTS="1")}
        differ += [f"{command}: {name}" for name, out in runs.items()
                   if out != reference or not reference]
    return differ


def import_times(small: Path, cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Cumulative import time (ms) of scopelint's CLI and of libcst, from -X importtime
    (the best of three runs, as for the 200-line file)."""
    best: dict[str, float] = {}
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "scopelint", "check",
                               "--no-cache", str(small)], cwd=cwd, env=env,
                              capture_output=True, text=True)
        for line in proc.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if (line.startswith("import time:") and len(parts) == 3 and parts[1].isdigit()
                    and parts[2] in ("scopelint.cli", "libcst")):
                best[parts[2]] = min(best.get(parts[2], float("inf")), int(parts[1]) / 1000)
    return best


def edited_rechecks(source: Path, projects: tuple[str, ...], count: int, work: Path,
                    env: dict[str, str], flake8: Optional[Path]
                    ) -> dict[str, list[tuple[Path, Measure, Optional[Measure]]]]:
    """Per project, `count` of its files that mention TF (evenly spaced in path order), each
    edited (a comment appended) and re-checked alone with the cache of the whole tree warm,
    as pre-commit passes a changed file; flake8 on the same edited file. The file is
    restored after, so the cache stays warm for the next."""
    from scopelint.prefilter import mentions_tf

    runs: dict[str, list[tuple[Path, Measure, Optional[Measure]]]] = {}
    for project in projects:
        files = [p for p in sorted((source / project).rglob("*.py"))
                 if mentions_tf(p.read_text(encoding="utf-8", errors="replace"))]
        runs[project] = []
        for path in files[::max(1, len(files) // count)][:count]:
            original = path.read_bytes()
            path.write_bytes(original + b"\n# edited by benchmarks/run.py\n")
            try:
                ours = measure([sys.executable, "-m", "scopelint", "check", "--exit-zero",
                                str(path)], work, env)
                theirs = measure([str(flake8), "--exit-zero", str(path)], work) if flake8 \
                    else None
            finally:
                path.write_bytes(original)
            runs[project].append((path, ours, theirs))
    return runs


def tf_free_file(source: Path, projects: tuple[str, ...]) -> Path:
    """A file of the projects the prefilter clears (no TF, itself or through its project
    imports), of the median length among those whose text mentions no TF."""
    from scopelint.analysis import analyze_text
    from scopelint.prefilter import mentions_tf

    texts = {p: p.read_text(encoding="utf-8", errors="replace")
             for project in projects for p in sorted((source / project).rglob("*.py"))}
    free = sorted((t.count("\n"), str(p)) for p, t in texts.items() if not mentions_tf(t))
    for i in sorted(range(len(free)), key=lambda i: abs(i - len(free) // 2)):
        path = free[i][1]
        if analyze_text(path, texts[Path(path)], prefilter=True).skipped:
            return Path(path)
    raise RuntimeError(f"no file of {', '.join(projects)} is cleared by the prefilter")


def best_of(runs: int, cmd: list[str], cwd: Path, env: Optional[dict[str, str]] = None
            ) -> Measure:
    """The fastest of `runs` runs (a short command's time is mostly noise otherwise)."""
    return min((measure(cmd, cwd, env) for _ in range(runs)), key=lambda m: m.wall)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="two small packages only (their files are the edited ones)")
    parser.add_argument("--skip-peers", action="store_true",
                        help="scopelint only (no target that compares with flake8)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    packages = QUICK_PACKAGES if args.quick else PACKAGES
    edited = (QUICK_EDITED, QUICK_EDITS) if args.quick else (EDITED, EDITS)
    folder = Path(tempfile.mkdtemp(prefix="scopelint-bench-"))
    try:
        print(report(folder, packages, edited, args.skip_peers, load), end="")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def report(folder: Path, packages: tuple[str, ...], edited: tuple[tuple[str, ...], int],
           skip_peers: bool, load: float) -> str:
    """Fetch, run everything, and return the table, the other measures and the targets."""
    sys.path.insert(0, str(REPO))
    source = fetch(packages, folder)
    work = folder / "work"
    work.mkdir()
    files = sorted(source.rglob("*.py"))
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "scopelint")],
                   check=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    scopelint = [sys.executable, "-m", "scopelint", "check", "--exit-zero"]
    cpus = os.cpu_count() or 1
    rows: list[tuple[str, Measure]] = [
        ("scopelint cold --jobs 1", measure([*scopelint, "--no-cache", "--jobs", "1",
                                             str(source)], work, env)),
        ("scopelint cold --jobs 2", measure([*scopelint, "--no-cache", "--jobs", "2",
                                             str(source)], work, env))]
    default = "scopelint cold --jobs 2" if cpus == 2 else "scopelint cold (default jobs)"
    if cpus != 2:
        rows.append((default, measure([*scopelint, "--no-cache", str(source)], work, env)))
    rows.append(("scopelint cold, no imports", measure(
        [*scopelint, "--no-cache", "--no-follow-imports", str(source)], work, env)))
    measure([*scopelint, str(source)], work, env)  # fill the cache
    rows.append(("scopelint warm (cache)", measure([*scopelint, str(source)], work, env)))
    flake8: Optional[Path] = None
    if not skip_peers:
        bin_dir = peers_venv(folder)
        flake8 = bin_dir / "flake8"
        ruff = [str(bin_dir / "ruff"), "check", "--isolated", "--exit-zero", str(source)]
        rows.append(("flake8 (default)", measure([str(flake8), "--exit-zero", str(source)],
                                                 work)))
        rows.append(("ruff --no-cache", measure([*ruff, "--no-cache"], work)))
        measure(ruff, work)  # fill ruff's cache
        rows.append(("ruff (cached)", measure(ruff, work)))
        rows.append(("pylint, one check (-j0)", measure(
            [str(bin_dir / "pylint"), "--disable=all", "--enable=unused-import", "--jobs=0",
             "--recursive=y", "--exit-zero", str(source)], work)))
        rows.append(("fixit lint", measure([str(bin_dir / "fixit"), "lint", str(source)], work)))
    small = sample_file(work / "small.py")
    single = best_of(3, [*scopelint, "--no-cache", str(small)], work, env)
    projects, count = edited
    edits = edited_rechecks(source, projects, count, work, env, flake8)
    free = tf_free_file(source, projects)
    free_ours = best_of(3, [*scopelint, "--no-cache", str(free)], work, env)
    free_theirs = best_of(3, [str(flake8), "--exit-zero", str(free)], work) if flake8 else None
    bare, full, parsed, tf_lines, handed = analysis_vs_parse(source)
    imports = import_times(small, work, env)
    differ = same_outputs(source, folder, env,
                          [path for runs in edits.values() for path, _, _ in runs[:3]])

    measured = dict(rows)
    base = measured[default].wall
    out = io.StringIO()
    out.write(f"{len(files)} .py files, {lines} lines from {', '.join(packages)}; "
              f"{cpus} CPUs (load average {load:.1f} at the start); "
              f"Python {sys.version.split()[0]}\n\n")
    out.write(f"| {'tool':<33} | wall s | CPU s | peak RSS MB | wall / scopelint cold |\n")
    out.write(f"|{'-' * 35}|-------:|------:|------------:|----------------------:|\n")
    for name, m in rows:
        label = f"{name} (default)" if name == default and cpus == 2 else name
        out.write(f"| {label:<33} | {m.wall:6.2f} | {m.cpu:5.2f} | {m.rss_mb:11.0f} | "
                  f"{m.wall / base:20.2f}x |\n")
    out.write(f"| {'scopelint, one 200-line file':<33} | {single.wall:6.2f} | {single.cpu:5.2f} | "
              f"{single.rss_mb:11.0f} | {'':>21} |\n")
    out.write(f"\nanalysis vs bare libcst.parse_module on the {parsed} files scopelint parsed: "
              f"{full:.2f} s vs {bare:.2f} s CPU ({full / bare:.2f}x)\n")
    out.write(f"lines handed to libcst: {handed} of the {tf_lines} lines of those files "
              f"({handed / tf_lines:.0%}; imported modules' lines count where they are)\n")
    out.write("import time (ms, cumulative): "
              + ", ".join(f"{k} {v:.0f}" for k, v in imports.items()) + "\n")
    out.write(f"following imports: {base / measured['scopelint cold, no imports'].wall:.2f}x "
              "the cold run without\n\n")
    out.write("one edited file re-checked, the cache of the rest warm (wall s (CPU s), "
              "scopelint vs flake8 on the same file):\n")
    for project, runs in edits.items():
        for path, ours, theirs in runs:
            vs = f"{theirs.wall:5.2f} ({theirs.cpu:5.2f}) {ours.wall / theirs.wall:4.1f}x" \
                if theirs else "-"
            out.write(f"  {path.relative_to(source)}: {ours.wall:5.2f} ({ours.cpu:5.2f}) "
                      f"vs {vs}\n")
    vs = (f"{free_theirs.wall:.2f} s ({free_ours.wall / free_theirs.wall:.2f}x)"
          if free_theirs else "-")
    free_lines = free.read_bytes().count(b"\n")
    out.write(f"a file the prefilter clears, {free.relative_to(source)} ({free_lines} lines): "
              f"{free_ours.wall:.2f} s vs flake8 {vs}\n\n")

    targets = issue_targets(measured, default, edits, (free_ours, free_theirs), differ)
    targets += [("one 200-line file <= 0.3 s", single.wall <= 0.3, f"{single.wall:.2f} s"),
                ("import time <= 50 ms", imports.get("scopelint.cli", float("inf")) <= 50,
                 f"{imports.get('scopelint.cli', float('inf')):.0f} ms")]
    if not skip_peers:
        fixit, warm, ruff_cached = (measured[k].wall for k in (
            "fixit lint", "scopelint warm (cache)", "ruff (cached)"))
        targets += [("cold >= 5x faster than Fixit", fixit / base >= 5, f"{fixit / base:.2f}x"),
                    ("warm within 2x of ruff cached", warm <= 2 * ruff_cached,
                     f"{warm / ruff_cached:.2f}x")]
    met = sum(ok for _, ok, _ in targets if ok is not None)
    checked = sum(ok is not None for _, ok, _ in targets)
    for name, ok, value in targets:
        verdict = "n/a" if ok is None else "met" if ok else "MISSED"
        out.write(f"target {name}: {value} {verdict}\n")
    out.write(f"targets met: {met} of {checked}\n")
    return out.getvalue()


Target = tuple[str, Optional[bool], str]  # what, met (None: not measured), the measure


def issue_targets(measured: dict[str, Measure], default: str,
                  edits: dict[str, list[tuple[Path, Measure, Optional[Measure]]]],
                  free: tuple[Measure, Optional[Measure]], differ: list[str]) -> list[Target]:
    """The targets of issue 24 (speed), from the measures of this run."""
    base, one_job = measured[default].wall, measured["scopelint cold --jobs 1"].wall
    two_jobs = measured["scopelint cold --jobs 2"].wall
    peak = max(m.rss_mb for name, m in measured.items() if name.startswith("scopelint"))
    flake8 = measured.get("flake8 (default)")
    targets: list[Target] = [
        ("cold, default jobs, >= 0.85x flake8's speed",
         None if flake8 is None else flake8.wall / base >= 0.85,
         "no flake8 (--skip-peers)" if flake8 is None else f"{flake8.wall / base:.2f}x"),
        ("--jobs 2 <= 0.65x --jobs 1", two_jobs <= 0.65 * one_job,
         f"{two_jobs / one_job:.2f}x")]
    for project, runs in edits.items():
        times = [ours.wall for _, ours, _ in runs]
        ratios = [ours.wall / theirs.wall for _, ours, theirs in runs if theirs]
        mid, worst = median(times), max(times)
        targets += [
            (f"{project}, edited file, median <= 0.3 s", mid <= 0.3, f"{mid:.2f} s"),
            (f"{project}, edited file, median <= 3x flake8 on the same file",
             median(ratios) <= 3 if ratios else None,
             f"{median(ratios):.1f}x" if ratios else "no flake8 (--skip-peers)"),
            (f"{project}, edited file, worst <= 0.6 s", worst <= 0.6, f"{worst:.2f} s")]
    ours, theirs = free
    targets += [
        ("file without TF <= 1.2x flake8", None if theirs is None else
         ours.wall <= 1.2 * theirs.wall,
         "no flake8 (--skip-peers)" if theirs is None else f"{ours.wall / theirs.wall:.2f}x"),
        ("peak RSS <= 400 MB", peak <= 400, f"{peak:.0f} MB"),
        ("same output, cache off/cold/warm, shared/unshared", not differ,
         "check and names JSON" + (f" (differ: {', '.join(differ)})" if differ else ""))]
    return targets


if __name__ == "__main__":
    sys.exit(main())
