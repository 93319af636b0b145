"""Project classes on a library base whose `__call__` wraps a method in a variable scope,
replayed as the library's source does it. Part of the TF model (see `tf_model`).

- legacy `tf.layers.Layer` (tf_keras `legacy_tf_layers.base`): the first call captures
  `variable_scope(None, default_name=<name or snake_case(class)>)`, runs `build`, then
  `call`; later calls re-enter that scope with reuse.
- tensor2tensor's `T2TModel` is such a layer named after its class; its `call` builds the
  modalities (names scopelint cannot know), then `body` in `variable_scope("body")`.
- Sonnet 1's `AbstractModule`: `__init__` makes a template, capturing
  `variable_scope(None, default_name=<name or snake_case(class)>)`; each call runs `_build`
  in it, with reuse after the first.

A scope captured right inside a variable scope of the same name doubles it
(`transformer/transformer/...`): noted for TFS209.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from scopelint.engine.protocols import Replay, TFCore
from scopelint.engine.scopes import Scopes
from scopelint.engine.symbols import ANY, is_known, pattern
from scopelint.engine.values import (
    Class, Const, Function, Instance, ModuleRef, ScopeRef, TFRef, Unknown, Value, const_str,
)
from scopelint.facts import CallStack, DoubledScopeFact, Location

LAYER, T2T, SONNET = "layer", "t2t", "sonnet"
BASES = {
    "layers.Layer": LAYER,
    "tensor2tensor.utils.t2t_model.T2TModel": T2T,
    "sonnet.AbstractModule": SONNET,
    "sonnet.python.modules.base.AbstractModule": SONNET,
}
# the method each base's `__call__` runs, and the ones that, overridden, change what it does
METHOD = {LAYER: "call", T2T: "body", SONNET: "_build"}
OVERRIDES = {LAYER: (), T2T: ("call", "model_fn", "model_fn_sharded", "bottom"), SONNET: ()}


# a legacy layer's `self.add_weight(name, shape, dtype, initializer, ...)`: get_variable in
# the layer's scope (`add_variable` is its old name)
LIBRARY_WEIGHTS = frozenset({"add_weight", "add_variable"})
_WEIGHT_PARAMS = ("name", "shape", "dtype", "initializer", "regularizer", "trainable")


def library_base(bases: list[Value]) -> str:
    """The library base among a class's bases (inherited through project classes)."""
    for base in bases:
        if isinstance(base, Class) and base.library:
            return base.library
        path = base.path if isinstance(base, (TFRef, ModuleRef)) else None
        if path in BASES:
            return BASES[path]
    return ""


