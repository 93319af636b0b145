"""Replays of module functions: calls with their arguments bound, lambdas, callbacks,
and the functions the module never calls (replayed afterwards in an unknown scope).

Part of the Python replay: the interpreter (`interpreter.Interpreter`) runs the bodies.
"""

from __future__ import annotations

import itertools
from typing import Iterator, Optional, Sequence, Union

import libcst as cst

from scopelint.engine.cstwalk import Block, contains_yield, statements
from scopelint.engine.entries import EntryReplays, Marks, Recording, Replay, apply_replay
from scopelint.engine.expressions import defaults_of
from scopelint.engine.fact_reach import CALLED, MAX_ENTRY_DEPTH, FactReach, without_comments
from scopelint.engine.graph import Graph
from scopelint.engine.protocols import CallSite, ReplayCore
from scopelint.engine.test_cases import runs_as_test
from scopelint.engine.values import (
    Class,
    Const,
    Env,
    Function,
    Instance,
    Lambda,
    Mapping,
    Seq,
    Unknown,
    Value,
)
from scopelint.facts import Cause, Location, Reuse

MAX_CALL_DEPTH = 16
CALL_BUDGET = 20_000  # function replays per module, so pathological code cannot blow up
ENTRY_BUDGET = 1_000  # of those, what one function the module never calls may spend


class Exit(Exception):
    """Control leaves the current block: `return`, `break` or `continue`."""

    def __init__(self, kind: str, value: Value = Const(None)) -> None:
        super().__init__(kind)
        self.kind = kind
        self.value = value


class MaybeExit(Exception):
    """A branch that may have run `return`, `break` or `continue`."""


