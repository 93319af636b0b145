"""Library calls that make variables: tf.layers, tf_slim / tf.contrib.layers, RNN cells,
optimizers' slots, moving averages and the global step.

A mixin of the interpreter; each mirrors how the library names its variables.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Optional

import libcst as cst

from scopelint.engine import tfapi
from scopelint.engine.arguments import SIGNATURES, bind_args, is_none
from scopelint.engine.model import Request
from scopelint.engine.state import EngineState
from scopelint.engine.symbols import ANY, pattern
from scopelint.engine.values import (
    CALLABLES,
    Args,
    Const,
    OpOutput,
    Seq,
    Tensor,
    TFObject,
    TFRef,
    Unknown,
    Value,
    const_str,
    reuse_of,
    truth,
)
from scopelint.facts import Outcome, Reuse, VariableFact


class LibraryCalls(EngineState):
    """Variables made by TF library calls (see interpreter.Interpreter)."""

    def global_step(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.train.get_or_create_global_step()`: get_variable in the current scope, once."""
        graph = self.graph
        taken = graph.names_in_use.get("global_step") or graph.unsure_names.matches("global_step")
        if graph.has_global_step or taken:  # it finds the existing `global_step:0` by name
            return Unknown()
        graph.has_global_step = True
        self.get_variable(Args({"name": Const("global_step"), "shape": Seq(()),
                                "dtype": TFRef("int64")}), node, path)
        return Unknown()

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
        with self.library_scope(node, template.state["scope"], reuse=reuse):
            if isinstance(fn, CALLABLES):
                merged = {k: v for k, v in template.args.items() if not k.endswith("_")}
                return self.call_value(fn, args, {**merged, **kwargs}, node,
                                       unknown_rest=getattr(kwargs, "spread", False))
            self.opaque_call()
            return Unknown()

    def _template_scope(self, template: TFObject, node: cst.Call) -> None:
        template.state["scope"] = self.capture_scope(
            node, Const(None), template.args.get("name_", Unknown()))

    def functional_layer(self, kind: str, kwargs: dict[str, Value], node: cst.Call) -> Value:
        """`tf.layers.dense(...)` etc.: build a layer object and call it once."""
        layer = TFObject("layers." + kind, kwargs, {"kind": kind, "functional": True})
        name = kwargs.get("name", Const(None))
        if not is_none(name):
            # Layer.__init__: `with vs(name) as captured: self._scope = captured`.
            layer.state["scope"] = self.capture_scope(node, name)
        return self.layer_object_call(layer, node)

    def layer_object_call(self, layer: TFObject, node: cst.Call) -> Value:
        """`Layer.__call__`: the first call picks the scope and gets each weight in it;
        later calls use the weights already built."""
        if layer.state.get("built"):
            return Unknown()
        layer.state["built"] = True
        kind = layer.state["kind"]
        base, weights = tfapi.LAYERS.get(kind) or tfapi.CELLS.get(kind) or (kind, ())
        reuse = layer.args.get("reuse", Const(None))
        if "scope" not in layer.state:
            name = layer.args.get("name", Const(None))
            base_name = Const(base) if is_none(name) else name
            if reuse_of(reuse) in (Reuse.YES, Reuse.AUTO):  # `_set_scope`: exact name
                layer.state["scope"] = self.capture_scope(node, base_name)
            else:  # a default name, made unique: `dense`, `dense_1`
                layer.state["scope"] = self.capture_scope(node, Const(None), base_name)
        with self.library_scope(node, layer.state["scope"], reuse=reuse, auxiliary=False):
            trainable = truth(layer.args.get("trainable", Const(True))) is True
            for weight in _layer_weights(kind, weights, layer.args):
                self._weight(node, layer.path, weight,
                             trainable and not weight.startswith("moving_"))
        return Unknown()

    def _weight(self, node: cst.Call, api: str, name: str, trainable: bool = False) -> None:
        """One weight a library call gets with get_variable in the current scope."""
        request = self.graph.get_variable(name, self.loc(node), self.call_stack(), None, None,
                                          trainable=trainable)
        self.record_request(node, api, request)

    def rnn(self, kind: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value:
        """`tf.nn.dynamic_rnn(cell, ...)`: the cell builds in `variable_scope(scope or "rnn")`;
        the bidirectional forms build `cell_fw` and `cell_bw` in its `fw` and `bw` scopes."""
        bound = bind_args(kind, args, kwargs)
        scope = bound.get("scope", Const(None))
        cells = [("", bound.get("cell"))] if "cell" in SIGNATURES[kind] else [
            ("fw", bound.get("cell_fw")), ("bw", bound.get("cell_bw"))]
        with self.library_scope(node, Const(tfapi.RNNS[kind]) if is_none(scope) else scope):
            for direction, cell in cells:
                with self.library_scope(node, Const(direction)) if direction else nullcontext():
                    if isinstance(cell, TFObject) and cell.state.get("kind") in tfapi.CELLS:
                        self.layer_object_call(cell, node)
                    else:
                        self.opaque_call()
        return Tensor()

    def slim_layer(self, leaf: str, kwargs: dict[str, Value], node: cst.Call) -> Value:
        """`slim.conv2d(..., scope=...)`: `variable_scope(scope, default, reuse=reuse)`."""
        default, weights = tfapi.SLIM_LAYERS[leaf]
        api = "slim." + leaf
        scoped = self._arg_scope_args(leaf)
        if scoped is None:  # an arg_scope that may list this layer may set its reuse
            kwargs = {"reuse": Unknown(), **kwargs}
        else:
            kwargs = {**scoped, **kwargs}
        reuse = kwargs.get("reuse", Const(None))
        with self.library_scope(node, kwargs.get("scope", Const(None)), Const(default), reuse):
            for weight in weights:
                self._weight(node, api, weight)
            # The rest (biases, gamma, a normalizer's scope) depends on arguments.
            rest = self.graph.full_name(ANY)
            self.record_request(node, api, Request(rest, rest, Outcome.UNKNOWN, Reuse.UNKNOWN))
            self.graph.mark_store_unknown()
        return Unknown()

    def _arg_scope_args(self, leaf: str) -> Optional[dict[str, Value]]:
        """The arguments the enclosing `arg_scope`s give slim's `leaf` (inner ones win),
        or None when one of them lists ops scopelint cannot name."""
        given: dict[str, Value] = {}
        for scope in self.arg_scopes:
            ops = scope.state["ops"]
            if ops is None:
                return None
            if leaf in ops:
                given.update(scope.args)
        return given

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

    def moving_average(self, ema: TFObject, var_list: Optional[Value], node: cst.Call) -> Value:
        """`apply(var_list)`: a shadow variable per item, named after the item's op in a
        `variable_scope(None, default_name=<op>/<name>)`. An op made here is new to the
        graph, so under reuse its shadow certainly does not exist yet."""
        graph = self.graph
        name = const_str(ema.args.get("name", Const("ExponentialMovingAverage"))) or "…"
        api = "ExponentialMovingAverage.apply"
        items = var_list.items if isinstance(var_list, Seq) else ()
        fresh = [t for t in items if isinstance(t, OpOutput) and t.graph == graph.serial
                 and t not in graph.averaged]
        graph.averaged.update(t for t in items if isinstance(t, OpOutput))
        if fresh and graph.scope.reuse is Reuse.YES and not self.handling:
            if self.recording:
                key = graph.full_name(f"…/{name}")
                self.facts.variables.append(VariableFact(
                    self.loc(node), api, None, pattern(key) + ":0", Outcome.MISSING, Reuse.YES,
                    self.call_stack(), detail=name,
                    reuse_origin=self.reuse_origin(Request("", None, Outcome.MISSING,
                                                           Reuse.YES))))
            return Unknown()
        if ema.state.get("applied"):
            return Unknown()
        ema.state["applied"] = True
        self.slot_request(node, api, name)
        return Unknown()

    def slot_request(self, node: cst.Call, api: str, slot: str) -> None:
        """Variables made under unknown names in the current scope, whose reuse decides.

        The fact is built here, not by `record_request`: slots do not count as the variables
        a `reuse_variables()` was meant for (see `note_variable_use`).
        """
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


def _layer_weights(kind: str, weights: tuple[str, ...], args: dict[str, Value]) -> list[str]:
    """The weights a layer makes, given `use_bias`, `center` and `scale`."""
    def on(flag: str) -> bool:
        return truth(args.get(flag, Const(True))) is not False
    if kind == "batch_normalization":
        return [w for w in weights
                if (w != "gamma" or on("scale")) and (w != "beta" or on("center"))]
    return [w for w in weights if w != "bias" or on("use_bias")]
