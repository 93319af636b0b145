"""What the engine's facts say about one call of a file: the variables it makes itself,
those it makes through the functions it calls, and the scope it opens, each per call path
(the calls, outermost first, that lead to it).

As with `scopelint names`, a file other open files import shows a call through their runs
(with the callers' scopes) where they reach it, and through its own run elsewhere
(functions nobody calls, replayed in an unknown enclosing scope).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Union

from scopelint.facts import CallStack, Location, ModuleFacts, ScopeFact, VariableFact
from scopelint.server.buffer import normalized
from scopelint.server.calls import Point

Key = tuple[str, Point]


@dataclass(frozen=True)
class Run:
    """One fact, with the calls that led to the call it is about (outermost first)."""

    via: CallStack
    fact: Union[VariableFact, ScopeFact]


@dataclass
class _Table:
    """Facts of some analyses by the location of each call they involve."""

    made: dict[Key, list[Run]] = field(default_factory=dict)  # variables made at the call
    through: dict[Key, list[Run]] = field(default_factory=dict)  # ... by functions it calls
    scopes: dict[Key, list[Run]] = field(default_factory=dict)  # scopes a `with` item opens

    def add(self, facts: ModuleFacts) -> None:
        for variable in facts.variables:
            self.made.setdefault(_key(variable.loc), []).append(Run(variable.stack, variable))
            for depth, site in enumerate(variable.stack):
                self.through.setdefault(_key(site), []).append(
                    Run(variable.stack[:depth], variable))
        for scope in facts.scopes:
            self.scopes.setdefault(_key(scope.loc), []).append(Run(scope.stack, scope))


class FactIndex:
    """The facts of a file's own analysis and of the analyses of files importing it."""

    def __init__(self, own: Optional[ModuleFacts], importers: Iterable[ModuleFacts] = ()) -> None:
        self._callers, self._own = _Table(), _Table()
        for facts in importers:
            self._callers.add(facts)
        if own is not None:
            self._own.add(own)

    def variables_made(self, path: str, point: Point) -> list[Run]:
        """The variables the call at `point` makes itself."""
        return self._find("made", path, point)

    def variables_through(self, path: str, point: Point) -> list[Run]:
        """The variables the functions called at `point` make, however deep."""
        return self._find("through", path, point)

    def scopes_opened(self, path: str, point: Point) -> list[Run]:
        """The scopes a `with` item at `point` opens."""
        return self._find("scopes", path, point)

    def points(self, path: str, table: str = "made") -> set[Point]:
        """The call positions of `path` with facts in `table` (`made`, `through`, `scopes`)."""
        where = normalized(path)
        return {point for source in (self._callers, self._own)
                for key_path, point in getattr(source, table) if key_path == where}

    def _find(self, table: str, path: str, point: Point) -> list[Run]:
        key = (normalized(path), point)
        runs = getattr(self._callers, table).get(key) or getattr(self._own, table).get(key, [])
        return list(dict.fromkeys(runs))  # two importers may replay the same call path


def _key(loc: Location) -> Key:
    return normalized(loc.path), (loc.line, loc.col)


def variable_names(runs: Iterable[Run]) -> list[str]:
    """The distinct names (patterns, with `…` for what cannot be known) in order."""
    return list(dict.fromkeys(_shown(run.fact) for run in runs
                              if isinstance(run.fact, VariableFact)))


def _shown(fact: VariableFact) -> str:
    return fact.name or fact.pattern


def variable_scope(fact: VariableFact) -> str:
    """The variable scope a variable was made in (`hidden/`; "" at the root)."""
    name = _shown(fact)
    return name.rsplit("/", 1)[0] + "/" if "/" in name else ""
