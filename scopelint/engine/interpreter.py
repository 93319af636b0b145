"""The libcst replay: runs a module's statements symbolically and records facts.

Statements run in order; calls of functions, methods and classes defined in
the module are replayed with their arguments bound; loop bodies run twice and
then once more as a branch; each arm of a branch whose condition is unknown runs
as if it ran, from the state before the branch, so what fails inside it is
reported, and only what happens on every path stays certain state afterwards.
Functions the module never calls are replayed afterwards in an unknown scope.

The interpreter holds the replay's state (facts, call stack, budget, the statement
running); each module's own state (tree, positions, globals) is a `ModuleState`.
Calls of the program's functions are replayed by `function_replay`, imports by
`module_replay`; TF's state and API calls belong to the TF model (`tf_model`), which
the interpreter sees only through `protocols.TFModel`.
"""

from __future__ import annotations

import itertools
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Sequence, Union, cast

import libcst as cst

from scopelint.engine import builtins_model, expressions
from scopelint.engine.containers import Escaped
from scopelint.engine.function_replay import CALL_BUDGET, Exit, FunctionReplay, MaybeExit
from scopelint.engine.cstwalk import Block, dotted, statements, tests_what_was_built
from scopelint.engine.hooks import Hooks
from scopelint.engine.module_replay import ModuleReplay
from scopelint.engine.module_state import ModuleState
from scopelint.engine.import_resolution import assumes_tf, module_value
from scopelint.engine.layer_classes import library_base
from scopelint.engine.graph import Graph, Undone
from scopelint.engine.test_cases import is_test_case
from scopelint.engine.project import Project, ProjectSettings, SourceFile
from scopelint.engine.protocols import CallSite, EntryRecorder, TFModel
from scopelint.engine import tf_model
from scopelint.engine.values import (
    Class,
    Const,
    ContextCall,
    Env,
    Function,
    Instance,
    Lambda,
    Mapping,
    NO_DECORATORS,
    Seq,
    Unknown,
    Value,
    truth,
)
from scopelint.facts import CallStack, Cause, Location, ModuleFacts

if TYPE_CHECKING:
    from scopelint.engine.session import Session

Origin = tuple[object, cst.Call, Optional[cst.CSTNode]]  # positions, call, statement

MAX_CONCRETE_ITERATIONS = 32


