"""Generated input for the property tests: small TF1 programs and mutated fixtures."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
TF = "import tensorflow.compat.v1 as tf\n"

NAMES = st.sampled_from(["a", "b", "w", "v", "dense", "foo/bar", "s", "a_1"])


def statements(depth: int) -> st.SearchStrategy[list[str]]:
    """Small TF1 programs: scopes, variables, reuse, loops, branches, functions."""
    simple = st.one_of(
        NAMES.map(lambda n: f"x = tf.get_variable({n!r}, [1])"),
        NAMES.map(lambda n: f"x = tf.Variable(1.0, name={n!r})"),
        st.just("x = tf.layers.dense(x, 2)"),
        st.just("tf.get_variable_scope().reuse_variables()"),
        st.just("x = f(x)"),
        st.just("y = tf.train.AdamOptimizer().minimize(x)"),
        NAMES.map(lambda n: f"t = tf.get_default_graph().get_tensor_by_name({n + ':0'!r})"),
    )
    if depth == 0:
        return st.lists(simple, min_size=1, max_size=3)
    inner = statements(depth - 1)
    heads = st.one_of(
        NAMES.map(lambda n: f"with tf.name_scope({n!r}):"),
        st.tuples(NAMES, st.sampled_from(["None", "True", "False", "tf.AUTO_REUSE", "r"])).map(
            lambda t: f"with tf.variable_scope({t[0]!r}, reuse={t[1]}) as sc:"),
        st.just("for i in range(3):"),
        st.just("if r:"),
        st.just("def g(x, r=False):"),
    )
    block = st.tuples(heads, inner).map(
        lambda t: [t[0], *("    " + line for line in t[1])])
    return st.lists(st.one_of(simple.map(lambda s: [s]), block), min_size=1, max_size=4).map(
        lambda parts: [line for part in parts for line in part])


PROGRAMS = statements(3).map(lambda lines: TF + "r = True\nx = 1.0\n"
                             "def f(x):\n    with tf.variable_scope('f'):\n"
                             "        return tf.get_variable('k', [1])\n" + "\n".join(lines) + "\n")


FIXTURES = sorted((REPO / "fixtures").glob("*.py"))
EDITS = st.sampled_from(["(", ")", ":", "with ", "tf.", "\n", "    ", "\t", "reuse=True", "print ",
                         '"', "\\", "\x0c", "\r", "def f(", "return", "for i in x:", "é", "\ufeff"])


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> str:
    """A fixture with a few random insertions and deletions: mostly broken TF1 code."""
    text = draw(st.sampled_from(FIXTURES)).read_text()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(EDITS) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
    return text
