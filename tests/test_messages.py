"""Messages: suggested names only a slip away (an edit-distance bound), APIs named as written."""

from __future__ import annotations

import textwrap

import pytest

from scopelint.analysis import analyze_text
from scopelint.rules.common import closest, edit_distance


@pytest.mark.parametrize("name, candidates, expected", [
    ("disc/weight", ["disc/weights", "gen/weights"], "disc/weights"),
    ("disc/w", ["disc/b", "gen/w"], None),  # too short for any edit
    ("encoder/kernel", ["decoder/kernel"], None),  # two edits in a 7-letter word: not a slip
    ("encoder/kernel", ["decoder/kernel", "encoder/kernal"], "encoder/kernal"),
    ("model/layer1/w", ["model/layer2/w", "model/layer3/w"], None),  # a tie: no guess
    ("policy/logits_w", ["value/fc_w"], None),
])
def test_closest(name: str, candidates: list[str], expected: str | None) -> None:
    assert closest(name, candidates) == expected


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "ab") == 2


def _messages(source: str, code: str) -> list[str]:
    result = analyze_text("m.py", textwrap.dedent(source))
    return [f.message for f in result.findings if f.code == code]


def test_missing_variable_suggests_the_one_made_by_get_variable() -> None:
    (message,) = _messages("""\
        import tensorflow.compat.v1 as tf
        step = tf.Variable(0, name="critic/weight")
        with tf.variable_scope("critic"):
            w = tf.get_variable("weights", [4, 1])
        with tf.variable_scope("critic", reuse=True):
            w_again = tf.get_variable("weight", [4, 1])
        """, "TFS102")
    assert message.endswith("did you mean 'critic/weights'?")


def test_missing_variable_suggests_nothing_unrelated() -> None:
    (message,) = _messages("""\
        import tensorflow.compat.v1 as tf
        with tf.variable_scope("critic"):
            w = tf.get_variable("kernel", [4, 1])
        with tf.variable_scope("critic", reuse=True):
            w_again = tf.get_variable("bias", [1])
        """, "TFS102")
    assert "did you mean" not in message


def test_contrib_layers_are_named_as_written() -> None:
    (message,) = _messages("""\
        import tensorflow.compat.v1 as tf
        x = tf.placeholder(tf.float32, [None, 4])
        with tf.variable_scope("net"):
            y = tf.contrib.layers.fully_connected(x, 4, scope="fc")
        with tf.variable_scope("net"):
            y = tf.contrib.layers.fully_connected(x, 4, scope="fc")
        """, "TFS101")
    assert "contrib.layers.fully_connected creates it again" in message


def test_a_loop_repeat_names_the_loop_that_repeats() -> None:
    (message,) = _messages("""\
        import tensorflow.compat.v1 as tf
        for epoch in range(2):
            for layer in range(1):
                with tf.variable_scope("block"):
                    w = tf.get_variable("w", [2])
        """, "TFS101")
    assert "the loop at line 2 runs this line again" in message


def test_a_loop_around_a_call_names_the_loop() -> None:
    (message,) = _messages("""\
        import tensorflow.compat.v1 as tf
        def block():
            return tf.get_variable("w", [2])
        for i in range(2):
            block()
        block()
        """, "TFS101")
    assert "the loop at line 4 runs this line again" in message


def test_init_from_checkpoint_points_at_the_entry() -> None:
    result = analyze_text("m.py", textwrap.dedent("""\
        import tensorflow.compat.v1 as tf
        with tf.variable_scope("bert"):
            w = tf.get_variable("kernel", [2])
        tf.train.init_from_checkpoint("c", {"a": "bert/kernel", "b": "bert/kernal"})
        """))
    assert [(f.line, f.col) for f in result.findings if f.code == "TFS202"] == [(4, 57)]


def test_cell_used_again_names_both_scopes_and_the_first_use() -> None:
    (message,) = _messages("""\
        import tensorflow.compat.v1 as tf
        x = tf.placeholder(tf.float32, [None, 5, 3])
        cell = tf.nn.rnn_cell.GRUCell(3)
        enc, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope="enc")
        dec, _ = tf.nn.dynamic_rnn(cell, enc, dtype=tf.float32, scope="dec")
        """, "TFS207")
    assert message.startswith("cell=cell: this cell object already built its weights as "
                              "cell=cell at line 4, under 'enc/gru_cell/'; under 'dec/'")


def test_ignored_scope_object_says_where_the_variables_go() -> None:
    (message,) = _messages("""\
        import tensorflow.compat.v1 as tf
        with tf.variable_scope("shared") as shared:
            pass
        with tf.variable_scope("outer"):
            with tf.variable_scope("dec", shared):
                w = tf.get_variable("w", [1])
        """, "TFS208")
    assert "the variables here go to 'outer/dec/', not into shared" in message


HELPER = """\
    import tensorflow.compat.v1 as tf


    def weight(name, shape):
        return tf.get_variable(name, shape)


    with tf.variable_scope("fc"):
        a = weight("a", [3, 3])
        a_again = weight("a", [3, 3])
    """


def test_duplicate_through_a_helper_names_both_calls() -> None:
    (message,) = _messages(HELPER, "TFS101")
    assert "first created at line 5 through the call at line 9; the repeat comes from the " \
           "call at line 10" in message


def test_missing_through_a_helper_names_the_call_that_names_it() -> None:
    (message,) = _messages(HELPER.replace('a_again = weight("a"', 'm = weight("m"').replace(
        'variable_scope("fc")', 'variable_scope("fc", reuse=True)'), "TFS102")
    assert "the name comes from the call of weight() at line 9" in message


def test_name_scope_through_a_helper_is_reported_at_the_call() -> None:
    findings = analyze_text("m.py", textwrap.dedent(HELPER.replace(
        'tf.variable_scope("fc")', 'tf.name_scope("fc")').replace(
        '        a_again = weight("a", [3, 3])\n', ''))).findings
    assert [(f.line, f.code, f.message) for f in findings] == [
        (9, "TFS201", "weight() calls get_variable, which ignores name_scope 'fc': this "
                      "variable is named 'a:0', not 'fc/a:0'")]
