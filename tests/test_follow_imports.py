"""Following project imports: resolution, replay across modules, placement, limits."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from scopelint.cli import main
from scopelint.flake8_plugin import ScopelintChecker

MODEL = """\
import tensorflow as tf


def discriminator(x):
    with tf.variable_scope("disc"):
        return tf.layers.dense(x, 1, name="out")
"""

TRAIN = """\
import tensorflow as tf
from pkg.model import discriminator

real = discriminator(tf.placeholder(tf.float32, [None, 4]))
fake = discriminator(tf.placeholder(tf.float32, [None, 4]))
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def check(capsys, *args: str) -> list[tuple[str, int, str]]:
    main(["check", "--no-cache", "--format", "json", *args])
    return [(r["path"], r["line"], r["code"]) for r in json.loads(capsys.readouterr().out)]


@pytest.fixture
def gan(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"pkg/__init__.py": "", "pkg/model.py": MODEL, "train.py": TRAIN})
    return tmp_path


def test_a_duplicate_is_reported_where_tf_raises_with_the_call_chain(gan: Path, capsys) -> None:
    main(["check", "--no-cache", "--format", "json", "."])
    [row] = json.loads(capsys.readouterr().out)
    assert (row["path"], row["line"], row["code"]) == ("pkg/model.py", 6, "TFS101")
    assert "the call at train.py:5" in row["message"]
    assert {"path": "train.py", "line": 5, "col": 8,
            "message": "the repeat comes from this call"} in row["related"]


def test_the_changed_file_alone_gets_the_finding_at_its_call(gan: Path, capsys) -> None:
    assert check(capsys, "train.py") == [("train.py", 5, "TFS101")]
    assert check(capsys, "pkg/model.py") == []


def test_flake8_plugin_gives_what_check_gives_for_the_file(gan: Path, capsys) -> None:
    lines = TRAIN.splitlines(keepends=True)
    got = [(line, text.split()[0]) for line, _, text, _ in
           ScopelintChecker(None, "train.py", lines).run()]
    assert got == [(5, "TFS101")]


def test_no_follow_imports_reads_each_file_alone(gan: Path, capsys) -> None:
    assert check(capsys, "--no-follow-imports", ".") == []
    (gan / "pyproject.toml").write_text("[tool.scopelint]\nfollow-imports = false\n")
    assert check(capsys, ".") == []


def test_names_rows_follow_the_calls_with_their_stack(gan: Path, capsys) -> None:
    main(["names", "--no-cache", "--format", "json", "."])
    rows = json.loads(capsys.readouterr().out)
    assert [(r["path"], r["line"], r["name"], r["stack"]) for r in rows] == [
        ("pkg/model.py", 6, "disc/out/kernel:0", ["train.py:4"]),
        ("pkg/model.py", 6, "disc/out/bias:0", ["train.py:4"]),
        ("pkg/model.py", 6, "disc/out/kernel:0", ["train.py:5"]),
        ("pkg/model.py", 6, "disc/out/bias:0", ["train.py:5"]),
    ]


IMPORT_SPELLINGS = {
    "plain": ("import model\n", "model.discriminator"),
    "dotted_alias": ("import pkg.model as m\n", "m.discriminator"),
    "dotted": ("import pkg.model\n", "pkg.model.discriminator"),
    "from_package": ("from pkg import model\n", "model.discriminator"),
    "from_alias": ("from pkg.model import discriminator as d\n", "d"),
    "reexport": ("from pkg import discriminator\n", "discriminator"),
    "star": ("from pkg.model import *\n", "discriminator"),
}


@pytest.mark.parametrize("spelling", sorted(IMPORT_SPELLINGS))
def test_every_import_spelling(tmp_path: Path, monkeypatch, capsys, spelling: str) -> None:
    monkeypatch.chdir(tmp_path)
    statement, callee = IMPORT_SPELLINGS[spelling]
    write(tmp_path, {
        "model.py": MODEL, "pkg/model.py": MODEL,
        "pkg/__init__.py": "from .model import discriminator\n",
        "train.py": f"{statement}\n{callee}(1)\n{callee}(2)\n",
    })
    assert check(capsys, "train.py") == [("train.py", 4, "TFS101")]


def test_relative_imports_inside_a_package(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "app/__init__.py": "",
        "app/nets/__init__.py": "from . import model\n",
        "app/nets/model.py": MODEL,
        "app/train.py": "from .nets import model\nfrom .nets.model import *\n"
                        "model.discriminator(1)\ndiscriminator(2)\n",
    })
    assert check(capsys, "app/train.py") == [("app/train.py", 4, "TFS101")]


