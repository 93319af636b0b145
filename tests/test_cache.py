"""The findings cache: hits, misses, corrupt and foreign shards and entries, where it writes,
what a save rewrites, concurrent saves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from scopelint import __version__, runner
from scopelint.cache import CACHE_DIR, MAX_AGE_DAYS, Cache, content_hash
from scopelint.facts import Finding, Related
from scopelint.engine.project import ProjectSettings

TFS201 = ('import tensorflow.compat.v1 as tf\nwith tf.name_scope("a"):\n'
          '    v = tf.get_variable("v", [1])\n')


def settings(key: str = "k", exclude: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(exclude=exclude, settings_key=lambda: key, project=ProjectSettings())


def shard_files(root: Path) -> dict[str, Path]:
    """The shards saved under root's cache folder, by name."""
    return {p.stem: p for p in (root / CACHE_DIR / __version__).glob("*/*.json")}


def shard_of(root: Path, source: str) -> Path:
    """The shard that holds the entry of a file with this source."""
    return shard_files(root)[content_hash(source.encode())[0]]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root except the cache folder, with its content."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and CACHE_DIR not in p.parts}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text(TFS201)
    (tmp_path / "copy.py").write_text(TFS201)
    (tmp_path / "plain.py").write_text("print('hello')\n")
    (tmp_path / "broken.py").write_text("x = = 1\n")
    return tmp_path


def test_roundtrip_keeps_findings_and_reattaches_paths(tmp_path: Path) -> None:
    cache = Cache("key", str(tmp_path / CACHE_DIR))
    finding = Finding("a.py", 3, 9, "TFS101", "dup", (Related(1, 2, "first", "a.py"),))
    cache.put("a.py", content_hash(b"x"), [finding], {})
    cache.save()
    again = Cache("key", str(tmp_path / CACHE_DIR))
    assert again.get("b.py", content_hash(b"x")) == [
        Finding("b.py", 3, 9, "TFS101", "dup", (Related(1, 2, "first", "b.py"),))]
    assert again.get("b.py", content_hash(b"y")) is None
    assert Cache("other key", str(tmp_path / CACHE_DIR)).get("b.py", content_hash(b"x")) is None
    assert (tmp_path / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"


def test_entries_of_a_shard_share_its_module_table(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ops.py").write_text("x = 1\n")
    ops = {"ops.py": content_hash(b"x = 1\n")}
    cache = Cache("key")
    for name in ("a.py", "b.py"):  # one content at two paths: two entries in one shard
        cache.put(name, content_hash(b"import ops\n"), [], ops)
    cache.save()
    (shard,) = shard_files(tmp_path).values()
    data = json.loads(shard.read_text())
    assert data["modules"] == [list(item) for item in ops.items()]
    assert [entry[2] for entry in data["entries"].values()] == [[0], [0]]
    assert Cache("key").get("b.py", content_hash(b"import ops\n")) == []
    (tmp_path / "ops.py").write_text("x = 2\n")
    assert Cache("key").get("b.py", content_hash(b"import ops\n")) is None


def test_warm_run_is_served_from_the_cache(project: Path) -> None:
    cold = runner.run(["."], settings(), jobs=1)
    warm = runner.run(["."], settings(), jobs=1)
    assert (cold.cached, warm.cached) == (0, 4)
    assert [(r.path, r.findings) for r in warm.results] == [
        (r.path, r.findings) for r in cold.results]
    assert {f.code for r in warm.results for f in r.findings} == {"TFS001", "TFS201"}
    assert "(4 checked, 0 skipped, 4 cached)" in warm.summary
    (project / "plain.py").write_text(TFS201 + "# changed\n")  # changed content: a miss
    assert runner.run(["."], settings(), jobs=1).cached == 3
    assert runner.run(["."], settings("other"), jobs=1).cached == 0


def test_no_cache_and_names_bypass_it(project: Path) -> None:
    runner.run(["."], settings(), jobs=1, use_cache=False)
    runner.run(["."], settings(), jobs=1, want_facts=True)
    assert not (project / CACHE_DIR).exists()


def shard_text(version: str = __version__, settings: str = "k",
               modules: object = (), entries: object = None) -> bytes:
    return json.dumps({"scopelint": version, "settings": settings, "modules": modules,
                       "entries": entries or {}}).encode()


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff garbage", b"[]", shard_text(version="0.0.0"), shard_text(settings="j"),
    shard_text(modules=[["ops.py"]]), shard_text(entries=[]), b"[" * 100_000,
], ids=["empty", "binary", "list", "version", "settings", "table", "entries", "deep"])
def test_corrupt_or_foreign_shards_are_ignored_and_rewritten(
        project: Path, content: bytes) -> None:
    expected = [(r.path, r.findings) for r in runner.run(["."], settings(), jobs=1).results]
    assert len(shard_files(project)) == 3
    for shard in shard_files(project).values():
        shard.write_bytes(content)
    again = runner.run(["."], settings(), jobs=1)
    assert again.cached == 0
    assert [(r.path, r.findings) for r in again.results] == expected
    assert runner.run(["."], settings(), jobs=1).cached == 4


