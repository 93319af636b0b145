"""Evaluation of expressions to abstract values, and dispatch of calls."""

from __future__ import annotations

import itertools
import operator
import re
import string
from typing import Callable, Iterable, Optional, Union, cast

import libcst as cst

from scopelint.engine import builtins_model, containers, shapes, tffree, tfapi, versions
from scopelint.engine.layer_classes import LIBRARY_WEIGHTS
from scopelint.engine.protocols import ReplayCore
from scopelint.engine.symbols import is_known
from scopelint.engine.tfapi import canonical
from scopelint.engine.values import (
    Args,
    Benign,
    BoundNames,
    Builtin,
    Class,
    Const,
    ContextCall,
    Defaults,
    Env,
    Function,
    HOLDERS,
    Inert,
    Instance,
    Lambda,
    LibraryInit,
    Mapping,
    Member,
    ModuleObject,
    ModuleRef,
    NoVariables,
    Partial,
    ReuseValue,
    ScopeManager,
    ScopeRef,
    Seq,
    StaticShape,
    Super,
    Tensor,
    TFObject,
    TFRef,
    Unknown,
    Value,
    Variable,
    const_str,
    tf_value,
    to_text,
    truth,
)


_PERCENT_SPEC = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def evaluate(interp: ReplayCore, node: cst.BaseExpression, env: Env) -> Value:
    """The abstract value of an expression; calls inside it run in order."""
    handler = _EVALUATORS.get(type(node))
    if handler is not None:
        return handler(interp, node, env)
    if isinstance(node, _COMPREHENSIONS):
        return _comprehension(interp, node, env)
    for child in node.children:
        if isinstance(child, cst.BaseExpression):
            evaluate(interp, child, env)
        elif isinstance(child, (cst.Element, cst.BaseDictElement, cst.Arg)):
            for sub in child.children:
                if isinstance(sub, cst.BaseExpression):
                    evaluate(interp, sub, env)
    return Unknown()


def _lambda(interp: ReplayCore, node: cst.Lambda, env: Env) -> Value:
    return Lambda(node, env, defaults_of(interp, node.params, env))


def defaults_of(interp: ReplayCore, params: cst.Parameters, env: Env) -> Defaults:
    """The default values of a function's or lambda's parameters, evaluated in `env`, where
    it is defined."""
    return Defaults({p.name.value: evaluate(interp, p.default, env)
                     for p in (*params.params, *params.kwonly_params) if p.default is not None})


def _dict(interp: ReplayCore, node: cst.Dict, env: Env) -> Value:
    items: list[tuple[str, Value]] = []
    known = True
    for element in node.elements:
        if isinstance(element, cst.StarredDictElement):
            evaluate(interp, element.value, env)
            known = False
            continue
        assert isinstance(element, cst.DictElement)
        key = evaluate(interp, element.key, env)
        value = evaluate(interp, element.value, env)
        interp.escaped.add([value])
        text = const_str(key)
        if text is None:
            known = False
        else:
            items.append((text, value))
    return Mapping(tuple(items)) if known else Unknown()


def _sequence(interp: ReplayCore, node: Union[cst.Tuple, cst.List, cst.Set], env: Env
              ) -> Value:
    elements = node.elements
    items = [evaluate(interp, e.value, env) for e in elements]
    interp.escaped.add(items)  # a list inside another is changed through it unseen
    if any(type(e) is cst.StarredElement for e in elements):  # see `cstwalk.statements`
        return Unknown()
    return Seq(tuple(items))


def _named_expr(interp: ReplayCore, node: cst.NamedExpr, env: Env) -> Value:
    value = evaluate(interp, node.value, env)
    interp.assign(node.target, value, env)
    return value


def _integer(interp: ReplayCore, node: cst.Integer, env: Env) -> Value:
    try:
        return Const(int(node.value, 0))
    except ValueError:
        return Const(node.evaluated_value)


def _simple_string(interp: ReplayCore, node: cst.SimpleString, env: Env) -> Value:
    text = node.value
    if text[0] in "\"'" and "\\" not in text:
        quote = 3 if text[:3] in ('"""', "'''") else 1
        return Const(text[quote:-quote])
    value = node.evaluated_value
    return Const(value) if isinstance(value, str) else Unknown()


def _name(interp: ReplayCore, node: cst.Name, env: Env) -> Value:
    """A name read (one function, not three: every name read runs it)."""
    name = node.value
    value = env.lookup(name)
    if value is None:
        value = _unbound(name)
    if interp.entry_recording is not None:
        interp.entry_recording.read_name(name, env, value)
    return _tf_constant(interp, value)


