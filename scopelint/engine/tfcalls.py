"""What each TF1 API call does to the simulated graph, and the facts it records.

A mixin of the interpreter: `tf_call` handles `tf.X(...)`, `tf_method` handles
methods of TF objects, `enter_context`/`exit_context` handle `with` items.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

import libcst as cst

from scopelint.engine import tfapi
from scopelint.engine.model import Graph, Request, VarScope, or_reuse
from scopelint.engine.symbols import ANY, hole, is_known, matcher, pattern
from scopelint.engine.values import (
    Args,
    Benign,
    Const,
    Env,
    Function,
    ScopeManager,
    ScopeRef,
    Seq,
    Tensor,
    TFObject,
    TFRef,
    Unknown,
    Value,
    Variable,
    const_str,
    reuse_of,
    to_text,
    truth,
)
from scopelint.facts import (
    CallStack,
    Location,
    ModuleFacts,
    NameRefFact,
    Outcome,
    Reuse,
    ReuseCallFact,
    ScopeFact,
    VariableFact,
)

SIGNATURES: dict[str, tuple[str, ...]] = {
    "variable_scope": ("name_or_scope", "default_name", "values", "initializer", "regularizer",
                       "caching_device", "partitioner", "custom_getter", "reuse", "dtype",
                       "use_resource", "constraint", "auxiliary_name_scope"),
    "name_scope": ("name", "default_name", "values"),
    "get_variable": ("name", "shape", "dtype", "initializer"),
    "Variable": ("initial_value", "trainable", "collections", "validate_shape",
                 "caching_device", "name", "variable_def", "dtype"),
    "get_collection": ("key", "scope"),
    "get_tensor_by_name": ("name",),
    "get_operation_by_name": ("name",),
    "minimize": ("loss", "global_step", "var_list"),
    "apply_gradients": ("grads_and_vars", "global_step", "name"),
    "apply": ("var_list",),
    "cell": ("activation", "reuse", "name"),
    "dynamic_rnn": ("cell", "inputs", "sequence_length", "initial_state", "dtype",
                    "parallel_iterations", "swap_memory", "time_major", "scope"),
    "static_rnn": ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope"),
    "bidirectional_dynamic_rnn": ("cell_fw", "cell_bw", "inputs", "sequence_length",
                                  "initial_state_fw", "initial_state_bw", "dtype",
                                  "parallel_iterations", "swap_memory", "time_major", "scope"),
    "static_bidirectional_rnn": ("cell_fw", "cell_bw", "inputs", "initial_state_fw",
                                 "initial_state_bw", "dtype", "sequence_length", "scope"),
    "ExponentialMovingAverage": ("decay", "num_updates", "zero_debias", "name"),
}


def bind_args(api: str, args: list[Value], kwargs: dict[str, Value]) -> Args:
    """Map a TF call's arguments to parameter names."""
    bound = Args(dict(zip(SIGNATURES.get(api, ()), args)), getattr(kwargs, "spread", False))
    bound.update(kwargs)
    return bound


class _Frame:
    """What to undo when a `with` item exits."""

    __slots__ = ("graph", "name_stack", "scope", "undo", "kind")

    def __init__(self, graph: Graph, kind: str, undo: Optional[Callable[[], None]] = None) -> None:
        self.graph = graph
        self.name_stack = graph.name_stack
        self.scope = graph.scope
        self.undo = undo
        self.kind = kind


