"""A checked file's functions nothing calls are replayed when they may record facts
(`engine.fact_reach`), whatever the name they reach a fact API through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from scopelint.analysis import analyze_text
from scopelint.engine.function_replay import FunctionReplay

OPS = """\
import tensorflow.compat.v1 as tf


def conv(name):
    with tf.variable_scope(name):
        return tf.get_variable("w", [3])


class Net(object):
    def __init__(self):
        self.w = tf.get_variable("w", [3])
"""

# Each `build` spells no fact API: it reaches one through what the name it calls is bound to.
CALLERS = {
    "an imported function": "from ops import conv\n\n\ndef build():\n    conv('a')\n",
    "a function of an imported module": "import ops\n\n\ndef build():\n    ops.conv('a')\n",
    "an imported class": "from ops import Net\n\n\ndef build():\n    Net()\n",
    "a TF API alias": ("import tensorflow.compat.v1 as tf\nfrom tensorflow.compat.v1 import "
                       "get_variable as gv\n\n\ndef build():\n    gv('w', [3])\n"),
    "a function the module ran already": (
        "import tensorflow.compat.v1 as tf\n\n\ndef make(name):\n"
        "    return tf.get_variable(name, [3])\n\n\nmake('top')\n\n\ndef build():\n"
        "    make('b')\n"),
}


def rows(path: Path) -> list[tuple[str, list[int]]]:
    """The `names` rows of `path`: each variable's name pattern, and the lines of the call
    that made it and of its stack."""
    result = analyze_text(str(path), path.read_text())
    assert result.facts is not None
    return [(v.pattern, [v.loc.line, *(loc.line for loc in v.stack)])
            for v in result.facts.variables]


@pytest.mark.parametrize("spelling", sorted(CALLERS))
def test_a_function_reaching_facts_through_a_name_is_replayed(tmp_path: Path,
                                                              spelling: str) -> None:
    (tmp_path / "ops.py").write_text(OPS)
    path = tmp_path / "main.py"
    text = CALLERS[spelling]
    path.write_text(text)
    call = text.splitlines().index(text.rstrip().splitlines()[-1]) + 1  # build's call
    assert any(call in stack and "…" in pattern for pattern, stack in rows(path))


MAIN = """\
import os
import tensorflow.compat.v1 as tf
import ops


def helper():
    return os.path.join('a', 'b')


def log():
    print(helper(), ops.__name__, tf.zeros([1]))


def build():
    ops.conv('a')


def train():
    build()
"""

# The same code, its comments and docstrings naming fact APIs and calling functions.
COMMENTED = MAIN.replace(
    "    return os.path", "    \"\"\"Not tf.get_variable(); see train().\"\"\"\n    return os.path"
).replace("tf.zeros([1]))", "tf.zeros([1]))  # no variable: log() keeps none")


@pytest.fixture()
def replayed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions nothing calls replayed, in order."""
    names: list[str] = []
    run_entry = FunctionReplay._run_entry

    def recorded(self: FunctionReplay, node: cst.FunctionDef, *args: Any) -> None:
        names.append(node.name.value)
        run_entry(self, node, *args)

    monkeypatch.setattr(FunctionReplay, "_run_entry", recorded)
    return names


@pytest.mark.parametrize("text", [MAIN, COMMENTED], ids=["plain", "commented"])
def test_what_can_record_nothing_is_not_replayed_and_comments_change_nothing(
        tmp_path: Path, replayed: list[str], text: str) -> None:
    (tmp_path / "ops.py").write_text(OPS)
    path = tmp_path / "main.py"
    path.write_text(text)
    analyze_text(str(path), text)
    assert replayed == ["train"]  # the entry point first; it runs `build`


def test_a_method_run_first_leaves_the_facts_of_init_to_its_own_replay(tmp_path: Path) -> None:
    """Replaying `read` constructs a `Stack` quietly (its facts dropped); `__init__` is still
    replayed on its own after, so its variable keeps its row."""
    path = tmp_path / "wrappers.py"
    path.write_text(
        "import tensorflow.compat.v1 as tf\n\n\nclass Base(object):\n"
        "    def __init__(self, size):\n        self.size = size\n\n\n"
        "class Stack(Base):\n    def __init__(self, size):\n"
        "        super(Stack, self).__init__(size)\n"
        "        self.state = tf.Variable(tf.zeros([size]), trainable=False)\n\n"
        "    def read(self):\n        return tf.identity(self.state, name='read_variable')\n")
    assert rows(path) == [("…/Variable…:0", [12])]