def _unbound(name: str) -> Value:
    """A name the module does not bind: a constant, a builtin or unknown."""
    if name in ("True", "False", "None"):
        return Const({"True": True, "False": False, "None": None}[name])
    if name in builtins_model.NAMES:
        return Builtin(name)
    return Unknown()


def _attribute(interp: ReplayCore, node: cst.Attribute, env: Env) -> Value:
    owner = evaluate(interp, node.value, env)
    value = attribute(owner, node.attr.value)
    if isinstance(owner, ModuleObject):  # another module's globals are not searched
        interp.escaped.add([value])
    if interp.entry_recording is not None and isinstance(owner, (Instance, Class, ModuleObject)):
        interp.entry_recording.read_attribute(value)
    if isinstance(value, Function) and value.is_property and value.bound is not None:
        return interp.call_function(value, [], {}, None)
    return _tf_constant(interp, value)


def _tf_constant(interp: ReplayCore, value: Value) -> Value:
    """`tf.__version__` (and `tf.VERSION`, `tf.version.VERSION`) is the configured version."""
    if isinstance(value, TFRef) and value.path in tfapi.VERSION_PATHS:
        return Const(versions.release(interp.tf_version))
    return value


def attribute(owner: Value, name: str) -> Value:
    """`owner.name`."""
    if isinstance(owner, TFRef):
        path = canonical(f"{owner.path}.{name}" if owner.path else name)
        return Unknown() if path is None else tf_value(path)
    if isinstance(owner, ModuleRef):
        return ModuleRef(f"{owner.path}.{name}")
    if type(owner) is Inert:
        return Inert(owner.origin)
    if isinstance(owner, ModuleObject):
        return owner.state.globals.vars.get(name) or Unknown()
    if isinstance(owner, Instance):
        if name in owner.attrs:
            return owner.attrs[name]
        found = owner.cls.lookup(name)
        if isinstance(found, Function):
            return found.bind(owner)
        if found is None and owner.cls.library and name in LIBRARY_WEIGHTS:
            return Member(owner, name)  # the library base's `self.add_weight`
        if found is None and owner.cls.test_case:
            return Member(owner, name)  # `self.cached_session`, `self.assertEqual`
        return found if found is not None else Unknown()
    if isinstance(owner, Class):
        found = owner.lookup(name)
        if isinstance(found, Function) and "classmethod" in found.decorators:
            return found.bind(owner)
        return found if found is not None else Unknown()
    if isinstance(owner, Super):
        for base in owner.cls.bases:
            found = base.lookup(name)
            if isinstance(found, Function):
                return found.bind(owner.instance)
        if name == "__init__" and owner.cls.library and isinstance(owner.instance, Instance):
            return LibraryInit(owner.instance)
        if name == "__init__":  # `object` or a library base: nothing scopelint tracks
            return Builtin("object_init")
        if owner.cls.test_case and isinstance(owner.instance, Instance):
            return Member(owner.instance, name)  # `super().setUp()`
    if isinstance(owner, ScopeRef):
        if name in ("name", "original_name_scope"):
            return Const(getattr(owner.scope, name))
        if name == "reuse":
            return ReuseValue(owner.scope.reuse)
    if isinstance(owner, Variable) and name == "name" and owner.name is not None:
        return Const(owner.name)
    if (isinstance(owner, Member) and owner.name == "op" and name == "name"
            and isinstance(owner.owner, Variable) and owner.owner.name is not None):
        return Const(owner.owner.name.rpartition(":")[0])  # `w.op.name`: `w`
    if name == "shape" and isinstance(owner, (Tensor, Variable)):
        return shapes.static_shape(owner) or Member(owner, name)
    if isinstance(owner, StaticShape) and name in ("ndims", "rank"):
        return Const(len(owner.items))
    if isinstance(owner, StaticShape) and name == "dims":
        return owner
    if name == "value" and isinstance(owner, Const) and type(owner.value) is int:
        return owner  # `Dimension.value`: a dimension is its int here
    return Member(owner, name)


