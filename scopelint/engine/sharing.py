"""Project modules shared by the programs one session replays (`Session.shared`).

Every checked file replays the top level of each project module it imports. When
that replay changed nothing but the module's own globals and globals of shared
modules (a cache it filled: recorded as writes), made no fact and no graph write
but calls scopelint cannot follow, imported only shared modules, and began while
the program had done nothing but such imports, its outcome depends only on the
texts of the module and of what it imports. A later program in the session that
imports the same file under the same name at such a moment, with the same writes
made, and in which the modules it imported (and those it could not, and the
libraries it called) resolve to the same files, whichever folder the checked
file is in, takes that outcome
instead of replaying it again: the module's globals are restored to what they
were when its top level ended (later calls may have changed them), its writes are
made again, and the calls it replayed are charged to the program's budget, so
that the analysis stays exactly the one a fresh replay gives. The modules of an
import cycle are shared together, with the one the cycle began from.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, Optional

from scopelint.engine.graph import BranchWrites, Graph, mark_unknown_call
from scopelint.engine.symbols import KeySet
from scopelint.engine.values import (
    BoundNames, Class, ContextCall, Env, Function, Instance, Lambda, Mapping, Member,
    ModuleObject, OpOutput, Partial, ScopeManager, Seq, Super, TFObject, Value, Variable,
)
from scopelint.facts import Cause, ModuleFacts

# Values that stand for graph state: a module holding one is never shared.
_GRAPH_VALUES = (TFObject, ScopeManager, ContextCall, Variable, OpOutput)

Bindings = dict[str, Value]
Change = tuple[Bindings, str, Value]  # a binding set since a snapshot


class Write(NamedTuple):
    """A global of a shared module (or of its classes and instances) another module set."""

    module: Any  # module_state.ModuleState: the replay whose binding it is
    names: Bindings
    key: str
    value: Value

    def make(self) -> None:
        self.names[self.key] = self.value


Writes = dict[tuple[int, str], Write]  # by (id of the dict, key)


@dataclass(eq=False)
class Snapshot:
    """Copies of every dict of bindings reachable from a module's globals."""

    # The dicts, and their copies, as two lists: one comparison in C says nothing changed.
    nows: list[BoundNames]
    thens: list[Bindings]
    modules: list[Any]  # the other modules they hold (`importing.ModuleState`)

    @classmethod
    def take(cls, env: Env) -> Optional[Snapshot]:
        """The snapshot of a module's globals; None if they hold graph state."""
        nows: list[BoundNames] = [env.vars]
        thens: list[Bindings] = [dict(env.vars)]
        modules: dict[int, Any] = {}
        seen: set[int] = {id(env.vars)}
        todo: list[Any] = list(env.vars.values())
        while todo:
            value = todo.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, ModuleObject):
                if value.state is not env.module:  # another module: its snapshot covers it
                    modules[id(value.state)] = value.state
                continue
            if isinstance(value, _GRAPH_VALUES):
                return None
            bindings: list[BoundNames] = []
            if isinstance(value, (Class, Instance)):
                bindings.append(value.attrs)
                todo.append(value.bases if isinstance(value, Class) else value.cls)
            elif isinstance(value, (Function, Lambda)):
                if value.defaults:  # an empty one stays empty: `replace_container` only replaces
                    bindings.append(value.defaults)
                scope: Optional[Env] = value.env
                while scope is not None and scope.module is None:  # closures' scopes
                    bindings.append(scope.vars)
                    scope = scope.parent
                if isinstance(value, Function):
                    todo += [value.bound, value.owner]
            elif isinstance(value, (Seq, tuple)):
                todo.extend(value.items if isinstance(value, Seq) else value)
            elif isinstance(value, Mapping):
                todo.extend(item for _, item in value.items)
            elif isinstance(value, Partial):
                todo += [value.func, *value.args, *(item for _, item in value.kwargs)]
            elif isinstance(value, Super):
                todo += [value.cls, value.instance]
            elif isinstance(value, Member):
                todo.append(value.owner)
            for names in bindings:
                if id(names) not in seen:
                    seen.add(id(names))
                    nows.append(names)
                    thens.append(dict(names))
                    todo.extend(names.values())
        return cls(nows, thens, list(modules.values()))

    def changes(self) -> Optional[list[Change]]:
        """The bindings changed since (submodules bound since aside); None when one was
        deleted."""
        found: list[Change] = []
        if self.nows == self.thens:
            return found
        for now, then in zip(self.nows, self.thens):
            if now == then:
                continue
            if then.keys() - now.keys():
                return None
            found += [(now, key, value) for key, value in now.items()
                      if then.get(key) is not value and not isinstance(value, ModuleObject)]
        return found

    def restore(self) -> None:
        for now, then in zip(self.nows, self.thens):
            now.assign(then)


