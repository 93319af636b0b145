"""The shapes the TFS207-TFS209 fixes take, and those they leave alone (reported, unfixed).

The fixture pairs (tests/test_fixes.py, under TF in tests/test_fix_oracle.py) hold the
shapes that are fixed; these cases pin the ones that must not be, and the edges.
"""

from __future__ import annotations

import pytest

from scopelint.analysis import analyze_text
from scopelint.fixes.apply import fix_text

TF = "import tensorflow.compat.v1 as tf\n"
CELL = "tf.nn.rnn_cell.LSTMCell"
STACK = "tf.nn.rnn_cell.MultiRNNCell"


def _fixed(source: str) -> str:
    return fix_text("case.py", source, lambda found, text: list(found), unsafe=True).text


LEFT_ALONE = {
    "TFS207 cell read elsewhere": (
        "TFS207", f"cell = {CELL}(8)\nstack = {STACK}([cell] * 2)\nprint(cell)\n"),
    "TFS207 cell not assigned just before": (
        "TFS207", f"cell = {CELL}(8)\nn = 2\nstack = {STACK}([cell] * n)\n"),
    "TFS207 cell assigned twice": (
        "TFS207", f"cell = {CELL}(4)\ncell = {CELL}(8)\nstack = {STACK}([cell] * 2)\n"),
    "TFS207 wrapped cell read elsewhere": (
        "TFS207", f"lstm = {CELL}(8)\nother = lstm\n"
                  f"cell = tf.nn.rnn_cell.DropoutWrapper(lstm)\nstack = {STACK}([cell] * 2)\n"),
    "TFS207 argument that makes an op": (
        "TFS207", f"cell = {CELL}(8, initializer=tf.constant_initializer(tf.ones([1])))\n"
                  f"stack = {STACK}([cell] * 2)\n"),
    "TFS207 argument the comprehension rebinds": (
        "TFS207", f"units = 8\ncell = {CELL}(units)\n"
                  f"stack = {STACK}([cell for units in range(2)])\n"),
    "TFS207 cell from a call that may return one object": (
        "TFS207", f"cells = [{CELL}(8)]\ncell = cells.pop()\nstack = {STACK}([cell] * 2)\n"),
    "TFS207 class body": (
        "TFS207", f"class Net:\n    cell = {CELL}(8)\n    stack = {STACK}([cell] * 2)\n"),
    "TFS207 comment on the cell's line": (
        "TFS207", f"cell = {CELL}(8)  # the core\nstack = {STACK}([cell] * 2)\n"),
    "TFS207 noqa on the cell's line": (
        "TFS207", f"cell = {CELL}(8)  # noqa: TFS207\nstack = {STACK}([cell] * 2)\n"),
    "TFS207 attribute": (
        "TFS207", f"class P:\n    def __init__(self):\n        self.cell = {CELL}(8)\n\n"
                  f"    def build(self):\n        return {STACK}([self.cell] * 2)\n\n\n"
                  "P().build()\n"),
    "TFS208 tf.Variable name, then more positional arguments": (
        "TFS208", 'step = tf.Variable(0, "step", ["counters"])\n'),
    "TFS208 VariableScope name": ("TFS208", 'scope = tf.VariableScope("policy")\n'),
    "TFS208 dtype as a new variable's shape": (
        "TFS208", 'b = tf.get_variable("b", tf.float32, initializer=tf.zeros_initializer())\n'),
    "TFS208 reuse for variable_scope(None, ...)": (
        "TFS208", 'with tf.variable_scope(None, True):\n    w = tf.get_variable("w", [1])\n'),
    "TFS208 keyword already given": (
        "TFS208", 'with tf.variable_scope("d", True, reuse=tf.AUTO_REUSE):\n'
                  '    w = tf.get_variable("w", [1])\n'),
    "TFS208 later positional lands on the meant keyword": (
        "TFS208", 'w = tf.get_variable("w", [3], tf.zeros_initializer(), tf.ones_initializer())\n'),
    "TFS209 call in the dropped part": (
        "TFS209", 'def block(s):\n    with tf.variable_scope(s):\n'
                  '        return tf.get_variable("{}/w".format(s.strip()), [1])\n\n\n'
                  'block("a")\n'),
    "TFS209 format part shorter than the repeated scope": (
        "TFS209", 'with tf.variable_scope("m"):\n    with tf.variable_scope("l"):\n'
                  '        w = tf.get_variable("{}/l/w".format("m"), [1])\n'),
    "TFS209 noqa": (
        "TFS209", 'with tf.variable_scope("c"):\n    w = tf.get_variable("c/w", [1])  # noqa\n'),
}


