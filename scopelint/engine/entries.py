"""Replays of the functions nothing calls, taken again for the next version of a file.

An editor analyses a buffer after each edit, and an edit mostly changes one function:
the other functions nothing calls (replayed by `FunctionReplay.run_uncalled`, most of a
large module's analysis) would be replayed exactly as before. A session that keeps them
(`Session.entry_replays`, the language server's) takes such a replay from the previous
version of the file, with its facts moved to the lines they have now, when nothing it
depends on can differ:

- the file is cut into segments, each function of the module (and method of its classes)
  one, the code between them the others (`Layout`); the two versions have the same number
  of segments and the same code between functions, and read the same versions of the
  project's modules, with the same settings;
- every function of the file the replay ran has the same text, and every line its facts
  point to lies in a segment that did not change;
- the replay began in the same state: the same budget left (enough for a whole entry),
  the same classes constructed, no `reuse_variables()` waiting for a request;
- it changed nothing outside itself: no module imported, no global bound, no attribute
  set on an object other than the instance it ran on (its class's constructed instance,
  whose `__init__` replay is run again when the replay is taken).

What the replay leaves for the ones after it is applied as it was: its facts (lists, and
names added to the sets), the functions it ran (not replayed again as entries), the
budget it spent and the counters of calls. A taken replay is kept for the next version.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional

from scopelint.facts import Cause, Location, ModuleFacts

if TYPE_CHECKING:
    import libcst as cst

    from scopelint.engine.module_state import ModuleState
    from scopelint.engine.values import Env, Value

_LISTS = tuple(f.name for f in dataclasses.fields(ModuleFacts)
               if f.name not in ("modules", "notes", "assumed_tf")
               and f.default_factory is list)
_SETS = ("op_names", "unknown_names", "unknown_op_names")


@dataclass(frozen=True)
class Layout:
    """A version of a file cut into segments: each top-level function and method of a
    top-level class one (`defs`: their indexes), the lines between them the others."""

    starts: tuple[int, ...]  # first line of each segment
    texts: tuple[str, ...]
    defs: frozenset[int]

    @classmethod
    def of(cls, tree: ast.Module, lines: list[str]) -> Layout:
        spans: list[tuple[int, int]] = []
        for stmt in tree.body:
            members = stmt.body if isinstance(stmt, ast.ClassDef) else [stmt]
            for node in members:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    spans.append((start, node.end_lineno or node.lineno))
        starts, texts, defs = [], [], set()
        line = 1
        for start, end in spans:
            if start > line:
                starts.append(line)
                texts.append("".join(lines[line - 1:start - 1]))
            defs.add(len(starts))
            starts.append(start)
            texts.append("".join(lines[start - 1:end]))
            line = end + 1
        starts.append(line)
        texts.append("".join(lines[line - 1:]))
        return cls(tuple(starts), tuple(texts), frozenset(defs))

    def segment(self, line: int) -> int:
        return bisect.bisect_right(self.starts, line) - 1

    def frame(self) -> tuple[object, ...]:
        """The code between functions, and how many there are."""
        return tuple(t if i not in self.defs else None for i, t in enumerate(self.texts))


@dataclass
class Replay:
    """One function's replay without a caller, as it left the program."""

    facts: dict[str, list[Any]]  # per list of `ModuleFacts`: the facts it added
    names: dict[str, set[str]]  # per set of `ModuleFacts`: the names it added
    ran: frozenset[int]  # the segments of the file's code it ran
    heads: frozenset[int]  # the functions among them it ran whole (by their segment)
    budget: int  # calls spent
    counters: tuple[int, int, int]  # effects, unknown calls, attribute sets
    constructed: frozenset[tuple[int, int]]  # classes constructed before it (`line_key`)


@dataclass
class Version:
    """The replays without a caller of one analysis of a file."""

    context: tuple[object, ...]
    layout: Layout
    replays: dict[int, Replay] = field(default_factory=dict)  # by the function's segment


