"""The abstract values the interpreter computes for Python expressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, TypeVar, Union, overload

import libcst as cst

from scopelint.engine.graph import VarScope
from scopelint.engine.symbols import hole
from scopelint.facts import CallStack, Location, Reuse

_T = TypeVar("_T")


class Value:
    """Base of every abstract value."""


class Unknown(Value):
    """A value scopelint cannot know; `text` stands for it inside symbolic strings.

    Each unknown value is its own: two names built from it compare equal, names
    built from two different unknowns do not. The hole is made on first use.
    """

    __slots__ = ("_text", "origin")

    def __init__(self, origin: object = None) -> None:
        self._text: Optional[str] = None
        self.origin = origin  # where it came from, when known (`Interpreter.origin`)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = hole(self.origin)
        return self._text

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Benign(Unknown):
    """An unknown result of a call known not to touch scopes (`tf.device(...)`, `open(...)`):
    as a context manager it changes nothing scopelint tracks."""


class Inert(Benign):
    """A value made by code that cannot reach TF (`argparse.ArgumentParser()`, `args.lr`):
    its attributes and what its methods return are inert too (see `tffree`)."""


Dims = tuple[Optional[int], ...]  # a static shape: None for an unknown dimension


class Tensor(Benign):
    """The result of a TF op call: Python operators on it make ops too (`add`, `mul`).

    What is known of it: its static `shape` (None: unknown rank), its `dtype`, and
    `grads`, the variables a gradient of it reaches (None: unknown).
    """

    def __init__(self, shape: Optional[Dims] = None, dtype: Optional[str] = None,
                 grads: Optional[frozenset["Variable"]] = None) -> None:
        super().__init__()
        self.shape = shape
        self.dtype = dtype
        self.grads = grads

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.shape}, {self.dtype})"


class OpOutput(Tensor):
    """The output of an op the code has just made (arithmetic, `matmul`, `reduce_mean`,
    `moments`) in graph `graph` (its serial): its op name is new to that graph."""

    def __init__(self, graph: int, shape: Optional[Dims] = None, dtype: Optional[str] = None,
                 grads: Optional[frozenset["Variable"]] = None) -> None:
        super().__init__(shape, dtype, grads)
        self.graph = graph


class CellState(Unknown):
    """The new state a direct call of an RNN cell object returns (`out, state = cell(x, s)`):
    which cell made it, at which call site, through which calls."""

    def __init__(self, cell: Value, site: Location, stack: CallStack) -> None:
        super().__init__()
        self.cell, self.site, self.stack = cell, site, stack


class NoVariables(Tensor):
    """A variable collection, filtered or not, read when it certainly holds no variable it
    selects (`trainable_variables(scope="gen")` before the generator is built): an empty
    list. `scope` is its `scope=` pattern (None: the whole collection)."""

    def __init__(self, loc: Location, stack: CallStack, scope: Optional[str],
                 variables_before: int, graph: int) -> None:
        super().__init__()
        self.loc, self.stack, self.scope = loc, stack, scope
        self.variables_before, self.graph = variables_before, graph


@dataclass(frozen=True)
class Const(Value):
    """A known Python constant: str, int, float, bool, None, or a tuple of constants."""

    value: Any


@dataclass(frozen=True)
class Seq(Value):
    """A list or tuple literal whose items are values."""

    items: tuple[Value, ...]


@dataclass(frozen=True)
class Mapping(Value):
    """A dict with string keys whose values are known values (`**kwargs`, `{"name": "fc"}`)."""

    items: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class TFRef(Value):
    """A TensorFlow API object, by its canonical path (`variable_scope`, `layers.dense`)."""

    path: str


@dataclass(frozen=True)
class ModuleRef(Value):
    """A non-TF module or a name imported from one (`numpy`, `os.path.join`, `.ops.conv2d`)."""

    path: str


@dataclass(eq=False)
class ModuleObject(Value):
    """A project module (`import model`): its attributes are its globals."""

    state: Any  # module_state.ModuleState


@dataclass(frozen=True)
class ScopeRef(Value):
    """A `tf.VariableScope` object."""

    scope: VarScope


@dataclass(eq=False)
class ScopeManager(Value):
    """The context manager a `tf.variable_scope(...)` / `tf.name_scope(...)` call returns."""

    kind: str  # "variable_scope" or "name_scope"
    loc: Location  # where the scope call is
    name: Value
    default_name: Value
    reuse: Value
    auxiliary: Value
    written_false: bool = False  # `reuse=False` spelled out in the call
    dtype: Value = Const(None)
    partitioner: Value = Const(None)
    passes_reuse: bool = True  # the call passes `reuse` (by keyword, position or **kwargs)


class BoundNames(dict[str, Value]):
    """Names bound to values: a scope's (`Env.vars`; a class body's are the class's
    attributes), an instance's attributes, a function's defaults.

    `walked` keeps, until the dict next changes, what `expressions.replace_container`
    walks into among its values: module globals, classes and instances are walked on
    every in-place change of a list, and rarely change themselves. Every method that
    changes a dict clears it.
    """

    __slots__ = ("walked",)

    def __init__(self, *args: Any, **kwargs: Value) -> None:
        super().__init__(*args, **kwargs)
        self.walked: Optional[list[Value]] = None

    def __setitem__(self, key: str, value: Value) -> None:
        self.walked = None
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self.walked = None
        dict.__delitem__(self, key)

    def __ior__(  # type: ignore[override,misc]  # one signature for dict's two overloads
            self, other: Any) -> "BoundNames":
        self.walked = None
        dict.update(self, other)
        return self

    def pop(self, *args: Any) -> Any:
        self.walked = None
        return dict.pop(self, *args)

    def popitem(self) -> tuple[str, Value]:
        self.walked = None
        return dict.popitem(self)

    def setdefault(self, key: str, default: Value) -> Value:
        self.walked = None
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Value) -> None:
        self.walked = None
        dict.update(self, *args, **kwargs)

    def clear(self) -> None:
        self.walked = None
        dict.clear(self)

    def assign(self, names: dict[str, Value]) -> None:
        """Bind exactly `names` (a shared module's snapshot restored): one call, not two."""
        self.walked = None
        dict.clear(self)
        dict.update(self, names)


class Defaults(BoundNames):
    """A function's or lambda's default values, and whether one of them was, when the
    function was defined, of a kind that may hold a list (`HOLDERS`).

    Only a list or dict among them is ever replaced (changed in place; then taken back by
    a branch, restored with a shared module): defaults without one never get one. So a
    function without closure nor `self` whose defaults never `may_hold` a list is one
    `replace_container` need not walk into, whatever its defaults change to later."""

    __slots__ = ("may_hold",)

    def __init__(self, *args: Any, **kwargs: Value) -> None:
        super().__init__(*args, **kwargs)
        self.may_hold = any(isinstance(value, HOLDERS) for value in self.values())


NO_DECORATORS: frozenset[str] = frozenset()  # shared: each empty frozenset takes 216 bytes


@dataclass(eq=False)
class Function(Value):
    """A function or method defined in the analysed module."""

    node: cst.FunctionDef
    env: "Env"
    bound: Optional[Value] = None  # `self` for a bound method
    defaults: Defaults = field(default_factory=Defaults)
    decorators: frozenset[str] = NO_DECORATORS  # the known ones: property, classmethod, ...
    owner: Optional["Class"] = None  # the class whose body defines it (for `super()`)

    @property
    def is_property(self) -> bool:
        return "property" in self.decorators

    @property
    def is_context_manager(self) -> bool:
        return "contextmanager" in self.decorators

    def bind(self, owner: Value) -> "Function":
        """The method as an attribute of `owner`: `self` bound, or `cls` for a classmethod."""
        if "staticmethod" in self.decorators:
            return self
        if "classmethod" in self.decorators and isinstance(owner, Instance):
            owner = owner.cls
        return Function(self.node, self.env, owner, self.defaults, self.decorators, self.owner)


@dataclass(eq=False)
class Lambda(Value):
    """A `lambda` defined in the analysed module; its body runs when it is called."""

    node: cst.Lambda
    env: "Env"
    defaults: Defaults = field(default_factory=Defaults)


CALLABLES = (Function, Lambda)


@dataclass(eq=False)
class Partial(Value):
    """`functools.partial(func, *args, **kwargs)`."""

    func: Value
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]