class FunctionReplay:
    """Calls of the program's own functions, classes and lambdas, replayed by the
    interpreter (`py`) with their arguments bound."""

    def __init__(self, py: ReplayCore) -> None:
        self.py = py
        self.executed: set[int] = set()  # FunctionDef ids replayed at least once
        self._invocations = itertools.count(1)
        self.generators: dict[int, bool] = {}  # FunctionDef id -> has `yield`
        # per class: the attributes and enclosing-scope reuse its `__init__` leaves
        self.constructed: dict[int, tuple[dict[str, Value], Reuse, Optional[Location]]] = {}
        self.reach = FactReach()

    def run_uncalled(self, body: Block, env: Env, cls: Optional[Class]) -> None:
        """Replay functions never called, in an unknown enclosing scope; entry points (those
        whose name the module's code, comments and docstrings aside, never calls) first.

        A function that can record no facts (`fact_reach`) is skipped.
        """
        every = list(_function_defs(body, env, cls))
        defs = [d for d in every if id(d[0]) not in self.executed]
        if not defs:
            return
        source = self.py.module.source
        called = set(CALLED.findall(without_comments(source.text) if source else ""))
        useful = self.reach.useful([d[0] for d in defs], self.py.module)
        entries = [d for d in defs if d[0].name.value not in called]
        py, imports = self.py, self.py.imports
        kept = py.session.entry_replays
        replays = None
        if kept is not None and py.module is py.entry:
            project = imports.project
            replays = EntryReplays(kept, py.module, (
                project.roots if project else None, project.entry_name if project else None,
                imports.tf_free, py.tf_version, imports.shortcuts,
                tuple(py.facts.modules.items())))
            if replays.layout is not None:
                replays.heads = {k: d[0] for d in every
                                 if (k := replays.segment_of(d[0])) is not None}
        try:
            for node, owner_env, owner in entries + defs:
                if id(node) not in self.executed and node.name.value in useful:
                    self._run_entry(node, owner_env, owner, replays)
        finally:
            if replays is not None:
                replays.done()

    def _run_entry(self, node: cst.FunctionDef, env: Env, cls: Optional[Class],
                   replays: Optional[EntryReplays] = None) -> None:
        fn = (cls.attrs if cls is not None else env.vars).get(node.name.value)
        if not isinstance(fn, Function) or fn.node is not node:
            fn = Function(node, env, defaults=defaults_of(self.py, node.params, env))
        test = runs_as_test(node, cls)
        self.py.tf.graph = Graph(self.py.session, known_context=False)
        self.py.tf.graph.context_cause = Cause(
            self.py.loc(node.name), f"`{node.name.value}` runs after earlier tests: the default "
            "graph is what they left" if test else f"`{node.name.value}` is replayed without a "
            "caller: its scope and arguments are unknown")
        self.py.stack = []
        # A replay is taken from the file's previous version, or kept for the next, only
        # when it begins with a whole entry's budget and no reuse_variables() pending.
        segment = replays.segment_of(node) if replays is not None else None
        if segment is None or self.py.tf.pending_reuse or self.py.budget < ENTRY_BUDGET:
            replays = None
        taken = replays.taken(segment) if replays is not None and segment is not None else None
        spare = max(self.py.budget - ENTRY_BUDGET, 0)  # a test building whole models stops early
        self.py.budget -= spare
        start = self.py.budget
        constructed = frozenset(replays.constructed) if replays is not None else frozenset()
        recording: Optional[Recording] = None
        if replays is not None:
            recording = Recording(replays, constructed, self.py.facts, self._marks)
            self.py.entry_recording = recording
        completed = False
        try:
            instance: Optional[Instance] = None
            if cls is not None and "staticmethod" not in fn.decorators:
                # what the method reads of its instance comes from what `__init__` ran
                constructs = id(cls) not in self.constructed
                ran = len(recording.ran) if recording is not None else 0
                instance = self._constructed(cls, node)
                if replays is not None:
                    key = replays.class_key(cls.node)
                    if constructs:
                        replays.constructed.add(key)
                        if recording is not None:
                            replays.construction[key] = recording.ran[ran:]
                    elif recording is not None and key in replays.construction:
                        recording.ran += replays.construction[key]
                    elif recording is not None:
                        recording.escapes += 1  # constructed where it was not followed
                fn = fn.bind(instance)
            if replays is not None and segment is not None and taken is not None:
                self.py.budget = start - taken.budget
                self._take(taken, replays)
                replays.keep(segment, taken)
                return
            if recording is not None:
                recording.begin(instance)
            if cls is not None and instance is not None and test:
                self._run_test(fn, cls, instance)
            else:
                self.call_function(fn, [], {}, None, unknown_args=True)
            completed = True
        except Exit:
            completed = True
        finally:
            self.py.entry_recording = None
            if replays is not None and segment is not None and recording is not None \
                    and recording.begun:
                replay = recording.replay(start - self.py.budget)
                replays.keep(segment, replay if completed else None)
            self.py.budget += spare

    def _take(self, replay: Replay, replays: EntryReplays) -> None:
        """Apply what a replay taken from the file's previous version left."""
        apply_replay(self.py.facts, replay)
        for segment in replay.heads:
            self.executed.add(id(replays.heads[segment]))
        self.py.effects += replay.counters[0]
        self.py.tf.unknown_calls += replay.counters[1]
        self.py.attribute_sets += replay.counters[2]

    def _marks(self) -> Marks:
        """What a kept replay is measured by (`entries.Recording`)."""
        py, imports = self.py, self.py.imports
        return Marks((py.effects, py.tf.unknown_calls, py.attribute_sets),
                     (len(imports.modules), len(py.facts.modules), len(py.facts.notes),
                      py.session.outer_writes.outer, len(imports.writes), len(imports.loading)),
                     py.tf.graph.serial)

    def _run_test(self, method: Function, cls: Class, instance: Instance) -> None:
        """A test method (bound to `instance`), as TF's test runner calls it: `setUp()`, then
        the method (see `test_cases`)."""
        set_up = cls.lookup("setUp")
        if isinstance(set_up, Function):
            self.call_function(set_up.bind(instance), [], {}, None)
        else:
            self.py.tf.test_method(instance, "setUp", [], {}, None)
        self.call_function(method, [], {}, None)

    def _constructed(self, cls: Class, method: cst.FunctionDef) -> Instance:
        """An instance for replaying a method: `__init__` has run (its facts are its own).

        `__init__` is replayed once per class; later methods start from its attributes
        and from the reuse it left on the (unknown) enclosing scope.
        """
        instance = Instance(cls)
        init = cls.lookup("__init__")
        if not isinstance(init, Function) or init.node is method:
            return instance
        done = self.constructed.get(id(cls))
        if done is None:
            with self.py.quietly():
                self.call_function(init.bind(instance), [], {}, None, unknown_args=True)
            root = self.py.tf.graph.root
            done = self.constructed[id(cls)] = (dict(instance.attrs), root.reuse, root.origin)
        else:
            instance.attrs.update(done[0])
            self.py.tf.graph.root.reuse, self.py.tf.graph.root.origin = done[1], done[2]
        return instance

    def call_function(self, fn: Function, args: list[Value], kwargs: dict[str, Value],
                      call: Optional[cst.Call], unknown_args: bool = False,
                      unknown_rest: bool = False, replay_generator: bool = False) -> Value:
        """Replay a module function with its arguments bound.

        `unknown_args`: a replay without a caller, every parameter unknown;
        `unknown_rest`: an unknown `*args`/`**kwargs` may fill any parameter not given.
        A function of another module runs in that module (its positions and paths).
        """
        site = self.py.loc(call) if call is not None else None  # in the caller's module
        with self.py.code_of(fn.env):
            return self._call(fn, args, kwargs, site, unknown_args, unknown_rest,
                              replay_generator, call)

    def _call(self, fn: Function, args: list[Value], kwargs: dict[str, Value],
              site: Optional[Location], unknown_args: bool, unknown_rest: bool,
              replay_generator: bool, call: Optional[cst.Call] = None) -> Value:
        node = fn.node
        if self._is_generator(node) and not replay_generator:
            return Unknown()  # its body runs later, bit by bit
        self.py.budget -= 1
        self.py.effects += 1
        depth = MAX_CALL_DEPTH if self.py.tf.graph.known_context else MAX_ENTRY_DEPTH
        if node in self.py.active or len(self.py.active) >= depth or self.py.budget < 0:
            self.py.tf.opaque_call()
            return Unknown()
        if self.py.recording:  # a quiet pass (`quietly`) keeps none of its facts
            self.executed.add(id(node))
        local = Env(fn.env)
        if self.py.entry_recording is not None:
            own = self.py.module is self.py.entry
            self.py.entry_recording.called(local, node if own else None)
        positional = list(args)
        keywords = dict(kwargs)
        if fn.bound is not None:
            positional.insert(0, fn.bound)
        self._bind(node.params, local, positional, keywords, fn.defaults, unknown_args,
                   unknown_rest)
        if site is not None:
            self.py.stack.append(site)
            if call is not None:
                self.py.call_sites.append(CallSite(self.py.invocation, site, node.name.value, call))
        self.py.active.append(node)
        self.py.calling.append(fn)
        self.py.call_envs.append(local)
        caller_invocation, self.py.invocation = self.py.invocation, next(self._invocations)
        if self.py.tf.graph.created_in is None:
            self.py.tf.graph.created_in = self.py.invocation
        saved_returns, self.py.maybe_returns = self.py.maybe_returns, []
        result: Value = Const(None)
        try:
            self.py.exec_block(self.py.full_def(node).body, local)
        except Exit as exit_:
            result = exit_.value if exit_.kind == "return" else Unknown()
        except MaybeExit:
            result = Unknown()
        finally:
            self.py.active.pop()
            self.py.calling.pop()
            self.py.call_envs.pop()
            if site is not None:
                self.py.stack.pop()
                if call is not None:
                    self.py.call_sites.pop()
            finished = self.py.invocation
            self.py.tf.pending_reuse = [p for p in self.py.tf.pending_reuse if p[1] != finished]
            self.py.invocation = caller_invocation
            if self.py.maybe_returns:
                result = Unknown()
            self.py.maybe_returns = saved_returns
        return result

    def _is_generator(self, node: cst.FunctionDef) -> bool:
        found = self.generators.get(id(node))
        if found is None:
            positions = self.py.module.positions
            text = positions.source_of(node) if positions is not None else None
            found = (text is None or "yield" in text) and contains_yield(
                self.py.full_def(node).body)
            self.generators[id(node)] = found
        return found

    def _bind(self, params: cst.Parameters, local: Env, args: list[Value],
              kwargs: dict[str, Value], defaults: dict[str, Value], unknown: bool,
              unknown_rest: bool) -> None:
        positional = [*params.posonly_params, *params.params]
        missing = Unknown if (unknown or unknown_rest) else None
        for i, param in enumerate(positional):
            name = param.name.value
            if unknown and not (i == 0 and args):
                local.vars[name] = Unknown()
            elif i < len(args):
                local.vars[name] = args[i]
            elif name in kwargs:
                local.vars[name] = kwargs.pop(name)
            else:
                local.vars[name] = missing() if missing else defaults.get(name, Unknown())
        for param in params.kwonly_params:
            name = param.name.value
            if name in kwargs and not unknown:
                local.vars[name] = kwargs.pop(name)
            else:
                local.vars[name] = missing() if missing else defaults.get(name, Unknown())
        star = params.star_arg
        if isinstance(star, cst.Param):
            extra = tuple(args[len(positional):])
            local.vars[star.name.value] = Unknown() if missing else Seq(extra)
        if params.star_kwarg is not None:
            rest = Mapping(tuple(kwargs.items()))
            local.vars[params.star_kwarg.name.value] = Unknown() if missing else rest

    def instantiate(self, cls: Class, args: list[Value], kwargs: dict[str, Value],
                    call: cst.Call) -> Value:
        instance = Instance(cls)
        init = cls.lookup("__init__")
        if isinstance(init, Function):
            self.call_function(init.bind(instance), args, kwargs, call)
        elif cls.library:
            self.py.tf.library_init(instance, args, kwargs, call)
        return instance

    def call_value(self, callee: Value, args: list[Value], kwargs: dict[str, Value],
                   call: Optional[cst.Call], unknown_rest: bool = False) -> Value:
        """Call a module function or lambda with these arguments."""
        if isinstance(callee, Lambda):
            local = Env(callee.env)
            if self.py.entry_recording is not None:
                self.py.entry_recording.called(local, None)
            self._bind(callee.node.params, local, list(args), dict(kwargs), callee.defaults,
                       False, unknown_rest)
            with self.py.code_of(callee.env):
                return self.py.eval(callee.node.body, local)
        assert isinstance(callee, Function)
        return self.call_function(callee, args, kwargs, call, unknown_rest=unknown_rest)

    def run_callbacks(self, values: Sequence[Value], certain: bool,
                      call: Optional[cst.Call] = None) -> None:
        """Functions handed to a call that will run them: `tf.cond` branches and
        `tf.while_loop` bodies run once while the graph is built (`certain`); a callee
        scopelint cannot see may run them any number of times (maybe mode)."""
        for value in _callables(values):
            params = value.node.params
            count = len(params.params) + len(params.posonly_params)
            if isinstance(value, Function) and value.bound is not None:
                count -= 1
            args: list[Value] = [Unknown() for _ in range(max(count, 0))]
            if certain:
                self.call_value(value, args, {}, call, unknown_rest=True)
            else:
                with self.py.maybe():
                    self.call_value(value, args, {}, call, unknown_rest=True)


def _function_defs(body: Block, env: Env, cls: Optional[Class]
                   ) -> Iterator[tuple[cst.FunctionDef, Env, Optional[Class]]]:
    """Module functions and methods of module classes, in source order."""
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            yield stmt, env, cls
        elif isinstance(stmt, cst.ClassDef) and cls is None:
            found = env.vars.get(stmt.name.value)
            if isinstance(found, Class) and found.node is stmt:
                yield from _function_defs(statements(stmt.body), env, found)


def _callables(values: Sequence[Value]) -> Iterator[Union[Function, Lambda]]:
    """Module functions and lambdas among call arguments, also inside lists and dicts."""
    for value in values:
        if isinstance(value, (Function, Lambda)):
            yield value
        elif isinstance(value, Seq):
            yield from _callables(value.items)
        elif isinstance(value, Mapping):
            yield from _callables([v for _, v in value.items])
