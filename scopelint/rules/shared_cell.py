"""TFS207: one RNN cell object for several layers of a MultiRNNCell."""

from typing import Iterator

from scopelint.facts import Finding, ModuleFacts
from scopelint.rules import Rule
from scopelint.rules.common import once_per_site
from scopelint.rules.step_cell import step_cells


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    yield from step_cells(path, facts)
    yield from once_per_site(path, "TFS207", (
        (fact, (f"MultiRNNCell gets one cell object for several layers ({fact.how}): "
                    f"it builds its weights once, for layer 0's input, and every layer calls "
                    f"it; TF raises 'Dimensions must be equal' when the input width differs "
                    f"from the cell's units, and otherwise the layers silently share layer "
                    f"0's weights; build one cell per layer", ()))
        for fact in facts.shared_cells))


RULE = Rule(
    code="TFS207", name="shared-rnn-cell",
    summary="MultiRNNCell gets the same cell object for several layers",
    what="Finds `MultiRNNCell([cell] * n)`, `MultiRNNCell([cell, cell])` and "
         "`MultiRNNCell([cell for _ in range(n)])` where `cell` is built outside the "
         "comprehension: one cell object stands for every layer. `n` need not be known. "
         "Also the reverse over time: a cell call (`output, state = cell(x_t, state)`) "
         "that a new cell object runs at each step of an unrolled loop, fed the state "
         "the previous step's cell returned (a step function that builds its cell), "
         "while each step makes new weights (`gru_cell`, `gru_cell_1`, ...).",
    why="Since TF 1.2 a cell builds its weights once, in the scope of its first call "
        "(`multi_rnn_cell/cell_0/`). Every later layer runs on those same weights: TF fails "
        "with `Dimensions must be equal` when the input size differs from the units, and "
        "silently ties the layers' weights otherwise. A cell built per time step is the "
        "opposite mistake: every step gets its own weights, and none is trained on the "
        "whole sequence.",
    example="""
cell = tf.nn.rnn_cell.LSTMCell(128)
stack = tf.nn.rnn_cell.MultiRNNCell([cell] * 3)  # TFS207
""",
    fix="""
stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(128) for _ in range(3)])
""",
    autofix="Safe, when the cell's constructor call is at hand: written in the list "
            "(`[make_cell()] * n`), or assigned to the repeated name by the statement just "
            "before, which nothing else reads (that statement goes, and so does one just "
            "before it building a cell it wraps). The list becomes `[<constructor> for _ in "
            "range(n)]`, so each layer gets its own weights (`cell_1/...` are new names).",
    check=check,
)