class LayerClasses:
    """`__init__` and `__call__` of classes on a library base."""

    def __init__(self, tf: TFCore, py: Replay, scopes: Scopes) -> None:
        self.tf = tf
        self.py = py
        self.scopes = scopes

    def library_init(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                     node: Optional[cst.Call]) -> Value:
        """The base's `__init__`: the name its scope will take; Sonnet captures it now."""
        kind = instance.cls.library
        name: Value = Const(None)
        if kind == LAYER:  # Layer(trainable=True, name=None, dtype=None, **kwargs)
            name = kwargs.get("name", args[1] if len(args) > 1 else Const(None))
        elif kind == SONNET:  # AbstractModule(_sentinel=None, custom_getter=None, name=None)
            name = kwargs.get("name", Const(None))
        text = const_str(name) if name != Const(None) else _snake(instance.cls, kind)
        instance.library["name"] = Const(text) if text else Unknown()
        if kind == SONNET and node is not None:
            self._capture(instance, node)
        return Const(None)

    def library_call(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                     node: cst.Call) -> Value:
        """The base's `__call__`: the wrapped method in the captured scope."""
        cls = instance.cls
        kind = cls.library
        method = cls.lookup(METHOD[kind])
        if not isinstance(method, Function) or any(
                isinstance(cls.lookup(name), Function) for name in OVERRIDES[kind]):
            self.tf.opaque_call()
            return Unknown()
        if "name" not in instance.library:
            self.library_init(instance, [], {}, None)
        first = not instance.library.get("called")
        if "scope" not in instance.library:
            self._capture(instance, node)
        instance.library["called"] = Const(True)
        instance.library["active"] = Const(True)  # `self.add_weight` makes weights now
        try:
            with self.scopes.library_scope(node, instance.library["scope"],
                                           reuse=Const(None) if first else Const(True),
                                           auxiliary=kind == SONNET):
                return self._run(instance, method, args, kwargs, node, first)
        finally:
            instance.library.pop("active", None)

    def _run(self, instance: Instance, method: Function, args: list[Value],
             kwargs: dict[str, Value], node: cst.Call, first: bool) -> Value:
        """The wrapped method (after `build`, the first time), in the captured scope."""
        kind = instance.cls.library
        if kind == LAYER:
            build = instance.cls.lookup("build")
            if first and isinstance(build, Function):
                self.py.call_function(build.bind(instance), [Unknown()], {}, node)
            return self.py.call_function(method.bind(instance), args, kwargs, node)
        if kind == SONNET:
            return self.py.call_function(method.bind(instance), args, kwargs, node)
        self._modalities()  # T2TModel.bottom
        with self.scopes.library_scope(node, Const("body")):
            self.py.call_function(method.bind(instance), [Unknown()], {}, node)
        self._modalities()  # T2TModel.top
        return Unknown()

    def library_weight(self, instance: Instance, args: list[Value],
                       kwargs: dict[str, Value], node: cst.Call) -> Value:
        """`self.add_weight(...)` while the layer's `__call__` runs: get_variable in its
        scope; elsewhere (before the scope is captured) unknown."""
        if instance.cls.library not in (LAYER, T2T) or not instance.library.get("active"):
            self.tf.opaque_call()
            return Unknown()
        bound = dict(zip(_WEIGHT_PARAMS, args))
        bound.update(kwargs)
        return self.tf.get_variable(bound, node, "add_weight")

    def _capture(self, instance: Instance, node: cst.Call) -> None:
        """`variable_scope(None, default_name=name)` kept by the object; a scope of the
        same name around it is noted (`s/s/...`)."""
        loc, stack = self.py.loc(node), self.py.call_stack()
        fn = self.py.calling[-1] if self.py.calling else None
        if fn is not None and fn.bound is instance and self.py.stack:  # in `__init__`
            loc, stack = self.py.stack[-1], stack[:-1]  # where the object is made
        instance.library["scope"] = self.capture_own_scope(
            node, instance.library["name"], instance.cls.node.name.value, loc, stack)

    def capture_own_scope(self, node: cst.Call, name: Value, owner: str,
                          loc: Optional[Location] = None, stack: CallStack = ()) -> Value:
        """`variable_scope(None, default_name=name)` kept by an object (`owner`) whose calls
        enter it; right inside a scope of the same name it doubles it (`s/s/...`)."""
        outer = self.tf.graph.scope.name
        scope = self.scopes.capture_scope(node, Const(None), name)
        text = const_str(name)
        if (text and is_known(outer) and outer.rsplit("/", 1)[-1] == text
                and isinstance(scope, ScopeRef) and scope.scope.name == f"{outer}/{text}"
                and self.py.recording):
            self.tf.facts.doubled_scopes.append(DoubledScopeFact(
                loc or self.py.loc(node), pattern(f"{scope.scope.name}/{ANY}"), text,
                stack if loc else self.py.call_stack(), owner=owner))
        return scope

    def _modalities(self) -> None:
        """T2TModel's modalities make variables in scopes named `<..>_modality_<..>`."""
        self.tf.graph.unsure_store.add(self.tf.graph.full_name(f"{ANY}modality{ANY}"))


def _snake(cls: Class, kind: str) -> str:
    """The default name each library derives from the class name."""
    name = cls.node.name.value
    if kind == SONNET:  # sonnet.python.modules.util.to_snake_case
        name = re.sub(r"([A-Z][a-z])", r"_\1", name)
        name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
        name = re.sub(r"([a-z])([0-9][^_]*)", r"\1_\2", name)
        return name.strip("_").lower()
    if kind == T2T and any(isinstance(d.decorator, cst.Call) and d.decorator.args
                           for d in cls.node.decorators):
        return ""  # `@registry.register_model("name")`: REGISTERED_NAME is that name
    if kind == T2T:  # tensor2tensor.utils.misc_utils.camelcase_to_snakecase
        name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
        return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    # tf_keras generic_utils.to_snake_case
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if name[0] != "_" else "private" + name
