"""`with` items: name scopes, variable scopes, graphs, arg scopes, unknown context managers.

Part of the TF model (see `tf_model`), mirroring `variable_scope._enter_scope_uncached`
and `_pure_variable_scope`; `reuse_variables()` lives here too.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from typing import Iterator, Optional

import libcst as cst

from scopelint.engine import validity
from scopelint.engine.arguments import bind_args, dtype_of, is_none
from scopelint.engine.cstwalk import reads_name
from scopelint.engine.graph import Frame, VarScope, or_reuse
from scopelint.engine.protocols import Replay, TFCore
from scopelint.engine.symbols import hole, is_known, known_parts, pattern
from scopelint.engine.values import (
    Args,
    Benign,
    Const,
    ScopeManager,
    ScopeRef,
    TFObject,
    Unknown,
    Value,
    reuse_of,
    to_text,
    truth,
)
from scopelint.facts import (
    IgnoredReuseFact,
    InvalidNameFact,
    Location,
    Reuse,
    ReuseCallFact,
    ScopeFact,
)


class Scopes:
    """Entering and leaving scopes, in the TF model's graph."""

    def __init__(self, tf: TFCore, py: Replay) -> None:
        self.tf = tf
        self.py = py

    def scope_manager(self, path: str, args: list[Value], kwargs: Args,
                      node: cst.Call) -> Value:
        bound = bind_args(path, args, kwargs)
        name = bound.get("name_or_scope", bound.get("name", Const(None)))
        return ScopeManager(path, self.py.loc(node), name, bound.get("default_name", Const(None)),
                            bound.get("reuse", Const(None)),
                            bound.get("auxiliary_name_scope", Const(True)),
                            written_false=_writes_reuse_false(node),
                            dtype=bound.get("dtype", Const(None)),
                            partitioner=bound.get("partitioner", Const(None)),
                            passes_reuse=bound.spread or "reuse" in bound)

    def enter_context(self, value: Value,
                      node: cst.BaseExpression) -> tuple[Optional[Frame], Value]:
        if isinstance(value, ScopeManager):
            if value.kind == "name_scope":
                return self.enter_name_scope(value)
            return self.enter_variable_scope(value)
        if isinstance(value, TFObject) and value.path == "ArgScope":
            self.tf.arg_scopes.append(value)
            return Frame(self.tf.graph, "arg_scope"), Unknown()
        if isinstance(value, TFObject) and value.path == "GraphContext":
            graph = value.state["graph"]
            frame = Frame(self.tf.graph, "graph")
            self.tf.graph = graph
            # `as g` binds the graph of `g.as_default()`, not a session's
            bound = Unknown() if value.state.get("session") else TFObject("Graph", state={
                "graph": graph})
            return frame, bound
        if isinstance(value, Benign):
            return None, Unknown()
        return self.enter_unknown_context()

    def enter_unknown_context(self) -> tuple[Frame, Value]:
        """A context manager scopelint cannot see into may enter any scope, with any reuse."""
        graph = self.tf.graph
        frame = Frame(graph, "unknown")
        graph.name_stack = hole()
        graph.scope = VarScope(hole(), Reuse.UNKNOWN, graph.name_stack + "/", dtype=None)
        self.tf.scope_frames.append(("unknown", self.py.invocation, ""))
        return frame, Unknown()

    def exit_context(self, frame: Optional[Frame]) -> None:
        if frame is None:
            return
        if frame.kind == "graph":
            self.tf.graph = frame.graph
            return
        if frame.kind == "arg_scope":
            self.tf.arg_scopes.pop()
            return
        graph = self.tf.graph
        graph.name_stack = frame.name_stack
        graph.scope = frame.scope
        if frame.undo is not None:
            frame.undo()
        self.tf.scope_frames.pop()

    def enter_name_scope(self, mgr: ScopeManager) -> tuple[Frame, Value]:
        graph = self.tf.graph
        frame = Frame(graph, "name_scope")
        name = mgr.name if not is_none(mgr.name) else mgr.default_name
        text = None if is_none(name) or truth(name) is False else to_text(name)  # `0`: root
        if text:
            self.check_scope_name(text, mgr.loc)
        graph.enter_name_scope(text)
        self.tf.scope_frames.append(("name_scope", self.py.invocation, pattern(text or "")))
        self.record_scope(mgr, "name_scope", graph.scope.reuse, graph.scope.reuse)
        returned = graph.name_stack + "/" if graph.name_stack else ""
        return frame, Const(returned)

    @contextmanager
    def library_scope(self, node: cst.Call, name: Value, default_name: Value = Const(None),
                      reuse: Value = Const(None), auxiliary: bool = True) -> Iterator[Value]:
        """`with variable_scope(name, default_name, reuse=...)` run by a library call: the
        same bookkeeping as user code, without a scope fact of its own."""
        mgr = ScopeManager("variable_scope", self.py.loc(node), name, default_name, reuse,
                           Const(auxiliary))
        frame, scope = self.enter_variable_scope(mgr, internal=True)
        try:
            yield scope
        finally:
            self.exit_context(frame)

    def capture_scope(self, node: cst.Call, name: Value,
                      default_name: Value = Const(None)) -> Value:
        """`with variable_scope(name, default_name) as scope: pass`, for a layer to keep."""
        with self.library_scope(node, name, default_name) as scope:
            return scope

    def enter_variable_scope(self, mgr: ScopeManager,
                             internal: bool = False) -> tuple[Frame, Value]:
        graph = self.tf.graph
        frame = Frame(graph, "variable_scope")
        old = graph.scope
        reuse_arg = reuse_of(mgr.reuse)
        auxiliary = truth(mgr.auxiliary) is not False
        target = mgr.name
        if isinstance(target, ScopeRef):
            captured = target.scope
            short = captured.name.split("/")[-1]
            if auxiliary and short:
                graph.enter_name_scope(short)
            reuse = captured.reuse if reuse_arg is Reuse.NO else reuse_arg
            graph.open_scope_count(captured.name)
            saved_counts = dict(graph.scope_counts)
            graph.scope = VarScope(captured.name, reuse, captured.original_name_scope,
                                   root=captured.root, dtype=_scope_dtype(mgr, captured),
                                   partitioned=_partitioned(mgr, captured))

            def undo() -> None:
                graph.scope_counts = saved_counts
            frame.undo = undo
            inherited = captured.reuse
        else:
            if is_none(target):
                if is_none(mgr.default_name):
                    return self._unknown_scope(frame, mgr)
                default = to_text(mgr.default_name)
                if auxiliary:
                    self.check_scope_name(default, mgr.loc)
                    graph.enter_name_scope(default)
                short = graph.unique_scope_name(default)
                reuse_arg = Reuse.NO
            else:
                short = to_text(target)
                if auxiliary and short:
                    self.check_scope_name(short, mgr.loc)
                    graph.enter_name_scope(short)
            new_name = f"{old.name}/{short}" if old.name else short
            reuse = or_reuse(reuse_arg, old.reuse)
            name_scope = graph.name_stack + "/" if graph.name_stack else ""
            graph.scope = VarScope(new_name, reuse, name_scope, dtype=_scope_dtype(mgr, old),
                                   partitioned=_partitioned(mgr, old))
            graph.open_scope_count(new_name)
            frame.undo = lambda: graph.close_subscopes(new_name)
            inherited = old.reuse
        if not internal:
            self.note_ignored_reuse(mgr)
        self.tf.scope_frames.append(("variable_scope", self.py.invocation, ""))
        if not internal:
            self.record_scope(mgr, "variable_scope", graph.scope.reuse, inherited,
                              mgr.written_false)
        return frame, ScopeRef(graph.scope)

    def _unknown_scope(self, frame: Frame, mgr: ScopeManager) -> tuple[Frame, Value]:
        """`variable_scope(None)` without a default name: TF raises TypeError; stay silent."""
        self.tf.scope_frames.append(("variable_scope", self.py.invocation, ""))
        return frame, ScopeRef(self.tf.graph.scope)

    def check_scope_name(self, text: str, loc: Location) -> None:
        """`Graph.name_scope(text)`: TF raises on a name outside its patterns."""
        stack = self.tf.graph.name_stack
        # a stack with a known character is not the root; one of holes only may be
        self.check_name(text, loc, True if stack == "" else False if known_parts(stack) else None)

    def check_name(self, text: str, loc: Location, root: Optional[bool]) -> None:
        """Record a name TF rejects (`root`: checked at the root; None: maybe at the root)."""
        if self.py.recording and not self.py.handling and validity.rejected(text, root is True):
            self.tf.facts.invalid_names.append(InvalidNameFact(
                loc, pattern(text), root, len(self.tf.facts.variables), self.py.call_stack()))

    def note_ignored_reuse(self, mgr: ScopeManager) -> None:
        """The outermost `variable_scope` of a function that takes `reuse` and never reads it."""
        if not self.py.recording or mgr.passes_reuse or not self.py.calling or not self.py.active:
            return
        fn = self.py.calling[-1]
        if self.py.active[-1] is not fn.node or any(
                kind == "variable_scope" and invocation == self.py.invocation
                for kind, invocation, _ in self.tf.scope_frames):
            return
        if not self.ignores_reuse(fn.node):
            return
        passed = reuse_of(self.py.call_envs[-1].vars.get("reuse", Const(None)))
        caller = self.py.stack[-1] if self.py.stack and passed in (Reuse.YES, Reuse.AUTO) else None
        self.tf.facts.ignored_reuse.append(IgnoredReuseFact(
            mgr.loc, fn.node.name.value, caller, self.py.call_stack()))

    def ignores_reuse(self, node: cst.FunctionDef) -> bool:
        """A `reuse` parameter the body never reads, in a function no unknown decorator wraps."""
        found = self.tf.reuse_ignored.get(id(node))
        if found is None:
            params = node.params
            names = {p.name.value for p in (*params.posonly_params, *params.params,
                                            *params.kwonly_params)}
            found = ("reuse" in names and all(_known_decorator(d) for d in node.decorators)
                     and not any(reads_name(self.py.full_def(node).body, n)
                                 for n in ("reuse", "locals", "vars")))
            self.tf.reuse_ignored[id(node)] = found
        return found

    def record_scope(self, mgr: ScopeManager, kind: str, reuse: Reuse, inherited: Reuse,
                     explicit_false: bool = False) -> None:
        if not self.py.recording:
            return
        self.tf.facts.scopes.append(ScopeFact(
            mgr.loc, kind, pattern(self.tf.graph.name_stack),
            pattern(self.tf.graph.scope.name), reuse, explicit_false, inherited,
            self.py.call_stack()))

    def reuse_variables(self, scope: VarScope, node: cst.Call) -> None:
        graph = self.tf.graph
        on_root: Optional[bool] = scope is graph.root
        if on_root and not is_known(scope.name):
            on_root = None  # the caller's scope, in a function replayed without a caller
        if scope.root and scope is graph.root and self.tf.graph.maybe == 0:
            scope.origin = self.py.loc(node)
        graph.set_reuse(scope, Reuse.YES)
        if self.py.recording:
            self.tf.facts.reuse_calls.append(ReuseCallFact(
                self.py.loc(node), on_root if scope.root else False, pattern(scope.name),
                self.py.call_stack(), leaves_call=graph.created_in != self.py.invocation,
                known_caller=graph.known_context))
            self.tf.pending_reuse.append((len(self.tf.facts.reuse_calls) - 1, self.py.invocation))

    def note_variable_use(self) -> None:
        """Variables are requested: the reuse_variables() calls still in scope were meant
        for them (a discriminator's own layers), not just to switch reuse on for later."""
        for index, _ in self.tf.pending_reuse:
            self.tf.facts.reuse_calls[index] = replace(self.tf.facts.reuse_calls[index],
                                                       used_after=True)
        self.tf.pending_reuse.clear()


def _known_decorator(decorator: cst.Decorator) -> bool:
    """`@staticmethod`, `@property` ...: decorators that cannot read the call's `reuse`."""
    expr = decorator.decorator
    return isinstance(expr, cst.Name) and expr.value in ("staticmethod", "classmethod",
                                                          "property", "abstractmethod")


def _writes_reuse_false(node: cst.Call) -> bool:
    """The call spells `reuse=False` itself (not a parameter that happens to be False)."""
    return any(arg.keyword is not None and arg.keyword.value == "reuse"
               and isinstance(arg.value, cst.Name) and arg.value.value == "False"
               for arg in node.args)


def _scope_dtype(mgr: ScopeManager, parent: VarScope) -> Optional[str]:
    """A variable scope's default dtype: `dtype=` if given, else its parent's."""
    return parent.dtype if is_none(mgr.dtype) else dtype_of(mgr.dtype)


def _partitioned(mgr: ScopeManager, parent: VarScope) -> bool:
    """Whether get_variable here splits variables: a `partitioner=` here or above."""
    return parent.partitioned or not is_none(mgr.partitioner)
