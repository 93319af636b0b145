"""Imports: TF and other modules bind references; project modules run once and bind themselves.

Part of the Python replay. A project module (see `project.Project`) runs its top
level at its first import, in the importer's graph and scopes, as Python does; later
imports bind the same module. A module being imported when a cycle reaches it again
is bound as it is at that moment. A module that cannot be found, read or parsed,
that lies beyond `MAX_IMPORT_DEPTH` nested imports, or that can reach no TF API
(the prefilter's test, through its own imports too) stays unknown, like any other
library: calls into it are calls scopelint cannot follow. A module whose top
level changed nothing but its own globals is replayed once per session and
shared by the programs that import it later (see `sharing`).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.engine.function_replay import Exit, MaybeExit
from scopelint.engine.import_resolution import (
    bind_import, bind_import_from, bound_name, dotted, module_value,
)
from scopelint.engine.project import Found, Project, ProjectSettings, SourceFile, absolute
from scopelint.engine.sharing import (
    Load, Shared, Snapshot, Write, Writes, pristine_states, program_state,
)
from scopelint.engine.module_state import ModuleState
from scopelint.engine.protocols import ReplayCore
from scopelint.engine.values import Const, Env, ModuleObject, Seq, Unknown, Value

MAX_IMPORT_DEPTH = 32
MAX_VARIANTS = 3  # shared replays kept per module, for the writes they began with


class ModuleReplay:
    """Binds what import statements bind, running project modules on first import in
    the interpreter (`py`)."""

    def __init__(self, py: ReplayCore, project: Optional[Project],
                 settings: ProjectSettings) -> None:
        self.py = py
        self.project = project
        self.shortcuts = settings.shortcuts  # see `project.ProjectSettings`
        self.tf_free = settings.tf_free  # modules the config declares TF-free
        # By name, as `sys.modules`; None: not a project module. The script runs as
        # `__main__`, so importing it by its own name runs it again, as Python does.
        self.modules: dict[str, Optional[ModuleState]] = {}
        self.loading: list[Load] = []  # the modules whose top level is running, outermost first
        self.writes: Writes = {}  # globals of shared modules that other shared modules' imports set

    def reaches_tf(self, path: str) -> bool:
        """Whether a call of `path`, a module or a name in one that is not bound to a
        replayed project module, may run TF code (see `tffree`)."""
        reaches = self.py.session.tf_reach.reaches_tf(path, self.project, self.tf_free)
        if self.loading:
            self.loading[-1].reached[path] = reaches
        return reaches

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
        base = (absolute(name, level, self.py.module.name, self.py.module.package)
                if self.project is not None else None)
        state = self.import_module(base) if base else None
        if state is None:
            bind_import_from(node, env)
            return
        if isinstance(node.names, cst.ImportStar):
            for key, value in _public(state).items():
                self.py.escaped.add([value])  # see `containers`
                env.bind(key, value)
            return
        for alias in node.names:
            member = dotted(alias.name)
            value = self._member(state, member)
            self.py.escaped.add([value])
            env.bind(bound_name(alias, member), value)

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
            if prefix in self.modules:
                state = self.modules[prefix]
                self._note_cycle(prefix)
            else:
                state = self._load(prefix)
            if state is None:
                if self.loading:
                    self.loading[-1].unknown.add(prefix)
                return None
            if self.loading:
                self.loading[-1].imports.append(prefix)
            if parent is not None:
                _bind_submodule(parent, parts[i - 1], state)
            parent = state
        return parent

    def _resolve(self, name: str) -> Optional[tuple[Found, Optional[SourceFile]]]:
        """The project module `name` is, with its file (None for a namespace package); None
        when it stays unknown: not found, unreadable, broken, or reaching no TF API."""
        assert self.project is not None
        found = self.project.find(name)
        source = self.py.session.load_file(found.path) if found is not None and found.has_file \
            else None
        if found is None or (found.has_file and (source is None or not source.parses())):
            return None
        if (source is not None and not found.package and not source.mentions_tf()
                and not self.project.reaches_tf(source, name)):
            return None  # it can reach no TF API: unknown, as other libraries
        return found, source

    def _load(self, name: str) -> Optional[ModuleState]:
        assert self.project is not None
        resolved = self._resolve(name)
        if resolved is None:
            if self.project.find(name) is None and self.project.missing(name):
                self.py.facts.notes.append(
                    f"{self.py.module.path}: import of {name} not followed: no such module under "
                    f"{', '.join(self.project.roots)}, nor installed; if it is part of the "
                    "project, add the folder it is in to `src` in [tool.scopelint]")
            self.modules[name] = None
            return None
        found, source = resolved
        reused = self._reuse(name, found, source) if self.shortcuts else None
        if reused is not None:
            return reused
        if len(self.loading) >= MAX_IMPORT_DEPTH:
            self.py.facts.notes.append(f"{self.py.module.path}: import of {name} not followed: "
                                    f"more than {MAX_IMPORT_DEPTH} nested imports")
            for load in self.loading:  # shallower, it would be followed: none is shared
                load.pristine = False
            self.modules[name] = None
            return None
        return self._run_module(name, found, source)

    def _run_module(self, name: str, found: Found, source: Optional[SourceFile]) -> ModuleState:
        """Make and run a module; shared afterwards when its top level touched nothing else."""
        state = ModuleState.of(name, found.path, found.package, source, name,
                               self.py.session.outer_writes, lazy=self.shortcuts,
                               either=self.shortcuts)
        self.modules[name] = state  # before its body runs: an import cycle sees it as it is
        sharing = self.py.session.share_modules
        pristine = sharing and self._pristine()
        # after calls of the modules loading around it only: shared with them, as a whole
        absorbed = sharing and not pristine and bool(self.loading) and \
            self._pristine(effects=False)
        load = Load(state, self.py.budget, pristine or absorbed, self.py.tf.unknown_calls,
                    dict(self.writes), self.py.attribute_sets,
                    bool(self.py.session.branch_writes.depth), self.py.effects, inner=absorbed,
                    causes=len(self.py.facts.unknown_calls), known=len(self.modules))
        if source is not None:
            self.py.facts.modules[found.path] = source.digest
            self.py.session.replays[found.path] += 1
            self.loading.append(load)
            try:
                self.run_module_body(state)
            finally:
                self.loading.pop()
        self._finish(load)
        return state

    def _finish(self, load: Load) -> None:
        """Share a module whose top level has run, if it can be. The modules of an import
        cycle are shared together, with the one the cycle began from; so is a module whose
        import followed calls of the top levels loading around it, with the innermost."""
        parent = self.loading[-1] if self.loading else None
        if load.inner and parent is not None:
            parent.members += [load.state, *load.members]
            parent.imports += load.imports
            parent.unknown |= load.unknown
            parent.reached.update(load.reached)
            parent.nested += load.nested
            writes = self._writes() if load.pristine else None
            if writes is None:
                parent.pristine = False
            else:  # what it did is judged with the whole group; later imports see its writes
                self.writes, self.py.effects = writes, load.effects
            return
        spent = load.budget - self.py.budget
        if parent is not None:
            parent.nested += spent
        shared = self._shareable(load, spent)
        if shared is None:
            self.py.effects += 1
            return
        assert self.project is not None
        for state, _ in shared.modules:
            state.shared = shared
        variants = self.py.session.shared.setdefault(self._shared_key(load.state), [])
        variants.insert(0, shared)
        del variants[MAX_VARIANTS:]
        self.py.effects = 0  # what its top level did stays inside it

    def _note_cycle(self, name: str) -> None:
        """An import of a module whose top level is still running: the modules on the cycle
        see each other half run, so they are shared only as a whole, with that module."""
        names = [load.state.name for load in self.loading]
        if name in names:
            for load in self.loading[names.index(name) + 1:]:
                load.inner = True

    def _pristine(self, effects: bool = True) -> bool:
        """Whether the program has done nothing yet but imports of shared modules (with
        `effects=False`: calls and attributes set aside, a module's own being judged)."""
        return ((not effects or not self.py.effects) and not self.py.calling and self.py.recording
                and not self.py.handling and not self.py.tf.arg_scopes
                and self.py.tf.graph is self.py.tf.first_graph
                and all(load.pristine for load in self.loading)
                and program_state(self.py.tf.graph, self.py.facts) in pristine_states())

    def _shareable(self, load: Load, spent: int) -> Optional[Shared]:
        """The shared form of a module (and its cycle) whose top level, begun pristine,
        changed nothing but its own globals and imported only shared modules; else None."""
        if (not load.pristine or self.py.budget < 0
                or not self.project or not self.shortcuts or not self._pristine(effects=False)):
            return None
        group = [load.state, *load.members]
        snapshots = [s for s in (Snapshot.take(state.globals) for state in group)
                     if s is not None]
        if len(snapshots) != len(group):
            return None
        # the modules its globals hold, imported or reached as attributes of packages
        held = [state for snapshot in snapshots for state in snapshot.modules]
        if any(self.modules.get(state.name) is not state for state in held):
            return None
        names = {state.name for state in group}
        imports = tuple(n for n in dict.fromkeys([*load.imports, *(s.name for s in held)])
                        if n not in names)
        sets_attributes = self.py.attribute_sets > load.attribute_sets
        if not all(self._shared_here(name) for name in imports) or (
                load.in_branch and sets_attributes):
            return None  # attributes set in a branch are forgotten when it ends
        imported = tuple(self.modules[name] for name in imports)
        writes = self._writes()
        if writes is None or load.writes.keys() - writes.keys():
            return None
        before = load.writes
        self.writes = writes
        ran = frozenset(name for name in list(self.modules)[load.known:] if self.modules[name])
        return Shared(tuple(zip(group, snapshots)), spent - load.nested,
                      imported, frozenset(load.unknown), tuple(load.reached.items()),
                      self.py.tf.unknown_calls > load.unknown_calls,
                      tuple(self.py.facts.unknown_calls[load.causes:]), ran, sets_attributes,
                      {key: write.value for key, write in before.items()},
                      tuple(w for key, w in writes.items() if key not in before
                            or before[key].value is not w.value))

    def _writes(self) -> Optional[Writes]:
        """The globals of shared modules that differ from their snapshots now (None: one
        was deleted): what later top levels set, such as a cache filled by a call."""
        assert self.project is not None
        writes: Writes = {}
        entries = {id(m.shared): m.shared for m in self.modules.values()
                   if m is not None and m.shared is not None}
        for shared in entries.values():
            for state, snapshot in shared.modules:
                changed = snapshot.changes()
                if changed is None:
                    return None
                writes.update(((id(names), key), Write(state, names, key, value))
                              for names, key, value in changed)
        return writes

    def _reuse(self, name: str, found: Found,
               source: Optional[SourceFile]) -> Optional[ModuleState]:
        """The module from the session's shared replays, with the modules it imported, when
        the program is pristine and a replay here would do what one of its shared replays did:
        whichever file imported it, its imports resolve to the same files here."""
        assert self.project is not None
        if not self.py.session.shared or not self._pristine():
            return None
        context = {key: write.value for key, write in self.writes.items()}
        key = (self.tf_free, self.py.tf_version, name, found.path)
        for shared in self.py.session.shared.get(key, ()):
            if shared.state.source is source and context == shared.context:
                plan = self._plan(shared)
                if plan is not None:
                    return self._restore(plan)
        return None

    def _shared_key(self, state: ModuleState) -> tuple[object, ...]:
        """What a shared replay of a module is filed under: the settings it was replayed with,
        its name and its file (what its imports resolved to is checked on reuse, `_plan`)."""
        return (self.tf_free, self.py.tf_version, state.name, state.path)

    def _plan(self, shared: Shared) -> Optional[list[Shared]]:
        """`shared` and the shared replays of what it imported (not yet imported here),
        outermost first; None when a module here is another replay than the one it
        imported, a module it set a global of is not there, or the budget is short."""
        plan: list[Shared] = []
        taken: dict[str, ModuleState] = {}
        todo = [(shared.state, len(self.loading))]
        while todo:
            state, level = todo.pop()
            known = self.modules if state.name in self.modules else taken
            if state.name in known:
                if known[state.name] is not state:
                    return None  # another replay of it is here
                continue
            group = state.shared
            if group is None or level >= MAX_IMPORT_DEPTH:
                return None
            for member, _ in group.modules:
                if member.name in self.modules or member.name in taken or (
                        not self._resolves_to(member)):
                    return None  # imported here on its own, or found elsewhere, or edited
                taken[member.name] = member
            if not all(self.modules.get(name, taken.get(name)) is None
                       and (name in self.modules or self._resolve(name) is None)
                       for name in group.unknown) or not all(
                    self.py.session.tf_reach.reaches_tf(path, self.project, self.tf_free) is reaches
                    for path, reaches in group.reached):
                return None  # a module it could not import, or a call it took as TF-free,
                # would be another here
            plan.append(group)
            todo += [(sub, level + 1) for sub in reversed(group.imports)]
        if not all(write.module in (taken.get(write.module.name),
                                    self.modules.get(write.module.name))
                   for s in plan for write in s.writes):
            return None  # the replay of a module it set a global of is not there
        if self.py.session.branch_writes.depth and any(s.sets_attributes for s in plan):
            return None  # a branch would forget those attributes when it ends
        if sum(s.cost for s in plan) > self.py.budget:
            return None
        if self.py.tf.graph.first_cause is None and any(s.opaque for s in plan) and any(
                state.name not in shared.ran for s in plan[1:] for state, _ in s.modules):
            return None  # the first call it could not follow may be another here
        return plan

    def _restore(self, plan: list[Shared]) -> ModuleState:
        """Take the shared replays of `plan` (see `_plan`) as this program's; the first
        one's module."""
        registered = [state for s in plan for state in s.restore()]
        for state in registered:
            self.modules[state.name] = state
            if state.source is not None:
                self.py.facts.modules[state.path] = state.source.digest
                self.py.session.restores[state.path] += 1
        for s in plan:
            for write in s.writes:
                write.make()
                self.writes[(id(write.names), write.key)] = write
        for state in registered:
            package, _, leaf = state.name.rpartition(".")
            parent = self.modules.get(package)
            if parent is not None:
                _bind_submodule(parent, leaf, state)
        cost = sum(s.cost for s in plan)
        self.py.budget -= cost
        if self.loading:
            self.loading[-1].nested += cost
        if any(s.opaque for s in plan):  # the calls it could not follow, as it made them
            first, count = self.py.tf.graph.first_cause, len(self.py.facts.unknown_calls)
            self.py.tf.opaque_call()
            if plan[0].causes:
                self.py.facts.unknown_calls[count:] = plan[0].causes
                if first is None:
                    self.py.tf.graph.first_cause = plan[0].causes[0]
        return plan[0].state

    def _resolves_to(self, state: ModuleState) -> bool:
        """Whether the module's name resolves here to its file, with the same content."""
        resolved = self._resolve(state.name)
        return resolved is not None and resolved[0].path == state.path \
            and resolved[1] is state.source

    def _shared_here(self, name: str) -> bool:
        """Whether the module imported here is a shared replay (see `sharing`)."""
        state = self.modules.get(name)
        return state is not None and state.shared is not None

    def run_module_body(self, state: ModuleState) -> None:
        """Run a module's top level; facts in it are reached through the import statement."""
        site = self.py.loc_statement(self.py.current) if self.py.current is not None else None
        with self.py.in_module(state):
            if site is not None:
                self.py.stack.append(site)
            try:
                self.py.exec_block(state.body, state.globals)
            except (Exit, MaybeExit):  # a top-level `raise` (or one that may run) ends it
                pass
            finally:
                if site is not None:
                    self.py.stack.pop()






def _bind_submodule(package: ModuleState, leaf: str, state: ModuleState) -> None:
    """`import pkg.sub` binds `sub` in `pkg`, unless `pkg` binds that name itself."""
    if leaf not in package.globals.vars:
        package.globals.vars[leaf] = ModuleObject(state)


def _public(state: ModuleState) -> dict[str, Value]:
    """What `from module import *` binds: `__all__` when it is a known list, else public names."""
    names = state.globals.vars.get("__all__")
    if isinstance(names, Seq) and all(isinstance(i, Const) and isinstance(i.value, str)
                                      for i in names.items):
        wanted = [str(i.value) for i in names.items if isinstance(i, Const)]
        return {n: state.globals.vars.get(n) or Unknown() for n in wanted}
    return {k: v for k, v in state.globals.vars.items() if not k.startswith("_")}