@pytest.mark.parametrize("case", sorted(LEFT_ALONE))
def test_reported_but_not_fixed(case: str) -> None:
    code, body = LEFT_ALONE[case]
    source = TF + body
    assert code in {f.code for f in analyze_text("case.py", source).findings}
    assert _fixed(source) == source


FIXED = {
    "TFS207 n * [cell], comment above kept": (
        f"# core\ncell = {CELL}(8)\nstack = {STACK}(2 * [cell])\n",
        f"# core\nstack = {STACK}([{CELL}(8) for _ in range(2)])\n"),
    "TFS207 wrapper of a wrapper": (
        f"core = {CELL}(8)\nmid = tf.nn.rnn_cell.ResidualWrapper(core)\n"
        f"cell = tf.nn.rnn_cell.DropoutWrapper(mid, 0.5)\nstack = {STACK}([cell] * 2)\n",
        f"stack = {STACK}([tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.ResidualWrapper("
        f"{CELL}(8)), 0.5) for _ in range(2)])\n"),
    "TFS207 boolean argument, factory defined here": (
        f"def make(units):\n    return {CELL}(units, state_is_tuple=True)\n\n\n"
        f"cell = make(8)\nstack = {STACK}([cell] * 2)\n",
        f"def make(units):\n    return {CELL}(units, state_is_tuple=True)\n\n\n"
        f"stack = {STACK}([make(8) for _ in range(2)])\n"),
    "TFS207 in a with block": (
        f'with tf.variable_scope("enc"):\n    cell = {CELL}(8, True, activation=tf.nn.relu)\n'
        f"    stack = {STACK}(cells=[cell, cell, cell])\n",
        f'with tf.variable_scope("enc"):\n'
        f"    stack = {STACK}(cells=[{CELL}(8, True, activation=tf.nn.relu) for _ in range(3)])\n"),
    "TFS208 initializer third, keyword after it kept": (
        'w = tf.get_variable("w", [3], tf.zeros_initializer(), trainable=False)\n',
        'w = tf.get_variable("w", [3], initializer=tf.zeros_initializer(), trainable=False)\n'),
    "TFS208 variable_scope imported under another name": (
        "from tensorflow.compat.v1 import variable_scope as vs\n\n\ndef disc(reuse=False):\n"
        '    with vs("d", reuse):\n        return tf.get_variable("w", [1])\n',
        "from tensorflow.compat.v1 import variable_scope as vs\n\n\ndef disc(reuse=False):\n"
        '    with vs("d", reuse=reuse):\n        return tf.get_variable("w", [1])\n'),
    "TFS208 tf.Variable dtype second": (
        "step = tf.Variable(0, tf.int64)\n", "step = tf.Variable(0, dtype=tf.int64)\n"),
    "TFS209 percent with %s, single quotes": (
        "def block(s):\n    with tf.variable_scope(s):\n"
        "        return tf.get_variable('%s/w' % s, [1])\n\n\nblock('a')\n",
        "def block(s):\n    with tf.variable_scope(s):\n"
        "        return tf.get_variable('w', [1])\n\n\nblock('a')\n"),
    "TFS209 name= keyword, longer tail": (
        'with tf.variable_scope("c"):\n    w = tf.get_variable(name="c/sub/w", shape=[1])\n',
        'with tf.variable_scope("c"):\n    w = tf.get_variable(name="sub/w", shape=[1])\n'),
}


@pytest.mark.parametrize("case", sorted(FIXED))
def test_fixed(case: str) -> None:
    before, after = FIXED[case]
    assert _fixed(TF + before) == TF + after