@dataclass(eq=False)
class ContextCall(Value):
    """A call of a `@contextmanager` function: its body runs when a `with` enters it."""

    fn: Function
    args: list[Value]
    kwargs: dict[str, Value]
    call: cst.Call


@dataclass(eq=False)
class Class(Value):
    """A class defined in the analysed module."""

    node: cst.ClassDef
    attrs: BoundNames
    bases: tuple["Class", ...]
    library: str = ""  # a library base whose `__call__` opens a scope (`layer_classes`)
    test_case: bool = False  # built on TF's test case (`test_cases`)

    def lookup(self, name: str) -> Optional[Value]:
        if name in self.attrs:
            return self.attrs[name]
        for base in self.bases:
            found = base.lookup(name)
            if found is not None:
                return found
        return None


@dataclass(eq=False)
class Super(Value):
    """`super()` in a method of `cls`, for `instance`."""

    cls: "Class"
    instance: Value


@dataclass(eq=False)
class Instance(Value):
    """An instance of a module class; attributes not set are unknown."""

    cls: Class
    attrs: BoundNames = field(default_factory=BoundNames)
    library: dict[str, Value] = field(default_factory=dict)  # its library base's state


@dataclass(eq=False)
class LibraryInit(Value):
    """`super().__init__` of a class built on a library base (see `layer_classes`)."""

    instance: Instance


