"""Comparing the variables the code creates with saved ones (a checkpoint, a names lock).

Saved names are Saver keys: a variable's name without `:0` (a partitioned
variable is saved whole, under its `get_variable` name). Only variables the
engine knows are created, with a known name, are compared; names it cannot
know are listed as unknown and hide the saved entries they may stand for.
Optimizer slots and the global step are bookkeeping, not model weights.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Iterable, Optional, Sequence, TypeVar

from scopelint.checkpoint import Shape, Tensor
from scopelint.facts import Outcome, VariableFact

if TYPE_CHECKING:
    from scopelint.analysis import FileResult

SLOT_NAMES = frozenset({"Adam", "Momentum", "RMSProp", "Adagrad", "AdagradDA", "Adadelta",
                        "Ftrl", "ProximalAdagrad", "ExponentialMovingAverage"})
SLOT_APIS = (".minimize", ".apply_gradients", "ExponentialMovingAverage.apply")
_NUMBER_SUFFIX = re.compile(r"_[0-9]+$")
RENAME_SIMILARITY = 0.5
S = TypeVar("S", bound=Tensor)


@dataclass(frozen=True)
class Predicted:
    """A variable the code creates (`name` known) or may create (`pattern` only)."""

    name: Optional[str]  # the Saver key, e.g. "enc/w"; None when it cannot be known
    pattern: str  # the key with unknown parts shown as "…"
    shape: Shape
    dtype: Optional[str]
    path: str
    line: Optional[int] = None  # None: where calls scopelint cannot follow may make it
    col: Optional[int] = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.col}" if self.line else self.path


@dataclass
class Comparison(Generic[S]):
    """What differs between the predicted variables and the saved entries."""

    matched: int = 0
    missing: list[Predicted] = field(default_factory=list)  # created, not saved
    stale: list[S] = field(default_factory=list)  # saved, no longer created
    renamed: list[tuple[S, Predicted]] = field(default_factory=list)
    changed: list[tuple[S, Predicted]] = field(default_factory=list)  # shape or dtype
    # Bookkeeping on one side only: (name, "optimizer slot" | "global step", side)
    bookkeeping: list[tuple[str, str, str]] = field(default_factory=list)
    unknown: list[tuple[Predicted, list[str]]] = field(default_factory=list)  # + saved matches

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.stale or self.renamed or self.changed)


def predictions(results: Iterable[FileResult]) -> list[Predicted]:
    """Every variable the analysed files create or may create, in file and execution order."""
    found: list[Predicted] = []
    seen: set[Predicted] = set()  # a module two analysed files import is predicted once
    for result in results:
        if result.facts is None:
            continue
        for fact in result.facts.variables:
            item = _predicted(fact.loc.path or result.path, fact)
            if item is not None and item not in seen:
                seen.add(item)
                found.append(item)
        found.extend(Predicted(None, p.rsplit(":", 1)[0], None, None, result.path)
                     for p in sorted(result.facts.unknown_names))
    return found


def _predicted(path: str, fact: VariableFact) -> Optional[Predicted]:
    if fact.outcome not in (Outcome.CREATE, Outcome.UNKNOWN, Outcome.REUSE):
        return None  # TF raises there: it makes nothing
    if _is_slots(fact):
        return None  # bookkeeping_kind tells slots by name
    name = fact.name.rsplit(":", 1)[0] if fact.name else None
    if name is None and fact.key and "…" not in fact.key and \
            fact.pattern == f"{fact.key}/part_…:0":
        name = fact.key  # a partitioned variable: saved whole, under its key
    certain = fact.outcome is Outcome.CREATE and fact.certain and name is not None
    return Predicted(name if certain else None, name or fact.pattern.rsplit(":", 1)[0],
                     fact.shape, fact.dtype, path, fact.loc.line, fact.loc.col)


def _is_slots(fact: VariableFact) -> bool:
    """The fact of an optimizer's or a moving average's slots (named `<var>/<detail>`)."""
    return fact.api.endswith(SLOT_APIS)


def slot_names(results: Iterable[FileResult]) -> frozenset[str]:
    """The known slot names plus those the code's optimizers and moving averages use."""
    return SLOT_NAMES | {fact.detail for result in results if result.facts
                         for fact in result.facts.variables if _is_slots(fact)}