class EntryReplays:
    """The replays of one analysis of a file, and those of the version before it."""

    def __init__(self, kept: dict[str, Version], module: ModuleState,
                 context: tuple[object, ...]) -> None:
        source = module.source
        tree = source.tree() if source is not None else None
        self.module = module
        self.path = module.path
        self.layout = Layout.of(tree, source.lines()) if source and tree else None
        self.heads: dict[int, cst.FunctionDef] = {}  # the file's functions, by segment
        self.constructed: set[tuple[int, int]] = set()  # the classes constructed so far
        # by class: the functions of the file its `__init__` replay ran
        self.construction: dict[tuple[int, int], list[cst.FunctionDef]] = {}
        previous = kept.pop(self.path, None)
        self.kept = kept
        self.current = Version(context, self.layout) if self.layout else None
        self.previous = (previous if previous is not None and self.layout is not None
                         and previous.context == context
                         and previous.layout.frame() == self.layout.frame() else None)

    def done(self) -> None:
        if self.current is not None:
            self.kept[self.path] = self.current

    def _line(self, node: cst.CSTNode) -> Optional[int]:
        positions = self.module.positions
        return positions.line_of(node) if positions is not None else None

    def segment_of(self, function: cst.FunctionDef) -> Optional[int]:
        """The segment of a function of the file (None: not placed)."""
        line = self._line(function)
        return None if line is None or self.layout is None else self.layout.segment(line)

    def class_key(self, node: cst.ClassDef) -> tuple[int, int]:
        """(segment, line within it) of a class of the file, (-1, 0) when not placed."""
        line = self._line(node)
        if line is None or self.layout is None:
            return -1, 0
        k = self.layout.segment(line)
        return k, line - self.layout.starts[k]

    def _moved(self, line: int) -> Optional[int]:
        """A line of the previous version, in this one (None: its code changed)."""
        assert self.previous is not None and self.layout is not None
        old, new = self.previous.layout, self.layout
        k = old.segment(line)
        if old.texts[k] != new.texts[k]:
            return None
        return new.starts[k] + line - old.starts[k]

    # -- taking a replay --------------------------------------------------------------

    def taken(self, segment: int) -> Optional[Replay]:
        """The previous version's replay of the function in `segment`, when it holds now,
        with its facts moved to this version's lines."""
        if self.previous is None:
            return None
        replay = self.previous.replays.get(segment)
        if replay is None or replay.constructed != frozenset(self.constructed):
            return None
        layout, old = self.layout, self.previous.layout
        assert layout is not None
        if any(layout.texts[k] != old.texts[k] for k in replay.ran):
            return None
        if any(k not in self.heads for k in replay.heads):
            return None
        facts = {}
        for name, items in replay.facts.items():
            moved = [self._move(item) for item in items]
            if any(item is None for item in moved):
                return None
            facts[name] = moved
        return dataclasses.replace(replay, facts=facts)

    def _move(self, value: Any) -> Any:
        """A fact (or part of one) with its lines in this file moved; None when one lies in
        code that changed."""
        if isinstance(value, Location):
            if value.path != self.path:
                return value
            line = self._moved(value.line)
            return None if line is None else (value if line == value.line
                                              else dataclasses.replace(value, line=line))
        if isinstance(value, Cause):
            loc = self._move(value.loc)
            return None if loc is None else dataclasses.replace(value, loc=loc)
        if isinstance(value, tuple):
            items = [self._move(v) for v in value]
            return None if any(v is None for v in items) else tuple(items)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in dataclasses.fields(value):
                part = getattr(value, f.name)
                if f.name == "loops":  # lines of loops, of this module or another one:
                    if any(self._moved(line) != line for line, _ in part):
                        return None  # taken only where they stay in place
                    moved: Any = part
                else:
                    moved = self._move(part)
                if moved is None and part is not None:
                    return None
                if moved is not part:
                    changes[f.name] = moved
            return dataclasses.replace(value, **changes) if changes else value
        return value

    # -- keeping a replay -------------------------------------------------------------

    def keep(self, segment: int, replay: Optional[Replay]) -> None:
        if self.current is not None and replay is not None:
            self.current.replays[segment] = replay


class Marks(NamedTuple):
    """The state of the program a replay is measured by as it begins and ends."""

    counters: tuple[int, int, int]  # effects, unknown calls, attribute sets
    guards: tuple[int, ...]  # counts a replay that changes nothing outside itself leaves
    graph: int  # the serial of the current graph