@dataclass(eq=False)
class TFObject(Value):
    """An instance of a TF class scopelint models (optimizer, layer, moving average)."""

    path: str  # canonical class path, e.g. "train.AdamOptimizer"
    args: dict[str, Value] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Variable(Value):
    """A variable made or fetched by the analysed code: its real name (None: unknown), static
    shape and dtype when known, whether it is trainable (None: unknown), its creation order."""

    name: Optional[str]
    shape: Optional[Dims] = None
    dtype: Optional[str] = None
    trainable: Optional[bool] = None
    order: int = 0


@dataclass(frozen=True)
class StaticShape(Seq):
    """`tensor.shape` / `get_shape()` of a tensor of known rank: its dimensions, each a
    `Const` int or an unknown."""


@dataclass(frozen=True)
class Member(Value):
    """An attribute of a value scopelint does not model in detail, kept for calls."""

    owner: Value
    name: str


@dataclass(frozen=True)
class Builtin(Value):
    """A Python builtin function (`range`, `len`, ...)."""

    name: str


@dataclass(frozen=True)
class Iteration(Value):
    """An iterable of unknown length whose first items are known: `range(n)`, `enumerate(x)`."""

    kind: str  # "range" or "enumerate"
    start: int = 0


@dataclass(frozen=True)
class ReuseValue(Value):
    """`tf.AUTO_REUSE`."""

    reuse: Reuse


# The values that may hold a list or dict (see `expressions.replace_container`).
HOLDERS = (Function, Lambda, Instance, Class, Seq, Mapping)


def tf_value(path: str) -> Value:
    """The value of a TF API path: `AUTO_REUSE` is a reuse mode, the rest are references."""
    if path == "AUTO_REUSE":
        return ReuseValue(Reuse.AUTO)
    return TFRef(path)


class Env:
    """A chain of name bindings: function locals → enclosing function → module."""

    __slots__ = ("vars", "parent", "outer", "module", "writes")

    def __init__(self, parent: Optional["Env"] = None, module: Any = None,
                 writes: Optional[OuterWrites] = None) -> None:
        self.vars = BoundNames()
        self.parent = parent
        self.outer: dict[str, Env] = {}  # names declared `global` / `nonlocal`
        self.module = module  # on a module's globals: its `ModuleState`
        if parent is not None:
            writes = parent.writes
        assert writes is not None  # a module's globals are given their session's
        self.writes: OuterWrites = writes

    def owner(self) -> Any:
        """The `ModuleState` whose globals this chain ends in."""
        env = self
        while env.parent is not None:
            env = env.parent
        return env.module

    def bind(self, name: str, value: Value) -> None:
        """Assign a name, honouring `global` and `nonlocal` declarations."""
        env = self.outer.get(name, self)
        if env is not self:
            self.writes.outer += 1
            if self.writes.depth:
                self.writes.note(env, name)
        env.vars[name] = value

    def rebind(self, name: str, value: Value) -> None:
        """Replace a name's value where it is defined (a container changed in place)."""
        env: Optional[Env] = self
        while env is not None:
            if name in env.vars:
                if env is not self:
                    self.writes.outer += 1
                    if self.writes.depth:
                        self.writes.note(env, name)
                env.vars[name] = value
                return
            env = env.parent

    def declare(self, name: str, is_global: bool) -> None:
        """`global name` / `nonlocal name`: later assignments go to that scope."""
        env = self.parent
        if is_global:
            while env is not None and env.parent is not None:
                env = env.parent
        else:
            while env is not None and name not in env.vars and env.parent is not None:
                env = env.parent
        if env is not None:
            self.outer[name] = env

    def lookup(self, name: str) -> Optional[Value]:
        env: Optional[Env] = self
        while env is not None:
            found = env.vars.get(name)
            if found is not None:
                return found
            env = env.parent
        return None


