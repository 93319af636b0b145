"""What the engine's facts say about one call of a file: the variables it makes itself,
those it makes through the functions it calls, and the scope it opens, each per call path
(the calls, outermost first, that lead to it).

As with `scopelint names`, a file other open files import shows a call through their runs
(with the callers' scopes) where they reach it, and through its own run elsewhere
(functions nobody calls, replayed in an unknown enclosing scope).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Iterable, Optional, TypeVar, Union

from scopelint.facts import CallStack, Location, ModuleFacts, ScopeFact, VariableFact
from scopelint.server.buffer import normalized
from scopelint.server.calls import Point

Key = tuple[str, Point]
F = TypeVar("F", bound=Union[VariableFact, ScopeFact])


@dataclass(frozen=True)
class Run(Generic[F]):
    """One fact, with the calls that led to the call it is about (outermost first)."""

    via: CallStack
    fact: F


Runs = dict[Key, list[Run[F]]]


@dataclass
class _Table:
    """Facts of some analyses by the location of each call they involve."""

    made: Runs[VariableFact] = field(default_factory=dict)  # variables made at the call
    through: Runs[VariableFact] = field(default_factory=dict)  # ... by functions it calls
    scopes: Runs[ScopeFact] = field(default_factory=dict)  # scopes a `with` item opens

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

    def variables_made(self, path: str, point: Point) -> list[Run[VariableFact]]:
        """The variables the call at `point` makes itself."""
        return _find(self._callers.made, self._own.made, path, point)

    def variables_through(self, path: str, point: Point) -> list[Run[VariableFact]]:
        """The variables the functions called at `point` make, however deep."""
        return _find(self._callers.through, self._own.through, path, point)

    def scopes_opened(self, path: str, point: Point) -> list[Run[ScopeFact]]:
        """The scopes a `with` item at `point` opens."""
        return _find(self._callers.scopes, self._own.scopes, path, point)

    def points(self, path: str, table: str = "made") -> set[Point]:
        """The call positions of `path` with facts in `table` (`made`, `through`, `scopes`)."""
        where = normalized(path)
        return {point for source in (self._callers, self._own)
                for key_path, point in getattr(source, table) if key_path == where}


def _find(callers: Runs[F], own: Runs[F], path: str, point: Point) -> list[Run[F]]:
    """The runs at `point` in the callers' analyses, else in the file's own."""
    key = (normalized(path), point)
    runs = callers.get(key) or own.get(key, [])
    return list(dict.fromkeys(runs))  # two importers may replay the same call path


def _key(loc: Location) -> Key:
    return normalized(loc.path), (loc.line, loc.col)


def variable_names(runs: Iterable[Run[VariableFact]]) -> list[str]:
    """The distinct names (patterns, with `…` for what cannot be known) in order."""
    return list(dict.fromkeys(_shown(run.fact) for run in runs))


def _shown(fact: VariableFact) -> str:
    return fact.name or fact.pattern


def variable_scope(fact: VariableFact) -> str:
    """The variable scope a variable was made in (`hidden/`; "" at the root)."""
    name = _shown(fact)
    return name.rsplit("/", 1)[0] + "/" if "/" in name else ""