def test_estimator_model_fn_runs_in_a_fresh_graph(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "model.py": """\
            import tensorflow as tf


            def block(x):
                with tf.variable_scope("block"):
                    return tf.layers.dense(x, 4, name="fc")


            def model_fn(features, labels, mode, params):
                net = block(features["x"])
                net = block(net)
                return tf.estimator.EstimatorSpec(mode, loss=tf.reduce_sum(net))
            """,
        "train.py": """\
            import tensorflow as tf
            from model import model_fn

            estimator = tf.compat.v1.estimator.Estimator(model_fn=model_fn)
            estimator.train(input_fn=lambda: ({"x": tf.zeros([2, 3])}, None), max_steps=1)
            """,
    })
    assert check(capsys, ".") == [("model.py", 6, "TFS101")]
    assert check(capsys, "train.py") == [("train.py", 5, "TFS101")]
    main(["names", "--no-cache", "--format", "json", "train.py"])
    rows = json.loads(capsys.readouterr().out)
    assert [(r["path"], r["line"], r["name"]) for r in rows][:2] == [
        ("train.py", 5, "global_step:0"), ("model.py", 6, "block/fc/kernel:0")]
    main(["names", "--no-cache", "model.py"])
    assert "(reused)" not in capsys.readouterr().out  # alone: the enclosing scope is unknown


@pytest.mark.parametrize("runner", ["tf.app.run(main)", "tf.app.run()", "app.run(main)"])
def test_app_run_calls_main(tmp_path: Path, monkeypatch, capsys, runner: str) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"train.py": f"""\
        import tensorflow as tf
        from absl import app


        def main(argv):
            tf.get_variable_scope().reuse_variables()
            w = tf.get_variable("w", [1])


        if __name__ == "__main__":
            {runner}
        """})
    assert ("train.py", 7, "TFS102") in check(capsys, "train.py")


def test_an_imported_main_block_does_not_run(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "lib.py": 'import tensorflow as tf\nif __name__ == "__main__":\n'
                  '    tf.get_variable("w", [1])\n    tf.get_variable("w", [1])\n',
        "train.py": "import lib\nimport lib\n",
    })
    assert check(capsys, "train.py") == []


@pytest.mark.parametrize("reuse, expected", [("True", []), ("None", [("train.py", 9, "TFS101")])])
def test_each_arm_imports_a_module_afresh(tmp_path: Path, monkeypatch, capsys, reuse: str,
                                          expected: list) -> None:
    """On either path the module's top level makes the table before the arm asks for it
    (sharing it works, making it again raises), whichever arm imported it first."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "embeddings.py": 'import tensorflow as tf\nwith tf.variable_scope("emb"):\n'
                         '    table = tf.get_variable("table", [1000, 32])\n',
        "train.py": f"""\
            import sys
            import tensorflow as tf
            if "--frozen" in sys.argv:
                import embeddings
                vectors = embeddings.table
            else:
                import embeddings
                with tf.variable_scope("emb", reuse={reuse}):
                    vectors = tf.get_variable("table", [1000, 32])
            """,
    })
    assert check(capsys, "train.py") == expected


@pytest.mark.parametrize("files", [
    {"a.py": "import b\n", "b.py": "import a\nimport tensorflow as tf\n"},  # a cycle
    {"a.py": "import a\nimport tensorflow as tf\n"},  # a module importing itself
    {"a.py": "from b import *\n", "b.py": "from c import *\n", "c.py": "from a import *\n"},
    {"a.py": "import missing\nfrom nowhere import thing\nthing()\n"},
    {"a.py": "import broken\nbroken.f()\n", "b.py": "", "broken.py": "def f(:\n"},
    {"a.py": "import tensorflow as tf\n", "tensorflow/__init__.py": "x = 1\n"},
])
def test_odd_projects_never_crash(tmp_path: Path, monkeypatch, capsys, files) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, files)
    assert main(["check", "--no-cache", "a.py"]) == 0, capsys.readouterr()


def test_a_module_that_does_not_parse_leaves_its_importer_analysed(
        tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"broken.py": "def f(:\n", "a.py": (
        "import tensorflow as tf\nimport broken\n"
        "with tf.variable_scope('s'):\n    tf.get_variable('w', [1])\n"
        "with tf.variable_scope('s'):\n    tf.get_variable('w', [1])\n")})
    assert check(capsys, "a.py") == [("a.py", 6, "TFS101")]


def test_a_symlink_loop_in_the_project_is_harmless(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"pkg/__init__.py": "", "a.py": "import pkg.loop.loop.model\n"})
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "loop")
    assert main(["check", "--no-cache", "."]) == 0, capsys.readouterr()


def test_deep_import_chains_stop_at_the_limit_and_say_so(tmp_path: Path, monkeypatch,
                                                         capsys) -> None:
    monkeypatch.chdir(tmp_path)
    count = 60
    files = {f"m{i}.py": f"import m{i + 1}\n" for i in range(count)}
    files[f"m{count}.py"] = "import tensorflow as tf\ntf.get_variable('w', [1])\n"
    write(tmp_path, files)
    assert main(["check", "--no-cache", "--verbose", "m0.py"]) == 0
    err = capsys.readouterr().err
    assert "not followed: more than 32 nested imports" in err


def test_a_thousand_modules(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    files = {f"mods/m{i}.py": f"from mods.m{i - 1} import build as _b{i}\n"
             f"import tensorflow as tf\n\ndef build(x):\n    return x\n" for i in range(1, 1000)}
    files["mods/m0.py"] = "def build(x):\n    return x\n"
    files["mods/__init__.py"] = ""
    files["main.py"] = "import tensorflow as tf\n" + "".join(
        f"import mods.m{i}\n" for i in range(0, 1000, 50))
    write(tmp_path, files)
    assert main(["check", "--no-cache", "main.py"]) == 0, capsys.readouterr()


def test_src_roots_from_the_configuration(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "lib/nets.py": MODEL,
        "scripts/train.py": "from nets import discriminator\ndiscriminator(1)\ndiscriminator(2)\n",
    })
    assert check(capsys, "scripts/train.py") == []
    (tmp_path / "pyproject.toml").write_text('[tool.scopelint]\nsrc = ["lib"]\n')
    assert check(capsys, "scripts/train.py") == [("scripts/train.py", 3, "TFS101")]
    assert check(capsys, ".") == [("lib/nets.py", 6, "TFS101")]


CRITIC = """\
import tensorflow.compat.v1 as tf


