"""Size and nesting limits that keep libcst's parse bounded.

libcst's native parser is fast on ordinary code but superlinear on long
left-nested chains (`a[0][0]...`, `f()()...`, `x if c else y if ...`,
`a + a + ...`: 4,000 subscripts take 15 s, 5,000 chained conditionals 20 s
and 4 GB) and needs about 600 bytes of memory per byte of source. CPython's
`ast` tree, which the pipeline builds first anyway, measures both cheaply
(about 2% of the libcst parse), so such files get a TFS001 instead of a hang
or an out-of-memory kill. Hand-written code is far below both limits.
"""

from __future__ import annotations

import ast
from typing import Optional

MAX_DEPTH = 1000  # libcst: well under a second at this nesting
MAX_NODES = 300_000  # about 1.3 MB of ordinary code: ~7 s and ~1 GB in libcst
# Below these, a file cannot reach MAX_DEPTH levels that slow libcst down (such chains need a
# long line, or thousands of lines of `elif`), nor MAX_NODES: the tree walk is skipped.
SCREEN_SIZE = 100_000
SCREEN_LINE = 500


def may_be_too_complex(text: str) -> bool:
    """Cheap screen: deep or huge trees come from big files or very long lines."""
    return len(text) > SCREEN_SIZE or max(map(len, text.splitlines()), default=0) > SCREEN_LINE


def too_complex(tree: ast.AST, lines: Optional[list[str]] = None,
                known: Optional[dict[tuple[int, int, str], tuple[int, int]]] = None
                ) -> Optional[tuple[int, str]]:
    """The line and reason when the tree is beyond what scopelint analyses, else None.

    With the module's `lines` and `known`, the size and depth of each top-level statement
    measured before (by its text), a tree found within both limits is not walked again
    (an editor's next version of a buffer)."""
    if lines is not None and known is not None and isinstance(tree, ast.Module):
        nodes, deepest = 1, 1
        for stmt in tree.body:
            start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
            key = (stmt.col_offset, stmt.end_col_offset or 0,
                   "".join(lines[start - 1:stmt.end_lineno]))
            found = known.get(key)
            if found is None:
                found = known[key] = _measure(stmt)
            nodes += found[0]
            deepest = max(deepest, 1 + found[1])
        if nodes <= MAX_NODES and deepest <= MAX_DEPTH:
            return None
    nodes = 0
    stack = [(tree, 1, 1)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        nodes += 1
        if depth > MAX_DEPTH:
            return line, f"code is nested too deeply to analyse (more than {MAX_DEPTH} levels)"
        if nodes > MAX_NODES:
            return 1, f"file is too large to analyse (more than {MAX_NODES} syntax nodes)"
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return None


def _measure(tree: ast.AST) -> tuple[int, int]:
    """The nodes of a tree and its depth (1: a leaf)."""
    nodes, deepest = 0, 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return nodes, deepest