class Recording:
    """What one replay does while it runs, to keep it (see `FunctionReplay.run_uncalled`);
    the replay tells it through `protocols.EntryRecorder`."""

    def __init__(self, replays: EntryReplays, constructed: frozenset[tuple[int, int]],
                 facts: ModuleFacts, marks: Callable[[], Marks]) -> None:
        self.replays = replays
        self.constructed = constructed
        self.facts = facts
        self.marks = marks  # the program's state now
        self.ran: list[cst.FunctionDef] = []  # functions of the file it ran (constructing too)
        self.instance: object = _CONSTRUCTING  # the object the replayed method runs on
        self.begun = False
        self.escapes = 0  # attributes set on objects other than `instance`, after that
        self.envs: set[int] = set()  # the scopes of the calls it made (their locals)

    def begin(self, instance: object) -> None:
        """The replay proper begins (its class constructed, when a method's)."""
        self.instance = instance
        self.begun = True
        self.ends, self.added = begin(self.facts)
        self.start = self.marks()  # its graph is the entry's: the first it may make facts in

    def called(self, local: Env, node: Optional[cst.FunctionDef]) -> None:
        """A call ran with these locals; `node`: the function, when the file's own."""
        self.envs.add(id(local))
        if node is not None:
            self.ran.append(node)

    def read_name(self, name: str, env: Env, value: Value) -> None:
        """A name read: TF state (a layer, optimizer, scope or graph object) held by a
        scope it did not make (the module's globals) may have been changed by the replays
        before it, or be changed by this one."""
        if not self.begun or not _holds_state(value):
            return
        held: Optional[Env] = env
        while held is not None and name not in held.vars:
            held = held.parent
        if held is not None and id(held) not in self.envs:
            self.escapes += 1

    def read_attribute(self, value: Value) -> None:
        """An attribute of an object, class or module read: as `read_name`."""
        if self.begun and _holds_state(value):
            self.escapes += 1

    def note_set(self, owner: object) -> None:
        if owner is not self.instance and self.instance is not _CONSTRUCTING:
            self.escapes += 1

    def replay(self, budget: int) -> Optional[Replay]:
        """The replay as it ended, having spent `budget` calls; None when it changed
        something outside itself."""
        end(self.facts)
        facts = added_facts(self.facts, self.ends)
        start, now = self.start, self.marks()
        if self.escapes or now.guards != start.guards or any(
                getattr(f, "graph", start.graph) < start.graph for f in _all(facts)):
            return None  # it wrote outside itself, or made facts in a graph made before it
        replays = self.replays
        ran, heads = set(), set()
        heads_of = {id(node): k for k, node in replays.heads.items()}
        for node in self.ran:
            k = heads_of.get(id(node))
            if k is not None:
                heads.add(k)
            else:
                k = replays.segment_of(node)
                if k is None:
                    return None  # a function it cannot place
            ran.add(k)
        counters = now.counters
        return Replay(facts,
                      {k: v for k, v in self.added.items() if v},
                      frozenset(ran), frozenset(heads), budget,
                      (counters[0] - start.counters[0], counters[1] - start.counters[1],
                       counters[2] - start.counters[2]), self.constructed)


def _holds_state(value: Any, depth: int = 4) -> bool:
    """Whether a value is or holds a TF object whose state changes (TFObject, a captured
    scope, a scope manager), as far as `depth` levels (beyond: assumed so)."""
    from scopelint.engine.values import (
        ContextCall,
        Instance,
        Mapping,
        Partial,
        ScopeManager,
        ScopeRef,
        Seq,
        TFObject,
    )

    if isinstance(value, (TFObject, ScopeRef, ScopeManager)):
        return True
    if isinstance(value, Seq):
        parts: Any = value.items
    elif isinstance(value, Mapping):
        parts = [v for _, v in value.items]
    elif isinstance(value, Instance):
        parts = list(value.attrs.values())
    elif isinstance(value, Partial):
        parts = [value.func, *value.args, *(v for _, v in value.kwargs)]
    elif isinstance(value, ContextCall):
        parts = [*value.args, *value.kwargs.values()]
    else:
        return False
    if depth == 0:
        return bool(parts)
    return any(_holds_state(part, depth - 1) for part in parts)


_CONSTRUCTING = object()  # the instance before `Recording.begin`: an `__init__` runs again


def _all(facts: dict[str, list[Any]]) -> list[Any]:
    return [fact for items in facts.values() for fact in items]


def begin(facts: ModuleFacts) -> tuple[dict[str, int], dict[str, set[str]]]:
    """Where the facts' lists end, and fresh sets that note the names added to them."""
    ends = {name: len(getattr(facts, name)) for name in _LISTS}
    added: dict[str, set[str]] = {}
    for name in _SETS:
        noting = _Noting(getattr(facts, name))
        added[name] = noting.added
        setattr(facts, name, noting)
    return ends, added


def end(facts: ModuleFacts) -> None:
    """The facts' sets as plain sets again (see `begin`)."""
    for name in _SETS:
        setattr(facts, name, set(getattr(facts, name)))


def added_facts(facts: ModuleFacts, ends: dict[str, int]) -> dict[str, list[Any]]:
    """The facts recorded since `begin`, their indexes into `variables` made relative."""
    base = ends["variables"]
    return {name: [_relative(f, -base) for f in getattr(facts, name)[ends[name]:]]
            for name in _LISTS if len(getattr(facts, name)) > ends[name]}


def apply_replay(facts: ModuleFacts, replay: Replay) -> None:
    """Add a taken replay's facts after those recorded so far."""
    base = len(facts.variables)
    for name, items in replay.facts.items():
        getattr(facts, name).extend(_relative(f, base) for f in items)
    for name, names in replay.names.items():
        getattr(facts, name).update(names)


def _relative(fact: Any, offset: int) -> Any:
    before = getattr(fact, "variables_before", None)
    if before is None or not offset:
        return fact
    return dataclasses.replace(fact, variables_before=before + offset)


class _Noting(set[str]):
    """A set of names that also notes each name added to it (the engine adds names with
    `add` and `update` only)."""

    def __init__(self, items: set[str]) -> None:
        super().__init__(items)
        self.added: set[str] = set()

    def add(self, item: str) -> None:
        self.added.add(item)
        super().add(item)

    def update(self, *others: Any) -> None:
        for other in others:
            self.added.update(other)
        super().update(*others)
