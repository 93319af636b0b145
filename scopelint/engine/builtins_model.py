"""Python builtins, modelled as far as names and loops need them."""

from __future__ import annotations

import builtins
from typing import Optional

from scopelint.engine.values import Builtin, Const, Iteration, Seq, Unknown, Value, to_text

NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_")) | {"__import__"}
MAX_ITEMS = 32  # longer ranges stay symbolic: loops over them run twice, then in maybe mode
# The builtins that call a function they are given (`callable(f)`, `getattr(f, ...)` do not).
CALLING = frozenset({"map", "filter", "sorted", "min", "max", "iter", "reduce", "apply"})
# The builtins whose result may be any object, one of the program's too (not data).
RETURNS_OBJECTS = frozenset({
    "getattr", "next", "iter", "vars", "globals", "locals", "min", "max", "sorted", "reversed",
    "list", "tuple", "dict", "set", "frozenset", "filter", "map", "zip", "enumerate", "type",
    "eval", "exec", "__import__", "compile", "object", "property", "staticmethod",
    "classmethod", "super", "memoryview", "slice",
})


def call_builtin(name: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
    """The result of a builtin call, when it matters for names or loops."""
    known = [a.value for a in args if isinstance(a, Const)]
    all_known = len(known) == len(args) and not kwargs
    if name == "range":
        if all_known and all(isinstance(v, int) for v in known) and 1 <= len(known) <= 3:
            values = range(*known)
            if len(values) <= MAX_ITEMS:
                return Seq(tuple(Const(v) for v in values))
        start = known[0] if len(args) >= 2 and isinstance(args[0], Const) else 0
        return Iteration("range", start if isinstance(start, int) else 0)
    if name == "enumerate" and args:
        items = iteration_values(args[0])
        if items is not None:
            return Seq(tuple(Seq((Const(i), v)) for i, v in enumerate(items)))
        return Iteration("enumerate")
    if name in ("list", "tuple", "reversed", "sorted") and len(args) == 1:
        items = iteration_values(args[0])
        if items is None:
            return Unknown()
        if name == "sorted":
            return Unknown()
        return Seq(tuple(reversed(items)) if name == "reversed" else tuple(items))
    if name == "zip" and args:
        columns = [iteration_values(a) for a in args]
        present = [c for c in columns if c is not None]
        if len(present) == len(columns):
            return Seq(tuple(Seq(row) for row in zip(*present)))
        return Unknown()
    if name == "map" and len(args) == 2 and isinstance(args[0], Builtin) and not kwargs:
        items = iteration_values(args[1])  # `map(int, "1.15".split("."))`
        if items is not None and args[0].name in ("str", "int", "float", "bool"):
            return Seq(tuple(_convert(args[0].name, item) for item in items))
        return Unknown()
    if name == "len" and len(args) == 1:
        items = iteration_values(args[0])
        return Const(len(items)) if items is not None else Unknown()
    if name in ("str", "int", "float", "bool") and len(args) == 1:
        return _convert(name, args[0])
    return Unknown()


def _convert(name: str, value: Value) -> Value:
    if name == "str":
        return Const(to_text(value)) if isinstance(value, (Const, Unknown)) else Unknown()
    if isinstance(value, Const):
        try:
            return Const(getattr(builtins, name)(value.value))
        except (TypeError, ValueError):
            return Unknown()
    return Unknown()


def iteration_values(iterable: Value) -> Optional[tuple[Value, ...]]:
    """The items of an iterable whose items are all known, else None."""
    if isinstance(iterable, Seq):
        return iterable.items
    if isinstance(iterable, Const) and isinstance(iterable.value, (str, tuple)):
        return tuple(Const(v) for v in iterable.value)
    return None


def symbolic_iterations(iterable: Value) -> list[Optional[Value]]:
    """Two iterations of a loop over an iterable of unknown length, with what is known."""
    if isinstance(iterable, Iteration) and iterable.kind == "range":
        return [Const(iterable.start), Const(iterable.start + 1)]
    if isinstance(iterable, Iteration) and iterable.kind == "enumerate":
        return [Seq((Const(0), Unknown())), Seq((Const(1), Unknown()))]
    return [Unknown(), Unknown()]
