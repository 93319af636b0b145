"""TFS207: one RNN cell object for several layers of a MultiRNNCell or several RNN calls;
and, over time, a new cell object each time step, so no step shares weights."""

from typing import Iterator

from scopelint.facts import Finding, ModuleFacts, SharedCellFact
from scopelint.rules import WARNING, FixIn, Rule, codes
from scopelint.rules.common import Message, once_per_site, related_at

CODE = codes.SHARED_CELL


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    yield from step_cells(path, facts)
    yield from once_per_site(path, CODE, ((fact, _message(fact, path))
                                          for fact in facts.shared_cells))


def _message(fact: SharedCellFact, path: str) -> Message:
    if fact.first is None:
        return (f"MultiRNNCell gets one cell object for several layers ({fact.how}): "
                f"it builds its weights once, for layer 0's input, and every layer calls "
                f"it; TF raises 'Dimensions must be equal' when the input width differs "
                f"from the cell's units, and otherwise the layers silently share layer "
                f"0's weights; build one cell per layer"), ()
    first = f" as {fact.first_how}" if fact.first_how else ""
    return (f"{fact.how}: this cell object already built its weights{first} at "
            f"{fact.first.where(path)}, under '{fact.built}/'; under '{fact.here}/' it makes none "
            f"and runs on those same weights (TF shares them silently, or fails with "
            f"`Dimensions must be equal` when the input sizes differ); build one cell per "
            f"use"), (related_at(fact.first, "the cell built its weights here"),)


def step_cells(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    """One finding per cell call that a new cell object runs at each time step."""
    return once_per_site(path, CODE, (
        (fact, (f"a new {fact.cell} object runs this call at each time step (it gets the "
                f"state of the previous step's cell): each step makes its own weights "
                f"('{fact.scope}/...' here, '{fact.first_scope}/...' the step before), so the "
                f"steps share none; build the cell once, before the loop", ()))
        for fact in facts.step_cells))


RULE = Rule(
    code=CODE, name="shared-rnn-cell",
    summary="one RNN cell object used for several layers or in several scopes",
    what="Finds `MultiRNNCell([cell] * n)`, `MultiRNNCell([cell, cell])` and "
         "`MultiRNNCell([cell for _ in range(n)])` where `cell` is built outside the "
         "comprehension: one cell object stands for every layer. `n` need not be known. "
         "Also an RNN call (`dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`, "
         "`static_bidirectional_rnn`, `tf.contrib.rnn.stack_bidirectional_*`) given a cell "
         "object that already built its weights in another variable scope: the same cell as "
         "`cell_fw` and `cell_bw`, the same cell under two `dynamic_rnn` scopes, passed "
         "through parameters or kept on `self`, or wrapped twice (`DropoutWrapper(cell)`); "
         "cell classes from `tf.nn.rnn_cell` or `tf.contrib.rnn`, however imported. Not "
         "where the second scope reuses (`reuse=True`, `AUTO_REUSE`): sharing is meant there. "
         "And the reverse over time: a cell call (`output, state = cell(x_t, state)`) "
         "that a new cell object runs at each step of an unrolled loop, fed the state "
         "the previous step's cell returned (a step function that builds its cell), "
         "while each step makes new weights (`gru_cell`, `gru_cell_1`, ...).",
    why="Since TF 1.2 a cell builds its weights once, in the scope of its first call "
        "(`multi_rnn_cell/cell_0/`, `bidirectional_rnn/fw/`, `encoder/`), and every later "
        "call runs on those same weights: the other layers, the backward direction or the "
        "decoder get none of their own. TF fails with `Dimensions must be equal` when the "
        "input size differs from the first use, and silently ties the weights otherwise "
        "(TF 1.0 made new weights per scope; TF 1.1 raised `Attempt to reuse RNNCell ... "
        "with a different variable scope than its first use`). A cell built per time step "
        "is the opposite mistake: every step gets its own weights, and none is trained on "
        "the whole sequence.",
    example="""
x = tf.placeholder(tf.float32, [None, 10, 128])
cell = tf.nn.rnn_cell.LSTMCell(128)
stack = tf.nn.rnn_cell.MultiRNNCell([cell] * 3)  # TFS207
outputs, _ = tf.nn.dynamic_rnn(stack, x, dtype=tf.float32)
both = tf.nn.rnn_cell.LSTMCell(64)
pair, _ = tf.nn.bidirectional_dynamic_rnn(both, both, x, dtype=tf.float32)  # TFS207
""",
    use_instead="""
x = tf.placeholder(tf.float32, [None, 10, 128])
stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(128) for _ in range(3)])
outputs, _ = tf.nn.dynamic_rnn(stack, x, dtype=tf.float32)
pair, _ = tf.nn.bidirectional_dynamic_rnn(
    tf.nn.rnn_cell.LSTMCell(64), tf.nn.rnn_cell.LSTMCell(64), x, dtype=tf.float32)
""",
    autofix="Safe, when the cell's constructor call is at hand: written in the list "
            "(`[make_cell()] * n`), or assigned to the repeated name by the statement just "
            "before, which nothing else reads (that statement goes, and so does one just "
            "before it building a cell it wraps). The list becomes `[<constructor> for _ in "
            "range(n)]`, so each layer gets its own weights (`cell_1/...` are new names). "
            "For an RNN call given a cell already used elsewhere by a name assigned once "
            "from a constructor call, that argument becomes a copy of the constructor call "
            "(`cell_bw=cell` → `cell_bw=tf.nn.rnn_cell.LSTMCell(128)`): the call gets weights "
            "of its own (`bidirectional_rnn/bw/...` are new names).",
    severity=WARNING,
    check=check,
    fix=FixIn("scopelint.rules.shared_cell_fix"),
)
