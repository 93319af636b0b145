"""Project modules replayed once per session (`engine.sharing`) change no output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from scopelint.analysis import FileResult, analyze_text
from scopelint.config import NO_SHORTCUTS
from scopelint.engine.project import ProjectSettings, SourceFile
from scopelint.engine.session import Session

ROOT = Path(__file__).resolve().parent.parent
SHARE, FRESH = ProjectSettings(), ProjectSettings(shortcuts=False)

LAYERS = """\
import tensorflow.compat.v1 as tf

_cached = None


def layers():
    global _cached
    if _cached is None:
        _cached = tf.layers
    return _cached


def dense(x, name):
    with tf.variable_scope(name):
        return tf.get_variable("w", [3, 3])
"""

BLOCKS = """\
import layers

tfl = layers.layers()  # fills a cache in another module at import


def block(x):
    return layers.dense(x, "block")
"""

MAIN = """\
import tensorflow.compat.v1 as tf
import blocks

x = blocks.block(1)
y = blocks.block(2)
"""


def write(folder: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        (folder / name).write_text(text)
    return {name: folder / name for name in files}


@pytest.fixture()
def session() -> Session:
    return Session()


def findings(path: Path, settings: ProjectSettings,
             session: Optional[Session] = None) -> list[tuple[int, str, str]]:
    result = analyze_text(str(path), path.read_text(), project=settings, session=session)
    return [(f.line, f.code, f.message) for f in result.findings]


def shared_names(session: Session, folder: Path) -> set[str]:
    """The modules of the project in `folder` the session shares."""
    return {name for *_, name, path in session.shared if path.startswith(str(folder))}


def test_a_module_is_replayed_once_and_answers_the_same(tmp_path: Path,
                                                        session: Session) -> None:
    files = write(tmp_path, {"layers.py": LAYERS, "blocks.py": BLOCKS, "main.py": MAIN,
                             "other.py": MAIN.replace("x = ", "z = ")})
    fresh = [findings(files[f], FRESH) for f in ("main.py", "other.py")]
    assert fresh[0] and fresh[0][0][1] == "TFS101"  # the second block() raises
    assert findings(files["main.py"], SHARE, session) == fresh[0]
    assert {"layers", "blocks"} <= shared_names(session, tmp_path)
    assert findings(files["other.py"], SHARE, session) == fresh[1]  # taken from the session


def test_an_edited_module_is_replayed_again(tmp_path: Path, session: Session) -> None:
    files = write(tmp_path, {"layers.py": LAYERS, "blocks.py": BLOCKS, "main.py": MAIN})
    assert findings(files["main.py"], SHARE, session)
    files["blocks.py"].write_text(BLOCKS.replace('layers.dense(x, "block")', "x"))
    assert findings(files["main.py"], SHARE, session) == findings(files["main.py"], FRESH) == []


def test_an_edited_file_parses_only_its_changed_functions_and_answers_the_same(
        tmp_path: Path, session: Session) -> None:
    """Functions parsed in an earlier version of a file are taken again by their text, each
    paired with the positions of the version analysed (two with the same text are two)."""
    text = ("import tensorflow.compat.v1 as tf\n\n\nclass A:\n    def build(self):\n"
            "        return tf.get_variable('w', [1])\n\n\nclass B:\n    def build(self):\n"
            "        return tf.get_variable('w', [1])\n\n\nA().build()\nB().build()\n")
    path = tmp_path / "model.py"
    first = analyze_text(str(path), text, project=SHARE, session=session).findings
    assert [(f.line, f.code) for f in first] == [(11, "TFS101")]
    edited = "import os\n" + text
    parsed = [analyze_text(str(path), edited, project=SHARE, session=session).findings,
              analyze_text(str(path), edited, project=FRESH).findings]
    assert parsed[0] == parsed[1] and [(f.line, f.code) for f in parsed[0]] == [(12, "TFS101")]


def test_a_module_that_makes_variables_at_import_is_not_shared(tmp_path: Path,
                                                               session: Session) -> None:
    files = write(tmp_path, {
        "model.py": "import tensorflow.compat.v1 as tf\nw = tf.get_variable('w', [1])\n",
        "a.py": "import model\nimport tensorflow.compat.v1 as tf\ntf.get_variable('w', [1])\n",
    })
    expected = findings(files["a.py"], FRESH)
    assert [code for _, code, _ in expected] == ["TFS101"]
    for _ in range(2):
        assert findings(files["a.py"], SHARE, session) == expected
    assert "model" not in shared_names(session, tmp_path)


def test_an_import_cycle_is_shared_as_a_whole(tmp_path: Path, session: Session) -> None:
    files = write(tmp_path, {
        "ops.py": "import tensorflow.compat.v1 as tf\nimport nets\n\n"
                  "def conv(name):\n    with tf.variable_scope(name):\n"
                  "        return tf.get_variable('w', [1])\n",
        "nets.py": "import ops\n\ndef net():\n    ops.conv('a')\n    ops.conv('a')\n",
        "main.py": "import tensorflow.compat.v1 as tf\nimport ops\nops.nets.net()\n",
    })
    expected = findings(files["main.py"], FRESH)
    assert [code for _, code, _ in expected] == ["TFS101"]
    assert findings(files["main.py"], SHARE, session) == expected
    shared = shared_names(session, tmp_path)
    assert "ops" in shared and "nets" not in shared  # nets is shared with ops
    assert findings(files["main.py"], SHARE, session) == expected


def test_a_checked_file_released_is_parsed_again_by_a_later_import(
        tmp_path: Path, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a run over many files (`Session.release_checked`) a checked file no program has
    imported drops its trees once analysed; a later file importing it parses it again, and
    every file answers as when checked alone. A file a program imported keeps its trees."""
    session.release_checked = True
    files = write(tmp_path, {"layers.py": LAYERS, "blocks.py": BLOCKS, "main.py": MAIN,
                             "other.py": MAIN.replace("x = ", "z = ")})
    order = ("layers.py", "main.py", "blocks.py", "other.py")
    fresh = {name: analyze_text(str(files[name]), files[name].read_text(), project=FRESH)
             for name in order}
    assert [f.code for f in fresh["main.py"].findings] == ["TFS101"]
    skeletons: list[str] = []  # the files whose module level libcst parsed, in order
    parse = SourceFile._parse_file

    def counted(source: SourceFile, lazy: bool, keep: bool) -> object:
        skeletons.append(os.path.basename(source.path))
        return parse(source, lazy, keep)

    monkeypatch.setattr(SourceFile, "_parse_file", counted)
    for name in order:
        result = analyze_text(str(files[name]), files[name].read_text(), project=SHARE,
                              session=session)
        assert answer(result) == answer(fresh[name])
    assert skeletons == ["layers.py", "main.py", "blocks.py", "layers.py", "other.py"]


