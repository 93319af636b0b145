"""One module of the replayed program: its tree, positions and globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from scopelint.engine.cstwalk import Block
from scopelint.engine.project import SourceFile
from scopelint.engine.sharing import Shared
from scopelint.engine.values import Const, Env, OuterWrites

if TYPE_CHECKING:
    from scopelint.engine.positions import Positions


@dataclass(eq=False)
class ModuleState:
    """One module of the replayed program: its tree, positions and globals."""

    name: str  # dotted name; the analysed file runs as "__main__"
    path: str
    package: bool  # relative imports inside resolve from the module itself
    globals: Env
    body: Block = ()
    positions: Optional[Positions] = None
    source: Optional[SourceFile] = None  # None for a namespace package
    shared: Optional[Shared] = None  # the shared replay it belongs to (see `sharing`)

    @classmethod
    def of(cls, name: str, path: str, package: bool, source: Optional[SourceFile],
           run_name: str, writes: OuterWrites, lazy: bool = True,
           either: bool = False) -> ModuleState:
        """A module before its top level runs (`lazy`, `either`: see `SourceFile.parsed`),
        its globals logging their writes from branches in `writes` (its session's)."""
        env = Env(writes=writes)
        state = cls(name, path, package, env, source=source)
        env.module = state
        env.vars["__name__"] = Const(run_name)
        if source is not None:
            source.imported = source.imported or run_name != "__main__"
            module, state.positions = source.parsed(lazy, either)
            state.body = module.body
        return state
