"""TF's graph-building state, simulated: name scopes, variable scopes, reuse, name counters.

Each method mirrors one piece of TensorFlow (`ops.Graph.unique_name`,
`Graph.name_scope`, `variable_scope._pure_variable_scope`,
`_VariableStore._get_single_variable`). While `maybe` is positive the code
being replayed may or may not run: writes then make the state they touch
uncertain instead of changing it, so later facts that depend on them are
never reported as certain. A branch instead runs as if it certainly ran, its
writes logged in the session's `BranchWrites`; once it ends, `BranchWrites.weaken` makes
them uncertain (only what holds on every path stays certain).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Protocol, Union, cast

from scopelint.engine.symbols import ANY, KeySet, hole, is_known, matcher, pattern
from scopelint.facts import CallStack, Cause, Location, Outcome, Reuse

if TYPE_CHECKING:
    from scopelint.facts import ModuleFacts


class GraphCounters(Protocol):
    """What a graph takes from the session (`session.Session`): serial numbers unique in
    it, and the log of what branches write."""

    @property
    def graphs(self) -> Iterator[int]: ...

    @property
    def branch_writes(self) -> BranchWrites: ...


def or_reuse(inner: Reuse, outer: Reuse) -> Reuse:
    """`inner or outer`, as `_pure_variable_scope` combines reuse with the parent's."""
    if inner in (Reuse.YES, Reuse.AUTO):
        return inner
    if inner is Reuse.NO:
        return outer
    return Reuse.UNKNOWN


@dataclass(eq=False)
class VarScope:
    """A `tf.VariableScope` object: identity matters, since code captures and re-enters it."""

    name: str
    reuse: Reuse
    original_name_scope: str
    root: bool = False
    dtype: Optional[str] = "float32"  # default dtype of get_variable here; None if unknown
    partitioned: bool = False  # a partitioner splits variables into `name/part_0` ...
    origin: Optional[Location] = None  # the reuse_variables() call that made a root scope reuse


@dataclass
class StoredVar:
    """A variable in TF's `_VariableStore`: made by get_variable, fetchable by name."""

    name: str  # the real `.name` without ":0"
    loc: Location
    stack: CallStack
    shape: Optional[tuple] = None
    dtype: Optional[str] = None
    certain: bool = True  # False when made on a path that may not run
    trainable: Optional[bool] = False  # in the TRAINABLE_VARIABLES collection (None: unknown)
    order: int = 0  # its place among the graph's variables (collections keep that order)


@dataclass
class Request:
    """The result of one simulated `get_variable`."""

    key: str  # the store key, the variable scope name + "/" + name
    name: Optional[str]  # the real name without ":0", symbolic parts allowed
    outcome: Outcome
    reuse: Reuse
    existing: Optional[StoredVar] = None
    detail: str = ""