def test_a_corrupt_shard_costs_only_its_entries(project: Path) -> None:
    runner.run(["."], settings(), jobs=1)
    shard = shard_of(project, TFS201)
    shard.write_bytes(b"{")
    again = runner.run(["."], settings(), jobs=1)
    assert again.cached == 2  # bad.py and copy.py are re-analysed, the other shards serve
    assert [f.code for r in again.results if r.path == "bad.py" for f in r.findings] == ["TFS201"]
    assert content_hash(TFS201.encode()) in json.loads(shard.read_text())["entries"]


TODAY = int(time.time() // 86400)
FINDING = [1, 1, "TFS101", "m", [], "", []]


@pytest.mark.parametrize("entry", [
    None, 3, [], [TODAY, []], ["day", [], []], [True, [], []], [TODAY, "x", []],
    [TODAY, [], {}], [TODAY, [], [0]], [TODAY, [], [-1]], [TODAY, [], ["0"]],
    [TODAY, [["1", *FINDING[1:]]], []], [TODAY, [FINDING[:4]], []],
    [TODAY, [[*FINDING[:4], [[1, 2]], "", []]], []], [TODAY, [[-1, *FINDING[1:]]], []],
    [TODAY, [[True, *FINDING[1:]]], []], [TODAY, [[*FINDING[:6], [[1, 2, "a.py"]]]], []],
    [TODAY - MAX_AGE_DAYS - 1, [], []],
])
def test_malformed_or_expired_entries_are_misses(project: Path, entry: object) -> None:
    runner.run(["."], settings(), jobs=1)
    shard = shard_of(project, TFS201)
    data = json.loads(shard.read_text())
    data["entries"][content_hash(TFS201.encode())] = entry
    shard.write_text(json.dumps(data))
    again = runner.run(["."], settings(), jobs=1)
    assert again.cached == 2
    assert [f.code for r in again.results if r.path == "bad.py" for f in r.findings] == ["TFS201"]
    assert runner.run(["."], settings(), jobs=1).cached == 4


def test_internal_errors_are_not_cached(project: Path, monkeypatch) -> None:
    from scopelint import analysis

    def broken(path: str, text: str, prefilter: bool = False, project: object = None,
               session: object = None):
        raise ValueError("boom")

    monkeypatch.setattr(analysis, "analyze_text", broken)
    first = runner.run(["bad.py"], settings(), jobs=1)
    assert [f.code for f in first.results[0].findings] == ["TFS000"]
    monkeypatch.undo()
    monkeypatch.chdir(project)
    second = runner.run(["bad.py"], settings(), jobs=1)
    assert second.cached == 0
    assert [f.code for f in second.results[0].findings] == ["TFS201"]


def test_writes_only_inside_its_folder(project: Path) -> None:
    before = snapshot(project)
    runner.run(["."], settings(), jobs=2)
    runner.run(["."], settings(), jobs=2)
    assert snapshot(project) == before
    written = {p.relative_to(project / CACHE_DIR) for p in (project / CACHE_DIR).rglob("*")}
    (folder,) = {p.parent for p in written if p.suffix == ".json"}
    assert {p for p in written if p.suffix != ".json"} == {
        Path(".gitignore"), Path(__version__), folder, folder / "lock"}
    assert not [p for p in written if p.name.startswith(".tmp-")]


def test_symlinked_cache_folder_is_not_written_through(project: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (project / CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    runner.run(["."], settings(), jobs=1)
    assert list(elsewhere.iterdir()) == []


def test_unwritable_cache_is_not_an_error(project: Path) -> None:
    (project / CACHE_DIR).write_text("a file, not a folder")
    result = runner.run(["."], settings(), jobs=1)
    assert len(result.results) == 4
    assert (project / CACHE_DIR).read_text() == "a file, not a folder"


def test_save_merges_with_a_concurrent_run(tmp_path: Path) -> None:
    folder = str(tmp_path / CACHE_DIR)
    first, second = Cache("k", folder), Cache("k", folder)
    first.put("x.py", content_hash(b"a"), [], {})
    first.save()
    second.put("x.py", content_hash(b"b"), [], {})
    second.save()
    merged = Cache("k", folder)
    assert merged.get("x.py", content_hash(b"a")) == []
    assert merged.get("x.py", content_hash(b"b")) == []
    assert sorted(os.listdir(merged.folder)) == ["3.json", "c.json", "lock"]


def test_a_save_rewrites_only_the_shards_it_changed(tmp_path: Path) -> None:
    folder = str(tmp_path / CACHE_DIR)
    digests = [content_hash(text) for text in (b"a", b"b", b"x")]  # shards c, 3 and 2
    cache = Cache("k", folder)
    for digest in digests:
        cache.put("x.py", digest, [], {})
    cache.save()
    before = {name: os.stat(path).st_ino for name, path in shard_files(tmp_path).items()}
    cache = Cache("k", folder)
    assert cache.get("x.py", digests[0]) == []  # a hit used today: nothing to write
    cache.put("y.py", digests[1], [], {})
    cache.save()
    after = {name: os.stat(path).st_ino for name, path in shard_files(tmp_path).items()}
    assert [name for name in before if after[name] != before[name]] == ["3"]
    assert set(cache.shards) == {"c", "3"}  # shard 2 was not even read


def test_entries_unused_for_max_age_days_are_dropped(tmp_path: Path) -> None:
    folder = str(tmp_path / CACHE_DIR)
    old, kept, new = (content_hash(text) for text in (b"a", b"24", b"33"))  # all in shard c
    cache = Cache("k", folder)
    cache.today -= MAX_AGE_DAYS + 1
    cache.put("x.py", old, [], {})
    cache.today += 1
    cache.put("x.py", kept, [], {})
    cache.save()
    cache = Cache("k", folder)
    assert cache.get("x.py", old) is None
    assert cache.get("x.py", kept) == []  # used today: its day is refreshed
    cache.put("x.py", new, [], {})
    cache.save()
    entries = json.loads(shard_files(tmp_path)["c"].read_text())["entries"]
    assert {key: entry[0] for key, entry in entries.items()} == {
        kept: cache.today, new: cache.today}


SAVER = """\
import sys
from scopelint.cache import Cache
from scopelint.facts import Finding

folder, tag = sys.argv[1:]
for i in range(40):
    cache = Cache("k", folder)
    findings = [Finding("x.py", line, 1, "TFS101", "m" * 100) for line in range(1, 200)]
    cache.put(f"{tag}{i}.py", f"0{tag}{i}", findings, {})  # all in shard 0
    cache.save()
"""


def test_two_processes_saving_to_one_shard_keep_each_others_entries(tmp_path: Path) -> None:
    folder = str(tmp_path / CACHE_DIR)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, folder, tag], env=env)
              for tag in ("a", "b")]
    assert [saver.wait(timeout=120) for saver in savers] == [0, 0]
    cache = Cache("k", folder)
    assert [i for tag in "ab" for i in range(40)
            if cache.get(f"{tag}{i}.py", f"0{tag}{i}") is None] == []
    assert sorted(os.listdir(cache.folder)) == ["0.json", "lock"]