class Interpreter:
    """Replays a program from one module (its `__main__`); `facts` holds the result.

    It runs statements and holds where the code running is; calls of the program's
    functions are replayed by `calls` (`function_replay`), imports by `imports`
    (`module_replay`), and TF API calls by `tf` (`tf_model`), which it sees only as a
    `protocols.TFModel`."""

    def __init__(self, entry: ModuleState, project: Optional[Project], session: Session,
                 settings: ProjectSettings = ProjectSettings(),
                 hooks: Optional[Hooks] = None) -> None:
        self.entry = self.module = entry
        self.session = session
        self.tf_version = settings.tf_version
        self.facts = ModuleFacts()
        self.tf: TFModel = tf_model.TFModel(self, self.facts, session, self.tf_version,
                                              hooks or Hooks())
        self.calls = FunctionReplay(self)
        self.imports = ModuleReplay(self, project, settings)
        self.effects = 0  # see `ModuleReplay._pristine`
        self.attribute_sets = 0
        self.escaped = Escaped()  # lists code scopelint cannot see may change (`containers`)
        self.stack: list[Location] = []
        self.call_sites: list[CallSite] = []
        self.active: list[cst.FunctionDef] = []
        self.entry_recording: Optional[EntryRecorder] = None  # see `entries`
        self.recording = True
        self.invocation = 0
        self.maybe_returns: list[Value] = []
        self.current: Optional[cst.CSTNode] = None  # the statement being run, for positions
        self.budget = CALL_BUDGET
        self.maybe_exits = 0  # MaybeExit signals seen, to notice a body that may stop early
        self.handling = 0  # depth of `try` blocks whose handlers catch TF's ValueError
        self.catching_type_error = 0  # depth of `try` blocks whose handlers catch TypeError
        self.calling: list[Function] = []  # the functions being replayed, innermost last
        self.call_envs: list[Env] = []  # and their local variables
        self.loops: list[tuple[int, int]] = []  # (line, iteration) of the loops running
        # (run the `with` body, call depth of the `@contextmanager` replay) per entered item
        self.yield_hooks: list[tuple[Callable[[Value], None], int]] = []
        # (attributes, name, value before) of each attribute set in a branch
        self.attribute_writes: list[tuple[dict[str, Value], str, Optional[Value]]] = []
        # Where code that may or may not run began (see `maybe`, `branch`), innermost last,
        # and how uncertain the graph was then.
        self.uncertain_sites: list[Optional[Location]] = []
        self.uncertainty: list[tuple[int, ...]] = []

    # -- entry points ----------------------------------------------------------

    def run(self) -> ModuleFacts:
        entry = self.entry
        try:
            self.exec_block(entry.body, entry.globals)
        except (Exit, MaybeExit):
            pass
        self.calls.run_uncalled(entry.body, entry.globals, None)
        return self.facts

    def close(self) -> None:
        """Drop the replay's state once the program has run. Its parts refer to each other
        (each holds the interpreter and the TF model), so without this they and everything
        they hold (graphs, stacks, the program's modules) would wait for a pass of the
        cyclic GC, which is off during a run (`runner.analysing`): the facts returned are
        all that outlives the program."""
        self.tf.close()
        for part in (self.calls, self.imports, self):
            vars(part).clear()

    # -- positions and facts ----------------------------------------------------

    def loc(self, node: cst.CSTNode) -> Location:
        assert self.module.positions is not None
        return self.module.positions.of(node, self.current)

    def origin(self, node: cst.Call) -> Origin:
        """Where a value a call returns comes from, resolved only when a name needs it."""
        return (self.module.positions, node, self.current)

    def call_stack(self) -> CallStack:
        return tuple(self.stack)

    # -- what the TF model and expressions call (see `function_replay`, `module_replay`) --

    def call_function(self, fn: Function, args: list[Value], kwargs: dict[str, Value],
                      call: Optional[cst.Call], unknown_args: bool = False,
                      unknown_rest: bool = False, replay_generator: bool = False) -> Value:
        return self.calls.call_function(fn, args, kwargs, call, unknown_args, unknown_rest,
                                        replay_generator)

    def call_value(self, callee: Value, args: list[Value], kwargs: dict[str, Value],
                   call: Optional[cst.Call], unknown_rest: bool = False) -> Value:
        return self.calls.call_value(callee, args, kwargs, call, unknown_rest)

    def instantiate(self, cls: Class, args: list[Value], kwargs: dict[str, Value],
                    call: cst.Call) -> Value:
        return self.calls.instantiate(cls, args, kwargs, call)

    def run_callbacks(self, values: Sequence[Value], certain: bool,
                      call: Optional[cst.Call] = None) -> None:
        self.calls.run_callbacks(values, certain, call)

    def reaches_tf(self, path: str) -> bool:
        return self.imports.reaches_tf(path)

    @contextmanager
    def in_module(self, state: ModuleState) -> Iterator[None]:
        """Run code of `state` (positions and paths come from it)."""
        saved = self.module, self.current
        self.module, self.current = state, None
        try:
            yield
        finally:
            self.module, self.current = saved

    def full_def(self, node: cst.FunctionDef) -> cst.FunctionDef:
        """A function of the running module with its body (see `SourceFile.parsed`)."""
        source = self.module.source
        return source.full_def(node) if source is not None else node

    def code_of(self, env: Env) -> AbstractContextManager[None]:
        """Run code defined in `env` (a function's or lambda's) in the module that owns it.
        (Not a `@contextmanager`: every call enters it, and most stay in the module.)"""
        owner = env.owner()
        if owner is None or owner is self.module:
            return nullcontext()
        return self.in_module(owner)

    def loc_statement(self, node: cst.CSTNode) -> Location:
        assert self.module.positions is not None
        return self.module.positions.of_statement(node)

    # -- statements ---------------------------------------------------------------

    def exec_block(self, body: Union[Block, cst.BaseSuite], env: Env) -> None:
        block = statements(body)
        for index, stmt in enumerate(block):
            try:
                self.exec_stmt(stmt, env)
            except MaybeExit:
                # A branch that may have left the block: the rest is a branch of its own.
                self.maybe_exits += 1
                with self.branch(env):
                    self.exec_block(block[index + 1:], env)
                return

    def exec_stmt(self, stmt: cst.BaseStatement, env: Env) -> None:
        saved = self.current
        try:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    self.current = small
                    self.exec_small(small, env)
                return
            self.current = stmt
            handler = getattr(self, "exec_" + type(stmt).__name__, None)
            if handler is not None:
                handler(stmt, env)
            else:
                assert isinstance(stmt, cst.BaseCompoundStatement)
                self.havoc_compound(stmt, env)
        finally:
            self.current = saved

    def exec_small(self, node: cst.BaseSmallStatement, env: Env) -> None:
        # `type(node) is`, not `isinstance`, for speed: see `cstwalk.statements`
        if type(node) is cst.Expr:
            self.eval(node.value, env)
        elif type(node) is cst.Assign:
            value = self.eval(node.value, env)
            for target in node.targets:
                self.assign(target.target, value, env)
        elif type(node) is cst.AnnAssign:
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, env), env)
        elif type(node) is cst.AugAssign:
            current = self.eval(node.target, env)
            value = expressions.binary(node.operator, current, self.eval(node.value, env))
            if isinstance(current, (Seq, Mapping)):  # a list's `+=` changes it in place
                expressions.forget_container(self, env, current)
                if current in self.escaped or self.tf.graph.maybe:
                    value = Unknown()
            self.assign(node.target, value, env)
        elif type(node) is cst.Del:
            self.delete(node.target, env)
        elif type(node) is cst.Return:
            value = self.eval(node.value, env) if node.value is not None else Const(None)
            raise Exit("return", value)
        elif type(node) is cst.Break:
            raise Exit("break")
        elif type(node) is cst.Continue:
            raise Exit("continue")
        elif type(node) is cst.Import:
            self.imports.exec_import(node, env)
        elif type(node) is cst.ImportFrom:
            self.imports.exec_import_from(node, env)
        elif isinstance(node, (cst.Raise, cst.Assert)):
            for child in (getattr(node, "exc", None), getattr(node, "test", None)):
                if isinstance(child, cst.BaseExpression):
                    self.eval(child, env)
            if isinstance(node, cst.Raise):
                raise Exit("raise")
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            for item in node.names:
                env.declare(item.name.value, isinstance(node, cst.Global))

    def exec_FunctionDef(self, node: cst.FunctionDef, env: Env) -> None:
        decorators = [(d.decorator, self.eval(d.decorator, env)) for d in node.decorators]
        names = frozenset(_decorator_name(expr) for expr, _ in decorators)
        if names & {"setter", "deleter"}:
            return  # `@x.setter`: `x` stays the property's getter
        defaults = expressions.defaults_of(self, node.params, env)
        value: Value = Function(node, env, defaults=defaults,
                                decorators=names & KNOWN_DECORATORS or NO_DECORATORS)
        for expr, decorator in reversed(decorators):
            if _decorator_name(expr) in KNOWN_DECORATORS:
                continue
            if isinstance(decorator, (Function, Lambda)):  # a module decorator: apply it
                value = self.calls.call_value(decorator, [value], {}, None)
            else:  # `@lru_cache`, `@tf.function`, ...: what it returns is unknown
                value = Unknown()
        env.bind(node.name.value, value)

    def exec_ClassDef(self, node: cst.ClassDef, env: Env) -> None:
        values = [self.eval(arg.value, env) for arg in node.bases]
        bases = tuple(b for b in values if isinstance(b, Class))
        class_env = Env(env)
        cls = Class(node, class_env.vars, bases, library_base(values), is_test_case(values))
        env.vars[node.name.value] = cls
        self.exec_block(node.body, class_env)
        # Methods see the module, not the class body, as their enclosing scope.
        for name, value in list(class_env.vars.items()):
            if isinstance(value, Function) and value.env is class_env:
                class_env.vars[name] = Function(value.node, env, defaults=value.defaults,
                                                decorators=value.decorators, owner=cls)

    def exec_If(self, node: cst.If, env: Env) -> None:
        cond = truth(self.eval(node.test, env))
        orelse = node.orelse
        if cond is True:
            self.exec_block(node.body, env)
        elif cond is False:
            if isinstance(orelse, cst.If):
                self.exec_If(orelse, env)
            elif isinstance(orelse, cst.Else):
                self.exec_block(orelse.body, env)
        elif tests_what_was_built(node.test):
            # `if name in built:` may be what keeps TF from raising inside: as under a `try`
            # that catches TF's error, a request that would fail is no finding.
            self.handling += 1
            try:
                self.maybe_blocks([node.body, orelse], env)
            finally:
                self.handling -= 1
        else:
            self.maybe_blocks([node.body, orelse], env)

    def maybe_blocks(self, blocks: Sequence[object], env: Env) -> None:
        """Run blocks of which at most one runs, each as an alternative (see `alternatives`);
        if one may leave the enclosing block (`return`, `break`, `continue`), raise
        MaybeExit."""
        left = False
        with self.alternatives(env) as alternative:
            for block in blocks:
                if block is None:
                    continue
                with alternative():
                    try:
                        if type(block) is cst.If:
                            self.exec_If(block, env)
                        elif type(block) is cst.Else:
                            self.exec_block(block.body, env)
                        elif type(block) is cst.MatchCase:
                            self._run_case(block, env)
                        else:  # (the type as a string: no `Union[...]` made per arm)
                            self.exec_block(cast("Union[Block, cst.BaseSuite]", block), env)
                    except Exit as exit_:
                        if exit_.kind == "return":
                            self.maybe_returns.append(exit_.value)
                        # A path that raises reaches nothing after this block (a `try` whose
                        # handler may fall through runs its body as a branch).
                        left = left or exit_.kind != "raise"
                    except MaybeExit:
                        left = True
        if left:
            raise MaybeExit()

    @contextmanager
    def branch(self, env: Env, names: bool = True) -> Iterator[None]:
        """A block that may or may not run, run as if it ran (see `alternatives`)."""
        with self.alternatives(env, names) as alternative, alternative():
            yield

    @contextmanager
    def alternatives(self, env: Env, names: bool = True
                     ) -> Iterator[Callable[[], AbstractContextManager[None]]]:
        """Blocks of which at most one runs (the arms of an `if`, the cases of a `match`),
        each run, in the `with` of the function this yields, as if it certainly ran, from
        the state before the first: what certainly fails inside one is reported. Afterwards
        everything any of them changed is uncertain: graph state (see `graph.BranchWrites`),
        attributes and, with `names`, names bound in `env` and its enclosing scopes (see
        `values.OuterWrites`); a `reuse_variables()` call left unused on some path waits for
        the next request; a module an arm imported first is imported afresh by the next."""
        before = dict(env.vars) if names else None
        scopes = list(_chain(env.parent)) if names else []
        graph = self.tf.graph
        replaced: list[Graph] = []
        mark = self.session.branch_writes.begin()
        outer = self.session.outer_writes.begin()
        attributes = len(self.attribute_writes)
        graph_writes: list[Undone] = []
        outer_names: list[tuple[Env, str]] = []
        local_names: set[str] = set()
        attribute_names: list[tuple[dict[str, Value], str]] = []
        pending = self.tf.pending_reuse  # `reuse_variables()` calls no request has used yet
        still_pending = list(pending)
        loaded = len(self.imports.modules)
        imported: dict[str, Optional[ModuleState]] = {}  # first imported by an arm

        def undo() -> None:
            """An arm ends: take back what it changed, note what it did."""
            graph_writes.extend(self.session.branch_writes.undo(mark))
            if self.tf.graph is not graph:
                replaced.append(self.tf.graph)
                self.tf.graph = graph
            outer_names.extend(self.session.outer_writes.undo(outer, scopes))
            if before is not None:
                changed = [name for name, value in env.vars.items()
                           if before.get(name) != value]
                local_names.update(changed)
                for name in changed:
                    if name in before:
                        env.vars[name] = before[name]
                    else:
                        del env.vars[name]
            for attrs, name, value in reversed(self.attribute_writes[attributes:]):
                attribute_names.append((attrs, name))
                if value is None:
                    attrs.pop(name, None)
                else:
                    attrs[name] = value
            del self.attribute_writes[attributes:]
            still_pending.extend(p for p in self.tf.pending_reuse if p not in still_pending)
            self.tf.pending_reuse = list(pending)
            # The next arm imports afresh what this one imported first, as Python would.
            for name in list(itertools.islice(reversed(self.imports.modules),
                                              len(self.imports.modules) - loaded)):
                imported.setdefault(name, self.imports.modules.pop(name))

        arm = _OnExit(undo)
        self.yield_hooks.append((_spent, -1))  # a `yield` in a branch may not run
        self.enter_uncertain()
        try:
            yield lambda: arm
        finally:
            self.yield_hooks.pop()
            self.session.branch_writes.weaken(graph_writes)
            self.leave_uncertain(graph)
            for other in replaced:
                graph.forget(other)
            self.session.outer_writes.forget(outer_names)
            for name in local_names:
                env.vars[name] = Unknown()
            for attrs, name in attribute_names:
                self.set_attribute_value(attrs, name, Unknown())
            self.tf.pending_reuse = still_pending
            self.imports.modules.update(imported)

    def contained_maybe(self, blocks: Sequence[object], env: Env) -> None:
        """Blocks that may run, whose early exits stay inside them (a loop's extra pass)."""
        try:
            self.maybe_blocks(blocks, env)
        except MaybeExit:
            pass

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """A pass whose facts are dropped: a loop's extra run, code meant to fail."""
        saved, self.recording = self.recording, False
        try:
            yield
        finally:
            self.recording = saved

    @contextmanager
    def maybe(self) -> Iterator[None]:
        self.tf.graph.maybe += 1
        graph = self.tf.graph
        self.enter_uncertain()
        try:
            yield
        finally:
            graph.maybe -= 1
            self.leave_uncertain(graph)

    def enter_uncertain(self) -> None:
        """Code that may or may not run begins (at the statement running)."""
        where = self.loc_statement(self.current) if self.current is not None else None
        self.uncertain_sites.append(where)
        self.uncertainty.append(self.tf.graph.uncertainty())

    def leave_uncertain(self, graph: Graph) -> None:
        """It ends: when it left the graph's state less certain, it is the graph's first
        cause of uncertainty, unless the graph had one."""
        where = self.uncertain_sites.pop()
        before = self.uncertainty.pop()
        if graph.first_cause is None and where is not None and graph.uncertainty() != before:
            graph.first_cause = Cause(where, "code here may or may not run")

    def exec_For(self, node: cst.For, env: Env) -> None:
        iterable = self.eval(node.iter, env)
        values = builtins_model.iteration_values(iterable)
        if values is not None and len(values) <= MAX_CONCRETE_ITERATIONS:
            self.run_loop(node, env, values, exact=True)
        else:
            self.run_loop(node, env, builtins_model.symbolic_iterations(iterable), exact=False)

    def exec_While(self, node: cst.While, env: Env) -> None:
        """Iterate while the condition is known and the body runs straight through;
        otherwise (`while True:` with a conditional `break`, say) finish as an inexact loop."""
        count = 0
        while count < MAX_CONCRETE_ITERATIONS:
            cond = truth(self.eval(node.test, env))
            if cond is False:
                if node.orelse is not None:
                    self.exec_block(node.orelse.body, env)
                return
            if cond is None or isinstance(node.test, cst.Name):  # `while True` / `while flag`
                break
            exits = self.maybe_exits
            try:
                self.exec_block(node.body, env)
            except Exit as exit_:
                if exit_.kind == "break":
                    return
                if exit_.kind != "continue":
                    raise
            count += 1
            if self.maybe_exits != exits:
                break
        self.run_loop(node, env, [None, None] if count == 0 else [], exact=False)

    def run_loop(self, node: Union[cst.For, cst.While], env: Env,
                 values: Sequence[Optional[Value]], exact: bool) -> None:
        """Run the body once per value; an inexact loop then runs once more in maybe mode."""
        if not self.recording:
            # Already a pass whose facts are dropped: once is enough to unsettle the state.
            values, exact = values[:1], False
        broke = False
        positions = self.module.positions
        line = (positions.line_of(node) if positions else None) or 0
        for iteration, value in enumerate(values):
            if isinstance(node, cst.For) and value is not None:
                self.assign(node.target, value, env)
            self.loops.append((line, iteration))
            try:
                self.exec_block(node.body, env)
            except Exit as exit_:
                if exit_.kind == "break":
                    broke = True
                    break
                if exit_.kind != "continue":
                    raise
            finally:
                self.loops.pop()
        if not exact:
            with self.quietly():
                if isinstance(node, cst.For):
                    self.assign(node.target, Unknown(), env)
                self.contained_maybe([node.body], env)
        if node.orelse is not None and not broke:
            self.exec_block(node.orelse.body, env)

    def exec_With(self, node: cst.With, env: Env) -> None:
        if any(_expects_error(item.item) for item in node.items):
            self._run_expecting_error(node, env)
            return
        self._with_items(node, 0, env)

    def _with_items(self, node: cst.With, index: int, env: Env) -> None:
        """Enter `node.items[index:]` in order, then run the body."""
        if index == len(node.items):
            self.exec_block(node.body, env)
            return
        item = node.items[index]
        value = self.eval(item.item, env)

        def inside(bound: Value) -> None:
            if item.asname is not None:
                self.assign(item.asname.name, bound, env)
            self._with_items(node, index + 1, env)

        if isinstance(value, ContextCall):
            self._run_context_manager(value, inside)
            return
        token, bound = self.tf.enter_context(value, item.item)
        try:
            inside(bound)
        finally:
            self.tf.exit_context(token)

    def _run_context_manager(self, cm: ContextCall, inside: Callable[[Value], None]) -> None:
        """A `@contextmanager` function: replay it; at its `yield`, run the `with` body."""
        caller = (list(self.stack), list(self.active), self.invocation)
        caller_module, caller_statement = self.module, self.current
        fired = False

        def at_yield(value: Value) -> None:
            nonlocal fired
            fired = True
            inner = (self.stack, self.active, self.invocation)
            self.stack, self.active, self.invocation = list(caller[0]), list(caller[1]), caller[2]
            try:
                with self.in_module(caller_module):  # the body is the caller's code
                    self.current = caller_statement
                    inside(value)
            except Exit as exit_:  # `return` / `break` in the body leave the caller, not the helper
                raise _BodyExit(exit_) from None
            finally:
                self.stack, self.active, self.invocation = inner
        self.yield_hooks.append((at_yield, len(self.active) + 1))
        try:
            self.calls.call_function(cm.fn, cm.args, cm.kwargs, cm.call, replay_generator=True)
        except _BodyExit as escape:
            raise escape.exit from None
        finally:
            self.yield_hooks.pop()
        if not fired:  # no certain `yield` reached: the body runs in a scope we cannot see
            token, bound = self.tf.enter_unknown_context()
            try:
                inside(bound)
            finally:
                self.tf.exit_context(token)

    def reach_yield(self, value: Value) -> Value:
        """A `yield` in a `@contextmanager` being entered runs the `with` body once."""
        hooks = self.yield_hooks
        if hooks and hooks[-1][1] == len(self.active) and not self.tf.graph.maybe:
            hook = self.yield_hooks.pop()
            try:
                hook[0](value)
            finally:
                self.yield_hooks.append((_spent, -1))
        return Unknown()

    def _run_expecting_error(self, node: cst.With, env: Env) -> None:
        """`with self.assertRaises(...)` / `pytest.raises`: the code is meant to fail."""
        with self.quietly():
            self.contained_maybe([node.body], env)

    def exec_Try(self, node: Union[cst.Try, cst.TryStar], env: Env) -> None:
        """The body raises anywhere or nowhere. A handler that may fall through makes the
        body a branch: the graph state it wrote is uncertain in the handlers and after the
        `try` (names keep the body's values, so that `except ImportError:` importing the
        same module again leaves it known). Handlers that all leave (`raise`, `return`,
        `sys.exit()`) run quietly: the code after the `try` then runs only when the body ran
        to its end. What TF raises in the body is no finding only under a handler that
        swallows it (see `_swallows_tf_error`)."""
        catches = self._swallows_tf_error(node.handlers)
        catches_type = any(_catches(h, _CATCHING_TYPE) for h in node.handlers)
        through = not all(_leaves(h.body) for h in node.handlers)
        self.handling += catches
        self.catching_type_error += catches_type
        try:
            try:
                with self.branch(env, names=False) if through else nullcontext():
                    self.exec_block(node.body, env)
            finally:
                self.handling -= catches
                self.catching_type_error -= catches_type
        except Exit as exit_:
            if exit_.kind != "raise":
                raise
            self._handlers(node, through, env)
        else:
            self._handlers(node, through, env)
            if node.orelse is not None:
                self.exec_block(node.orelse.body, env)
        finally:
            if node.finalbody is not None:
                self.exec_block(node.finalbody.body, env)

    exec_TryStar = exec_Try

    def _swallows_tf_error(self, handlers: Sequence[_Handler]) -> bool:
        """Whether the handler that catches TF's ValueError (the first that does) hides it:
        one that raises, exits the program (`sys.exit(1)`) or returns out of its entry point
        does not, and what fails in the `try` is reported."""
        for handler in handlers:
            if _catches(handler, _CATCHING):
                how = _leaving(handler.body)
                return how not in ("raise", "exit") and not (how == "return"
                                                              and self._in_entry_point())
        return False

    def _in_entry_point(self) -> bool:
        """The code runs in a function the program's top level calls (`main()`, or
        `tf.app.run(main)`), outside loops: its `return` ends the program."""
        return (len(self.calling) == 1 and len(self.stack) == 1 and not self.imports.loading
                and not self.loops)

    def _handlers(self, node: Union[cst.Try, cst.TryStar], through: bool, env: Env) -> None:
        if through:
            self.maybe_blocks([h.body for h in node.handlers], env)
            return
        with self.quietly(), self.maybe():
            self.maybe_blocks([h.body for h in node.handlers], env)

    def exec_Match(self, node: cst.Match, env: Env) -> None:
        """`match` on a known value with literal or wildcard cases runs the case it picks;
        otherwise every case runs as an alternative."""
        subject = self.eval(node.subject, env)
        if isinstance(subject, Const):
            for case in node.cases:
                pattern = case.pattern
                if (case.guard is None and isinstance(pattern, cst.MatchAs)
                        and pattern.pattern is None):  # a wildcard
                    if pattern.name is not None:
                        self.assign(pattern.name, subject, env)
                    self.exec_block(case.body, env)
                    return
                if case.guard is not None or not isinstance(pattern, cst.MatchValue):
                    break
                value = self.eval(pattern.value, env)
                if not isinstance(value, Const):
                    break
                if value.value == subject.value:
                    self.exec_block(case.body, env)
                    return
            else:
                return  # no case matches
        self.maybe_blocks(node.cases, env)

    def _run_case(self, case: cst.MatchCase, env: Env) -> None:
        """A `case` that may match: its captures are unknown, its guard holds."""
        for name in _captures(case.pattern):
            self.assign(name, Unknown(), env)
        if case.guard is not None and truth(self.eval(case.guard, env)) is False:
            return
        self.exec_block(case.body, env)

    def havoc_compound(self, node: cst.BaseCompoundStatement, env: Env) -> None:
        """Statements scopelint does not follow: bodies in maybe mode."""
        blocks = [getattr(node, "body", None)]
        self.contained_maybe([b for b in blocks if isinstance(b, cst.BaseSuite)], env)

    # -- assignment -------------------------------------------------------------------

    def assign(self, target: cst.BaseExpression, value: Value, env: Env) -> None:
        if type(target) is cst.Name:  # not `isinstance`, for speed: see `cstwalk.statements`
            env.bind(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value.items if isinstance(value, Seq) else None
            elements = target.elements
            for i, element in enumerate(elements):
                if type(element) is cst.StarredElement:
                    self.assign(element.value, Unknown(), env)
                    continue
                item = items[i] if items is not None and len(items) == len(elements) else Unknown()
                self.assign(element.value, item, env)
        elif isinstance(target, cst.Attribute):
            self.set_attribute(self.eval(target.value, env), target.attr.value, value)
        elif isinstance(target, cst.Subscript):
            self.escaped.add([value])
            container = self.eval(target.value, env)
            if isinstance(container, (Seq, Mapping)):  # changed in place, wherever it is held
                expressions.forget_container(self, env, container)
            if isinstance(target.value, cst.Name):
                key = (self.eval(target.slice[0].slice.value, env)
                       if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index)
                       else Unknown())
                updated: Value = Unknown()
                if (isinstance(container, Mapping) and isinstance(key, Const)
                        and not self.tf.graph.maybe):
                    kept = [(k, v) for k, v in container.items if k != key.value]
                    updated = Mapping((*kept, (str(key.value), value)))
                env.rebind(target.value.value, updated)

    def delete(self, target: cst.BaseExpression, env: Env) -> None:
        """`del target`: a list or dict it deletes from is changed in place."""
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.delete(element.value, env)
        elif isinstance(target, cst.Subscript):
            container = self.eval(target.value, env)
            if isinstance(container, (Seq, Mapping)):
                expressions.forget_container(self, env, container)

    def set_attribute(self, owner: Value, name: str, value: Value) -> None:
        """`obj.name = value` on an instance or a class of the module."""
        if not isinstance(owner, (Instance, Class)):  # where `replace_container` cannot look
            self.escaped.add([value])
        if isinstance(owner, (Instance, Class)):
            self.effects += 1
            self.attribute_sets += 1
            if self.entry_recording is not None:
                self.entry_recording.note_set(owner)
            self.set_attribute_value(owner.attrs, name,
                                     value if not self.tf.graph.maybe else Unknown())

    def set_attribute_value(self, attrs: dict[str, Value], name: str, value: Value) -> None:
        """Set an attribute; in a branch, noting the value it had (see `alternatives`)."""
        if self.session.branch_writes.depth:
            self.attribute_writes.append((attrs, name, attrs.get(name)))
        attrs[name] = value

    # -- expressions ------------------------------------------------------------------

    def eval(self, node: cst.BaseExpression, env: Env) -> Value:
        return expressions.evaluate(self, node, env)