class Graph:
    """One `tf.Graph` with its variable-scope store, replayed symbolically."""

    def __init__(self, session: GraphCounters, known_context: bool = True,
                 created_in: Optional[int] = 0) -> None:
        # The replayed call that made it (`tf.Graph()` in a function); None: TF makes it for
        # the next call (an Estimator's `model_fn`), which then owns it.
        self.created_in = created_in
        self.serial = next(session.graphs)  # tells facts from different graphs apart
        self.branches = session.branch_writes
        self.known_context = known_context
        prefix = "" if known_context else hole()
        self.names_in_use: dict[str, int] = {}
        self.unsure_names = KeySet(True)  # names whose use counters are unknown
        self.name_stack = prefix
        # Without a caller, the enclosing scope's reuse is as unknown as its name.
        reuse = Reuse.NO if known_context else Reuse.UNKNOWN
        self.root = VarScope(prefix, reuse, prefix + "/" if prefix else "", root=True)
        self.scope = self.root
        self.scope_counts: dict[str, int] = {}
        self.unsure_counts: set[str] = set()
        self.store: dict[str, StoredVar] = {}
        self.unsure_store = KeySet(False) if known_context else KeySet(False, ANY)
        self.maybe = 0
        self.slot_names: set[str] = set()  # slot names optimizers and moving averages made
        self.slots_unknown = False  # an optimizer scopelint does not know ran
        self.has_global_step = False
        self.averaged: set[object] = set()  # op outputs a moving average was applied to
        self.keras_uids: dict[str, int] = {}  # Keras's per-graph layer name counters
        self.keras_uids_unknown = False  # a call scopelint cannot follow may have counted
        self.first_cause: Optional[Cause] = None  # what first made its state uncertain
        self.context_cause: Optional[Cause] = None  # why its enclosing scope is unknown
        self.variable_count = 0  # variables made so far: the next one's `order`

    # -- op and name-scope names (ops.Graph) --------------------------------

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """`Graph.unique_name`: `a`, `a_1`, ... counted case-insensitively."""
        if self.name_stack:
            name = f"{self.name_stack}/{name}"
        key = name.lower()
        if not is_known(key) or self.unsure_names.matches(key):
            if mark_as_used:
                self.mark_unsure("names", key)
            return name + hole()
        i = self.names_in_use.get(key, 0)
        if mark_as_used:
            self._count(key, i + 1)
        if i > 0:
            base = key
            while key in self.names_in_use:
                key = f"{base}_{i}"
                i += 1
            if mark_as_used:
                self._count(key, 1)
            name = f"{name}_{i - 1}"
        return name

    def _count(self, key: str, value: int) -> None:
        if self.maybe:
            self.mark_unsure("names", key)
        self.branches.note(self, "name", key)
        self.names_in_use[key] = value

    def keras_name(self, prefix: str) -> str:
        """`backend.unique_object_name`: `dense`, `dense_1`, ... per graph, at construction."""
        if self.keras_uids_unknown or self.maybe:
            self.keras_uids_unknown = True
            return prefix + hole()
        count = self.keras_uids.get(prefix, 0)
        self.branches.note(self, "keras", prefix)
        self.keras_uids[prefix] = count + 1
        return prefix if count == 0 else f"{prefix}_{count}"

    def uncertainty(self) -> tuple[int, ...]:
        """How much of its state is uncertain, to tell whether code changed that."""
        return (len(self.unsure_names), len(self.unsure_counts), len(self.unsure_store),
                self.keras_uids_unknown, self.slots_unknown, self.root.reuse is Reuse.UNKNOWN)

    def mark_names_unknown(self) -> None:
        """An unknown call may have created ops with any name under the current name scope."""
        self.mark_unsure("names", f"{self.name_stack.lower()}/{ANY}" if self.name_stack else ANY)

    def enter_name_scope(self, name: Optional[str]) -> str:
        """`Graph.name_scope`: returns the previous stack; None or "" resets to the root."""
        old = self.name_stack
        if not name:
            self.name_stack = ""
        elif name.endswith("/"):
            self.name_stack = name[:-1]
        else:
            self.name_stack = self.unique_name(name)
        return old

    # -- variable scopes (variable_scope.py) --------------------------------

    @property
    def may_not_run(self) -> bool:
        """The code being replayed may not run: a maybe pass, or an unknown branch."""
        return bool(self.maybe or self.branches.depth)

    def full_name(self, name: str) -> str:
        return f"{self.scope.name}/{name}" if self.scope.name else name

    def open_scope_count(self, name: str) -> None:
        """`_VariableScopeStore.open_variable_scope`."""
        if self.maybe:
            self.mark_unsure("counts", name)
        self.branches.note(self, "count", name)
        self.scope_counts[name] = self.scope_counts.get(name, 0) + 1

    def close_subscopes(self, name: str) -> None:
        """`close_variable_subscopes`: counters under `name` restart at zero."""
        prefix = name + "/"
        for key in self.scope_counts:
            if key.startswith(prefix):
                if self.scope_counts[key]:
                    if self.maybe:
                        self.mark_unsure("counts", key)
                    self.branches.note(self, "count", key)
                self.scope_counts[key] = 0

    def unique_scope_name(self, prefix: str) -> str:
        """`_get_unique_variable_scope`: `blk`, `blk_1`, ... among opened variable scopes."""
        base = self.full_name(prefix)
        if not is_known(base) or any(matcher(u).fullmatch(base) or u.startswith(base)
                                     for u in self.unsure_counts):
            return prefix + hole()
        if self.scope_counts.get(base, 0) == 0:
            return prefix
        idx = 1
        while self.scope_counts.get(f"{base}_{idx}", 0) > 0:
            idx += 1
        return f"{prefix}_{idx}"

    def set_reuse(self, scope: VarScope, reuse: Reuse) -> None:
        """`VariableScope.reuse_variables()` and friends."""
        if scope.reuse is not reuse:
            self.branches.note(self, scope, scope.reuse)
        if self.maybe and scope.reuse is not reuse:
            scope.reuse = Reuse.UNKNOWN
        else:
            scope.reuse = reuse

    # -- the variable store ---------------------------------------------------

    def get_variable(self, name: str, loc: Location, stack: CallStack,
                     shape: Optional[tuple], dtype: Optional[str],
                     made_dtype: Optional[str] = None, trainable: Optional[bool] = False,
                     made_shape: Optional[tuple] = None) -> Request:
        """`VariableScope.get_variable` → `_VariableStore._get_single_variable`.

        `shape` and `dtype` are the ones the request checks an existing variable
        against; `made_shape` and `made_dtype` the ones a new variable gets (an
        initializer tensor may decide them); `trainable` whether a new one is (None: unknown).
        A name ending in `/` (an optimizer's slot, `get_variable("")`) is the real name.
        """
        key = self.full_name(name)
        reuse = self.scope.reuse
        existing = self.store.get(key)
        exists: Optional[bool] = True if existing and existing.certain else self._may_exist(key)
        outcome = _outcome(exists, reuse)
        detail = ""
        if outcome in (Outcome.REUSE, Outcome.UNKNOWN) and existing and existing.certain \
                and reuse is not Reuse.NO:
            detail = _mismatch(existing, shape, dtype)
            if detail:  # TF raises whether it reuses (mismatch) or not (duplicate)
                outcome = Outcome.MISMATCH
        if existing is not None and existing.certain:
            return Request(key, existing.name, outcome, reuse, existing, detail)
        # get_variable resets the name scope, then names the variable like tf.Variable.
        saved, self.name_stack = self.name_stack, ""
        real = existing.name if existing else key[:-1] if key.endswith("/") else \
            self.unique_name(key, mark_as_used=outcome is not Outcome.MISSING)
        self.name_stack = saved
        if outcome is not Outcome.MISSING:
            # Past this call the variable exists: made now, or TF raised already.
            self.branches.note(self, "store", key)
            self.variable_count += 1
            self.store[key] = StoredVar(real, loc, stack, made_shape or shape, made_dtype,
                                        certain=not self.maybe, trainable=trainable,
                                        order=self.variable_count)
            if self.maybe:
                self.mark_unsure("store", key)
        return Request(key, real, outcome, reuse)

    def filtered(self, scope: str, trainable: bool) -> tuple[str, ...]:
        """The names of the variables certainly in the graph that a collection's `scope=`
        filter returns (`re.match` on `.name`); `trainable`: the trainable ones only."""
        try:
            match = re.compile(scope).match
        except re.error:
            return ()
        return tuple(name for name in (f"{v.name}:0" for v in self.store.values()
                                       if v.certain and (v.trainable or not trainable))
                     if is_known(name) and match(name))

    def _may_exist(self, key: str) -> Optional[bool]:
        """False when the key certainly is not in the store, None when it might be."""
        if not is_known(key) or key in self.store:
            return None
        return None if self.unsure_store.matches(key) else False

    def mark_store_unknown(self) -> None:
        """An unknown call may have made variables with any name under the current scope."""
        self.mark_unsure("store", self.full_name(ANY))
        self.mark_names_unknown()
        self.keras_uids_unknown = True

    def mark_slots_unknown(self, slot: str) -> None:
        """Slot variables: store keys `<var>/<slot>[_N]/` and name scopes `<var>/<slot>[_N]`."""
        self.mark_unsure("store", self.full_name(f"{ANY}/{slot}{ANY}/"))
        prefix = f"{self.name_stack.lower()}/" if self.name_stack else ""
        self.mark_unsure("names", f"{prefix}{ANY}/{slot.lower()}")

    def mark_unsure(self, which: str, key: str) -> None:
        """Add `key` to `unsure_names`, `unsure_counts` or `unsure_store` (`which`: names,
        counts, store)."""
        keys = getattr(self, _UNSURE[which])
        if key not in keys:
            self.branches.note(self, which, key)
            keys.add(key)

    def forget(self, other: Graph) -> None:
        """A branch may have replaced this default graph by `other` (`reset_default_graph()`)."""
        for which in ("names", "counts", "store"):
            self.mark_unsure(which, ANY)
        if self.root.reuse is not other.root.reuse:
            self.set_reuse(self.root, Reuse.UNKNOWN)