def call(interp: ReplayCore, node: cst.Call, env: Env) -> Value:
    """Evaluate a call: callee, then arguments in order, then dispatch."""
    callee = evaluate(interp, node.func, env)
    args: list[Value] = []
    kwargs: dict[str, Value] = {}
    spread = False  # a `*args` / `**kwargs` whose content is unknown
    for arg in node.args:
        value = evaluate(interp, arg.value, env)
        if arg.star == "**":
            if isinstance(value, Mapping):
                kwargs.update(value.items)
            else:
                spread = True
        elif arg.star == "*":
            if isinstance(value, Seq) and not kwargs:
                args.extend(value.items)
            else:
                spread = True
        elif arg.keyword is not None:
            kwargs[arg.keyword.value] = value
        else:
            args.append(value)
    while isinstance(callee, Partial):
        args = [*callee.args, *args]
        kwargs = {**dict(callee.kwargs), **kwargs}
        callee = callee.func
    if not isinstance(callee, FOLLOWED):  # code that may keep or change the lists it is given
        interp.escaped.add([*args, *kwargs.values()])
    if isinstance(callee, Lambda):
        return interp.call_value(callee, args, kwargs, node, unknown_rest=spread)
    if isinstance(callee, Function):
        if callee.is_context_manager:
            return ContextCall(callee, args, kwargs, node) if not spread else Unknown()
        return interp.call_function(callee, args, kwargs, node, unknown_rest=spread)
    if isinstance(callee, Class):
        return interp.instantiate(callee, args, kwargs, node)
    if isinstance(callee, TFRef):
        result = interp.tf.tf_call(callee.path, args, Args(kwargs, spread), node)
        if callee.path in tfapi.RUNS_CALLBACKS:  # `tf.cond` builds both branches, once
            interp.run_callbacks([*args, *kwargs.values()], tfapi.RUNS_CALLBACKS[callee.path],
                                 node)
        return result
    if isinstance(callee, Builtin) and callee.name == "super":
        return _super(interp, args)
    if isinstance(callee, Builtin):
        if callee.name == "setattr" and len(args) == 3 and const_str(args[1]) is not None:
            interp.set_attribute(args[0], const_str(args[1]) or "", args[2])
        if callee.name in builtins_model.CALLING:  # `map(fn, ...)`
            interp.run_callbacks([*args, *kwargs.values()], certain=False)
        if callee.name == "len" and args and args[0] in interp.escaped:
            return Unknown(interp.origin(node))  # code scopelint did not see may change it
        result = builtins_model.call_builtin(callee.name, args, kwargs)
        if type(result) is not Unknown:
            return result
        if callee.name in builtins_model.RETURNS_OBJECTS:  # `getattr(self, "build")`
            return Unknown(interp.origin(node))
        return Benign(interp.origin(node))
    if (isinstance(callee, Member) and isinstance(callee.owner, Instance)
            and callee.owner.cls.test_case):
        return interp.tf.test_method(callee.owner, callee.name, args, kwargs, node)
    if isinstance(callee, Member) and isinstance(callee.owner, Instance):
        return interp.tf.library_weight(callee.owner, args, kwargs, node)
    if isinstance(callee, Member):
        if callee.name in MUTATORS and isinstance(callee.owner, (Seq, Mapping)):
            result = _method(interp, callee, args, kwargs, node)
            owner = callee.owner
            after = (containers.grown(owner, callee.name, args, kwargs)
                     if isinstance(owner, Seq) and callee.name in containers.GROWING
                     and owner not in interp.escaped and not interp.tf.graph.maybe else None)
            replace_container(interp, env, owner, after if after is not None else Unknown())
            return result
        return _method(interp, callee, args, kwargs, node)
    if isinstance(callee, TFObject):
        return interp.tf.tf_method(callee, "__call__", args, Args(kwargs, spread), node)
    if isinstance(callee, Instance):
        method = attribute(callee, "__call__")
        if isinstance(method, Function):
            return interp.call_function(method, args, kwargs, node)
        if callee.cls.library:
            return interp.tf.library_call(callee, args, kwargs, node)
    if isinstance(callee, LibraryInit):
        return interp.tf.library_init(callee.instance, args, kwargs, node)
    if isinstance(callee, ModuleRef):
        return _module_call(interp, callee.path, args, kwargs, node)
    if type(callee) is Inert:
        return _inert_call(interp, [*args, *kwargs.values()], node)
    interp.tf.opaque_call(node)
    return Unknown(interp.origin(node))


def forget_container(interp: ReplayCore, env: Env, container: Value) -> None:
    """A list or dict changed in place: forget its items (see `replace_container`)."""
    replace_container(interp, env, container, Unknown())


