"""Benchmark scopelint against flake8, ruff, pylint and Fixit on real TF1 code.

Fetches a pinned set of TF1-era packages (`pip download --no-deps`), unpacks
them in a temporary folder, installs the peer tools in their own virtualenv,
runs every tool once per configuration, and prints one table (wall time, CPU
time, peak RSS of the largest process, wall ratio to scopelint's cold run)
followed by the targets. It also checks that the shortcuts (function bodies
parsed when first run, modules shared between the files of a process) change
nothing: `check` and `names` print the same JSON with `SCOPELINT_NO_SHORTCUTS=1`.
scopelint runs from its compiled bytecode, as a package pip installs does (the peers
get theirs from pip), whatever `PYTHONDONTWRITEBYTECODE` says.
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
    sys.path.insert(0, str(REPO))
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


def same_output(source: Path, cwd: Path, env: dict[str, str]) -> bool:
    """Whether `check` and `names` print the same JSON with the shortcuts off."""
    for command in ("check", "names"):
        outputs = [subprocess.run(
            [sys.executable, "-m", "scopelint", command, "--format", "json", "--no-cache",
             "--quiet", str(source)], cwd=cwd, env={**env, **extra}, capture_output=True,
        ).stdout for extra in ({}, {"SCOPELINT_NO_SHORTCUTS": "1"})]
        if outputs[0] != outputs[1] or not outputs[0]:
            return False
    return True


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small packages only")
    parser.add_argument("--skip-peers", action="store_true", help="scopelint only")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    packages = QUICK_PACKAGES if args.quick else PACKAGES
    folder = Path(tempfile.mkdtemp(prefix="scopelint-bench-"))
    try:
        print(report(folder, packages, args.skip_peers, load), end="")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def report(folder: Path, packages: tuple[str, ...], skip_peers: bool, load: float) -> str:
    """Fetch, run everything, and return the table and the targets."""
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
    rows: list[tuple[str, Measure]] = [
        ("scopelint cold --jobs 1", measure([*scopelint, "--no-cache", "--jobs", "1",
                                             str(source)], work, env)),
        ("scopelint cold (default jobs)", measure([*scopelint, "--no-cache", str(source)],
                                                  work, env)),
        ("scopelint cold, no imports", measure([*scopelint, "--no-cache", "--no-follow-imports",
                                                str(source)], work, env)),
    ]
    measure([*scopelint, str(source)], work, env)  # fill the cache
    rows.append(("scopelint warm (cache)", measure([*scopelint, str(source)], work, env)))
    if not skip_peers:
        bin_dir = peers_venv(folder)
        ruff = [str(bin_dir / "ruff"), "check", "--isolated", "--exit-zero", str(source)]
        rows.append(("flake8 (default)", measure([str(bin_dir / "flake8"), "--exit-zero",
                                                  str(source)], work)))
        rows.append(("ruff --no-cache", measure([*ruff, "--no-cache"], work)))
        measure(ruff, work)  # fill ruff's cache
        rows.append(("ruff (cached)", measure(ruff, work)))
        rows.append(("pylint, one check (-j0)", measure(
            [str(bin_dir / "pylint"), "--disable=all", "--enable=unused-import", "--jobs=0",
             "--recursive=y", "--exit-zero", str(source)], work)))
        rows.append(("fixit lint", measure([str(bin_dir / "fixit"), "lint", str(source)], work)))
    small = sample_file(work / "small.py")
    single = min((measure([*scopelint, "--no-cache", str(small)], work, env)
                  for _ in range(3)), key=lambda m: m.wall)
    bare, full, parsed, tf_lines, handed = analysis_vs_parse(source)
    imports = import_times(small, work, env)
    same = same_output(source, work, env)

    base = rows[1][1].wall
    out = io.StringIO()
    out.write(f"{len(files)} .py files, {lines} lines from {', '.join(packages)}; "
              f"{os.cpu_count()} CPUs (load average {load:.1f} at the start); "
              f"Python {sys.version.split()[0]}\n\n")
    out.write(f"| {'tool':<30} | wall s | CPU s | peak RSS MB | wall / scopelint cold |\n")
    out.write(f"|{'-' * 32}|-------:|------:|------------:|----------------------:|\n")
    for name, m in rows:
        out.write(f"| {name:<30} | {m.wall:6.2f} | {m.cpu:5.2f} | {m.rss_mb:11.0f} | "
                  f"{m.wall / base:20.2f}x |\n")
    out.write(f"| {'scopelint, one 200-line file':<30} | {single.wall:6.2f} | {single.cpu:5.2f} | "
              f"{single.rss_mb:11.0f} | {'':>21} |\n")
    out.write(f"\nanalysis vs bare libcst.parse_module on the {parsed} files scopelint parsed: "
              f"{full:.2f} s vs {bare:.2f} s CPU ({full / bare:.2f}x)\n")
    out.write(f"lines handed to libcst: {handed} of the {tf_lines} lines of those files "
              f"({handed / tf_lines:.0%}; imported modules' lines count where they are)\n")
    out.write("import time (ms, cumulative): "
              + ", ".join(f"{k} {v:.0f}" for k, v in imports.items()) + "\n\n")
    measured = dict(rows)
    warm = measured["scopelint warm (cache)"]
    peak = max(m.rss_mb for n, m in rows if "scopelint" in n)
    one_job = measured["scopelint cold --jobs 1"].wall
    cli_ms = imports.get("scopelint.cli", float("inf"))
    targets = [("analysis <= 1.5x bare parse", full / bare <= 1.5, f"{full / bare:.2f}x"),
               ("one 200-line file <= 0.3 s", single.wall <= 0.3, f"{single.wall:.2f} s"),
               ("import time <= 50 ms", cli_ms <= 50, f"{cli_ms:.0f} ms"),
               (f"default jobs ({os.cpu_count()} CPUs) <= 0.6x --jobs 1", base <= 0.6 * one_job,
                f"{base / one_job:.2f}x"),
               ("same output without the shortcuts", same, "check and names JSON"),
               ("peak RSS <= 300 MB", peak <= 300, f"{peak:.0f} MB")]
    alone = measured["scopelint cold, no imports"].wall
    targets.append(("following imports <= 1.25x the cold run without", base <= 1.25 * alone,
                    f"{base / alone:.2f}x"))
    if not skip_peers:
        flake8, fixit, ruff_cached = (measured[k].wall for k in (
            "flake8 (default)", "fixit lint", "ruff (cached)"))
        targets += [
            ("cold >= 3x faster than flake8", flake8 / base >= 3, f"{flake8 / base:.2f}x"),
            ("cold >= 5x faster than Fixit", fixit / base >= 5, f"{fixit / base:.2f}x"),
            ("warm within 2x of ruff cached", warm.wall <= 2 * ruff_cached,
             f"{warm.wall / ruff_cached:.2f}x")]
    for name, ok, value in targets:
        out.write(f"target {name}: {value} {'PASS' if ok else 'FAIL'}\n")
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
