"""Inlay hints: after each call that makes variables, the full names it makes."""

from __future__ import annotations

from lsprotocol import types

from scopelint.server.calls import CallIndex, Point
from scopelint.server.convert import Lines
from scopelint.server.lookup import FactIndex, variable_names

MAX_NAMES = 3


def inlay_hints(path: str, facts: FactIndex, calls: CallIndex, lines: Lines,
                first: Point, last: Point) -> list[types.InlayHint]:
    """The hints of the calls that end between `first` and `last`."""
    hints = []
    for start in sorted(facts.points(path, "made")):
        call = calls.starting_at(start)
        if call is None or not first <= call.end <= last:
            continue
        names = variable_names(facts.variables_made(path, start))
        if not names:
            continue
        more = len(names) - MAX_NAMES
        label = ", ".join(names[:MAX_NAMES]) + (f", … (+{more})" if more > 0 else "")
        hints.append(types.InlayHint(
            position=lines.position(call.end), label=label, padding_left=True,
            tooltip="\n".join(names) if more > 0 else None))
    return hints