def replace_container(interp: ReplayCore, env: Env, container: Value, after: Value) -> None:
    """A list or dict changed in place into `after`, under every name and attribute that
    holds it (`xs` and its alias `ys`, a caller's list handed to the function that appends to
    it, `self.layers`, `self.encoder.layers`, a class attribute, a closure's variable, a
    default argument), in the scopes being replayed and what they hold."""
    envs: list[Env] = []
    listed: set[int] = set()  # the ids of `envs`
    for start in (env, *interp.call_envs):
        _add_chain(envs, listed, start)
    seen: set[int] = set()
    attributes: list[tuple[Value, dict[str, Value]]] = []  # of the objects reached, by owner
    pending: list[Value] = []
    index = 0
    while index < len(envs) or pending:
        if not pending:
            held = envs[index]
            index += 1
            if not _holds(held.vars, container):
                pending += _bound_holders(held.vars)
                continue
            for name, value in list(held.vars.items()):
                if value is container:
                    if held is not env:
                        env.writes.outer += 1
                        if env.writes.depth:
                            env.writes.note(held, name)
                    held.vars[name] = after
                elif isinstance(value, HOLDERS):
                    pending.append(value)
            continue
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        # `type(value) is`, faster than `isinstance`: these classes have no subclasses.
        names: BoundNames  # the attributes or defaults it holds
        if type(value) is Function or type(value) is Lambda:
            names = value.defaults  # `def f(x, acc=[])`: one list
            if value.env.parent is not None:  # a closure over a function's variables
                _add_chain(envs, listed, value.env)
            if type(value) is Function and value.bound is not None:
                pending.append(value.bound)
        elif type(value) is Instance:
            names = value.attrs
            pending.append(value.cls)
        elif type(value) is Class:
            names = value.attrs
            pending += value.bases
        else:
            if isinstance(value, Seq):
                pending += _holders(value.items)
            elif type(value) is Mapping:
                pending += _holders(item for _, item in value.items)
            continue  # (a method's `self` may be of any kind)
        inside = _bound_holders(names)
        if inside:  # look for the container in `names` too, unless they hold no list
            pending += inside
            attributes.append((value, names))
    for owner, attrs in attributes:
        if not _holds(attrs, container):
            continue
        for name, value in list(attrs.items()):
            if value is container:
                if interp.entry_recording is not None:
                    interp.entry_recording.note_set(owner)
                interp.set_attribute_value(attrs, name, after)


class _Kinds(dict[type, bool]):
    """Whether values of a class are `HOLDERS` (what the walk of `replace_container` looks
    into: a value of another kind holds no list): `isinstance` in one lookup."""

    def __missing__(self, cls: type) -> bool:
        self[cls] = issubclass(cls, HOLDERS)
        return self[cls]


_IS_HOLDER = _Kinds()


def _holders(values: Iterable[Value]) -> list[Value]:
    """The values the walk enters, but functions with neither closure nor `self` nor a
    default it may enter (see `Defaults.may_hold`)."""
    return [value for value in values if _IS_HOLDER[type(value)] and (
        type(value) is not Function or value.env.parent is not None or value.bound is not None
        or value.defaults.may_hold)]


def _bound_holders(names: BoundNames) -> list[Value]:
    """`_holders` of names or attributes, kept in the dict until it changes."""
    if names.walked is None:
        names.walked = _holders(names.values())
    return names.walked


def _holds(names: dict[str, Value], container: Value) -> bool:
    """Whether `container` itself (not an equal list) is bound in `names`."""
    return any(map(operator.is_, names.values(), itertools.repeat(container)))


def _add_chain(envs: list[Env], listed: set[int], start: Env) -> None:
    chain: Optional[Env] = start
    while chain is not None and id(chain) not in listed:
        envs.append(chain)
        listed.add(id(chain))
        chain = chain.parent


def _super(interp: ReplayCore, args: list[Value]) -> Value:
    """`super()` / `super(Cls, self)` inside a method of a module class."""
    if len(args) == 2 and isinstance(args[0], Class):
        return Super(args[0], args[1])
    method = interp.calling[-1] if interp.calling else None
    if not args and method is not None and method.owner and method.bound is not None:
        return Super(method.owner, method.bound)
    return Unknown()


def _method(interp: ReplayCore, member: Member, args: list[Value],
            kwargs: dict[str, Value], node: cst.Call) -> Value:
    owner, name = member.owner, member.name
    if isinstance(owner, (ScopeRef, TFObject)):
        return interp.tf.tf_method(owner, name, args, Args(kwargs), node)
    text = const_str(owner)
    if text is not None:
        return _string_method(text, name, args)
    if isinstance(owner, Mapping) and name in ("get", "pop") and args:
        key = const_str(args[0])
        default = args[1] if len(args) > 1 else Const(None)
        return dict(owner.items).get(key, default) if key is not None else Unknown()
    if type(owner) is Inert:
        return _inert_call(interp, [*args, *kwargs.values()], node)
    if name == "get_shape" and isinstance(owner, (Tensor, Variable)) and not args:
        return shapes.static_shape(owner) or Benign()
    if name == "as_list" and isinstance(owner, StaticShape) and not args:
        return Seq(tuple(item if isinstance(item, Const) else Const(None)
                         for item in owner.items))
    if name in BENIGN_METHODS:
        return Benign(interp.origin(node))
    interp.tf.opaque_call(node)
    return Unknown(interp.origin(node))