_Handler = Union[cst.ExceptHandler, cst.ExceptStarHandler]


class _BodyExit(Exception):
    """An `Exit` from a `with` body, carried through the context manager's replay."""

    def __init__(self, exit_: Exit) -> None:
        super().__init__(exit_.kind)
        self.exit = exit_


class _OnExit:
    """A context manager that calls `action` when its block ends, however it ends: a
    `@contextmanager` of `try: yield` / `finally: action()` without a generator made and
    run per use (the arms of every branch enter one)."""

    __slots__ = ("action",)

    def __init__(self, action: Callable[[], None]) -> None:
        self.action = action

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.action()


def _spent(value: Value) -> None:
    """A used yield hook: later `yield`s of the same replay do nothing."""


def _captures(pattern: cst.CSTNode) -> Iterator[cst.Name]:
    """The names a `case` pattern binds."""
    name = None
    if isinstance(pattern, (cst.MatchAs, cst.MatchStar)):
        name = pattern.name
    elif isinstance(pattern, cst.MatchMapping):
        name = pattern.rest
    if isinstance(name, cst.Name):
        yield name
    for child in pattern.children:
        yield from _captures(child)


def _chain(env: Optional[Env]) -> Iterator[Env]:
    """An environment and the ones enclosing it."""
    scope: Optional[Env] = env
    while scope is not None:
        yield scope
        scope = scope.parent


