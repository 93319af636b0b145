"""Snippets that use `tf` without importing it are analysed as `import tensorflow as tf`."""

from __future__ import annotations

import textwrap

from scopelint.analysis import ASSUMED_TF, analyze_text

BUILD_TWICE = """\
with tf.variable_scope("a"):
    w = tf.get_variable("w", [1])
with tf.variable_scope("a"):
    w = tf.get_variable("w", [1])
with tf.name_scope("n"):
    v = tf.get_variable("v", [1])
"""


def _messages(text: str) -> list[str]:
    return [f.message for f in analyze_text("snippet.py", textwrap.dedent(text)).findings]


def test_snippet_findings_say_once_that_tf_was_assumed() -> None:
    messages = _messages(BUILD_TWICE)
    assert len(messages) == 2
    assert [m.endswith(ASSUMED_TF) for m in messages] == [True, False]


def test_a_module_importing_tf_gets_no_note() -> None:
    messages = _messages("import tensorflow.compat.v1 as tf\n" + BUILD_TWICE)
    assert len(messages) == 2 and not any(ASSUMED_TF in m for m in messages)


def test_tf_bound_or_maybe_bound_otherwise_is_left_alone() -> None:
    for binding in ("tf = object()\n", "import mxnet as tf\n", "from helpers import *\n",
                    "def f(tf):\n    return tf\n", "for tf in []:\n    pass\n"):
        assert _messages(binding + BUILD_TWICE) == [], binding