# A graph write made while branches run: the graph, what it wrote (a table of `_TABLES`, a
# set of `_UNSURE`, or a scope's reuse), the key, and the value before (`_ABSENT`: none).
Write = tuple[Graph, Union[str, VarScope], str, object]
# What an alternative wrote, taken back: a write and the value it had left.
Undone = tuple[Graph, Union[str, VarScope], str, object, object]

_TABLES = {"name": "names_in_use", "count": "scope_counts", "store": "store",
           "keras": "keras_uids"}
_UNSURE = {"names": "unsure_names", "counts": "unsure_counts", "store": "unsure_store"}
_UNSURE_OF = {"name": "names", "count": "counts", "store": "store"}  # by table
_ABSENT = object()


class BranchWrites:
    """The graph writes made while branches run. Each alternative of a branch (an arm of
    an `if`, a `match` case) runs as if it certainly ran, from the state before the
    branch: `undo` takes its writes back. When the branch ends, `weaken` makes what any
    alternative wrote uncertain, as maybe mode would have."""

    def __init__(self) -> None:
        self.depth = 0  # branches running
        self.writes: list[Write] = []

    def begin(self) -> int:
        """A branch starts; returns the mark its `undo` and `weaken` take."""
        self.depth += 1
        return len(self.writes)

    def note(self, graph: Graph, kind: Union[str, VarScope], key: object) -> None:
        """Before a write: a scope's reuse (`key` is the reuse it has), an entry of a table
        of `_TABLES`, or a new member of a set of `_UNSURE` (by its name there)."""
        if not self.depth:
            return
        if isinstance(kind, VarScope):
            self.writes.append((graph, kind, "", key))
        elif kind in _TABLES:
            before = getattr(graph, _TABLES[kind]).get(key, _ABSENT)
            self.writes.append((graph, kind, str(key), before))
        else:
            self.writes.append((graph, kind, str(key), _ABSENT))

    def undo(self, mark: int) -> list[Undone]:
        """Take back the writes made since `mark`; returns them, each with what it left."""
        undone: list[Undone] = []
        for graph, kind, key, before in reversed(self.writes[mark:]):
            if isinstance(kind, VarScope):
                undone.append((graph, kind, key, before, kind.reuse))
                kind.reuse = cast(Reuse, before)  # what `note` saved of this VarScope
            elif kind in _TABLES:
                table = getattr(graph, _TABLES[kind])
                undone.append((graph, kind, key, before, table.get(key, _ABSENT)))
                if before is _ABSENT:
                    table.pop(key, None)
                else:
                    table[key] = before
            else:
                getattr(graph, _UNSURE[kind]).discard(key)
                undone.append((graph, kind, key, before, _ABSENT))
        del self.writes[mark:]
        undone.reverse()
        return undone

    def weaken(self, undone: list[Undone]) -> None:
        """The branch ends (its alternatives taken back): what they wrote holds only on the
        paths that ran them. The weakened writes are an enclosing branch's writes."""
        self.depth -= 1
        for graph, kind, key, before, after in undone:
            if isinstance(kind, VarScope):
                if after is not before:
                    graph.set_reuse(kind, Reuse.UNKNOWN)
            elif kind in _UNSURE:
                graph.mark_unsure(kind, key)
            elif kind == "keras":
                graph.keras_uids_unknown = True
            elif after is not _ABSENT:
                self.note(graph, kind, key)
                if isinstance(after, StoredVar) and after.certain:
                    after = replace(after, certain=False)
                getattr(graph, _TABLES[kind])[key] = after
                graph.mark_unsure(_UNSURE_OF[kind], key)
        if not self.depth:
            self.writes.clear()


