"""The tree store: libcst trees of imported modules kept across runs, read back instead of
parsed, never trusted when damaged, and never changing what a run reports."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from types import SimpleNamespace

import libcst as cst
import pytest

from scopelint import runner
from scopelint.cache import CACHE_DIR
from scopelint.engine.project import ProjectSettings
from scopelint.engine.tree_store import MAGIC, _dumps, unpack

OPS = '''import tensorflow.compat.v1 as tf


def dense(x, units, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [3, units])  # comment
        return tf.matmul(x, w)


def stack(x, names):
    for name in names:
        x = dense(x, 3, name)
        yield x


def named(scope):
    return lambda f: f


class Block(object):
    def __init__(self, units):
        self.units = units

    @named(
        "call")
    def __call__(self,
                 x):
        # the body's lines
        y = dense(x, self.units,
                  "block")
        return dense(y, self.units, "block")
'''
MAIN = '''import tensorflow.compat.v1 as tf
from ops import Block, dense, stack

x = tf.placeholder(tf.float32, [None, 3])
for out in stack(x, ["s1", "s2"]):  # a generator: not followed
    pass
y = dense(x, 4, "layer")
z = dense(y, 4, "layer")
b = Block(2)(x)
'''


def settings() -> SimpleNamespace:
    return SimpleNamespace(exclude=(), settings_key=lambda: "k", project=ProjectSettings())


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "main.py").write_text(MAIN)
    return tmp_path


def parses(monkeypatch) -> list[str]:
    """The texts libcst parses from now on."""
    texts: list[str] = []
    real = cst.parse_module

    def counting(text: str, *args: object, **kwargs: object) -> cst.Module:
        texts.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(cst, "parse_module", counting)
    return texts


def report(use_cache: bool, alongside: tuple[str, ...] = ()) -> tuple[object, ...]:
    result = runner.run(["main.py", *alongside], settings(), jobs=1, use_cache=use_cache,
                        want_facts=True)
    checked = next(r for r in result.results if r.path == "main.py")
    assert checked.facts is not None
    return (checked.findings, checked.facts.variables)


def packs(project: Path) -> list[Path]:
    return [p for p in (project / CACHE_DIR).rglob("*") if p.is_file() and
            p.read_bytes().startswith(MAGIC)]


def test_imported_modules_are_read_back_not_parsed(project: Path, monkeypatch) -> None:
    uncached = report(use_cache=False)
    assert [f.code for f in uncached[0]] == ["TFS101"]
    shared = report(use_cache=False, alongside=("ops.py",))  # its modules shared
    assert shared[1] == uncached[1]  # (the finding is placed in ops.py, checked too)
    assert not (project / CACHE_DIR).exists()
    cold = report(use_cache=True)
    assert len(packs(project)) == 1  # ops.py's: main.py is the checked file
    (project / "main.py").write_text(MAIN + "# edited\n")
    texts = parses(monkeypatch)
    warm = report(use_cache=True)
    assert texts and not [t for t in texts if "units" in t]  # ops.py came from the store
    assert cold == warm == uncached


def test_damaged_packs_are_ignored_and_written_again(project: Path, monkeypatch) -> None:
    expected = report(use_cache=True)
    (pack,) = packs(project)
    good = pack.read_bytes()
    for damaged in (good[:-1] + bytes([good[-1] ^ 1]), good[:len(good) // 2], b"", b"junk"):
        pack.write_bytes(damaged)
        texts = parses(monkeypatch)
        assert report(use_cache=True) == expected
        assert [t for t in texts if "units" in t]  # parsed again
        assert pack.read_bytes().startswith(MAGIC)
        monkeypatch.undo()
        monkeypatch.chdir(project)


def test_a_pack_of_the_wrong_kind_is_not_trusted(project: Path) -> None:
    expected = report(use_cache=True)
    (pack,) = packs(project)
    payload = pickle.dumps({key: pickle.dumps("not a tree") for key in
                            unpack(pack.read_bytes())})
    pack.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)
    assert report(use_cache=True) == expected


def test_checked_files_and_no_cache_runs_store_nothing(project: Path) -> None:
    runner.run(["main.py", "ops.py"], settings(), jobs=1)
    assert packs(project) == []
    runner.run(["main.py"], settings(), jobs=1, use_cache=False)
    assert packs(project) == []


def test_shared_tokens_keep_the_tree() -> None:
    text = ("import a  # c\n\n\nx = (1 ,2)[ 0 ] +  f( y = 3 )\nif x :  # d\n"
            "    pass ;  z = {'k' : [a . b, ...]}\n\n# end\n")
    tree = cst.parse_module(text)
    back = pickle.loads(_dumps(tree))
    assert back.code == text and back.deep_equals(tree)
    assert len(_dumps(tree)) < len(pickle.dumps(tree))
