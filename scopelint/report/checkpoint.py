"""`scopelint names --checkpoint`: a comparison as text lines or a JSON object."""

from __future__ import annotations

import json
from typing import Any

from scopelint.checkpoint import Checkpoint, Tensor
from scopelint.checkpoint_compare import Comparison, Predicted, spec_text

LISTED = 5  # bookkeeping names shown per group in text


def render_text(cmp: Comparison[Tensor], ckpt: Checkpoint) -> str:
    """One line per difference (located at the code when it can be), then a summary."""
    lines = [f"{new.where}: renamed: '{old.name}' in the checkpoint is '{new.name}' here"
             for old, new in cmp.renamed]
    lines += [f"{new.where}: changed: '{new.name}' is {spec_text(new)} here, {spec_text(old)} "
              "in the checkpoint" for old, new in cmp.changed]
    lines += [f"{new.where}: missing from the checkpoint: '{new.name}' {spec_text(new)} "
              f"(Saver.restore fails: Key {new.name} not found in checkpoint)"
              for new in cmp.missing]
    lines += [f"{ckpt.index}: no longer created: '{old.name}' {spec_text(old)}"
              for old in cmp.stale]
    for item, names in cmp.unknown:
        found = (f"it may be {', '.join(repr(n) for n in names)} in the checkpoint" if names
                 else "it matches no checkpoint entry")
        lines.append(f"{item.where}: unknown: scopelint cannot predict the name "
                     f"'{item.pattern}'; {found}")
    groups: dict[tuple[str, str], list[str]] = {}
    for name, kind, side in cmp.bookkeeping:
        groups.setdefault((kind, side), []).append(name)
    for (kind, side), names in sorted(groups.items()):
        where = "in the checkpoint," if side == "saved only" else \
            "created by the code, not in the checkpoint,"
        shown = ", ".join(names[:LISTED]) + (", ..." if len(names) > LISTED else "")
        plural = "s" if len(names) > 1 else ""
        lines.append(f"{ckpt.index}: {len(names)} {kind}{plural} {where} not compared as "
                     f"model weights: {shown}")
    lines.append(
        f"{len(ckpt.comparable())} checkpoint entries: {cmp.matched} created by the code "
        f"({len(cmp.changed)} changed), {len(cmp.renamed)} renamed, {len(cmp.stale)} no longer "
        f"created; {len(cmp.missing)} missing from the checkpoint, {len(cmp.unknown)} unknown "
        "names")
    return "".join(line + "\n" for line in lines)


def render_json(cmp: Comparison[Tensor], ckpt: Checkpoint) -> str:
    """The comparison as one JSON object."""
    data = {
        "checkpoint": ckpt.index,
        "object_based": ckpt.object_based,
        "agrees": cmp.agrees,
        "matched": cmp.matched,
        "renamed": [{"old": _saved(old), "new": _created(new)} for old, new in cmp.renamed],
        "changed": [{"checkpoint": _saved(old), "code": _created(new)} for old, new in cmp.changed],
        "missing": [_created(new) for new in cmp.missing],
        "no_longer_created": [_saved(old) for old in cmp.stale],
        "unknown": [{**_created(item), "checkpoint_matches": names} for item, names in cmp.unknown],
        "bookkeeping": [{"name": name, "kind": kind, "side": side}
                        for name, kind, side in cmp.bookkeeping],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _saved(entry: Tensor) -> dict[str, Any]:
    return {"name": entry.name, "shape": _shape(entry.shape), "dtype": entry.dtype}


def _created(item: Predicted) -> dict[str, Any]:
    return {"name": item.name, "pattern": item.pattern, "shape": _shape(item.shape),
            "dtype": item.dtype, "path": item.path, "line": item.line, "col": item.col}


def _shape(shape: Any) -> Any:
    return list(shape) if shape is not None else None