_CATCHING = frozenset({"ValueError", "Exception", "BaseException", "StandardError"})
_CATCHING_TYPE = frozenset({"TypeError", "Exception", "BaseException", "StandardError"})


def _catches(handler: _Handler, catching: frozenset[str]) -> bool:
    """`except:`, `except ValueError:`, `except (KeyError, Exception) as e:` ... for
    `catching` = the names of an exception class and its bases (`_CATCHING`)."""
    kind = handler.type
    if kind is None:
        return True
    names = kind.elements if isinstance(kind, cst.Tuple) else [kind]
    for name in names:
        node = name.value if isinstance(name, cst.Element) else name
        text = node.attr.value if isinstance(node, cst.Attribute) else getattr(node, "value", "")
        if text in catching:
            return True
    return False


_EXITS = frozenset({"sys.exit", "os._exit", "exit", "quit"})


def _leaving(body: cst.BaseSuite) -> Optional[str]:
    """How a block certainly leaves: by the first of its statements that does (`raise`,
    `return`, `break`, `continue`, or a call of `sys.exit` and the like: "exit"), else None."""
    for stmt in statements(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Raise, cst.Return, cst.Break, cst.Continue)):
                return type(small).__name__.lower()
            if (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
                    and dotted(small.value.func) in _EXITS):
                return "exit"
    return None


