"""The findings cache: hits, misses, corrupt and foreign entries, where it writes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from scopelint import __version__, runner
from scopelint.cache import CACHE_DIR, Cache, content_hash
from scopelint.facts import Finding, Related
from scopelint.engine.project import ProjectSettings

TFS201 = ('import tensorflow.compat.v1 as tf\nwith tf.name_scope("a"):\n'
          '    v = tf.get_variable("v", [1])\n')


def settings(key: str = "k", exclude: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(exclude=exclude, settings_key=lambda: key, project=ProjectSettings())


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


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff garbage", b"[]", b'{"scopelint": "0.0.0", "settings": "k", "entries": {}}',
    b"[" * 100_000,
], ids=["empty", "binary", "list", "foreign", "deep"])
def test_corrupt_or_foreign_cache_file_is_ignored_and_rewritten(
        project: Path, content: bytes) -> None:
    expected = [(r.path, r.findings) for r in runner.run(["."], settings(), jobs=1).results]
    (cache_file,) = (project / CACHE_DIR / __version__).glob("*.json")
    cache_file.write_bytes(content)
    again = runner.run(["."], settings(), jobs=1)
    assert again.cached == 0
    assert [(r.path, r.findings) for r in again.results] == expected
    assert runner.run(["."], settings(), jobs=1).cached == 4


@pytest.mark.parametrize("entry", [
    None, 3, [], ["day", []], [1, "x"], [1, [["1", 2, "TFS101", "m", []]]],
    [1, [[1, 2, "TFS101", "m"]]], [1, [[1, 2, "TFS101", "m", [[1, 2]]]]],
    [1, [[-1, 2, "TFS101", "m", []]]], [1, [[True, 2, "TFS101", "m", []]]],
])
def test_malformed_entries_are_misses(project: Path, entry: object) -> None:
    runner.run(["."], settings(), jobs=1)
    (cache_file,) = (project / CACHE_DIR / __version__).glob("*.json")
    data = json.loads(cache_file.read_text())
    data["entries"][content_hash(TFS201.encode())] = entry
    cache_file.write_text(json.dumps(data))
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
    assert {p for p in written if p.suffix != ".json"} == {Path(".gitignore"), Path(__version__)}
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
    assert os.listdir(os.path.join(folder, __version__)) == [os.path.basename(merged.file)]


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