def _module_call(interp: ReplayCore, path: str, args: list[Value],
                 kwargs: dict[str, Value], node: cst.Call) -> Value:
    if path == "functools.partial" and args:
        return Partial(args[0], tuple(args[1:]), tuple(kwargs.items()))
    if path == "absl.app.run":  # the program's entry point, as `tf.app.run`
        return interp.tf.run_main(kwargs.get("main", args[0] if args else None))
    if path in versions.PARSERS and len(args) == 1 and is_known(const_str(args[0]) or "…"):
        return versions.parse(path, const_str(args[0]) or "")
    if interp.reaches_tf(path):
        interp.tf.opaque_call(node)
        return Unknown(interp.origin(node))
    return _inert_call(interp, [*args, *kwargs.values()], node, tffree.returns_any(path))


def _inert_call(interp: ReplayCore, args: list[Value], node: cst.Call,
                returns_any: bool = False) -> Value:
    """A call of code that cannot reach TF (see `tffree`): the TF state stays as it was,
    unless it is handed code or TF objects, which it may run or enter. Its result is inert,
    unless it may be an object of the program it was handed (`copy.copy(model)`) or one
    it loads (`returns_any`: `pickle.load(f)`)."""
    origin = interp.origin(node)
    if any(holds_tf(arg) for arg in args):
        interp.tf.opaque_call(node)
        return Unknown(origin)
    if returns_any or any(_holds_objects(arg) for arg in args):
        return Unknown(origin)
    return Inert(origin)


def _holds_objects(value: Value) -> bool:
    """An object of the program, or a container or attribute of one."""
    if isinstance(value, Instance):
        return True
    if isinstance(value, Member):
        return _holds_objects(value.owner)
    if isinstance(value, Seq):
        return any(_holds_objects(item) for item in value.items)
    if isinstance(value, Mapping):
        return any(_holds_objects(item) for _, item in value.items)
    return False


def holds_tf(value: Value) -> bool:
    """Whether code handed `value` may reach TF through it: a function, class or module of
    the program, an object of it with special methods or holding such values, a TF API, a
    scope or TF object, or a value of unknown origin (tensors, variables, dtypes, flag values
    and what TF-free code returned are data)."""
    if isinstance(value, (Function, Lambda, Class, Partial, Super, ModuleObject, TFObject,
                          ScopeRef, ScopeManager, ContextCall)):
        return True
    if isinstance(value, TFRef):
        return "FLAGS" not in value.path.split(".") and value.path not in tfapi.DTYPES
    if isinstance(value, Instance):
        return _has_special_methods(value.cls) or any(
            holds_tf(item) for item in value.attrs.values())
    if type(value) is Unknown:  # it may be any of those
        return True
    if isinstance(value, Member):
        return not isinstance(value.owner, (Tensor, Variable)) and holds_tf(value.owner)
    if isinstance(value, Seq):
        return any(holds_tf(item) for item in value.items)
    if isinstance(value, Mapping):
        return any(holds_tf(item) for _, item in value.items)
    return False


def _has_special_methods(cls: Class) -> bool:
    """The class defines methods generic code calls without naming them (`__call__`,
    `__enter__`, `__deepcopy__`, ...): all but its constructor and string forms."""
    return any(name.startswith("__") and name.endswith("__") and name not in _PLAIN_SPECIAL
               and isinstance(value, Function) for name, value in cls.attrs.items()
               ) or any(_has_special_methods(base) for base in cls.bases)


_PLAIN_SPECIAL = frozenset({"__init__", "__repr__", "__str__", "__eq__", "__ne__", "__hash__"})


def _string(interp: ReplayCore, node: cst.BaseExpression, env: Env) -> Value:
    if isinstance(node, cst.SimpleString):
        return _simple_string(interp, node, env)
    if isinstance(node, cst.ConcatenatedString):
        left = _string(interp, node.left, env)
        right = _string(interp, node.right, env)
        return binary(cst.Add(), left, right)
    if isinstance(node, cst.FormattedString):
        return Const(_fstring(interp, node, env))
    return Unknown()


def _fstring(interp: ReplayCore, node: cst.FormattedString, env: Env) -> str:
    parts: list[str] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value)
            continue
        assert isinstance(part, cst.FormattedStringExpression)
        value = evaluate(interp, part.expression, env)
        spec = part.format_spec
        if isinstance(value, Const) and not part.conversion and not spec:
            parts.append(str(value.value))
        elif isinstance(value, Const) and not part.conversion and spec and all(
                isinstance(s, cst.FormattedStringText) for s in spec):
            try:
                parts.append(format(value.value, "".join(
                    s.value for s in spec if isinstance(s, cst.FormattedStringText))))
            except (TypeError, ValueError, OverflowError):
                parts.append(Unknown().text)
        else:
            parts.append(to_text(value) if not part.conversion and not spec else Unknown().text)
    return "".join(parts)


_TENSOR_OPS = {"Add": "add", "Subtract": "sub", "Multiply": "mul", "Divide": "truediv",
               "FloorDivide": "floordiv", "Power": "pow", "MatrixMultiply": "matmul"}


