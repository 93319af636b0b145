"""Imports: TF and other modules bind references; project modules run once and bind themselves.

A mixin of the interpreter. A project module (see `project.Project`) runs its top
level at its first import, in the importer's graph and scopes, as Python does; later
imports bind the same module. A module being imported when a cycle reaches it again
is bound as it is at that moment. A module that cannot be found, read or parsed,
that lies beyond `MAX_IMPORT_DEPTH` nested imports, or that can reach no TF API
(the prefilter's test, through its own imports too) stays unknown, like any other
library: calls into it are calls scopelint cannot follow.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Optional

import libcst as cst

from scopelint.engine.calls import Exit, MaybeExit
from scopelint.engine.cstwalk import Block
from scopelint.engine.imports import (
    bind_import, bind_import_from, bound_name, dotted, module_value,
)
from scopelint.engine.project import Project, SourceFile, absolute, load_file
from scopelint.engine.state import EngineState
from scopelint.engine.values import Const, Env, ModuleObject, Seq, Unknown, Value
from scopelint.facts import Location

if TYPE_CHECKING:
    from scopelint.engine.positions import Positions

MAX_IMPORT_DEPTH = 32


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

    @classmethod
    def of(cls, name: str, path: str, package: bool, source: Optional[SourceFile],
           run_name: str) -> ModuleState:
        env = Env()
        state = cls(name, path, package, env, source=source)
        env.module = state
        env.vars["__name__"] = Const(run_name)
        if source is not None:
            module, state.positions = source.parsed()
            state.body = module.body
        return state


class Importing(EngineState):
    """Binds what import statements bind, running project modules on first import."""

    project: Optional[Project]
    module: ModuleState  # the module whose code is running
    modules: dict[str, Optional[ModuleState]]  # by dotted name; None: not a project module
    current: Optional[cst.CSTNode]
    stack: list[Location]
    importing: list[str]  # the modules whose top level is running, outermost first
    exec_block: Callable[..., None]

    def exec_import(self, node: cst.Import, env: Env) -> None:
        if self.project is None:
            bind_import(node, env)
            return
        for alias in node.names:
            name = dotted(alias.name)
            leaf = self.import_module(name)
            top = name.split(".")[0]
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                env.bind(alias.asname.name.value,
                         ModuleObject(leaf) if leaf is not None else module_value(name))
            else:
                found = self.modules.get(top)
                env.bind(top, ModuleObject(found) if found is not None else module_value(top))

    def exec_import_from(self, node: cst.ImportFrom, env: Env) -> None:
        level = len(node.relative)
        name = dotted(node.module) if node.module else ""
        base = (absolute(name, level, self.module.name, self.module.package)
                if self.project is not None else None)
        state = self.import_module(base) if base else None
        if state is None:
            bind_import_from(node, env)
            return
        if isinstance(node.names, cst.ImportStar):
            for key, value in _public(state).items():
                env.bind(key, value)
            return
        for alias in node.names:
            member = dotted(alias.name)
            env.bind(bound_name(alias, member), self._member(state, member))

    def _member(self, state: ModuleState, member: str) -> Value:
        """`from module import member`: a global of the module, else its submodule."""
        found = state.globals.vars.get(member)
        if found is not None:
            return found
        sub = self.import_module(f"{state.name}.{member}")
        return ModuleObject(sub) if sub is not None else Unknown()

    def import_module(self, name: str) -> Optional[ModuleState]:
        """Import `a.b.c` (running `a`, `a.b`, `a.b.c` on first import); the last module."""
        assert self.project is not None
        parts = name.split(".")
        parent: Optional[ModuleState] = None
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            state = self.modules[prefix] if prefix in self.modules else self._load(prefix)
            if state is None:
                return None
            if parent is not None and parts[i - 1] not in parent.globals.vars:
                parent.globals.vars[parts[i - 1]] = ModuleObject(state)  # `pkg.sub` is bound
            parent = state
        return parent

    def _load(self, name: str) -> Optional[ModuleState]:
        assert self.project is not None
        found = self.project.find(name)
        source = load_file(found.path) if found is not None and found.has_file else None
        if found is None or (found.has_file and (source is None or source.tree() is None)):
            self.modules[name] = None
            return None
        if (source is not None and not found.package and not source.mentions_tf()
                and not self.project.reaches_tf(source, name)):
            self.modules[name] = None  # it can reach no TF API: unknown, as other libraries
            return None
        if len(self.importing) >= MAX_IMPORT_DEPTH:
            self.facts.notes.append(f"{self.module.path}: import of {name} not followed: "
                                    f"more than {MAX_IMPORT_DEPTH} nested imports")
            self.modules[name] = None
            return None
        state = ModuleState.of(name, found.path, found.package, source, name)
        self.modules[name] = state  # before its body runs: an import cycle sees it as it is
        if source is not None:
            self.facts.modules[found.path] = source.digest
            self.importing.append(name)
            try:
                self.run_module_body(state)
            finally:
                self.importing.pop()
        return state

    def run_module_body(self, state: ModuleState) -> None:
        """Run a module's top level; facts in it are reached through the import statement."""
        site = self.loc_statement(self.current) if self.current is not None else None
        with self.in_module(state):
            if site is not None:
                self.stack.append(site)
            try:
                self.exec_block(state.body, state.globals)
            except (Exit, MaybeExit):  # a top-level `raise` (or one that may run) ends it
                pass
            finally:
                if site is not None:
                    self.stack.pop()

    @contextmanager
    def in_module(self, state: ModuleState) -> Iterator[None]:
        """Run code of `state` (positions and paths come from it)."""
        saved = self.module, self.current
        self.module, self.current = state, None
        try:
            yield
        finally:
            self.module, self.current = saved

    @contextmanager
    def code_of(self, env: Env) -> Iterator[None]:
        """Run code defined in `env` (a function's or lambda's) in the module that owns it."""
        owner = env.owner()
        if owner is None or owner is self.module:
            yield
        else:
            with self.in_module(owner):
                yield

    def loc_statement(self, node: cst.CSTNode) -> Location:
        assert self.module.positions is not None
        return self.module.positions.of_statement(node)


def _public(state: ModuleState) -> dict[str, Value]:
    """What `from module import *` binds: `__all__` when it is a known list, else public names."""
    names = state.globals.vars.get("__all__")
    if isinstance(names, Seq) and all(isinstance(i, Const) and isinstance(i.value, str)
                                      for i in names.items):
        wanted = [str(i.value) for i in names.items]  # type: ignore[attr-defined]
        return {n: state.globals.vars.get(n) or Unknown() for n in wanted}
    return {k: v for k, v in state.globals.vars.items() if not k.startswith("_")}
