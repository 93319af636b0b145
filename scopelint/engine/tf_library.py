"""Library calls that make variables: tf.layers, tf_slim / tf.contrib.layers, RNN cells,
optimizers' slots, moving averages and the global step.

Part of the TF model (see `tf_model`); each mirrors how the library names its variables.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import replace
from typing import NamedTuple, Optional, Sequence

import libcst as cst

from scopelint.engine import shapes, tfapi, versions
from scopelint.engine.arguments import SIGNATURES, bind_args, dtype_of, is_none
from scopelint.engine.cstwalk import source_of
from scopelint.engine.graph import Request
from scopelint.engine.layer_classes import LayerClasses
from scopelint.engine.protocols import Replay, TFCore
from scopelint.engine.scopes import Scopes
from scopelint.engine.symbols import ANY, is_known, pattern
from scopelint.engine.values import (
    CALLABLES,
    Args,
    Const,
    Instance,
    OpOutput,
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
from scopelint.facts import Location, Outcome, Reuse, SharedCellFact, VariableFact


class Library:
    """Variables made by TF library calls, in the TF model's graph."""

    def __init__(self, tf: TFCore, py: Replay, scopes: Scopes, layers: LayerClasses) -> None:
        self.tf = tf
        self.py = py
        self.scopes = scopes
        self.layers = layers

    def global_step(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.train.get_or_create_global_step()`: get_variable in the current scope, once;
        a non-trainable int64 scalar."""
        graph = self.tf.graph
        taken = graph.names_in_use.get("global_step") or graph.unsure_names.matches("global_step")
        if graph.has_global_step or taken:  # it finds the existing `global_step:0` by name
            return Unknown()
        graph.has_global_step = True
        return self.tf.get_variable(Args({"name": Const("global_step"), "shape": Seq(()),
                                          "dtype": TFRef("int64"), "trainable": Const(False)}),
                                    node, path)

    def make_template(self, bound: Args, node: cst.Call) -> Value:
        """`tf.make_template(name, func)`: a callable whose calls share variables."""
        template = TFObject("Template", bound, {"fn": bound.get("func_", Unknown())})
        if truth(bound.get("create_scope_now_", Const(False))):
            self._template_scope(template, node)
        return template

    def template_call(self, template: TFObject, args: list[Value], kwargs: Args,
                      node: cst.Call) -> Value:
        """`Template.__call__`: the first call makes the variables in a unique
        `variable_scope(None, default_name=name)`; later calls reuse that scope."""
        fn = template.state["fn"]
        first = "scope" not in template.state
        if first:
            self._template_scope(template, node)
        reuse = Const(None) if first else Const(True)
        merged = {k: v for k, v in template.args.items() if not k.endswith("_")}
        spread = getattr(kwargs, "spread", False)
        with self.scopes.library_scope(node, template.state["scope"], reuse=reuse):
            if isinstance(fn, CALLABLES):
                return self.py.call_value(fn, args, {**merged, **kwargs}, node,
                                          unknown_rest=spread)
            if isinstance(fn, TFRef):  # `make_template("shared", tf.layers.dense)`
                return self.tf.tf_call(fn.path, args, Args({**merged, **kwargs}, spread), node)
            self.tf.opaque_call(node)
            return Unknown()

    def _template_scope(self, template: TFObject, node: cst.Call) -> None:
        template.state["scope"] = self.layers.capture_own_scope(
            node, template.args.get("name_", Unknown()), "the template")

    def functional_layer(self, kind: str, args: list[Value], kwargs: Args,
                         node: cst.Call) -> Value:
        """`tf.layers.dense(...)` etc.: build a layer object and call it once."""
        bound = bind_args(layer_signature(kind), args, kwargs)
        layer = TFObject("layers." + kind, bound, {"kind": kind, "functional": True})
        name = kwargs.get("name", Const(None))
        if not is_none(name):
            # Layer.__init__: `with vs(name) as captured: self._scope = captured`.
            layer.state["scope"] = self.scopes.capture_scope(node, name)
        if kind in tfapi.NO_VARIABLE_LAYERS:
            self.layer_object_call(layer, node)
            return shapes.op_result("layers." + kind, [bound.get("inputs", Unknown())], {})
        return self.layer_object_call(layer, node, bound.get("inputs"))

    def keras_layer(self, path: str, kind: str, args: list[Value], kwargs: Args) -> Value:
        """`tf.keras.layers.Dense(...)`: named at construction, `dense`, `dense_1`, ..."""
        name = kwargs.get("name", Const(None))
        text = self.tf.graph.keras_name(kind) if is_none(name) else to_text(name)
        bound = bind_args(layer_signature(kind), [Unknown(), *args], kwargs)
        return TFObject(path, bound, {"keras": kind, "name": text})

    def keras_call(self, layer: TFObject, node: cst.Call, inputs: Optional[Value]) -> Value:
        """A Keras layer's first call makes its weights as tf.Variables in the name scope
        `<layer name>`: variable-scope reuse never applies to them."""
        kind = layer.state["keras"]
        sizes = shapes.layer_shapes(kind, _with_inputs(layer.args, inputs))
        written = layer.args.get("dtype")
        dtype = "float32" if written is None else dtype_of(written)  # Keras's floatx
        if not layer.state.get("built"):
            layer.state["built"] = True
            graph = self.tf.graph
            saved = graph.name_stack
            graph.enter_name_scope(layer.state["name"])
            trainable = truth(layer.args.get("trainable", Const(True)))
            try:
                layer.state["weights"] = [
                    self.tf.new_variable(node, layer.path, weight, dtype, sizes.get(weight),
                                         False if weight.startswith("moving_") else trainable)
                    for weight in _layer_weights(kind, tfapi.LAYERS[kind][1], layer.args)]
            finally:
                graph.name_stack = saved
        return _output(layer, inputs, sizes, dtype)

    def layer_object_call(self, layer: TFObject, node: cst.Call,
                          inputs: Optional[Value] = None,
                          sizes: Optional[dict[str, tuple]] = None) -> Tensor:
        """`Layer.__call__`: the first call picks the scope and gets each weight in it;
        later calls use the weights already built. `sizes`: the weights' shapes when the
        caller knows them (a cell's, from its input's width)."""
        self.tf.graph.keras_uids_unknown = True  # legacy layers count Keras names too
        kind = layer.state["kind"]
        if sizes is None:
            sizes = shapes.layer_shapes(kind, _with_inputs(layer.args, inputs))
        if layer.state.get("built"):
            return _output(layer, inputs, sizes)
        layer.state["built"] = True
        base, weights = tfapi.LAYERS.get(kind) or tfapi.CELLS.get(kind) or (kind, ())
        reuse = layer.args.get("reuse", Const(None))
        if "scope" not in layer.state:
            name = layer.args.get("name", Const(None))
            base_name = Const(base) if is_none(name) else name
            if reuse_of(reuse) in (Reuse.YES, Reuse.AUTO):  # `_set_scope`: exact name
                layer.state["scope"] = self.scopes.capture_scope(node, base_name)
            else:  # a default name, made unique: `dense`, `dense_1`
                layer.state["scope"] = self.scopes.capture_scope(node, Const(None), base_name)
        with self.scopes.library_scope(node, layer.state["scope"], reuse=reuse, auxiliary=False):
            trainable = truth(layer.args.get("trainable", Const(True)))
            dtype = _weight_dtype(inputs)
            layer.state["weights"] = [
                self._weight(node, layer.path, weight,
                             False if weight.startswith("moving_") else trainable,
                             sizes.get(weight), dtype)
                for weight in _layer_weights(kind, weights, layer.args)]
        return _output(layer, inputs, sizes)

    def _weight(self, node: cst.Call, api: str, name: str, trainable: Optional[bool] = False,
                shape: Optional[tuple] = None, dtype: Optional[str] = None) -> Variable:
        """One weight a library call gets with get_variable in the current scope."""
        request = self.tf.graph.get_variable(name, self.py.loc(node), self.py.call_stack(), shape,
                                             None, dtype, trainable=trainable)
        self.tf.record_request(node, api, request)
        return self.variable_value(request)

    def variable_value(self, request: Request) -> Variable:
        """The variable a get_variable request returns, with what the store knows of it."""
        stored = self.tf.graph.store.get(request.key)
        name = None if request.name is None else request.name + ":0"
        if stored is None or request.outcome not in (Outcome.CREATE, Outcome.REUSE):
            return Variable(name)
        return Variable(name, stored.shape, stored.dtype, stored.trainable, stored.order)

    def rnn(self, kind: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.nn.dynamic_rnn(cell, ...)`: the cell builds in `variable_scope(scope or "rnn")`;
        the bidirectional forms build `cell_fw` and `cell_bw` in its `fw` and `bw` scopes;
        the stacked ones (`tf.contrib.rnn`) build layer i's pair in `cell_<i>/`, under a
        `bidirectional_rnn/` scope of its own for the dynamic one. `dynamic_rnn` and
        `bidirectional_dynamic_rnn` return `(outputs, state)`, the outputs `[..., units]`."""
        bound = bind_args(kind, args, kwargs)
        scope = bound.get("scope", Const(None))
        if "cell" in SIGNATURES[kind]:
            layers = [[("", "cell", bound.get("cell"))]]
        elif "cell_fw" in SIGNATURES[kind]:
            layers = [[("fw", "cell_fw", bound.get("cell_fw")),
                       ("bw", "cell_bw", bound.get("cell_bw"))]]
        else:
            fws, bws = bound.get("cells_fw"), bound.get("cells_bw")
            if not (isinstance(fws, Seq) and isinstance(bws, Seq)):
                self.tf.opaque_call()
                self.unknown_request(node, "nn." + kind)
                return Tensor()
            layers = [[("fw", f"cells_fw[{i}]", fw), ("bw", f"cells_bw[{i}]", bw)]
                      for i, (fw, bw) in enumerate(zip(fws.items, bws.items))]
        dynamic = kind in ("dynamic_rnn", "bidirectional_dynamic_rnn")
        inputs = bound.get("inputs") if dynamic else None
        outputs = []
        run = object()  # this call: its cells' uses in it are one run
        with self.scopes.library_scope(node, Const(tfapi.RNNS[kind]) if is_none(scope) else scope):
            for i, cells in enumerate(layers):
                stacked = kind.startswith("stack_")
                with self.scopes.library_scope(node, Const(f"cell_{i}")) if stacked \
                        else nullcontext(), \
                        self.scopes.library_scope(node, Const("bidirectional_rnn")) if (
                            kind == "stack_bidirectional_dynamic_rnn") else nullcontext():
                    for direction, param, cell in cells:
                        with self.scopes.library_scope(node, Const(direction)) if direction \
                                else nullcontext():
                            written = _argument(node, kind, param)
                            text = f"{param}={written}" if written else param
                            outputs.append(self.cell_call(cell, node, "nn." + kind, inputs,
                                                          CellUse(text, run)))
        if not dynamic:
            return Tensor()
        states = tuple(Tensor(grads=out.grads) for out in outputs)
        if len(outputs) == 1:
            return Seq((outputs[0], states[0]))
        return Seq((Seq(tuple(outputs)), Seq(states)))

    def cell_call(self, cell: Optional[Value], node: cst.Call, api: str,
                  inputs: Optional[Value] = None, use: Optional[CellUse] = None,
                  within: Optional[TFObject] = None) -> Tensor:
        """A cell's first call builds its weights in the current scope; a MultiRNNCell
        builds each layer's cell in `multi_rnn_cell/cell_<i>`, each on the previous one's
        output; a wrapper calls its cell. Returns the output, `[..., units]`. `use`: the RNN
        call's argument that passes the cell; `within`: the MultiRNNCell that calls it as a
        layer."""
        kind = cell.state.get("kind") if isinstance(cell, TFObject) else None
        if isinstance(cell, TFObject) and kind in (*tfapi.CELLS, "MultiRNNCell"):
            if cell.state.get("built"):
                self.note_cell_reused(cell, node, use, within)
            else:
                cell.state["first_use"] = FirstUse(
                    self.tf.graph.scope.name, self.tf.graph.scope.reuse, self.py.loc(node), use,
                    within, not self.tf.graph.may_not_run)
        if kind in tfapi.CELLS and isinstance(cell, TFObject):
            units = cell.state.get("units")
            tensor = shapes.as_tensor(inputs)
            plain = kind != "LSTMCell" or not any(
                truth(cell.args.get(k, Const(None))) is not False
                for k in ("num_proj", "use_peepholes", "activation"))
            sizes = shapes.cell_shapes(kind, units.value if isinstance(units, Const) and type(
                units.value) is int else None, tensor.shape if tensor and plain else None)
            return self.layer_object_call(cell, node, inputs, sizes)
        if kind == "MultiRNNCell" and isinstance(cell, TFObject):
            if cell.state.get("built"):
                return Tensor()
            cell.state["built"] = True
            scope = self.scopes.capture_scope(node, Const(None), Const("multi_rnn_cell"))
            cell.state["scope"] = scope
            out: Optional[Value] = inputs
            with self.scopes.library_scope(node, scope, auxiliary=False):
                for i, layer in enumerate(cell.state["cells"]):
                    with self.scopes.library_scope(node, Const(f"cell_{i}")):
                        out = self.cell_call(layer, node, api, out, use and use._replace(
                            text=f"layer {i} of {use.text}"), cell)
            return out if isinstance(out, Tensor) else Tensor()
        if isinstance(cell, TFObject) and "wraps" in cell.state:
            inside = use._replace(text=_INSIDE + use.text) if use and not use.text.startswith(
                _INSIDE) else use
            # the wrapped cell, in this scope
            return self.cell_call(cell.state["wraps"], node, api, inputs, inside, within)
        # weights under names scopelint cannot know
        self.tf.opaque_call(node)
        self.unknown_request(node, api)
        return Tensor()

    def note_cell_reused(self, cell: TFObject, node: cst.Call, use: Optional[CellUse],
                         within: Optional[TFObject]) -> None:
        """An RNN call runs a cell that built its weights in another variable scope: it
        makes none here and runs on those. Not reported for the layers of one MultiRNNCell
        (TFS207's `[cell] * n`), nor for a later call in a scope that reuses (sharing is
        meant there; an unknown caller's reuse counts when both uses are under it)."""
        graph = self.tf.graph
        first: FirstUse = cell.state["first_use"]
        here = graph.scope
        later = use is not None and (first.use is None or first.use.run is not use.run)
        if (not self.py.recording or use is None or not first.certain or graph.may_not_run
                or (within is not None and first.within is within)
                or (later and here.reuse is not Reuse.NO
                    and not (here.reuse is first.reuse is Reuse.UNKNOWN))
                or not _differ(first.scope, here.name)):
            return
        scope = cell.state["scope"]
        self.tf.facts.shared_cells.append(SharedCellFact(
            self.py.loc(node), use.text, self.py.call_stack(), first.loc,
            pattern(scope.scope.name if isinstance(scope, ScopeRef) else first.scope),
            pattern(here.name), first.use.text if first.use else ""))

    def multi_cell(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`MultiRNNCell(cells)`: reports a repeated cell; a known list becomes a cell."""
        self.note_shared_cell(args, kwargs, node)
        cells = kwargs.get("cells", args[0] if args else Unknown())
        if isinstance(cells, Seq):
            return TFObject(path, {}, {"kind": "MultiRNNCell", "cells": cells.items})
        self.tf.opaque_call(node)
        return Unknown()

    def note_shared_cell(self, args: list[Value], kwargs: Args, node: cst.Call) -> None:
        """`MultiRNNCell([cell] * n)`, `[cell, cell]`, `[cell for _ in range(n)]`: one cell
        object for several layers (it keeps the scope, so the weights, of its first use,
        since TF 1.2: before, a cell made its weights in the scope of each call)."""
        if not self.py.recording or not versions.at_least(self.tf.tf_version, (1, 2)):
            return
        value = kwargs.get("cells", args[0] if args else Unknown())
        expr = next((a.value for a in node.args if (a.keyword is None and not a.star)
                     or (a.keyword is not None and a.keyword.value == "cells")), None)
        found = _repeated_cell(value, expr)
        if found is not None:
            self.tf.facts.shared_cells.append(SharedCellFact(self.py.loc(node), found))

    def slim_layer(self, path: str, leaf: str, kwargs: dict[str, Value],
                   node: cst.Call, args: Sequence[Value] = ()) -> Value:
        """`slim.conv2d(..., scope=...)`: `variable_scope(scope, default, reuse=reuse)`;
        its first weights' shapes follow the input, when known."""
        default, weights = tfapi.SLIM_LAYERS[leaf]
        # named as written: `contrib.layers.fully_connected`, or slim's for tf_slim/contrib.slim
        api = path if path.startswith("contrib.layers.") else "slim." + leaf
        scoped = self._arg_scope_args(leaf)
        if scoped is None:  # an arg_scope that may list this layer may set any argument
            kwargs = Args({"reuse": Unknown(), **kwargs}, spread=True)
        else:
            kwargs = Args({**scoped, **kwargs}, getattr(kwargs, "spread", False))
        bound = bind_args(f"slim.{leaf}" if f"slim.{leaf}" in SIGNATURES else "slim_conv",
                          list(args), kwargs)
        sizes = shapes.slim_shapes(leaf, bound)
        reuse = kwargs.get("reuse", Const(None))
        with self.scopes.library_scope(node, kwargs.get("scope", Const(None)), Const(default),
                                       reuse):
            for weight in weights:
                self._weight(node, api, weight, shape=sizes.get(weight),
                             dtype=_weight_dtype(bound.get("inputs")))
            # The rest (biases, gamma, a normalizer's scope) depends on arguments.
            self.unknown_request(node, api)
            self.tf.graph.mark_store_unknown()
        out = sizes.get("output")
        tensor = shapes.as_tensor(bound.get("inputs"))
        return Tensor(out, tensor.dtype if tensor else None) if out is not None else Unknown()

    def _arg_scope_args(self, leaf: str) -> Optional[dict[str, Value]]:
        """The arguments the enclosing `arg_scope`s give slim's `leaf` (inner ones win),
        or None when one of them lists ops scopelint cannot name."""
        given: dict[str, Value] = {}
        for scope in self.tf.arg_scopes:
            ops = scope.state["ops"]
            if ops is None:
                return None
            if leaf in ops:
                given.update(scope.args)
        return given

    def unknown_request(self, node: cst.Call, api: str) -> None:
        """Variables under names scopelint cannot know, somewhere in the current scope."""
        rest = self.tf.graph.full_name(ANY)
        self.tf.record_request(node, api, Request(rest, rest, Outcome.UNKNOWN, Reuse.UNKNOWN))

    def slim_repeat(self, leaf: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`slim.repeat(x, n, layer, ...)` / `slim.stack(x, layer, [a, b], ...)`: the layer
        runs in `variable_scope(scope, "Repeat" / "Stack")` as `<scope>_1`, `<scope>_2`, ...
        where `scope` defaults to the layer function's `__name__`."""
        params = ("inputs", "repetitions", "layer") if leaf == "repeat" else (
            "inputs", "layer", "stack_args")
        bound = {**dict(zip(params, args)), **kwargs}
        layer = bound.get("layer")
        name = layer.path.rsplit(".", 1)[-1] if isinstance(layer, TFRef) else ""
        times = bound.get("repetitions") if leaf == "repeat" else bound.get("stack_args")
        count = (times.value if isinstance(times, Const) and type(times.value) is int
                 else len(times.items) if isinstance(times, Seq) else None)
        if (count is None or not isinstance(layer, TFRef) or getattr(kwargs, "spread", False)
                or not layer.path.startswith(tfapi.SLIM_NAMESPACES)
                or name not in tfapi.SLIM_LAYERS):
            self.tf.opaque_call(node)
            self.unknown_request(node, "slim." + leaf)
            return Unknown()
        scope = kwargs.get("scope", Const(None))
        base = to_text(scope) if not is_none(scope) else tfapi.SLIM_FUNCTION_NAMES.get(name, name)
        rest = {k: v for k, v in kwargs.items() if k != "scope"}
        with self.scopes.library_scope(node, scope, Const(leaf.capitalize())):
            for i in range(count):
                self.slim_layer(layer.path, name, {**rest, "scope": Const(f"{base}_{i + 1}")},
                                node)
        return Unknown()

    def optimizer_slots(self, optimizer: TFObject, kind: str, method: str, args: list[Value],
                        kwargs: dict[str, Value], node: cst.Call) -> Value:
        """`minimize()` / `apply_gradients()`: slot variables come from get_variable, named
        `<var>/<optimizer name>` (`_1` for a second slot) for each variable trained that has
        none yet, when scopelint knows which (see `trained_variables`)."""
        if kind not in tfapi.SLOT_OPTIMIZERS or optimizer.state.get("unknown"):
            return Unknown()
        slot = const_str(optimizer.args.get("name", Const(kind.replace("Optimizer", ""))))
        if method == "minimize":
            bound = bind_args("minimize", args, kwargs)
            trained = trained_variables(bound.get("loss"), bound.get("var_list", Const(None)))
        else:
            trained = applied_variables(bind_args("apply_gradients", args, kwargs).get(
                "grads_and_vars"))
        count = _slot_count(kind, optimizer.args)
        if trained is not None and not (slot and is_known(slot) and count
                                        and all(is_known(v.name or ANY) for v in trained)):
            trained = None
        first = "slotted" not in optimizer.state
        if kind == "AdamOptimizer" and first:
            # Adam's non-slot accumulators are plain tf.Variables named in the name scope.
            for power in ("beta1_power", "beta2_power"):
                self.tf.new_variable(node, "AdamOptimizer.beta_power", power, "float32", ())
        api = f"{kind}.{method}"
        if trained is None:
            optimizer.state["unknown"] = True
            self.slot_request(node, api, slot or "…")
            if kind in tfapi.TWO_SLOT_OPTIMIZERS:  # the second slot: `<var>/Adam_1`
                self.slot_request(node, api, f"{slot}_1" if slot else "…")
        else:
            slotted = optimizer.state.setdefault("slotted", set())
            for var in trained:
                if var.name in slotted:
                    continue
                slotted.add(var.name)
                for _ in range(count or 0):
                    self.slot_variable(node, api, var, slot or "")
        # compute_gradients() opens `gradients`, apply_gradients() the optimizer's name.
        if method == "minimize":
            self.tf.graph.unique_name("gradients")
        if slot:
            self.tf.graph.unique_name(slot)
        else:
            self.tf.graph.mark_names_unknown()
        return Unknown()

    def slot_variable(self, node: cst.Call, api: str, var: Variable, slot: str) -> None:
        """`slot_creator.create_slot`: `variable_scope(None, default_name=<var op>/<slot>)`,
        then `get_variable("")` there, of the variable's shape and dtype."""
        owner = (var.name or "").rsplit(":", 1)[0]
        with self.scopes.library_scope(node, Const(None), Const(f"{owner}/{slot}")):
            request = self.tf.graph.get_variable("", self.py.loc(node), self.py.call_stack(),
                                                 None, None, var.dtype, made_shape=var.shape)
            self.tf.record_request(node, api, replace(request, detail=slot))

    def compute_gradients(self, args: list[Value], kwargs: dict[str, Value]) -> Value:
        """`compute_gradients(loss, var_list)`: `(gradient, variable)` pairs, when scopelint
        knows the variables; a variable the loss does not reach gets None."""
        self.tf.graph.unique_name("gradients")
        bound = bind_args("compute_gradients", args, kwargs)
        given = bound.get("var_list", Const(None))
        trained = trained_variables(bound.get("loss"), given)
        if trained is None:
            return Unknown()
        listed = given.items if isinstance(given, Seq) else trained
        return Seq(tuple(Seq((Tensor(v.shape, v.dtype) if v in trained else Const(None), v))
                         for v in listed))

    def moving_average(self, ema: TFObject, var_list: Optional[Value], node: cst.Call) -> Value:
        """`apply(var_list)`: a shadow variable per item, named after the item's op in a
        `variable_scope(None, default_name=<op>/<name>)`. An op made here is new to the
        graph, so under reuse its shadow certainly does not exist yet."""
        graph = self.tf.graph
        name = const_str(ema.args.get("name", Const("ExponentialMovingAverage"))) or "…"
        api = "ExponentialMovingAverage.apply"
        items = var_list.items if isinstance(var_list, Seq) else ()
        fresh = [t for t in items if isinstance(t, OpOutput) and t.graph == graph.serial
                 and t not in graph.averaged]
        graph.averaged.update(t for t in items if isinstance(t, OpOutput))
        if fresh and graph.scope.reuse is Reuse.YES and not self.py.handling:
            if self.py.recording:
                key = graph.full_name(f"…/{name}")
                self.tf.add_variable(node, VariableFact(
                    self.py.loc(node), api, None, pattern(key) + ":0", Outcome.MISSING, Reuse.YES,
                    self.py.call_stack(), detail=name,
                    reuse_origin=self.tf.reuse_origin(Request("", None, Outcome.MISSING,
                                                              Reuse.YES))))
            return Unknown()
        named = items and is_known(name) and not ema.state.get("unknown") and all(
            isinstance(v, Variable) and v.name and is_known(v.name) for v in items)
        if named:
            for var in items:
                if isinstance(var, Variable):
                    self.slot_variable(node, api, var, name)
            return Unknown()
        if ema.state.get("unknown"):
            return Unknown()
        ema.state["unknown"] = True
        self.slot_request(node, api, name)
        return Unknown()

    def slot_request(self, node: cst.Call, api: str, slot: str) -> None:
        """Variables made under unknown names in the current scope, whose reuse decides.

        The fact is built here, not by `record_request`: slots do not count as the variables
        a `reuse_variables()` was meant for (see `note_variable_use`).
        """
        graph = self.tf.graph
        reuse = graph.scope.reuse
        outcome = {Reuse.YES: Outcome.MISSING, Reuse.NO: Outcome.CREATE,
                   Reuse.AUTO: Outcome.CREATE}.get(reuse, Outcome.UNKNOWN)
        if outcome is Outcome.MISSING and (slot in graph.slot_names or graph.slots_unknown
                                           or self.py.handling):
            outcome = Outcome.UNKNOWN  # an earlier optimizer may have made these slots
        if self.py.recording:
            self.tf.add_variable(node, VariableFact(
                self.py.loc(node), api, None, pattern(graph.full_name(f"…/{slot}")) + ":0", outcome,
                reuse,
                self.py.call_stack(), detail=slot,
                reuse_origin=self.tf.reuse_origin(Request("", None, outcome, reuse))))
        if outcome is not Outcome.MISSING:
            graph.mark_slots_unknown(slot)
            graph.slot_names.add(slot)


def _repeated_cell(value: Value, expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """How the list repeats one cell object, when it does."""
    if isinstance(value, Seq) and len(value.items) < 2:
        return None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
        for listed, times in ((expr.left, expr.right), (expr.right, expr.left)):
            if (isinstance(listed, (cst.List, cst.Tuple)) and len(listed.elements) == 1
                    and not isinstance(listed.elements[0], cst.StarredElement)):
                return f"{source_of(listed)} * {source_of(times)}"
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp)) and isinstance(expr.elt, cst.Name):
        bound: set[str] = set()
        clause: Optional[cst.CompFor] = expr.for_in
        while clause is not None:
            bound |= _target_names(clause.target)
            clause = clause.inner_for_in
        if expr.elt.value not in bound:
            return f"a comprehension that repeats {expr.elt.value}"
    if isinstance(value, Seq):  # the list is known: compare the objects themselves
        seen: list[Value] = []
        for item in value.items:
            if isinstance(item, (TFObject, Instance)) or type(item) is Unknown:
                if any(item is other for other in seen):
                    count = sum(item is other for other in value.items)
                    if isinstance(expr, cst.Name):
                        return f"{expr.value} holds one cell {count} times"
                    return f"{_element_like(expr, item, value)} listed {count} times"
                seen.append(item)
    return None


class CellUse(NamedTuple):
    """An RNN call's argument that passes a cell (`cell_bw=cell`), in one run of the call."""

    text: str
    run: object


class FirstUse(NamedTuple):
    """Where a cell built its weights: the variable scope and its reuse, the call."""

    scope: str
    reuse: Reuse
    loc: Location
    use: Optional[CellUse]  # None: called directly (`cell(x, state)`)
    within: Optional[TFObject]  # the MultiRNNCell that called it as a layer
    certain: bool  # not in code that may not run


def _differ(first: str, second: str) -> bool:
    """Whether two scope names (with holes) certainly differ: past their common start,
    which holds no hole of any text, both are known and unequal."""
    common = len(os.path.commonprefix([first, second]))
    return (ANY not in first[:common] and first != second
            and is_known(first[common:]) and is_known(second[common:]))


_INSIDE = "the cell inside "  # how a wrapper's cell is passed: `the cell inside cell_fw=fw`


def _argument(node: cst.Call, kind: str, param: str) -> Optional[str]:
    """The call's argument for `param` (`cells_fw[1]`: an item of that list), as written."""
    name, _, index = param.partition("[")
    position = SIGNATURES[kind].index(name)
    for i, arg in enumerate(node.args):
        if arg.star:
            return None
        if (arg.keyword is None and i == position) or (arg.keyword is not None
                                                       and arg.keyword.value == name):
            value = arg.value
            if index:
                items = value.elements if isinstance(value, (cst.List, cst.Tuple)) else ()
                at = int(index.rstrip("]"))
                return source_of(items[at].value) if at < len(items) else None
            return source_of(value)
    return None


def _element_like(expr: Optional[cst.BaseExpression], item: Value, value: Seq) -> str:
    """The repeated element as written, when the list is spelled out; else `a cell`."""
    if isinstance(expr, (cst.List, cst.Tuple)) and len(expr.elements) == len(value.items):
        return source_of(expr.elements[value.items.index(item)].value)
    return "a cell"


def _target_names(target: cst.BaseExpression) -> set[str]:
    """The names a `for` target binds."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {n for e in target.elements for n in _target_names(e.value)}
    return set()


def trained_variables(loss: Optional[Value], var_list: Value) -> Optional[list[Variable]]:
    """The variables `minimize(loss, var_list=...)` makes slots for: those of `var_list`
    (by default the trainable ones) that a gradient of the loss reaches, in order; None
    when scopelint cannot tell."""
    tensor = shapes.as_tensor(loss)
    reached = tensor.grads if tensor is not None else None
    if is_none(var_list):
        return None if reached is None else sorted(reached, key=lambda v: v.order)
    if not isinstance(var_list, Seq) or not all(
            isinstance(v, Variable) and v.trainable is True for v in var_list.items):
        return None
    names = None if reached is None else {v.name for v in reached}
    return [v for v in var_list.items
            if isinstance(v, Variable) and (names is None or v.name in names)]


def _slot_count(kind: str, args: dict[str, Value]) -> Optional[int]:
    """How many slots an optimizer makes per variable, all named after it: a centered
    RMSProp a third (`mg`); Ftrl's own `accum_name` / `linear_name` rename them."""
    if kind == "RMSPropOptimizer":
        centered = truth(args.get("centered", Const(False)))
        return None if centered is None else 3 if centered else 2
    if kind == "FtrlOptimizer" and not all(is_none(args.get(k, Const(None)))
                                           for k in ("accum_name", "linear_name")):
        return None
    return 2 if kind in tfapi.TWO_SLOT_OPTIMIZERS else 1


def applied_variables(grads_and_vars: Optional[Value]) -> Optional[list[Variable]]:
    """The variables `apply_gradients(pairs)` makes slots for: those with a gradient."""
    if not isinstance(grads_and_vars, Seq):
        return None
    out: list[Variable] = []
    for pair in grads_and_vars.items:
        if not (isinstance(pair, Seq) and len(pair.items) == 2
                and isinstance(pair.items[1], Variable)):
            return None
        grad = pair.items[0]
        if is_none(grad):
            continue
        if not isinstance(grad, (Tensor, Variable)):
            return None
        out.append(pair.items[1])
    return out




def layer_signature(kind: str) -> str:
    """The `SIGNATURES` entry of a layer function (its class takes the same, but `inputs`)."""
    if f"layers.{kind}" in SIGNATURES:
        return f"layers.{kind}"
    return "embedding" if kind == "embedding" else "layer"


def _with_inputs(args: dict[str, Value], inputs: Optional[Value]) -> Args:
    """A layer's arguments with the input it is called on."""
    return Args({**args, "inputs": inputs if inputs is not None else Unknown()},
                getattr(args, "spread", False))


def _weight_dtype(inputs: Optional[Value]) -> Optional[str]:
    """A layer's weights take its first input's floating dtype."""
    tensor = shapes.as_tensor(inputs)
    return tensor.dtype if tensor is not None and tensor.dtype in shapes.FLOATS else None


def _output(layer: TFObject, inputs: Optional[Value], sizes: dict[str, tuple],
            dtype: Optional[str] = None) -> Tensor:
    """A layer's output, of its weights' dtype (by default, its input's): its shape when
    known; its gradient reaches the layer's trainable weights and what the input's reaches."""
    tensor = shapes.as_tensor(inputs) if inputs is not None else None
    weights: list[Variable] = layer.state.get("weights", [])
    grads = None
    if tensor is not None and tensor.grads is not None and all(
            w.name and w.trainable is not None for w in weights):
        grads = tensor.grads | {w for w in weights if w.trainable}
    return Tensor(sizes.get("output"), dtype or _weight_dtype(inputs), grads)


def _layer_weights(kind: str, weights: tuple[str, ...], args: dict[str, Value]) -> list[str]:
    """The weights a layer makes, given `use_bias`, `center` and `scale`."""
    def on(flag: str) -> bool:
        return truth(args.get(flag, Const(True))) is not False
    if kind == "batch_normalization":
        return [w for w in weights
                if (w != "gamma" or on("scale")) and (w != "beta" or on("center"))]
    return [w for w in weights if w != "bias" or on("use_bias")]