class OuterWrites:
    """Names bound in an enclosing scope (`global`, `nonlocal`, a container changed in
    place) while branches run, with the value each had first: what a branch changed
    outside its own scope, without copying every enclosing scope."""

    def __init__(self) -> None:
        self.depth = 0  # branches running
        self.writes: list[tuple[Env, str, Optional[Value]]] = []
        self.outer = 0  # names bound in an enclosing scope so far, in branches or not

    def begin(self) -> int:
        """A branch starts; returns the mark its `undo` takes."""
        self.depth += 1
        return len(self.writes)

    def note(self, env: Env, name: str) -> None:
        self.writes.append((env, name, env.vars.get(name)))

    def undo(self, mark: int, scopes: Iterable[Env]) -> list[tuple[Env, str]]:
        """Take back the names an alternative begun at `mark` bound in one of `scopes`;
        returns those it bound to another value than they had."""
        enclosing = {id(scope) for scope in scopes}
        first: dict[tuple[int, str], tuple[Env, Optional[Value]]] = {}
        kept = []
        for env, name, value in self.writes[mark:]:
            if id(env) in enclosing:
                first.setdefault((id(env), name), (env, value))
            else:
                kept.append((env, name, value))
        changed = []
        for (_, name), (env, value) in first.items():
            if env.vars.get(name) != value:
                changed.append((env, name))
            if value is None:
                env.vars.pop(name, None)
            else:
                env.vars[name] = value
        self.writes[mark:] = kept
        return changed

    def forget(self, changed: Iterable[tuple[Env, str]]) -> None:
        """The branch ends (its alternatives taken back): the names they changed (see
        `undo`) become unknown."""
        self.depth -= 1
        for env, name in changed:
            if self.depth:
                self.note(env, name)
            env.vars[name] = Unknown()
        if not self.depth:
            self.writes.clear()


class Args(dict[str, Value]):
    """Keyword arguments of a TF call; after an unknown `**kwargs`, any missing one is unknown."""

    def __init__(self, known: dict[str, Value], spread: bool = False) -> None:
        super().__init__(known)
        self.spread = spread

    @overload
    def get(self, key: str, default: None = None, /) -> Optional[Value]: ...

    @overload
    def get(self, key: str, default: Value, /) -> Value: ...

    @overload
    def get(self, key: str, default: _T, /) -> Union[Value, _T]: ...

    def get(self, key: str, default: object = None) -> object:
        found = super().get(key)
        if found is not None:
            return found
        return Unknown() if self.spread else default


def const_str(value: Value) -> Optional[str]:
    """The text of a string value (symbolic parts allowed), else None."""
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    return None


def to_text(value: Value) -> str:
    """`str(value)` for building names; unknown values become holes."""
    if isinstance(value, Const):
        return str(value.value)
    if isinstance(value, Unknown):
        return value.text
    return hole()


def truth(value: Value) -> Optional[bool]:
    """Python truthiness when it is known."""
    if isinstance(value, Const):
        return bool(value.value)
    if isinstance(value, Seq):
        return bool(value.items)
    if isinstance(value, ReuseValue):
        return value.reuse in (Reuse.YES, Reuse.AUTO)
    if isinstance(value, TFRef) and "FLAGS." in value.path:
        return None  # `tf.flags.FLAGS.x`: a flag's value, set on the command line
    if isinstance(value, (Function, Class, Instance, TFRef, ScopeRef, ScopeManager, Variable,
                          ModuleObject)):
        return True
    return None


def reuse_of(value: Value) -> Reuse:
    """The reuse mode a `reuse=` argument means (False means inherit, like None)."""
    if isinstance(value, ReuseValue):
        return value.reuse
    known = truth(value)
    if known is None:
        return Reuse.UNKNOWN
    return Reuse.YES if known else Reuse.NO