HELPERS = """\
import tensorflow.compat.v1 as tf


def make():
    with tf.variable_scope("h"):
        return tf.get_variable("w", [1])
"""

RUN = "import lib.layers\nlib.layers.helpers.make()\nlib.layers.helpers.make()\n"
OPAQUE = ("import lib.wrapper\nimport tensorflow.compat.v1 as tf\n"
          "with tf.variable_scope('a'):\n    v = tf.get_variable('v', [1])\n")


def test_a_module_is_shared_by_the_files_it_resolves_to(tmp_path: Path,
                                                        session: Session) -> None:
    """`lib/layers.py` is one module wherever the checked file sits, but its `import helpers`
    and `import extra` resolve from the checked file's folder first: the files of `tools/`
    take it from the session only when what it imports resolves to the same files there."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "tools").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "gen").mkdir()
    files = write(tmp_path, {
        "helpers.py": HELPERS, "main.py": RUN, "lib/__init__.py": "",
        "lib/layers.py": "import tensorflow.compat.v1 as tf\nimport helpers\nimport extra\n",
        "lib/nets.py": "import tensorflow.compat.v1 as tf\nfrom lib import layers\n",
        "tools/helpers.py": HELPERS.replace('"w"', '"v"'), "tools/run.py": RUN,
        "gen/extra.py": "import helpers\nhelpers.make()\n", "gen/run.py": RUN,
        "docs/run.py": RUN, "docs/nets.py": "import lib.nets\n" + RUN,
    })
    settings = ProjectSettings(src=(str(tmp_path),))
    fresh = ProjectSettings(src=(str(tmp_path),), shortcuts=False)
    order = ["main.py", "tools/run.py", "gen/run.py", "docs/run.py", "docs/nets.py"]
    expected = [findings(files[f], fresh) for f in order]
    assert [[code for _, code, _ in found] for found in expected] == [["TFS101"]] * 5
    # tools/helpers.py names its variable v; gen/extra.py makes h/w before the first make()
    assert expected[1] != expected[0] != expected[2]
    assert [findings(files[f], settings, session) for f in order] == expected
    layers = str(tmp_path / "lib" / "layers.py")
    # main.py and docs/ resolve `helpers` and `extra` alike; tools/ and gen/ do not
    assert session.replays[layers] == 3 and session.restores[layers] == 2
    assert session.replays[str(tmp_path / "lib" / "nets.py")] == 1


@pytest.mark.parametrize("command", ["check", "names"])
def test_a_project_of_several_folders_gives_the_same_output_without_shortcuts(
        tmp_path: Path, command: str) -> None:
    """The files of several folders of one package, in one process, take modules the
    others shared: even the first call a shared module could not follow, named by the
    `names` rows it makes uncertain, is the one a replay finds."""
    for folder in ("lib", "proj", "proj/tools", "proj/gen", "proj/docs"):
        (tmp_path / folder).mkdir()
    write(tmp_path, {
        "helpers.py": HELPERS, "lib/__init__.py": "",
        "lib/layers.py": "import tensorflow.compat.v1 as tf\nimport helpers\nimport extra\n",
        "lib/opaque.py": "import tensorflow.compat.v1 as tf\nimport mystery\n\nmystery.build()\n"
                         "\n\ndef unused():\n    return tf.get_variable('u', [1])\n",
        "lib/wrapper.py": "import tensorflow.compat.v1 as tf\nimport lib.opaque\n"
                          "w = tf.get_variable('w', [1])\n",  # replayed for each file
        **{f"proj/{folder}/__init__.py": "" for folder in ("", "tools", "gen", "docs")},
        "proj/tools/helpers.py": HELPERS.replace('"w"', '"v"'), "proj/tools/run.py": RUN,
        "proj/gen/extra.py": "import helpers\nhelpers.make()\n", "proj/gen/run.py": RUN,
        "proj/docs/run.py": RUN, "proj/docs/opaque.py": OPAQUE, "proj/tools/opaque.py": OPAQUE,
    })

    def run(**env: str) -> object:
        proc = subprocess.run(
            [sys.executable, "-m", "scopelint", command, "--format", "json", "--no-cache",
             "--jobs", "1", "--quiet", "proj"],
            cwd=tmp_path, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        assert proc.returncode in (0, 1), proc.stderr
        return json.loads(proc.stdout)

    shared = run()
    assert shared and shared == run(**{NO_SHORTCUTS: "1"})
    if command == "names":
        assert {row["cause"] for row in shared if row["path"] == "proj/tools/opaque.py"} == {
            "lib/opaque.py:4: call of `mystery.build`"}


@pytest.mark.parametrize("command", ["check", "names"])
def test_the_fixtures_give_the_same_output_without_shortcuts(command: str) -> None:
    """Every fixture, analysed in one process (`--jobs 1`), so that later files take the
    modules earlier ones shared."""
    def run(**env: str) -> object:
        proc = subprocess.run(
            [sys.executable, "-m", "scopelint", command, "--format", "json", "--no-cache",
             "--jobs", "1", "--quiet", "fixtures"],
            cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env})
        assert proc.returncode in (0, 1), proc.stderr
        return json.loads(proc.stdout)

    assert run() == run(**{NO_SHORTCUTS: "1"})


ENTRIES = """\
import tensorflow.compat.v1 as tf


