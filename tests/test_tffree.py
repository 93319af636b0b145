"""Calls that cannot reach TF leave the TF state certain (`engine.tffree`)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from scopelint.analysis import analyze_text
from scopelint.engine.project import ProjectSettings
from scopelint.engine.session import Session

MODEL = """\
import tensorflow.compat.v1 as tf
{imports}
{call}
with tf.variable_scope("enc"):
    tf.get_variable("w", [1])
"""


def names(tmp_path: Path, imports: str, call: str, files: dict[str, str] = {},
          settings: ProjectSettings = ProjectSettings()) -> list[tuple[object, object]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    main = tmp_path / "main.py"
    text = MODEL.format(imports=imports, call=call)
    main.write_text(text, encoding="utf-8")
    facts = analyze_text(str(main), text, project=settings).facts
    return [(v.name, v.reused) for v in facts.variables if v.pattern.startswith("enc/w")]


CERTAIN = [("enc/w:0", False)]
UNCERTAIN = [(None, None)]


@pytest.mark.parametrize(("imports", "call"), [
    ("import argparse", "argparse.ArgumentParser().add_argument('--n', type=int)"),
    ("import logging", "logging.getLogger(__name__).warning('x')"),
    ("import numpy as np", "np.random.rand(3).astype(np.float32).reshape([3, 1])"),
    ("import os, json", "json.loads(os.environ.get('CFG', '{}'))['key'].strip()"),
    ("import pickle", "pickle.load(open('data.pkl', 'rb'))"),
])
def test_tf_free_libraries_and_what_they_return(tmp_path: Path, imports: str, call: str) -> None:
    assert names(tmp_path, imports, call) == CERTAIN


@pytest.mark.parametrize(("imports", "call"), [
    ("import missing_lib", "missing_lib.setup()"),  # not found: it may be anything
    ("import contextlib", "contextlib.ExitStack().enter_context(tf.variable_scope('a'))"),
    ("import threading\ndef build():\n    tf.get_variable('v', [1])",
     "threading.Thread(target=build).start()"),  # handed a function that builds
    ("import importlib", "importlib.import_module('model').build()"),  # loads code by name
    ("import pickle", "pickle.load(open('model.pkl', 'rb')).build()"),  # any object
    ("import copy\nclass Net:\n    def build(self):\n        tf.get_variable('v', [1])",
     "copy.deepcopy(Net()).build()"),  # what it was handed
    ("from multiprocessing.pool import ThreadPool\ndef build(i):\n    tf.get_variable('v', [1])",
     "ThreadPool(2).map(globals()['build'], [1])"),  # handed a value of unknown origin
    ("import threading\nclass Net:\n    def build(self):\n        tf.get_variable('v', [1])",
     "threading.Thread(target=getattr(Net(), 'build')).start()"),
])
def test_calls_that_may_reach_tf(tmp_path: Path, imports: str, call: str) -> None:
    assert names(tmp_path, imports, call) == UNCERTAIN


def test_a_project_module_is_tf_free_when_nothing_it_imports_reaches_tf(tmp_path: Path) -> None:
    files = {"helpers.py": "import json\nfrom util import fmt\ndef log(x):\n    print(fmt(x))\n",
             "util.py": "def fmt(x):\n    return str(x)\n"}
    assert names(tmp_path, "import helpers", "helpers.log(1)", files) == CERTAIN
    files["helpers.py"] = "def log(x) print(x)\n"  # broken: it may do anything
    assert names(tmp_path / "b", "import helpers", "helpers.log(1)", files) == UNCERTAIN


def test_the_config_declares_a_module_tf_free(tmp_path: Path) -> None:
    settings = ProjectSettings(tf_free=("missing_lib",))
    assert names(tmp_path, "import missing_lib", "missing_lib.setup()",
                 settings=settings) == CERTAIN


def test_installed_packages_are_read_not_imported(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    (site / "freepkg").mkdir(parents=True)
    (site / "freepkg" / "__init__.py").write_text("from .core import run\nraise SystemExit\n")
    (site / "freepkg" / "core.py").write_text("import json\ndef run():\n    pass\n")
    (site / "tfpkg").mkdir()
    (site / "tfpkg" / "__init__.py").write_text("from . import nets\n")
    (site / "tfpkg" / "nets.py").write_text("try:\n    import tensorflow\nexcept ImportError:\n"
                                            "    pass\n")
    monkeypatch.syspath_prepend(str(site))
    reach = Session().tf_reach
    assert not reach.reaches_tf("freepkg.run", None)
    assert reach.reaches_tf("tfpkg.anything", None)
    assert "freepkg" not in sys.modules and "tfpkg" not in sys.modules