def _leaves(body: cst.BaseSuite) -> bool:
    """The block certainly leaves (see `_leaving`): nothing after it runs."""
    return _leaving(body) is not None


def _expects_error(expr: cst.BaseExpression) -> bool:
    """`assertRaises*(...)`, `pytest.raises(...)`: a block that expects an exception."""
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    return isinstance(name, str) and (name.startswith("assertRaises") or name == "raises")


# Decorators that leave a function callable as written (their effect is modelled, or nil).
KNOWN_DECORATORS = frozenset({
    "property", "staticmethod", "classmethod", "contextmanager", "abstractmethod",
    "abstractproperty", "wraps", "add_arg_scope", "overload", "override",
})


def _decorator_name(expr: cst.BaseExpression) -> str:
    """`property`, `contextlib.contextmanager`, `functools.wraps(f)` → its last name."""
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return expr.value if isinstance(expr, cst.Name) else ""


def run_program(source: SourceFile, project: Optional[Project], session: Session,
                settings: ProjectSettings = ProjectSettings(),
                hooks: Optional[Hooks] = None) -> ModuleFacts:
    """Replay a file as the program's `__main__` and return the facts it produces.

    With a `project`, the project modules it imports are followed; without, every
    import other than TF's stays unknown. `session` holds what the run keeps between
    files (and is `project.session` when there is one); `hooks`, the rules' detections run
    at TF API calls.
    """
    # A script inside a package resolves its relative imports as under `python -m`.
    name = project.entry_name if project is not None else "__main__"
    # As an imported module: the bodies of functions that never run (those that can reach
    # no fact are not replayed, see `FunctionReplay.run_uncalled`) are never handed to libcst.
    with session.active():
        if source.tree() is not None:
            source.parsed(settings.shortcuts, settings.shortcuts, keep=True)
        entry = ModuleState.of(name, source.path, False, source, "__main__",
                               session.outer_writes, lazy=settings.shortcuts,
                               either=settings.shortcuts)
        interpreter = Interpreter(entry, project, session, settings, hooks)
        try:
            tree = source.tree()
            if tree is not None and assumes_tf(tree):
                entry.globals.vars["tf"] = module_value("tensorflow")
                interpreter.facts.assumed_tf = True
            return interpreter.run()
        finally:
            interpreter.close()
