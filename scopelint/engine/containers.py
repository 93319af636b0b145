"""Lists whose length stays known while the code grows them (`layers.append(h)`, `xs + ys`):
names built from `len(layers)` stay concrete.

A list handed to code scopelint does not follow, or stored where scopelint cannot see it
(inside another container, on an object it does not model), has *escaped*: that code may
change it, so growing it later makes it unknown.
"""

from __future__ import annotations

from typing import Iterable, Optional

from scopelint.engine.builtins_model import MAX_ITEMS, iteration_values
from scopelint.engine.values import Const, Mapping, Seq, Value

GROWING = frozenset({"append", "extend", "insert"})


class Escaped:
    """The lists that escaped, by identity (a list value is one Python list object)."""

    def __init__(self) -> None:
        self._held: dict[int, Seq] = {}  # id -> the list, kept alive so ids stay unique

    def add(self, values: Iterable[Value]) -> None:
        """`values` (and the lists inside them) are handed to code scopelint cannot see."""
        for value in values:
            if isinstance(value, Seq) and id(value) not in self._held:
                self._held[id(value)] = value
                self.add(value.items)
            elif isinstance(value, Mapping):
                self.add(item for _, item in value.items)

    def __contains__(self, value: Value) -> bool:
        return id(value) in self._held


def grown(owner: Seq, method: str, args: list[Value], kwargs: dict[str, Value]) -> Optional[Seq]:
    """The list `owner.method(*args)` leaves (`append`, `extend`, `insert`), when known."""
    if kwargs:
        return None
    items: Optional[tuple[Value, ...]] = None
    if method == "append" and len(args) == 1:
        items = (*owner.items, args[0])
    elif method == "extend" and len(args) == 1:
        added = iteration_values(args[0])
        items = (*owner.items, *added) if added is not None else None
    elif method == "insert" and len(args) == 2 and isinstance(args[0], Const) and type(
            args[0].value) is int:
        at = args[0].value
        items = (*owner.items[:at], args[1], *owner.items[at:]) if at >= 0 else None
    return Seq(items) if items is not None and len(items) <= MAX_ITEMS else None


def concatenated(left: Value, right: Value) -> Optional[Seq]:
    """`left + right` of two known lists or tuples (not static shapes: see `shapes`)."""
    if type(left) is Seq and type(right) is Seq:
        items = (*left.items, *right.items)
        return Seq(items) if len(items) <= MAX_ITEMS else None
    return None