def _binary_node(interp: ReplayCore, node: cst.BinaryOperation, env: Env) -> Value:
    left = evaluate(interp, node.left, env)
    right = evaluate(interp, node.right, env)
    if isinstance(left, (Tensor, Variable)) or isinstance(right, (Tensor, Variable)):
        op = _TENSOR_OPS.get(type(node.operator).__name__)
        if op:  # `x + y` on a tensor makes an op named `add`, in the current name scope
            interp.tf.graph.unique_name(op)
            return shapes.binary(op, left, right, interp.tf.graph.serial)
        return Tensor()
    return binary(node.operator, left, right)


def binary(op: cst.BaseBinaryOp | cst.BaseAugOp, left: Value, right: Value) -> Value:
    """`left op right` for strings and small integers."""
    kind = type(op).__name__.replace("Assign", "")
    if kind == "Modulo" and const_str(left) is not None:
        return Const(_percent(const_str(left) or "", right))
    if kind == "Multiply" and isinstance(left, Seq) and isinstance(right, Const):
        if type(right.value) is int and len(left.items) * right.value <= builtins_model.MAX_ITEMS:
            return Seq(left.items * max(right.value, 0))  # `[cell] * 3`: the same objects
    joined = containers.concatenated(left, right) if kind == "Add" else None
    if joined is not None:
        return joined
    if isinstance(left, Const) and isinstance(right, Const):
        try:
            return Const(_ARITHMETIC[kind](left.value, right.value))
        except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError):
            return Unknown()
    if kind == "Add" and (const_str(left) is not None or const_str(right) is not None):
        # `str + x` is a str (or raises); `x + str` too, but for a tensor (see `_binary_node`)
        parts = (Const, Unknown, Member)
        if isinstance(left, parts) and isinstance(right, parts):
            return Const(to_text(left) + to_text(right))
    return Unknown(next((v.origin for v in (left, right) if isinstance(v, Unknown)), None))


_ARITHMETIC = {
    "Add": lambda a, b: a + b,
    "Subtract": lambda a, b: a - b,
    "Multiply": lambda a, b: a * b if not isinstance(a, str) or b < 10_000 else 1 / 0,
    "FloorDivide": lambda a, b: a // b,
    "Modulo": lambda a, b: a % b,
}


def _percent(template: str, right: Value) -> str:
    """`template % args`, keeping unknown arguments as holes."""
    args = list(right.items) if isinstance(right, Seq) else [right]
    if all(isinstance(a, Const) for a in args):
        try:
            return template % tuple(a.value for a in args if isinstance(a, Const))
        except (TypeError, ValueError, KeyError, OverflowError):
            return Unknown().text
    out: list[str] = []
    pos = 0
    for match in _PERCENT_SPEC.finditer(template):
        out.append(template[pos:match.start()])
        pos = match.end()
        if match.group() == "%%":
            out.append("%")
        elif args:
            arg = args.pop(0)
            try:
                out.append(match.group() % (arg.value,) if isinstance(arg, Const) else to_text(arg))
            except (TypeError, ValueError, OverflowError):
                out.append(Unknown().text)
        else:
            out.append(Unknown().text)
    out.append(template[pos:])
    return "".join(out)


def _string_method(text: str, name: str, args: list[Value]) -> Value:
    if name == "format":
        return Const(_format(text, args))
    if name == "join" and args and isinstance(args[0], Seq):
        return Const(text.join(to_text(a) for a in args[0].items))
    if name in ("lower", "upper", "strip", "rstrip", "lstrip") and not args and is_known(text):
        return Const(getattr(text, name)())
    if name == "replace" and len(args) == 2:
        old, new = args
        if isinstance(old, Const) and isinstance(new, Const):
            return Const(text.replace(old.value, new.value))
    if name in ("split", "startswith", "endswith") and is_known(text) and len(args) == 1:
        part = const_str(args[0])
        if part is None or not is_known(part) or not part:
            return Unknown()
        if name == "split":
            return Seq(tuple(Const(piece) for piece in text.split(part)))
        return Const(getattr(text, name)(part))
    return Unknown()