MODEL = """\
import tensorflow as tf


def disc(x):
    with tf.variable_scope("disc"):
        return tf.get_variable("w", [1])
"""


def test_editing_an_imported_module_invalidates_its_importers(tmp_path: Path,
                                                              monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "train.py").write_text("from model import disc\n\ndisc(1)\ndisc(2)\n")
    cold = runner.run(["train.py"], settings(), jobs=1)
    assert [(f.path, f.line, f.code) for r in cold.results for f in r.findings] == [
        ("train.py", 4, "TFS101")]
    warm = runner.run(["train.py"], settings(), jobs=1)
    assert warm.cached == 1
    assert [r.findings for r in warm.results] == [r.findings for r in cold.results]
    (tmp_path / "model.py").write_text(MODEL.replace('"disc"', '"disc", reuse=tf.AUTO_REUSE'))
    fixed = runner.run(["train.py"], settings(), jobs=1)
    assert fixed.cached == 0
    assert [f for r in fixed.results for f in r.findings] == []


def test_select_and_ignore_filter_cached_findings(project: Path, capsys) -> None:
    from scopelint.cli import main

    def check(*options: str) -> tuple[str, str]:
        main(["check", "--jobs", "1", *options, "."])
        out, err = capsys.readouterr()
        return out, err.splitlines()[-1]

    out, summary = check()
    assert {line.split()[1] for line in out.splitlines()} == {"TFS001", "TFS201"}
    assert "0 cached" in summary
    out, summary = check("--select", "TFS2")
    assert {line.split()[1] for line in out.splitlines()} == {"TFS201"}
    assert "4 cached" in summary
    out, summary = check("--ignore", "TFS201", "--extend-ignore", "TFS001")
    assert out == "" and "4 cached" in summary
    out, summary = check("--no-follow-imports")  # what the analysis reaches: another key
    assert "0 cached" in summary