@dataclass(eq=False)
class Shared:
    """A module whose top level ran without touching program state, ready for reuse."""

    # the module, then the modules of an import cycle through it, with their snapshots
    modules: tuple[tuple[Any, Snapshot], ...]  # Any: module_replay.ModuleState
    cost: int  # calls their own top levels replayed (the modules they loaded not counted)
    imports: tuple[Any, ...]  # the replays of every other project module they imported
    unknown: frozenset[str]  # the modules they imported that stayed unknown
    reached: tuple[tuple[str, bool], ...]  # whether each call path of a library reaches TF
    opaque: bool  # they called what scopelint cannot follow (`graph.mark_unknown_call`)
    causes: tuple[Cause, ...]  # those calls, in order (the first makes names uncertain)
    ran: frozenset[str]  # the modules whose top level ran (or was restored) inside theirs
    sets_attributes: bool  # on classes or instances (an unknown branch forgets them after)
    context: dict[tuple[int, str], Value]  # the program's `Load.writes` when it began
    writes: tuple[Write, ...]  # what its import added to them (a cache another module fills)

    @property
    def state(self) -> Any:
        return self.modules[0][0]

    def restore(self) -> list[Any]:
        """Put the globals back as the top levels left them; returns the modules."""
        for _, snapshot in self.modules:
            snapshot.restore()
        return [state for state, _ in self.modules]


@dataclass
class Load:
    """A project module whose top level is running."""

    state: Any  # module_state.ModuleState
    budget: int  # the program's budget when it began
    pristine: bool  # the program had done nothing but shareable imports before
    unknown_calls: int  # the program's count of calls scopelint cannot follow, then
    writes: Writes  # globals of shared modules other modules' top levels had set, then
    attribute_sets: int  # the program's count of attributes set, then
    in_branch: bool  # imported in a branch that may not run
    effects: int  # the program's count of effects (`Interpreter.effects`), then
    causes: int  # the length of the facts' list of calls scopelint cannot follow, then
    known: int  # the number of modules imported, then
    imports: list[str] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)  # imports that stayed unknown
    reached: dict[str, bool] = field(default_factory=dict)  # `ModuleReplay.reaches_tf` answers
    nested: int = 0  # calls spent by the modules loaded inside it
    inner: bool = False  # shared with the module loading around it (a cycle through it closed)
    members: list[Any] = field(default_factory=list)  # inner modules of cycles through it


State = tuple[object, ...]


def program_state(graph: Graph, facts: ModuleFacts) -> State:
    """Everything a replay may have written to the graph and the facts, by content
    (the modules read, the calls it could not follow and the notes for `--verbose` are not
    facts). Cheap while both are nearly empty."""
    return (_content(graph, ("serial", "branches", "created_in", "scope", "root", "first_cause",
                             "context_cause")),
            graph.scope is graph.root, _content(graph.root, ()),
            _content(facts, ("modules", "assumed_tf", "unknown_calls", "notes")))


@lru_cache(maxsize=1)
def pristine_states() -> tuple[State, State]:
    """The state of a new program, and of one after a call scopelint cannot follow."""
    session = _Counters()  # the states hold no serial number, nor anything else of a session
    clean = program_state(Graph(session), ModuleFacts())
    graph, facts = Graph(session), ModuleFacts()
    mark_unknown_call(graph, facts)
    return clean, program_state(graph, facts)


class _Counters:
    """A graph's counters (`graph.GraphCounters`) outside any session."""

    def __init__(self) -> None:
        self.graphs = itertools.count(1)
        self.branch_writes = BranchWrites()


def _content(obj: object, skip: tuple[str, ...]) -> State:
    items: list[object] = []
    for key, value in vars(obj).items():
        if key in skip:
            continue
        if isinstance(value, dict):
            value = tuple(value.items())
        elif isinstance(value, (set, frozenset)):
            value = frozenset(value)
        elif isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, KeySet):
            value = (frozenset(value.exact), frozenset(value.open_ended),
                     tuple((k, frozenset(v)) for k, v in value.by_last.items()))
        items.append(value)
    return tuple(items)
