"""TFS207: one RNN cell object for several layers of a MultiRNNCell."""

from typing import Iterator

from scopelint.facts import Finding, ModuleFacts, SharedCellFact
from scopelint.rules import Rule
from scopelint.rules.common import Message, once_per_site, related_at


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, "TFS207", ((fact, _message(fact, path))
                                          for fact in facts.shared_cells))


def _message(fact: SharedCellFact, path: str) -> Message:
    if fact.first is None:
        return (f"MultiRNNCell gets one cell object for several layers ({fact.how}): "
                f"the cell keeps the scope of its first use, so every layer "
                f"runs on layer 0's weights; build one cell per layer"), ()
    first = f" as {fact.first_how}" if fact.first_how else ""
    return (f"{fact.how}: this cell object already built its weights{first} at "
            f"{fact.first.where(path)}, under '{fact.built}/'; under '{fact.here}/' it makes none "
            f"and runs on those same weights (TF shares them silently, or fails with "
            f"`Dimensions must be equal` when the input sizes differ); build one cell per "
            f"use"), (related_at(fact.first, "the cell built its weights here"),)


RULE = Rule(
    code="TFS207", name="shared-rnn-cell",
    summary="MultiRNNCell gets the same cell object for several layers",
    what="Finds `MultiRNNCell([cell] * n)`, `MultiRNNCell([cell, cell])` and "
         "`MultiRNNCell([cell for _ in range(n)])` where `cell` is built outside the "
         "comprehension: one cell object stands for every layer. `n` need not be known.",
    why="Since TF 1.2 a cell builds its weights once, in the scope of its first call "
        "(`multi_rnn_cell/cell_0/`). Every later layer runs on those same weights: TF fails "
        "with `Dimensions must be equal` when the input size differs from the units, and "
        "silently ties the layers' weights otherwise.",
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