def _format(template: str, args: list[Value]) -> str:
    out: list[str] = []
    auto = 0
    try:
        for literal, field, spec, conversion in string.Formatter().parse(template):
            out.append(literal)
            if field is None:
                continue
            index = auto if field == "" else int(field) if field.isdigit() else None
            auto += field == ""
            arg = args[index] if index is not None and index < len(args) else Unknown()
            if isinstance(arg, Const) and not conversion:
                out.append(format(arg.value, spec or ""))
            else:
                out.append(to_text(arg) if not spec and not conversion else Unknown().text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return Unknown().text
    return "".join(out)


def _compare(interp: ReplayCore, node: cst.Comparison, env: Env) -> Value:
    left = evaluate(interp, node.left, env)
    result: Optional[bool] = True
    left_node: cst.BaseExpression = node.left
    for target in node.comparisons:
        right = evaluate(interp, target.comparator, env)
        interp.tf.compared_name(node, left_node, target.comparator, env)
        left_node = target.comparator
        outcome = _compare_pair(type(target.operator).__name__, left, right)
        if outcome is None:
            result = None
        elif not outcome and result is not None:
            result = False
        left = right
    return Const(result) if result is not None else Unknown()


def _compare_pair(op: str, left: Value, right: Value) -> Optional[bool]:
    left, right = _as_const(left), _as_const(right)
    if isinstance(left, Const) and isinstance(right, Const):
        a, b = left.value, right.value
        if isinstance(a, str) and not is_known(a) or isinstance(b, str) and not is_known(b):
            return None
        try:
            return {
                "Equal": lambda: a == b, "NotEqual": lambda: a != b,
                "LessThan": lambda: a < b, "LessThanEqual": lambda: a <= b,
                "GreaterThan": lambda: a > b, "GreaterThanEqual": lambda: a >= b,
                "Is": lambda: a is b if b is None or a is None else None,
                "IsNot": lambda: a is not b if b is None or a is None else None,
            }[op]()
        except (KeyError, TypeError):
            return None
    if op in ("Is", "IsNot") and isinstance(right, Const) and right.value is None:
        if isinstance(left, NOT_NONE):
            return op == "IsNot"
    return None


def _as_const(value: Value) -> Value:
    """A tuple or list of known constants as one constant tuple (`(1, 13)`), for comparing."""
    if isinstance(value, Seq) and all(isinstance(i, Const) for i in value.items):
        return Const(tuple(i.value for i in value.items if isinstance(i, Const)))
    return value


def _boolean(interp: ReplayCore, node: cst.BooleanOperation, env: Env) -> Value:
    left = evaluate(interp, node.left, env)
    known = truth(left)
    is_and = isinstance(node.operator, cst.And)
    if known is not None and known != is_and:
        return left
    if known is None:
        with interp.maybe():
            right = evaluate(interp, node.right, env)
        return Unknown() if right != left else left
    return evaluate(interp, node.right, env)


def _unary(op: cst.BaseUnaryOp, value: Value) -> Value:
    if type(op) is cst.Not:  # not `isinstance`, for speed: see `cstwalk.statements`
        known = truth(value)
        return Const(not known) if known is not None else Unknown()
    if (isinstance(op, cst.Minus) and isinstance(value, Const)
            and isinstance(value.value, (int, float))):
        return Const(-value.value)
    if isinstance(op, cst.Minus) and isinstance(value, (Tensor, Variable)):
        return shapes.negated(value)
    return Unknown()


def _if_exp(interp: ReplayCore, node: cst.IfExp, env: Env) -> Value:
    known = truth(evaluate(interp, node.test, env))
    if known is True:
        return evaluate(interp, node.body, env)
    if known is False:
        return evaluate(interp, node.orelse, env)
    with interp.alternatives(env) as alternative:
        with alternative():
            body = evaluate(interp, node.body, env)
        with alternative():
            orelse = evaluate(interp, node.orelse, env)
    return body if body == orelse else Unknown()


def _subscript(interp: ReplayCore, node: cst.Subscript, env: Env) -> Value:
    owner = evaluate(interp, node.value, env)
    index: Value = Unknown()
    parts: list[shapes.Index] = []
    for element in node.slice:
        if type(element.slice) is cst.Index:  # not `isinstance`: see `cstwalk.statements`
            if type(element.slice.value) is cst.Ellipsis:
                parts.append(("ellipsis",))
                continue
            index = evaluate(interp, element.slice.value, env)
            parts.append(("new",) if index == Const(None) or index == TFRef("newaxis")
                         else ("index",))
        else:
            written = cast(cst.Slice, element.slice)
            parts.append(("slice", *(None if part is None else evaluate(interp, part, env)
                                     for part in (written.lower, written.upper, written.step))))
    if isinstance(owner, (Tensor, Variable)):
        return shapes.sliced(owner, parts)
    if len(node.slice) == 1 and parts and parts[0][0] == "slice":
        return _sliced(owner, [Const(None) if b is None else b for b in parts[0][1:]])
    if isinstance(owner, Mapping) and const_str(index) is not None:
        return dict(owner.items).get(const_str(index) or "", Unknown())
    if isinstance(owner, Seq) and isinstance(index, Const) and isinstance(index.value, int):
        if -len(owner.items) <= index.value < len(owner.items):
            return owner.items[index.value]
    return Unknown()


def _sliced(owner: Value, bounds: list[Value]) -> Value:
    """`owner[a:b:c]` of a known sequence (a static shape stays one) or string with known
    bounds."""
    if not all(isinstance(b, Const) and (b.value is None or type(b.value) is int)
               for b in bounds) or bounds[2] == Const(0):
        return Unknown()
    part = slice(*(b.value for b in bounds if isinstance(b, Const)))
    if isinstance(owner, Seq):
        return type(owner)(owner.items[part])
    text = const_str(owner)
    return Const(text[part]) if text is not None and is_known(text) else Unknown()


def _comprehension(interp: ReplayCore,
                   node: Union[cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp],
                   env: Env) -> Value:
    """A list/tuple comprehension over a short known iterable runs once per item, in order;
    any other comprehension runs its body an unknown number of times: once, in maybe mode."""
    clause = node.for_in
    local = Env(env)
    source = evaluate(interp, clause.iter, local)
    items = builtins_model.iteration_values(source)
    if (isinstance(node, (cst.ListComp, cst.GeneratorExp)) and items is not None
            and len(items) <= builtins_model.MAX_ITEMS and not clause.ifs
            and clause.inner_for_in is None):
        values = []
        for item in items:
            interp.assign(clause.target, item, local)
            values.append(evaluate(interp, node.elt, local))
        return Seq(tuple(values))
    with interp.maybe():
        interp.assign(clause.target, Unknown(), local)
        for condition in clause.ifs:
            evaluate(interp, condition.test, local)
        inner = clause.inner_for_in
        while inner is not None:
            evaluate(interp, inner.iter, local)
            interp.assign(inner.target, Unknown(), local)
            for condition in inner.ifs:
                evaluate(interp, condition.test, local)
            inner = inner.inner_for_in
        if isinstance(node, cst.DictComp):
            evaluate(interp, node.key, local)
            evaluate(interp, node.value, local)
        else:
            evaluate(interp, node.elt, local)
    if isinstance(source, NoVariables) and clause.inner_for_in is None and isinstance(
            node, (cst.ListComp, cst.GeneratorExp)):
        return source  # a filter over an empty list is empty
    return Unknown()


_EVALUATORS: dict[type, Callable[..., Value]] = {
    cst.Name: _name,
    cst.Attribute: _attribute,
    cst.Call: call,
    cst.SimpleString: _simple_string,
    cst.ConcatenatedString: _string,
    cst.FormattedString: lambda interp, node, env: Const(_fstring(interp, node, env)),
    cst.Integer: _integer,
    cst.Float: lambda interp, node, env: Const(float(node.value.replace("_", ""))),
    cst.Tuple: _sequence,
    cst.Dict: _dict,
    cst.Lambda: _lambda,
    cst.List: _sequence,
    cst.BinaryOperation: lambda interp, node, env: _binary_node(interp, node, env),
    cst.Comparison: _compare,
    cst.BooleanOperation: _boolean,
    cst.UnaryOperation: lambda interp, node, env: _unary(
        node.operator, evaluate(interp, node.expression, env)),
    cst.IfExp: _if_exp,
    cst.Subscript: _subscript,
    cst.NamedExpr: _named_expr,
    cst.Yield: lambda interp, node, env: interp.reach_yield(
        evaluate(interp, node.value, env) if isinstance(node.value, cst.BaseExpression)
        else Const(None)),
}

FOLLOWED = (Function, Lambda, Class, TFRef, Builtin)  # calls scopelint replays or models
NOT_NONE = (Function, Class, Instance, TFRef, ScopeRef, Seq, Mapping, TFObject, Variable, Builtin,
            ModuleRef, ReuseValue, Tensor, Lambda)
MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort"})

BENIGN_METHODS = frozenset({
    "get_shape", "as_list", "shape", "append", "extend", "insert", "pop", "remove", "format",
    "join", "split", "strip", "items", "keys", "values", "get", "update", "setdefault", "copy",
    "lower", "upper", "replace", "startswith", "endswith", "run", "eval", "close", "flush",
    "write", "read", "readline", "readlines", "add_summary", "add_graph", "info", "warning",
    "debug", "error", "set_shape", "numpy", "astype", "reshape", "mean", "sum", "tolist",
    "save", "restore", "as_default", "finalize", "add", "discard", "count", "index", "sort",
    "get_collection", "get_tensor_by_name", "get_operation_by_name", "add_to_collection",
    "assign", "assign_add", "assign_sub", "initializer", "value", "read_value", "op",
    "dimensions", "ndims", "is_fully_defined", "merge_with", "concatenate", "with_rank",
    "encode", "decode", "seek", "tell", "exists", "isdigit", "isalpha", "rsplit", "partition",
})
