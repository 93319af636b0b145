"""The TF model: what each TF1 API call does to the simulated graph, and the facts it records.

`TFModel` holds the program's TF state (graph, scope frames, pending `reuse_variables()`,
slim arg scopes) and dispatches TF API calls by full name: `tf_call` handles `tf.X(...)`
and `tf_method` the methods of TF objects. Its parts see it as a `protocols.TFCore`:
`scopes.Scopes` enters and leaves scopes, `tf_library.Library` makes the variables of
library calls, `layer_classes.LayerClasses` replays classes on a library base. It sees
the Python replay only as a `protocols.Replay`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Optional, cast

import libcst as cst

from scopelint.engine import tfapi, validity
from scopelint.engine import shapes
from scopelint.engine.arguments import (
    bind_args,
    dtype_of,
    is_none,
    misplaced,
    misplaced_raises,
    shape_of,
    signature_key,
)
from scopelint.engine.cstwalk import source_of
from scopelint.engine.graph import Frame, Graph, Request, mark_unknown_call
from scopelint.engine.layer_classes import LayerClasses
from scopelint.engine.protocols import CallSite, Replay
from scopelint.engine.scopes import Scopes
from scopelint.engine.session import Session
from scopelint.engine.test_cases import TestHarness
from scopelint.engine.tf_library import Library, layer_signature
from scopelint.engine.symbols import ANY, is_known, origin_of, pattern
from scopelint.engine.values import (
    Args,
    Benign,
    CellState,
    Const,
    Env,
    Function,
    Instance,
    Mapping,
    NoVariables,
    OpOutput,
    ScopeRef,
    Seq,
    TFObject,
    TFRef,
    Unknown,
    Value,
    Variable,
    const_str,
    to_text,
    truth,
)
from scopelint.facts import (
    Cause,
    DoubledScopeFact,
    EmptyFilterFact,
    StepCellFact,
    Location,
    MisplacedArgFact,
    ModuleFacts,
    NameRefFact,
    Outcome,
    Reuse,
    VariableFact,
)

if TYPE_CHECKING:
    from scopelint.engine.hooks import Hooks
    from scopelint.engine.positions import Positions


class TFModel:
    """TF's runtime state and API semantics, for one replayed program."""

    def __init__(self, py: Replay, facts: ModuleFacts, session: Session,
                 tf_version: str, hooks: Hooks) -> None:
        self.py = py
        self.hooks = hooks  # the rules' hooks at TF API calls
        self.facts = facts
        self.session = session
        self.tf_version = tf_version  # the configured TF version (`tf-version`)
        self.graph = self.first_graph = Graph(session)  # the default graph, as it began
        # (kind, invocation, name as written) of each scope a `with` entered
        self.scope_frames: list[tuple[str, int, str]] = []
        self.pending_reuse: list[tuple[int, int]] = []  # (reuse_calls index, invocation)
        self.arg_scopes: list[TFObject] = []  # the slim arg_scope blocks entered, innermost last
        self.reuse_ignored: dict[int, bool] = {}  # FunctionDef id -> takes `reuse`, never reads it
        self.unknown_calls = 0  # calls scopelint could not follow (see `opaque_call`)
        self.scopes = Scopes(self, py)
        self.layers = LayerClasses(self, py, self.scopes)
        self.library = Library(self, py, self.scopes, self.layers)
        self.harness = TestHarness(self, py)

    def close(self) -> None:
        """Drop the program's TF state and the parts that refer back to this model."""
        for part in (self.scopes, self.layers, self.library, self.harness, self):
            vars(part).clear()

    # -- what the replay enters and calls ---------------------------------------------

    def enter_context(self, value: Value, node: cst.BaseExpression
                      ) -> tuple[Optional[Frame], Value]:
        return self.scopes.enter_context(value, node)

    def enter_unknown_context(self) -> tuple[Frame, Value]:
        return self.scopes.enter_unknown_context()

    def exit_context(self, frame: Optional[Frame]) -> None:
        self.scopes.exit_context(frame)

    def library_init(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                     node: Optional[cst.Call]) -> Value:
        return self.layers.library_init(instance, args, kwargs, node)

    def library_call(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                     node: cst.Call) -> Value:
        return self.layers.library_call(instance, args, kwargs, node)

    def library_weight(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                       node: cst.Call) -> Value:
        return self.layers.library_weight(instance, args, kwargs, node)

    def test_method(self, instance: Instance, name: str, args: list[Value],
                    kwargs: dict[str, Value], node: Optional[cst.Call]) -> Value:
        return self.harness.call(instance, name, args, kwargs, node)

    # -- dispatch ---------------------------------------------------------------------

    def tf_call(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        leaf = path.rsplit(".", 1)[-1]
        key = signature_key(path)
        if path in tfapi.POSITIONAL_TRAPS or (key or "").startswith(("layers.", "slim.")):
            self.note_misplaced(path, args, node)
        self.hooks.run(self.py, self.facts, path, args, kwargs, node)
        if leaf == "MultiRNNCell":
            return self.library.multi_cell(path, args, kwargs, node)
        handler = _CALLS.get(path)
        if handler is not None:
            return handler(self, path, args, kwargs, node)
        if path.startswith("layers.") and (leaf in tfapi.LAYERS
                                           or leaf in tfapi.NO_VARIABLE_LAYERS):
            return self.library.functional_layer(leaf, args, kwargs, node)
        if path.startswith("keras.layers.") and leaf in tfapi.LAYER_CLASSES:
            return self.library.keras_layer(path, tfapi.LAYER_CLASSES[leaf], args, kwargs)
        if path.startswith("layers.") and leaf in tfapi.LAYER_CLASSES:
            kind = tfapi.LAYER_CLASSES[leaf]
            return TFObject(path, bind_args(layer_signature(kind), [Unknown(), *args], kwargs),
                            {"kind": kind})
        if path.startswith("nn.rnn_cell.") and leaf in tfapi.CELLS:
            return TFObject(path, bind_args("cell", args[1:], kwargs), {
                "kind": leaf, "units": kwargs.get("num_units", args[0] if args else None)})
        if path.startswith("nn.rnn_cell.") and leaf in tfapi.CELL_WRAPPERS:
            return TFObject(path, {}, {"wraps": kwargs.get("cell", args[0] if args else None)})
        if path.startswith("nn.") and leaf in tfapi.RNNS:
            return self.library.rnn(leaf, args, kwargs, node)
        if path.startswith("train.") and (leaf in tfapi.SLOT_OPTIMIZERS
                                          or leaf in tfapi.PLAIN_OPTIMIZERS):
            return TFObject(path, bind_args(leaf, args, kwargs))
        if path.startswith(tfapi.SLIM_NAMESPACES):
            if leaf in tfapi.SLIM_LAYERS:
                return self.library.slim_layer(path, leaf, kwargs, node, args)
            if leaf in ("repeat", "stack"):
                return self.library.slim_repeat(leaf, args, kwargs, node)
            if leaf == "arg_scope":
                ops = kwargs.pop("list_ops_or_scope", args[0] if args else Unknown())
                return TFObject("ArgScope", dict(kwargs), {"ops": _slim_ops(ops)})
        self.record_name_lookup(leaf, args, kwargs, node)
        if leaf in tfapi.SCOPE_FILTERS and path == leaf:
            empty = self.empty_collection(leaf, args, kwargs, node)
            if empty is not None:
                return empty
        if path in _VAR_LIST_PARAM:
            self.note_var_list(path, args, kwargs, node)
        if tfapi.creates_opaquely(path) and leaf not in tfapi.SLIM_PURE:
            self.opaque_call(node)
            if path.startswith("train."):
                self.graph.slots_unknown = True
            return Unknown()
        self.mark_op_name(kwargs, tfapi.OP_NAMES.get(path))
        count = tfapi.NEW_OP_OUTPUTS.get(path)
        if count and count > 1:
            return Seq(tuple(OpOutput(self.graph.serial) for _ in range(count)))
        return shapes.op_result(path, args, kwargs, self.graph.serial if count else None)

    def default_graph(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        graph = self.graph if path != "Graph" else Graph(self.session,
                                                         created_in=self.py.invocation)
        return TFObject("Graph", state={"graph": graph})

    def reset_graph(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        self.graph = Graph(self.session)
        return Const(None)

    def app_run(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.app.run(main)`: the program's entry point runs `main(argv)`."""
        return self.run_main(kwargs.get("main", args[0] if args else None), node)

    def run_main(self, main: Optional[Value], node: Optional[cst.Call] = None) -> Value:
        """`tf.app.run` / `absl.app.run`: `main(argv)`, by default the `__main__` module's."""
        if main is None or (isinstance(main, Const) and main.value is None):
            main = self.py.entry.globals.vars.get("main")
        if isinstance(main, Function):
            self.py.call_function(main, [Unknown()], {}, node)
        return Unknown()

    def estimator(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`Estimator(model_fn=...)`: TF calls `model_fn` when the estimator runs."""
        return TFObject("Estimator", state={"model_fn": kwargs.get(
            "model_fn", args[0] if args else Unknown())})

    def run_model_fn(self, estimator: Value, node: cst.Call) -> Value:
        """`estimator.train(...)` (or evaluate, predict, export): in a fresh graph, TF
        creates the global step and calls `model_fn` with the arguments it names."""
        model_fn = estimator.state.get("model_fn") if isinstance(estimator, TFObject) else None
        if not isinstance(model_fn, Function):
            return Unknown()
        saved = self.graph
        self.graph = Graph(self.session, created_in=None)  # owned by the model_fn call
        try:
            self.library.global_step("train.create_global_step", [], Args({}), node)
            self.py.call_function(model_fn, [], {}, node, unknown_args=True)
        finally:
            self.graph = saved
        return Unknown()

    def tf_method(self, owner: Value, name: str, args: list[Value], kwargs: Args,
                  node: cst.Call) -> Value:
        if isinstance(owner, ScopeRef):
            if name == "reuse_variables":
                self.scopes.reuse_variables(owner.scope, node)
            return Unknown()
        assert isinstance(owner, TFObject)
        kind = owner.path.rsplit(".", 1)[-1]
        if owner.path == "Graph":
            if name == "as_default":
                return TFObject("GraphContext", state=owner.state)
            if name == "name_scope" and owner.state["graph"] is self.graph:
                return self.scopes.scope_manager(name, args, kwargs, node)
            self.record_name_lookup(name, args, kwargs, node)
            return Benign()
        if name in _VAR_LIST_PARAM and owner.path.startswith("train."):
            self.note_var_list(name, args, kwargs, node)
        if name in ("minimize", "apply_gradients") and owner.path.startswith("train."):
            return self.library.optimizer_slots(owner, kind, name, args, kwargs, node)
        if name == "compute_gradients" and owner.path.startswith("train."):
            return self.library.compute_gradients(args, kwargs)
        if name == "apply" and kind == "ExponentialMovingAverage":
            return self.library.moving_average(
                owner, kwargs.get("var_list", args[0] if args else None), node)
        inputs = kwargs.get("inputs", args[0] if args else None)
        if name == "__call__" and "keras" in owner.state:
            return self.library.keras_call(owner, node, inputs)
        if name == "__call__" and owner.state.get("kind") == "MultiRNNCell":
            self.library.cell_call(owner, node, owner.path)
            return Unknown()
        if name == "__call__" and ("wraps" in owner.state
                                   or owner.state.get("kind") in tfapi.CELLS):
            return self.cell_object_call(owner, args, kwargs, node)
        if name == "__call__" and "kind" in owner.state:
            return self.library.layer_object_call(owner, node, inputs)
        if name == "__call__" and owner.path == "Template":
            return self.library.template_call(owner, args, kwargs, node)
        if owner.path == "Estimator" and name in tfapi.ESTIMATOR_RUNS:
            self.run_model_fn(owner, node)
        return Unknown()

    def cell_object_call(self, cell: TFObject, args: list[Value], kwargs: dict[str, Value],
                         node: cst.Call) -> Value:
        """`output, state = cell(inputs, state)`: the first call of a cell (or of the cell a
        wrapper wraps) builds its weights. A state that the same call made on another cell
        object means a new cell each time step (noted for TFS207)."""
        before = len(self.facts.variables)
        self.library.cell_call(cell, node, cell.path)
        here, stack = self.py.loc(node), self.py.call_stack()
        state = kwargs.get("state", args[1] if len(args) > 1 else None)
        made = self.facts.variables[before:]
        built = _built(cell)
        if (isinstance(state, CellState) and state.site == here and state.stack == stack
                and isinstance(built, TFObject) and _built(state.cell) is not built and made
                and self.py.recording
                and all(f.outcome is Outcome.CREATE and f.certain for f in made)):
            scope, first = _scope_name(built), _scope_name(_built(state.cell))
            if scope and first and scope != first:
                self.facts.step_cells.append(StepCellFact(
                    here, built.path.rsplit(".", 1)[-1], scope, first, stack))
        return Seq((Unknown(), CellState(cell, here, stack)))

    def note_misplaced(self, path: str, args: list[Value], node: cst.Call) -> None:
        """Positional arguments TF binds to another parameter than they look meant for."""
        if not self.py.recording:
            return
        for index, arg in enumerate(node.args):
            if arg.keyword is not None or arg.star or index >= len(args):
                return
            found = misplaced(path, index, args[index], arg.value, args[0])
            if found is not None:
                param, meant = found
                self.facts.misplaced_args.append(MisplacedArgFact(
                    self.py.loc(node), source_of(node.func), source_of(arg.value), param, meant,
                    raises=misplaced_raises(param) and not self.py.handling,
                    variables_before=len(self.facts.variables),
                    lands=self._lands(args[0]) if meant == "name_or_scope" else ""))

    def _lands(self, name: Value) -> str:
        """The variable scope `variable_scope(name)` opens here (pattern form)."""
        if isinstance(name, ScopeRef):
            return pattern(name.scope.name)
        outer = self.graph.scope.name
        return pattern(f"{outer}/{to_text(name)}" if outer else to_text(name))

    def opaque_call(self, node: Optional[cst.CSTNode] = None) -> None:
        """A call scopelint cannot follow (`node`, else the statement running): it may make
        variables and ops with any name."""
        self.unknown_calls += 1
        mark_unknown_call(self.graph, self.facts if self.py.recording else None)
        where = node if node is not None else self.py.current
        if where is not None and (self.py.recording or self.graph.first_cause is None):
            text = source_of(where.func if isinstance(where, cst.Call) else where)
            first = text.split("\n")[0]
            at = self.py.loc(where) if node is not None else self.py.loc_statement(where)
            cause = Cause(at, f"call of `{first[:60]}`"
                          if isinstance(where, cst.Call) and first == text
                          else f"`{first[:60]}`, a call scopelint cannot follow")
            if self.graph.first_cause is None:
                self.graph.first_cause = cause
            if self.py.recording:
                self.facts.unknown_calls.append(cause)
        if self.py.recording:
            self.scopes.note_variable_use()

    def row_cause(self, known: bool, reused: Optional[bool], certain: bool,
                  node: cst.CSTNode, text: str = "") -> Optional[Cause]:
        """What first made a `names` row uncertain: the code around it that may not run, the
        call that returned a value its name `text` is built from, the unknown caller of the
        function it is in, an earlier call scopelint cannot follow, else the unknown value
        its name or reuse is built from (its own line)."""
        if known and reused is not None and certain:
            return None
        origin = origin_of(text) if not known else None
        if origin is not None:
            positions, call, statement = cast(
                "tuple[Positions, cst.Call, Optional[cst.CSTNode]]", origin)  # `Interpreter.origin`
            return Cause(positions.of(call, statement),
                         f"`{source_of(call)[:60]}`, a value scopelint cannot know")
        graph = self.graph
        site = next((s for s in reversed(self.py.uncertain_sites) if s is not None), None)
        if not certain and site is not None:
            return Cause(site, "code here may or may not run")
        if not known and graph.context_cause is not None:
            return graph.context_cause
        if graph.first_cause is not None:
            return graph.first_cause
        if graph.context_cause is not None:
            return graph.context_cause
        return Cause(self.py.loc(node), "a value scopelint cannot know")

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
            if self.py.recording:
                stack = self.graph.name_stack
                self.facts.unknown_op_names.add(pattern(f"{stack}/{ANY}" if stack else ANY))

    # -- variables --------------------------------------------------------------------

    def get_variable(self, bound: dict[str, Value], node: cst.Call,
                     api: str = "get_variable") -> Value:
        graph = self.graph
        name = to_text(bound.get("name", Unknown()))
        written = bound.get("dtype")
        dtype = dtype_of(written) if written is not None else graph.scope.dtype
        # Without `dtype`, an initializer (a tensor, say) may decide the new variable's dtype.
        initial = shapes.as_tensor(bound.get("initializer"))
        made = dtype if written is not None or bound.get("initializer") is None else (
            initial.dtype if initial is not None else None)
        shape = shape_of(bound.get("shape"))
        request = graph.get_variable(name, self.py.loc(node), self.py.call_stack(), shape, dtype,
                                     made,
                                     truth(bound.get("trainable", Const(True))),
                                     shapes.known(initial.shape) if initial else None)
        through = self.wrapper_call(name)
        expected = None
        if (self.scope_frames and self.scope_frames[-1][0] == "name_scope"
                and graph.name_stack and graph.name_stack != graph.scope.name
                and (through is not None or (self.scope_frames[-1][1] == self.py.invocation
                                             and _literal_name(node)))):
            expected = f"{graph.name_stack}/{name}"
        if self.graph.scope.partitioned or not is_none(bound.get("partitioner", Const(None))):
            # `name/part_0:0`, ... as many as the partitioner decides at run time
            request = Request(request.key, request.key + "/part_" + ANY, request.outcome,
                              request.reuse, request.existing, request.detail)
        if request.outcome is Outcome.CREATE and not validity.rejected(graph.scope.name, True):
            # the scope's own name is checked
            self.scopes.check_name(request.key, self.py.loc(node), root=True)
        if request.outcome not in _ERRORS:
            self.note_doubled_scope(name, request, node)
        self.record_request(node, api, request, expected, through)
        return self.library.variable_value(request)

    def wrapper_call(self, name: str) -> Optional[CallSite]:
        """The call of a project helper, in the code that entered the innermost scope (the
        outermost call at the root scope), that hands it this variable's name as a literal
        (`weight("w", [3, 3])`): None when that scope was entered in the requesting
        function, or the name comes from elsewhere."""
        if not is_known(name) or not self.py.call_sites:
            return None
        if not self.scope_frames:  # the root scope: the outermost call
            site = self.py.call_sites[0]
            return site if _passes_literal(site.node, name) else None
        opened = self.scope_frames[-1][1]
        if opened == self.py.invocation:
            return None
        for site in reversed(self.py.call_sites):
            if site.caller == opened:
                return site if _passes_literal(site.node, name) else None
        return None

    def note_doubled_scope(self, name: str, request: Request, node: cst.Call) -> None:
        """The name spells out the variable scope it is made in: `s/s/w`."""
        segments = self.graph.scope.name.split("/") if self.graph.scope.name else []
        for i in range(len(segments)):
            repeated = "/".join(segments[i:])
            if name.startswith(repeated + "/") and ANY not in repeated and self.py.recording:
                self.facts.doubled_scopes.append(DoubledScopeFact(
                    self.py.loc(node), pattern(request.key + ":0"), pattern(repeated)))
                return

    def record_request(self, node: cst.Call, api: str, request: Request,
                       expected: Optional[str] = None,
                       through: Optional[CallSite] = None) -> None:
        if not self.py.recording:
            return
        self.scopes.note_variable_use()
        existing = request.existing
        name = _with_port(request.name)
        if self.py.handling and request.outcome in _ERRORS:
            # TF raises, and the surrounding `try` catches it: no finding, no variable.
            request = Request(request.key, None, Outcome.UNKNOWN, request.reuse)
            name = existing = None
        stored = self.graph.store.get(request.key) if name else None
        self.add_variable(node, VariableFact(
            self.py.loc(node), api, name if name and is_known(name) else None,
            pattern(name or "…"), request.outcome, request.reuse, self.py.call_stack(),
            self._ignored_name_scope() if expected else None,
            pattern(expected + ":0") if expected else None, existing.loc if existing else None,
            existing.stack if existing else (), request.detail,
            self.reuse_origin(request), pattern(request.key), self.graph.serial,
            stored.shape if stored else None, stored.dtype if stored else None,
            certain=not self.graph.may_not_run,
            name_scope=pattern(self.graph.name_stack), loops=tuple(self.py.loops),
            through=through.loc if through else None,
            helper=through.function if through else ""), name or "")

    def add_variable(self, node: cst.CSTNode, fact: VariableFact, text: str = "") -> None:
        """Record a `names` row (`text`: its symbolic name), with what makes it uncertain
        when something does."""
        cause = self.row_cause(fact.name is not None, fact.reused, fact.certain, node, text)
        self.facts.variables.append(fact if cause is None else replace(fact, cause=cause))

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
        initial = shapes.as_tensor(bound.get("initial_value"))
        dtype = dtype_of(bound.get("dtype")) if bound.get("dtype") is not None else (
            initial.dtype if initial is not None else None)
        shape = shapes.known(initial.shape) if initial is not None else None
        trainable = truth(bound.get("trainable", Const(True)))
        if const_str(name_value) == "":
            # `name=""` resets to the root name scope and takes the op's type name.
            saved, self.graph.name_stack = self.graph.name_stack, ""
            try:
                return self.new_variable(node, "Variable", "VariableV2", dtype, shape, trainable)
            finally:
                self.graph.name_stack = saved
        base = "Variable" if is_none(name_value) else to_text(name_value)
        if not is_none(name_value):
            self.scopes.check_scope_name(base, self.py.loc(node))
        return self.new_variable(node, "Variable", base, dtype, shape, trainable)

    def new_variable(self, node: cst.Call, api: str, base: str, dtype: Optional[str] = None,
                     shape: Optional[tuple] = None, trainable: Optional[bool] = False
                     ) -> Variable:
        """A `tf.Variable`: named in the current name scope, uniquified, never reused.

        Its `key` is what `get_variable` would have used: the variable-scope name.
        """
        graph = self.graph
        text = graph.unique_name(base) + ":0"
        graph.variable_count += 1
        if self.py.recording:
            reuse = graph.scope.reuse
            self.add_variable(node, VariableFact(
                self.py.loc(node), api, text if is_known(text) else None, pattern(text),
                Outcome.CREATE, reuse, self.py.call_stack(),
                reuse_origin=self.reuse_origin(Request("", None, Outcome.CREATE, reuse)),
                key=pattern(graph.full_name(base)), graph=graph.serial, shape=shape,
                dtype=dtype, certain=not graph.may_not_run,
                name_scope=pattern(graph.name_stack)), text)
        return Variable(text, shape, dtype, trainable, graph.variable_count)

    # -- names used as strings (TFS202) ---------------------------------------------------

    def record_name_lookup(self, leaf: str, args: list[Value], kwargs: dict[str, Value],
                           node: cst.Call) -> None:
        if not self.py.recording:
            return
        if leaf in tfapi.NAME_LOOKUPS:
            text = const_str(bind_args(leaf, args, kwargs).get("name", Unknown()))
            kind = tfapi.NAME_LOOKUPS[leaf]
        elif leaf in tfapi.SCOPE_FILTERS:
            params = ("key", "scope") if leaf == "get_collection" else ("scope",)
            bound = dict(zip(params, args), **kwargs)
            collection = _collection(leaf, bound.get("key"))
            if collection not in _VARIABLE_COLLECTIONS:
                return  # ops and tensors (`UPDATE_OPS`): their names are not predicted
            text = const_str(bound.get("scope", Unknown()))
            kind = "variables"  # a prefix filter on variable names
            if text and is_known(text) and collection in ("trainable_variables", "variables"):
                matches = self.graph.filtered(text, collection == "trainable_variables")
                self.facts.name_refs.append(NameRefFact(
                    self.py.loc(node), kind, text, self.py.call_stack(), matches))
                return
        elif leaf == "init_from_checkpoint":
            # the assignment map's values name graph variables (`v`) or scopes (`s/`)
            bound = dict(zip(("ckpt_dir_or_file", "assignment_map"), args), **kwargs)
            mapping = bound.get("assignment_map")
            items = mapping.items if isinstance(mapping, Mapping) else ()
            for (_, value), written in zip(items, _dict_entries(node, len(items))):
                target = const_str(value)
                if target and is_known(target):
                    kind = "scope" if target.endswith("/") else "variable"
                    loc = self.loc_within(node, written) if written else self.py.loc(node)
                    self.facts.name_refs.append(NameRefFact(loc, kind, target,
                                                            self.py.call_stack()))
            return
        else:
            return
        if text and is_known(text):
            self.facts.name_refs.append(NameRefFact(self.py.loc(node), kind, text,
                                                    self.py.call_stack()))

    def empty_collection(self, leaf: str, args: list[Value], kwargs: dict[str, Value],
                         node: cst.Call) -> Optional[NoVariables]:
        """`trainable_variables()` / `global_variables(scope=...)` / `get_collection(key,
        scope)` read when the graph certainly holds no variable they select: an empty list.

        Certain only in a graph whose every variable scopelint knows (no call it cannot
        follow, no optimizer it does not know), on a path that surely runs, outside loops.
        """
        graph = self.graph
        bound = _bound(("key", "scope") if leaf == "get_collection" else ("scope",),
                       args, kwargs)
        if _collection(leaf, bound.get("key")) not in ("trainable_variables", "variables"):
            return None
        scope = bound.get("scope", Const(None))
        text = None if is_none(scope) else const_str(scope)
        if (not is_none(scope) and (text is None or not is_known(text))) or not self.py.recording \
                or self.py.loops or graph.may_not_run or not graph.known_context \
                or graph.slots_unknown or not graph.unsure_store.empty:
            return None
        try:
            match = re.compile(text or "").match
        except re.error:
            return None
        if any(not v.certain or not is_known(v.name) or match(v.name + ":0")
               for v in graph.store.values()):
            return None
        if any(f.graph == graph.serial and f.outcome is not Outcome.MISSING
               and (f.name is None or match(f.name)) for f in self.facts.variables):
            return None
        return NoVariables(self.py.loc(node), self.py.call_stack(), text, len(self.facts.variables),
                           graph.serial)

    def note_var_list(self, api: str, args: list[Value], kwargs: dict[str, Value],
                      node: cst.Call) -> None:
        """An API that needs variables handed an empty collection (see `empty_collection`)."""
        empty = _bound(_VAR_LIST_PARAM[api], args, kwargs).get("var_list")
        if (isinstance(empty, NoVariables) and self.py.recording
                and not self.graph.may_not_run and not self.py.handling):
            self.facts.empty_filters.append(EmptyFilterFact(
                empty.loc, empty.scope, empty.variables_before, empty.graph, self.py.loc(node),
                api.rsplit(".", 1)[-1], empty.stack))

    def loc_within(self, call: cst.Call, part: cst.CSTNode) -> Location:
        """Where a part of a call is: libcst reproduces the call's text from its start."""
        start = self.py.loc(call)
        code = source_of(call)
        offset = code.find(source_of(part))
        if offset < 0:
            return start
        before = code[:offset]
        if "\n" not in before:
            return Location(start.line, start.col + offset)
        return Location(start.line + before.count("\n"), offset - before.rfind("\n"))

    def compared_name(self, node: cst.Comparison, left: cst.BaseExpression,
                      right: cst.BaseExpression, env: Env) -> None:
        """`var.name == "literal"`: the literal names a variable."""
        if not self.py.recording:
            return
        for attr, literal in ((left, right), (right, left)):
            if (isinstance(attr, cst.Attribute) and attr.attr.value == "name"
                    and isinstance(literal, cst.SimpleString)):
                owner = env.lookup(attr.value.value) if isinstance(attr.value, cst.Name) else None
                text = literal.evaluated_value
                if isinstance(owner, Variable) and isinstance(text, str):
                    actual = owner.name if owner.name and is_known(owner.name) else None
                    self.facts.name_refs.append(NameRefFact(self.py.loc(node), "tensor", text,
                                                            self.py.call_stack(), actual=actual))


_ERRORS = (Outcome.DUPLICATE, Outcome.MISSING, Outcome.MISMATCH)
# `GraphKeys` values of the collections that hold variables
_VARIABLE_COLLECTIONS = frozenset({"trainable_variables", "variables", "local_variables",
                                   "model_variables", "moving_average_variables"})


# APIs that raise on (or do nothing with) an empty `var_list`, and where it sits
_VAR_LIST_PARAM = {
    "minimize": ("loss", "global_step", "var_list"),
    "compute_gradients": ("loss", "var_list"),
    "train.Saver": ("var_list",),
    "variables_initializer": ("var_list",),
    "initialize_variables": ("var_list",),
}


def _bound(params: tuple[str, ...], args: list[Value], kwargs: dict[str, Value]
           ) -> dict[str, Value]:
    """Arguments by parameter name, positional ones first."""
    bound = dict(zip(params, args))
    bound.update(kwargs)
    return bound


def _collection(leaf: str, key: Optional[Value]) -> Optional[str]:
    """The collection a lookup reads, as its `GraphKeys` value (`trainable_variables`)."""
    if leaf != "get_collection":
        return "variables" if leaf == "global_variables" else leaf
    if isinstance(key, TFRef) and key.path.startswith("GraphKeys."):
        name = key.path.split(".", 1)[1].lower()
        return "variables" if name == "global_variables" else name
    return const_str(key) if key is not None else None


_CALLS: dict[str, Callable[..., Value]] = {
    "variable_scope": lambda self, path, args, kwargs, node:
        self.scopes.scope_manager(path, args, kwargs, node),
    "name_scope": lambda self, path, args, kwargs, node:
        self.scopes.scope_manager(path, args, kwargs, node),
    "get_variable": lambda self, path, args, kwargs, node: self.get_variable(
        bind_args("get_variable", args, kwargs), node),
    "get_local_variable": lambda self, path, args, kwargs, node: self.get_variable(
        bind_args("get_variable", args, kwargs), node, path),
    "Variable": lambda self, path, args, kwargs, node: self.make_variable(
        bind_args("Variable", args, kwargs), node),
    "get_variable_scope": lambda self, path, args, kwargs, node: ScopeRef(self.graph.scope),
    "get_default_graph": TFModel.default_graph,
    "Graph": TFModel.default_graph,
    "reset_default_graph": TFModel.reset_graph,
    "train.get_or_create_global_step": lambda self, path, args, kwargs, node:
        self.library.global_step(path, args, kwargs, node),
    "train.create_global_step": lambda self, path, args, kwargs, node:
        self.library.global_step(path, args, kwargs, node),
    "app.run": TFModel.app_run,
    "estimator.Estimator": TFModel.estimator,
    "estimator.train_and_evaluate": lambda self, path, args, kwargs, node: self.run_model_fn(
        kwargs.get("estimator", args[0] if args else Unknown()), node),
    "estimator.tpu.TPUEstimator": TFModel.estimator,
    "contrib.tpu.TPUEstimator": TFModel.estimator,
    "contrib.learn.Estimator": TFModel.estimator,
    "make_template": lambda self, path, args, kwargs, node: self.library.make_template(
        bind_args("make_template", args, kwargs), node),
    "train.ExponentialMovingAverage": lambda self, path, args, kwargs, node: TFObject(
        path, bind_args("ExponentialMovingAverage", args, kwargs), {"applied": False}),
}


def _dict_entries(call: cst.Call, count: int) -> list[Optional[cst.DictElement]]:
    """The entries of an `assignment_map` written as a dict literal in the call, in order
    (Nones when it is built elsewhere or spread from another dict)."""
    for i, arg in enumerate(call.args):
        if (arg.keyword is None and i == 1) or (arg.keyword and
                                                arg.keyword.value == "assignment_map"):
            elements = arg.value.elements if isinstance(arg.value, cst.Dict) else ()
            if len(elements) == count and all(isinstance(e, cst.DictElement) for e in elements):
                return [e for e in elements if isinstance(e, cst.DictElement)]
    return [None] * count


def _literal_name(node: cst.Call) -> bool:
    """The call spells the variable's name as a string literal (not a caller's parameter)."""
    for i, arg in enumerate(node.args):
        if (arg.keyword is None and i == 0) or (arg.keyword and arg.keyword.value == "name"):
            return isinstance(arg.value, (cst.SimpleString, cst.ConcatenatedString,
                                          cst.FormattedString))
    return False


def _passes_literal(call: cst.Call, text: str) -> bool:
    """The call passes `text` as a string literal argument."""
    return any(isinstance(arg.value, (cst.SimpleString, cst.ConcatenatedString))
               and arg.value.evaluated_value == text for arg in call.args)


def _built(cell: Value) -> Value:
    """The cell that builds the weights: a wrapper's wrapped cell, or the cell itself."""
    while isinstance(cell, TFObject) and "wraps" in cell.state:
        cell = cell.state["wraps"]
    return cell


def _scope_name(cell: Value) -> Optional[str]:
    """The variable scope a built cell keeps its weights in (pattern form)."""
    scope = cell.state.get("scope") if isinstance(cell, TFObject) else None
    return pattern(scope.scope.name) if isinstance(scope, ScopeRef) else None


def _slim_ops(ops: Value) -> Optional[frozenset[str]]:
    """The slim layers an `arg_scope` list names (`conv2d`), or None when it names ops
    scopelint cannot tell (a saved arg scope, a list built elsewhere)."""
    items = ops.items if isinstance(ops, Seq) else None
    if items is None or not all(isinstance(op, (TFRef, Function)) for op in items):
        return None
    return frozenset(op.path.rsplit(".", 1)[-1] for op in items
                     if isinstance(op, TFRef) and op.path.startswith(tfapi.SLIM_NAMESPACES))


def _with_port(name: Optional[str]) -> Optional[str]:
    return None if name is None else name + ":0"