class TFCalls:
    """TF API semantics for the interpreter (see interpreter.Interpreter)."""

    graph: Graph
    facts: ModuleFacts
    recording: bool
    invocation: int
    scope_frames: list[tuple[str, int, str]]
    handling: int
    pending_reuse: list[tuple[int, int]]  # (reuse_calls index, invocation) not yet used
    arg_scopes: int  # depth of slim arg_scope blocks, which may set any layer argument
    loc: Callable[[cst.CSTNode], Location]
    call_stack: Callable[[], CallStack]
    call_function: Callable[..., Value]

    # -- dispatch ---------------------------------------------------------------------

    def tf_call(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        leaf = path.rsplit(".", 1)[-1]
        handler = _CALLS.get(path)
        if handler is not None:
            return handler(self, path, args, kwargs, node)
        if path.startswith("layers.") and (leaf in tfapi.LAYERS
                                           or leaf in tfapi.NO_VARIABLE_LAYERS):
            return self.functional_layer(leaf, kwargs, node)
        if path.startswith("layers.") and leaf in tfapi.LAYER_CLASSES:
            return TFObject(path, kwargs, {"kind": tfapi.LAYER_CLASSES[leaf]})
        if path.startswith("nn.rnn_cell.") and leaf in tfapi.CELLS:
            return TFObject(path, bind_args("cell", args[1:], kwargs), {"kind": leaf})
        if path.startswith("nn.") and leaf in tfapi.RNNS:
            return self.rnn(leaf, args, kwargs, node)
        if path.startswith("train.") and (leaf in tfapi.SLOT_OPTIMIZERS
                                          or leaf in tfapi.PLAIN_OPTIMIZERS):
            return TFObject(path, kwargs, {"minimized": False})
        if path.startswith(tfapi.SLIM_NAMESPACES):
            if leaf in tfapi.SLIM_LAYERS:
                return self.slim_layer(leaf, kwargs, node)
            if leaf == "arg_scope":
                return TFObject("ArgScope")
        self.record_name_lookup(leaf, args, kwargs, node)
        if tfapi.creates_opaquely(path) and leaf not in tfapi.SLIM_PURE:
            self.opaque_call()
            if path.startswith("train."):
                self.graph.slots_unknown = True
            return Unknown()
        self.mark_op_name(kwargs, tfapi.OP_NAMES.get(path))
        return Tensor()

    def scope_manager(self, path: str, args: list[Value], kwargs: Args,
                      node: cst.Call) -> Value:
        bound = bind_args(path, args, kwargs)
        name = bound.get("name_or_scope", bound.get("name", Const(None)))
        return ScopeManager(path, self.loc(node), name, bound.get("default_name", Const(None)),
                            bound.get("reuse", Const(None)),
                            bound.get("auxiliary_name_scope", Const(True)),
                            written_false=_writes_reuse_false(node),
                            dtype=bound.get("dtype", Const(None)))

    def default_graph(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        return TFObject("Graph", state={"graph": self.graph if path != "Graph" else None})

    def reset_graph(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        self.graph = Graph()
        return Const(None)

    def global_step(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.train.get_or_create_global_step()`: get_variable in the current scope, once."""
        graph = self.graph
        taken = graph.names_in_use.get("global_step") or any(
            matcher(u, True).fullmatch("global_step") for u in graph.unsure_names)
        if graph.has_global_step or taken:  # it finds the existing `global_step:0` by name
            return Unknown()
        graph.has_global_step = True
        self.get_variable(Args({"name": Const("global_step"), "shape": Seq(()),
                                "dtype": TFRef("int64")}), node, path)
        return Unknown()

    def app_run(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.app.run(main)`: the program's entry point runs `main(argv)`."""
        main = kwargs.get("main", args[0] if args else Unknown())
        if isinstance(main, Function):
            self.call_function(main, [Unknown()], {}, node)
        return Unknown()

    def tf_method(self, owner: Value, name: str, args: list[Value],
                  kwargs: dict[str, Value], node: cst.Call) -> Value:
        if isinstance(owner, ScopeRef):
            if name == "reuse_variables":
                self.reuse_variables(owner.scope, node)
            return Unknown()
        assert isinstance(owner, TFObject)
        kind = owner.path.rsplit(".", 1)[-1]
        if owner.path == "Graph":
            if name == "as_default":
                return TFObject("GraphContext", state=owner.state)
            if name == "name_scope" and owner.state.get("graph") is self.graph:
                return self.scope_manager(name, args, kwargs, node)
            self.record_name_lookup(name, args, kwargs, node)
            return Benign()
        if name in ("minimize", "apply_gradients") and owner.path.startswith("train."):
            return self.optimizer_slots(owner, kind, name, node)
        if name == "apply" and kind == "ExponentialMovingAverage":
            return self.moving_average(owner, node)
        if name == "__call__" and "kind" in owner.state:
            return self.layer_object_call(owner, node)
        return Unknown()

    def opaque_call(self) -> None:
        """A call scopelint cannot follow: it may make variables and ops with any name."""
        self.graph.mark_store_unknown()
        if self.recording:
            self.facts.unknown_names.add(pattern(self.graph.full_name(ANY)))
            self.note_variable_use()

    def mark_op_name(self, kwargs: dict[str, Value], default: Optional[str] = None) -> None:
        """An op takes its `name=...`, or its default name, in the current name scope."""
        name = kwargs.get("name")
        if name is None or (isinstance(name, Const) and name.value is None):
            if default:
                self.graph.unique_name(default)
            return
        text = const_str(name)
        if text:
            real = self.graph.unique_name(text)
            if is_known(real):
                self.facts.op_names.add(real)
        elif not (isinstance(name, Const) and name.value is None):
            self.graph.mark_names_unknown()

    # -- with items -------------------------------------------------------------------

    def enter_context(self, value: Value,
                      node: cst.BaseExpression) -> tuple[Optional[_Frame], Value]:
        if isinstance(value, ScopeManager):
            if value.kind == "name_scope":
                return self.enter_name_scope(value)
            return self.enter_variable_scope(value)
        if isinstance(value, TFObject) and value.path == "ArgScope":
            self.arg_scopes += 1
            return _Frame(self.graph, "arg_scope"), Unknown()
        if isinstance(value, TFObject) and value.path == "GraphContext":
            graph = value.state.get("graph") or Graph()
            value.state["graph"] = graph
            frame = _Frame(self.graph, "graph")
            self.graph = graph
            return frame, Unknown()
        if isinstance(value, Benign):
            return None, Unknown()
        return self.enter_unknown_context()

    def enter_unknown_context(self) -> tuple[_Frame, Value]:
        """A context manager scopelint cannot see into may enter any scope, with any reuse."""
        graph = self.graph
        frame = _Frame(graph, "unknown")
        graph.name_stack = hole()
        graph.scope = VarScope(hole(), Reuse.UNKNOWN, graph.name_stack + "/", dtype=None)
        self.scope_frames.append(("unknown", self.invocation, ""))
        return frame, Unknown()

    def exit_context(self, frame: Optional[_Frame]) -> None:
        if frame is None:
            return
        if frame.kind == "graph":
            self.graph = frame.graph
            return
        if frame.kind == "arg_scope":
            self.arg_scopes -= 1
            return
        graph = self.graph
        graph.name_stack = frame.name_stack
        graph.scope = frame.scope
        if frame.undo is not None:
            frame.undo()
        self.scope_frames.pop()

    def enter_name_scope(self, mgr: ScopeManager) -> tuple[_Frame, Value]:
        graph = self.graph
        frame = _Frame(graph, "name_scope")
        name = mgr.name if not _is_none(mgr.name) else mgr.default_name
        text = None if _is_none(name) else to_text(name)
        graph.enter_name_scope(text)
        self.scope_frames.append(("name_scope", self.invocation, pattern(text or "")))
        self.record_scope(mgr, "name_scope", graph.scope.reuse, graph.scope.reuse)
        returned = graph.name_stack + "/" if graph.name_stack else ""
        return frame, Const(returned)

    def enter_variable_scope(self, mgr: ScopeManager,
                             internal: bool = False) -> tuple[_Frame, Value]:
        graph = self.graph
        frame = _Frame(graph, "variable_scope")
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
                                   root=captured.root, dtype=_scope_dtype(mgr, captured))

            def undo() -> None:
                graph.scope_counts = saved_counts
            frame.undo = undo
            inherited = captured.reuse
        else:
            if _is_none(target):
                if _is_none(mgr.default_name):
                    return self._unknown_scope(frame, mgr)
                default = to_text(mgr.default_name)
                if auxiliary:
                    graph.enter_name_scope(default)
                short = graph.unique_scope_name(default)
                reuse_arg = Reuse.NO
            else:
                short = to_text(target)
                if auxiliary and short:
                    graph.enter_name_scope(short)
            new_name = f"{old.name}/{short}" if old.name else short
            reuse = or_reuse(reuse_arg, old.reuse)
            name_scope = graph.name_stack + "/" if graph.name_stack else ""
            graph.scope = VarScope(new_name, reuse, name_scope, dtype=_scope_dtype(mgr, old))
            graph.open_scope_count(new_name)
            frame.undo = lambda: graph.close_subscopes(new_name)
            inherited = old.reuse
        self.scope_frames.append(("variable_scope", self.invocation, ""))
        if not internal:
            self.record_scope(mgr, "variable_scope", graph.scope.reuse, inherited,
                              mgr.written_false)
        return frame, ScopeRef(graph.scope)

    def _unknown_scope(self, frame: _Frame, mgr: ScopeManager) -> tuple[_Frame, Value]:
        """`variable_scope(None)` without a default name: TF raises TypeError; stay silent."""
        self.scope_frames.append(("variable_scope", self.invocation, ""))
        return frame, ScopeRef(self.graph.scope)

    def record_scope(self, mgr: ScopeManager, kind: str, reuse: Reuse, inherited: Reuse,
                     explicit_false: bool = False) -> None:
        if not self.recording:
            return
        self.facts.scopes.append(ScopeFact(
            mgr.loc, kind, pattern(self.graph.name_stack),
            pattern(self.graph.scope.name), reuse, explicit_false, inherited,
            self.call_stack()))

    # -- variables --------------------------------------------------------------------

    def get_variable(self, bound: dict[str, Value], node: cst.Call,
                     api: str = "get_variable") -> Value:
        graph = self.graph
        name = to_text(bound.get("name", Unknown()))
        written = bound.get("dtype")
        dtype = _dtype(written) if written is not None else graph.scope.dtype
        # Without `dtype`, an initializer (a tensor, say) may decide the new variable's dtype.
        made = dtype if written is not None or bound.get("initializer") is None else None
        request = graph.get_variable(name, self.loc(node), self.call_stack(),
                                     _shape(bound.get("shape")), dtype, made)
        expected = None
        if (self.scope_frames and self.scope_frames[-1][:2] == ("name_scope", self.invocation)
                and graph.name_stack and graph.name_stack != graph.scope.name
                and _literal_name(node)):
            expected = f"{graph.name_stack}/{name}"
        self.record_request(node, api, request, expected)
        return Variable(_with_port(request.name))

    def record_request(self, node: cst.Call, api: str, request: Request,
                       expected: Optional[str] = None) -> None:
        if not self.recording:
            return
        self.note_variable_use()
        existing = request.existing
        name = _with_port(request.name)
        if self.handling and request.outcome in _ERRORS:
            # TF raises, and the surrounding `try` catches it: no finding, no variable.
            request = Request(request.key, None, Outcome.UNKNOWN, request.reuse)
            name = existing = None
        self.facts.variables.append(VariableFact(
            self.loc(node), api, name if name and is_known(name) else None,
            pattern(name or "…"), request.outcome, request.reuse, self.call_stack(),
            self._ignored_name_scope() if expected else None,
            pattern(expected + ":0") if expected else None, existing.loc if existing else None,
            existing.stack if existing else (), request.detail,
            self.reuse_origin(request), pattern(request.key), self.graph.serial))

    def _ignored_name_scope(self) -> str:
        """The name scope a get_variable ignores: its full name, or as written when unknown."""
        stack = self.graph.name_stack
        return stack if is_known(stack) else self.scope_frames[-1][2]

    def reuse_origin(self, request: Request) -> Optional[Location]:
        """The root `reuse_variables()` call that made this request reuse, if any."""
        root = self.graph.root
        if root.origin is not None and root.reuse is Reuse.YES and request.reuse is Reuse.YES:
            return root.origin
        return None

    def make_variable(self, bound: dict[str, Value], node: cst.Call) -> Value:
        name_value = bound.get("name", Const(None))
        if const_str(name_value) == "":
            # `name=""` resets to the root name scope and takes the op's type name.
            saved, self.graph.name_stack = self.graph.name_stack, ""
            try:
                return Variable(self.new_variable(node, "Variable", "VariableV2"))
            finally:
                self.graph.name_stack = saved
        base = "Variable" if _is_none(name_value) else to_text(name_value)
        return Variable(self.new_variable(node, "Variable", base))

    def new_variable(self, node: cst.Call, api: str, base: str) -> str:
        """A `tf.Variable`: named in the current name scope, uniquified, never reused.

        Its `key` is what `get_variable` would have used: the variable-scope name.
        """
        graph = self.graph
        text = graph.unique_name(base) + ":0"
        if self.recording:
            reuse = graph.scope.reuse
            self.facts.variables.append(VariableFact(
                self.loc(node), api, text if is_known(text) else None, pattern(text),
                Outcome.CREATE, reuse, self.call_stack(),
                reuse_origin=self.reuse_origin(Request("", None, Outcome.CREATE, reuse)),
                key=pattern(graph.full_name(base)), graph=graph.serial))
        return text

    def reuse_variables(self, scope: VarScope, node: cst.Call) -> None:
        graph = self.graph
        on_root: Optional[bool] = scope is graph.root
        if on_root and not is_known(scope.name):
            on_root = None  # the caller's scope, in a function replayed without a caller
        if scope.root and scope is graph.root and self.graph.maybe == 0:
            scope.origin = self.loc(node)
        graph.set_reuse(scope, Reuse.YES)
        if self.recording:
            self.facts.reuse_calls.append(ReuseCallFact(
                self.loc(node), on_root if scope.root else False, pattern(scope.name),
                self.call_stack()))
            self.pending_reuse.append((len(self.facts.reuse_calls) - 1, self.invocation))

    def note_variable_use(self) -> None:
        """Variables are requested: the reuse_variables() calls still in scope were meant
        for them (a discriminator's own layers), not just to switch reuse on for later."""
        for index, _ in self.pending_reuse:
            self.facts.reuse_calls[index] = replace(self.facts.reuse_calls[index],
                                                    used_after=True)
        self.pending_reuse.clear()

    # -- library calls that make variables ------------------------------------------------

    def functional_layer(self, kind: str, kwargs: dict[str, Value], node: cst.Call) -> Value:
        """`tf.layers.dense(...)` etc.: build a layer object and call it once."""
        layer = TFObject("layers." + kind, kwargs, {"kind": kind, "functional": True})
        name = kwargs.get("name", Const(None))
        if not _is_none(name):
            # Layer.__init__: `with vs(name) as captured: self._scope = captured`.
            frame, captured = self.enter_variable_scope(
                ScopeManager("variable_scope", self.loc(node), name, Const(None), Const(None),
                             Const(True)),
                internal=True)
            self.exit_context(frame)
            layer.state["scope"] = captured
        return self.layer_object_call(layer, node)

    def layer_object_call(self, layer: TFObject, node: cst.Call) -> Value:
        """`Layer.__call__`: the first call picks the scope and gets each weight in it;
        later calls use the weights already built."""
        if layer.state.get("built"):
            return Unknown()
        layer.state["built"] = True
        kind = layer.state["kind"]
        base, weights = tfapi.LAYERS.get(kind) or tfapi.CELLS.get(kind) or (kind, ())
        reuse_value = layer.args.get("reuse", Const(None))
        loc = self.loc(node)
        if "scope" not in layer.state:
            name = layer.args.get("name", Const(None))
            base_name = Const(base) if _is_none(name) else name
            if reuse_of(reuse_value) in (Reuse.YES, Reuse.AUTO):  # `_set_scope`: exact name
                mgr = ScopeManager("variable_scope", loc, base_name, Const(None), Const(None),
                                   Const(True))
            else:  # a default name, made unique: `dense`, `dense_1`
                mgr = ScopeManager("variable_scope", loc, Const(None), base_name, Const(None),
                                   Const(True))
            frame, captured = self.enter_variable_scope(mgr, internal=True)
            self.exit_context(frame)
            layer.state["scope"] = captured
        frame, _ = self.enter_variable_scope(ScopeManager(
            "variable_scope", loc, layer.state["scope"], Const(None), reuse_value, Const(False)),
            internal=True)
        try:
            for weight in _layer_weights(kind, weights, layer.args):
                request = self.graph.get_variable(weight, loc, self.call_stack(), None, None)
                self.record_request(node, layer.path, request)
        finally:
            self.exit_context(frame)
        return Unknown()

    def rnn(self, kind: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.nn.dynamic_rnn(cell, ...)`: the cell builds in `variable_scope(scope or "rnn")`;
        the bidirectional forms build `cell_fw` and `cell_bw` in its `fw` and `bw` scopes."""
        bound = bind_args(kind, args, kwargs)
        scope = bound.get("scope", Const(None))
        outer = ScopeManager("variable_scope", self.loc(node),
                             Const(tfapi.RNNS[kind]) if _is_none(scope) else scope,
                             Const(None), Const(None), Const(True))
        cells = [("", bound.get("cell"))] if "cell" in SIGNATURES[kind] else [
            ("fw", bound.get("cell_fw")), ("bw", bound.get("cell_bw"))]
        frame, _ = self.enter_variable_scope(outer, internal=True)
        try:
            for direction, cell in cells:
                inner = None
                if direction:
                    inner, _ = self.enter_variable_scope(ScopeManager(
                        "variable_scope", outer.loc, Const(direction), Const(None), Const(None),
                        Const(True)), internal=True)
                if isinstance(cell, TFObject) and cell.state.get("kind") in tfapi.CELLS:
                    self.layer_object_call(cell, node)
                else:
                    self.opaque_call()
                if inner is not None:
                    self.exit_context(inner)
        finally:
            self.exit_context(frame)
        return Tensor()

    def slim_layer(self, leaf: str, kwargs: dict[str, Value], node: cst.Call) -> Value:
        """`slim.conv2d(..., scope=...)`: `variable_scope(scope, default, reuse=reuse)`."""
        default, weights = tfapi.SLIM_LAYERS[leaf]
        api = "slim." + leaf
        reuse = kwargs.get("reuse", Unknown() if self.arg_scopes else Const(None))
        frame, _ = self.enter_variable_scope(ScopeManager(
            "variable_scope", self.loc(node), kwargs.get("scope", Const(None)), Const(default),
            reuse, Const(True)), internal=True)
        try:
            for weight in weights:
                request = self.graph.get_variable(weight, self.loc(node), self.call_stack(),
                                                  None, None)
                self.record_request(node, api, request)
            # The rest (biases, gamma, a normalizer's scope) depends on arguments.
            rest = self.graph.full_name(ANY)
            self.record_request(node, api, Request(rest, rest, Outcome.UNKNOWN, Reuse.UNKNOWN))
            self.graph.mark_store_unknown()
        finally:
            self.exit_context(frame)
        return Unknown()

    def optimizer_slots(self, optimizer: TFObject, kind: str, method: str,
                        node: cst.Call) -> Value:
        """`minimize()` / `apply_gradients()`: slot variables come from get_variable."""
        if kind not in tfapi.SLOT_OPTIMIZERS or optimizer.state.get("minimized"):
            return Unknown()
        optimizer.state["minimized"] = True
        if kind == "AdamOptimizer":
            # Adam's non-slot accumulators are plain tf.Variables named in the name scope.
            for power in ("beta1_power", "beta2_power"):
                self.new_variable(node, "AdamOptimizer.beta_power", power)
        slot = const_str(optimizer.args.get("name", Const(kind.replace("Optimizer", ""))))
        self.slot_request(node, f"{kind}.{method}", slot or "…")
        # compute_gradients() opens `gradients`, apply_gradients() the optimizer's name.
        self.graph.unique_name("gradients")
        if slot:
            self.graph.unique_name(slot)
        else:
            self.graph.mark_names_unknown()
        return Unknown()

    def moving_average(self, ema: TFObject, node: cst.Call) -> Value:
        if ema.state.get("applied"):
            return Unknown()
        ema.state["applied"] = True
        name = const_str(ema.args.get("name", Const("ExponentialMovingAverage")))
        self.slot_request(node, "ExponentialMovingAverage.apply", name or "…")
        return Unknown()

    def slot_request(self, node: cst.Call, api: str, slot: str) -> None:
        """Variables made under unknown names in the current scope, whose reuse decides."""
        graph = self.graph
        reuse = graph.scope.reuse
        outcome = {Reuse.YES: Outcome.MISSING, Reuse.NO: Outcome.CREATE,
                   Reuse.AUTO: Outcome.CREATE}.get(reuse, Outcome.UNKNOWN)
        if outcome is Outcome.MISSING and (slot in graph.slot_names or graph.slots_unknown
                                           or self.handling):
            outcome = Outcome.UNKNOWN  # an earlier optimizer may have made these slots
        if self.recording:
            self.facts.variables.append(VariableFact(
                self.loc(node), api, None, pattern(graph.full_name(f"…/{slot}")) + ":0", outcome,
                reuse,
                self.call_stack(), detail=slot,
                reuse_origin=self.reuse_origin(Request("", None, outcome, reuse))))
        if outcome is not Outcome.MISSING:
            graph.mark_slots_unknown(slot)
            graph.slot_names.add(slot)

    # -- names used as strings (TFS202) ---------------------------------------------------

    def record_name_lookup(self, leaf: str, args: list[Value], kwargs: dict[str, Value],
                           node: cst.Call) -> None:
        if not self.recording:
            return
        if leaf in tfapi.NAME_LOOKUPS:
            text = const_str(bind_args(leaf, args, kwargs).get("name", Unknown()))
            kind = tfapi.NAME_LOOKUPS[leaf]
        elif leaf in tfapi.SCOPE_FILTERS:
            params = ("key", "scope") if leaf == "get_collection" else ("scope",)
            text = const_str(dict(zip(params, args), **kwargs).get("scope", Unknown()))
            kind = "scope"
        else:
            return
        if text and is_known(text):
            self.facts.name_refs.append(NameRefFact(self.loc(node), kind, text))


    def compared_name(self, node: cst.Comparison, left: cst.BaseExpression,
                      right: cst.BaseExpression, env: Env) -> None:
        """`var.name == "literal"`: the literal names a variable."""
        if not self.recording:
            return
        for attr, literal in ((left, right), (right, left)):
            if (isinstance(attr, cst.Attribute) and attr.attr.value == "name"
                    and isinstance(literal, cst.SimpleString)):
                owner = env.lookup(attr.value.value) if isinstance(attr.value, cst.Name) else None
                text = literal.evaluated_value
                if isinstance(owner, Variable) and isinstance(text, str):
                    self.facts.name_refs.append(NameRefFact(self.loc(node), "tensor", text))


_ERRORS = (Outcome.DUPLICATE, Outcome.MISSING, Outcome.MISMATCH)

_CALLS: dict[str, Callable[..., Value]] = {
    "variable_scope": TFCalls.scope_manager,
    "name_scope": TFCalls.scope_manager,
    "get_variable": lambda self, path, args, kwargs, node: self.get_variable(
        bind_args("get_variable", args, kwargs), node),
    "get_local_variable": lambda self, path, args, kwargs, node: self.get_variable(
        bind_args("get_variable", args, kwargs), node, path),
    "Variable": lambda self, path, args, kwargs, node: self.make_variable(
        bind_args("Variable", args, kwargs), node),
    "get_variable_scope": lambda self, path, args, kwargs, node: ScopeRef(self.graph.scope),
    "get_default_graph": TFCalls.default_graph,
    "Graph": TFCalls.default_graph,
    "reset_default_graph": TFCalls.reset_graph,
    "train.get_or_create_global_step": TFCalls.global_step,
    "train.create_global_step": TFCalls.global_step,
    "app.run": TFCalls.app_run,
    "train.ExponentialMovingAverage": lambda self, path, args, kwargs, node: TFObject(
        path, bind_args("ExponentialMovingAverage", args, kwargs), {"applied": False}),
}


def _literal_name(node: cst.Call) -> bool:
    """The call spells the variable's name as a string literal (not a caller's parameter)."""
    for i, arg in enumerate(node.args):
        if (arg.keyword is None and i == 0) or (arg.keyword and arg.keyword.value == "name"):
            return isinstance(arg.value, (cst.SimpleString, cst.ConcatenatedString,
                                          cst.FormattedString))
    return False


def _writes_reuse_false(node: cst.Call) -> bool:
    """The call spells `reuse=False` itself (not a parameter that happens to be False)."""
    return any(arg.keyword is not None and arg.keyword.value == "reuse"
               and isinstance(arg.value, cst.Name) and arg.value.value == "False"
               for arg in node.args)


def _scope_dtype(mgr: ScopeManager, parent: VarScope) -> Optional[str]:
    """A variable scope's default dtype: `dtype=` if given, else its parent's."""
    return parent.dtype if _is_none(mgr.dtype) else _dtype(mgr.dtype)


def _is_none(value: Value) -> bool:
    return isinstance(value, Const) and value.value is None


def _with_port(name: Optional[str]) -> Optional[str]:
    return None if name is None else name + ":0"


def _shape(value: Optional[Value]) -> Optional[tuple]:
    if isinstance(value, Const) and type(value.value) is int:  # `get_variable("b", 8)`
        return (value.value,)
    if isinstance(value, Seq) and all(isinstance(i, Const) and type(i.value) is int
                                      for i in value.items):
        return tuple(i.value for i in value.items)  # type: ignore[union-attr]
    return None


def _dtype(value: Optional[Value]) -> Optional[str]:
    if isinstance(value, TFRef) and value.path in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(value.path, value.path)
    text = const_str(value) if value is not None else None
    if text in tfapi.DTYPES:
        return tfapi.DTYPE_ALIASES.get(text, text)
    return None


def _layer_weights(kind: str, weights: tuple[str, ...], args: dict[str, Value]) -> list[str]:
    """The weights a layer makes, given `use_bias`, `center` and `scale`."""
    def on(flag: str) -> bool:
        return truth(args.get(flag, Const(True))) is not False
    if kind == "batch_normalization":
        return [w for w in weights
                if (w != "gamma" or on("scale")) and (w != "beta" or on("center"))]
    return [w for w in weights if w != "bias" or on("use_bias")]