def critic(x, reuse=False):
    with tf.variable_scope("critic"):
        return tf.layers.dense(x, 1, name="out")
"""
CALLER = """\
import tensorflow.compat.v1 as tf
from models import critic

real = critic(tf.placeholder(tf.float32, [None, 4]))
fake = critic(tf.placeholder(tf.float32, [None, 4]), reuse=True)
"""


def test_an_ignored_reuse_is_reported_once_in_its_file_and_its_duplicates_name_it(
        tmp_path: Path, monkeypatch, capsys) -> None:
    """One cause (TFS206 in models.py), two programs that crash on it: the TFS206 stays in
    its file with the crash as a related location; each TFS101 names the TFS206 and every
    line of another file with that file (it may be reported at a call in another file)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"models.py": CRITIC, "train.py": CALLER, "evaluate.py": CALLER})
    assert check(capsys, "train.py") == [("train.py", 5, "TFS101")]
    main(["check", "--no-cache", "--format", "json", "."])
    ignored, duplicate = json.loads(capsys.readouterr().out)
    assert (ignored["path"], ignored["code"], duplicate["code"]) == ("models.py", "TFS206",
                                                                    "TFS101")
    assert "the call at evaluate.py:5 asks for reuse" in ignored["message"]
    assert {"path": "models.py", "line": 6, "col": 16,
            "message": "TF raises here (TFS101)"} in ignored["related"]
    assert ("first created at models.py:6; the repeat comes from the call at evaluate.py:5; "
            "critic() ignores that call's reuse=True (TFS206 at models.py:5)"
            ) in duplicate["message"]


def test_a_run_reads_each_module_once_and_later_analyses_see_edits(tmp_path: Path) -> None:
    from scopelint.engine.session import Session

    session = Session()
    module = tmp_path / "ops.py"
    module.write_text("A = 1\n")
    with session.reading_once():
        first = session.load_file(str(module))
        module.write_text("A = 22\n")
        assert session.load_file(str(module)) is first  # a run takes each file as first read
    edited = session.load_file(str(module))
    assert first is not None and first.text == "A = 1\n"
    assert edited is not None and edited.text == "A = 22\n"
    assert session.load_file(str(module)) is edited  # same content: the same parse is kept
    assert Session().load_file(str(module)) is not edited  # sessions share nothing


def test_verbose_names_a_project_import_not_found_and_how_src_finds_it(
        tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"lib/layers.py": "import tensorflow as tf\n",
                     "app/train.py": "import numpy\nimport tensorflow as tf\nimport layers\n"})
    main(["check", "--no-cache", "-q", "--verbose", "app/train.py"])
    assert capsys.readouterr().err == (
        "scopelint: app/train.py: import of layers not followed: no such module under app, "
        "nor installed; if it is part of the project, add the folder it is in to `src` in "
        "[tool.scopelint]\n")
    (tmp_path / "pyproject.toml").write_text('[tool.scopelint]\nsrc = ["lib"]\n')
    main(["check", "--no-cache", "-q", "--verbose", "app/train.py"])
    assert capsys.readouterr().err == ""