def bookkeeping_kind(name: str, slots: frozenset[str] = SLOT_NAMES) -> Optional[str]:
    """"optimizer slot" or "global step" when the name is one, else None."""
    owner, _, last = name.rpartition("/")
    base = _NUMBER_SUFFIX.sub("", last)
    if base == "global_step":
        return "global step"
    if base in ("beta1_power", "beta2_power") or (owner and base in slots):
        return "optimizer slot"
    return None


def compare(predicted: Sequence[Predicted], saved: Sequence[S],
            slots: frozenset[str] = SLOT_NAMES) -> Comparison[S]:
    """Match predicted variables with saved entries by name, then pair likely renames."""
    result: Comparison[S] = Comparison()
    by_name: dict[str, Predicted] = {}
    for item in predicted:
        if item.name is not None:
            by_name.setdefault(item.name, item)
    saved_names = {entry.name for entry in saved}
    unknown = list({(p.pattern, p.path, p.line, p.col): p for p in predicted
                    if p.name is None and p.pattern not in by_name}.values())
    candidates = sorted(n for n in saved_names - by_name.keys() if not bookkeeping_kind(n, slots))
    hidden: set[str] = set()
    for item in unknown:
        regex = _matcher(item.pattern)
        names = [n for n in candidates if regex.fullmatch(n)]
        hidden.update(names)
        result.unknown.append((item, names))
    stale: list[S] = []
    for entry in saved:
        found = by_name.get(entry.name)
        if found is not None:
            result.matched += 1
            if _differs(entry, found):
                result.changed.append((entry, found))
            continue
        kind = bookkeeping_kind(entry.name, slots)
        if kind:
            result.bookkeeping.append((entry.name, kind, "saved only"))
        elif entry.name not in hidden:
            stale.append(entry)
    missing: list[Predicted] = []
    for name, item in by_name.items():
        if name in saved_names:
            continue
        kind = bookkeeping_kind(name, slots)
        if kind:
            result.bookkeeping.append((name, kind, "created only"))
        else:
            missing.append(item)
    result.renamed = _renames(stale, missing)
    paired_old = {id(old) for old, _ in result.renamed}
    paired_new = {id(new) for _, new in result.renamed}
    result.stale = [entry for entry in stale if id(entry) not in paired_old]
    result.missing = [item for item in missing if id(item) not in paired_new]
    return result


def _matcher(text: str) -> re.Pattern[str]:
    """The names a pattern may stand for; an unknown scope (`…/`) may be the root's empty one."""
    first, *rest = text.split("…")
    return re.compile(re.escape(first) + "".join(
        "(?:.*/)?" + re.escape(part[1:]) if part.startswith("/") else ".*" + re.escape(part)
        for part in rest))


def _differs(entry: Tensor, item: Predicted) -> bool:
    return bool((entry.shape is not None and item.shape is not None
                 and entry.shape != item.shape)
                or (entry.dtype and item.dtype and entry.dtype != item.dtype))


def _renames(stale: Sequence[S], missing: Sequence[Predicted]) -> list[tuple[S, Predicted]]:
    """Pairs (old, new) with the same last component, compatible shape and dtype and
    similar names, most similar first; each name in one pair at most."""
    scored = []
    for old in stale:
        for new in missing:
            assert new.name is not None
            if old.name.rsplit("/", 1)[-1] != new.name.rsplit("/", 1)[-1] or _differs(old, new):
                continue
            ratio = difflib.SequenceMatcher(None, old.name, new.name).ratio()
            if ratio >= RENAME_SIMILARITY:
                scored.append((-ratio, old.name, new.name, old, new))
    pairs: list[tuple[S, Predicted]] = []
    used: set[str] = set()
    for _, old_name, new_name, old, new in sorted(scored, key=lambda s: s[:3]):
        if "old:" + old_name not in used and "new:" + new_name not in used:
            used.update(("old:" + old_name, "new:" + new_name))
            pairs.append((old, new))
    return pairs


def spec_text(item: Tensor | Predicted) -> str:
    """`[784, 64] float32`, with `?` for what is unknown."""
    return f"{shape_text(item.shape)} {item.dtype or '?'}"


def shape_text(shape: Optional[Sequence[int]]) -> str:
    """`[784, 64]`, `[]` for a scalar, `?` when unknown."""
    if shape is None:
        return "?"
    return "[" + ", ".join("?" if d is None or d < 0 else str(d) for d in shape) + "]"