def helper(name):
    with tf.variable_scope(name):
        return tf.get_variable("w", [1])


def twice():
    helper("a")
    helper("a")


class Net:
    def __init__(self):
        self.scope = "net"

    def build(self):
        with tf.variable_scope(self.scope):
            tf.get_variable("v", [1])
            tf.get_variable("v", [1])


def other():
    for i in range(2):
        tf.get_variable("u", [1])


with tf.variable_scope("top") as top_scope:
    pass


def share():
    top_scope.reuse_variables()


def fetch():
    with tf.variable_scope(top_scope):
        tf.get_variable("t", [1])


cell = tf.nn.rnn_cell.LSTMCell(4)


def encode(x):
    with tf.variable_scope("enc"):
        return tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)


def decode(x):
    with tf.variable_scope("dec"):
        return tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
"""


def names_of(path: Path, text: str, session: Session) -> tuple[object, ...]:
    return answer(analyze_text(str(path), text, project=SHARE, session=session))


def answer(result: FileResult) -> tuple[object, ...]:
    """What a run prints of a file: its findings and its variables' rows."""
    assert result.facts is not None
    return (result.findings, [(v.loc, v.name, v.pattern, v.outcome, v.stack)
                              for v in result.facts.variables], result.facts.shared_cells)


def test_an_edited_buffer_takes_the_replays_its_edit_cannot_change(tmp_path: Path) -> None:
    """A language server's session takes the replays of functions nothing calls from the
    previous version of the buffer (`engine.entries`): every version answers as a session
    that replays them all, the lines of the facts taken moved with the edit."""
    path = tmp_path / "model.py"
    keeping, plain = Session(), Session()
    keeping.entry_replays = {}
    edits = [ENTRIES,
             ENTRIES.replace("def twice():\n", "def twice():\n    x = 1\n"),  # moves lines
             ENTRIES.replace('helper("a")\n    helper("a")', 'helper("a")\n    helper("b")'),
             ENTRIES.replace('with tf.variable_scope(name):', 'with tf.variable_scope("c"):'),
             "import os\n" + ENTRIES.replace('self.scope = "net"', 'self.scope = "n2"'),
             "import os\n" + ENTRIES,
             ENTRIES.replace('with tf.variable_scope("enc"):', 'with tf.variable_scope("e"):'),
             ENTRIES.replace("def encode(x):\n", "def encode(x):\n    return x\n"),
             ENTRIES.replace("top_scope.reuse_variables()", "pass")]
    for text in edits:
        assert names_of(path, text, keeping) == names_of(path, text, plain)
    assert keeping.entry_replays[str(path)].replays  # kept for the next version