def _outcome(exists: Optional[bool], reuse: Reuse) -> Outcome:
    if exists is None or reuse is Reuse.UNKNOWN:
        if exists and reuse is Reuse.AUTO:
            return Outcome.REUSE
        if exists is False and reuse is Reuse.AUTO:
            return Outcome.CREATE
        return Outcome.UNKNOWN
    if exists:
        return Outcome.DUPLICATE if reuse is Reuse.NO else Outcome.REUSE
    return Outcome.MISSING if reuse is Reuse.YES else Outcome.CREATE


def _mismatch(existing: StoredVar, shape: Optional[tuple], dtype: Optional[str]) -> str:
    if shape is not None and existing.shape is not None and shape != existing.shape:
        return f"shape {list(shape)} differs from the existing {list(existing.shape)}"
    if dtype is not None and existing.dtype is not None and dtype != existing.dtype:
        return f"dtype {dtype} differs from the existing {existing.dtype}"
    return ""


class Frame:
    """What to undo when a `with` item exits: the graph, name stack and variable scope
    it entered from."""

    __slots__ = ("graph", "name_stack", "scope", "undo", "kind")

    def __init__(self, graph: Graph, kind: str, undo: Optional[Callable[[], None]] = None) -> None:
        self.graph = graph
        self.name_stack = graph.name_stack
        self.scope = graph.scope
        self.undo = undo
        self.kind = kind


def mark_unknown_call(graph: Graph, facts: Optional[ModuleFacts]) -> None:
    """What a call scopelint cannot follow does to the graph and, when recorded, the facts."""
    graph.mark_store_unknown()
    if facts is not None:
        facts.unknown_names.add(pattern(graph.full_name(ANY)))
