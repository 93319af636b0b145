"""The interfaces that join the engine's two halves.

The Python replay (`interpreter`, `expressions`, `function_replay`, `module_replay`)
runs statements, expressions, calls and imports; the TF model (`tf_model` and its
parts `scopes`, `tf_library`, `layer_classes`) simulates TF's graph, scopes and
variables. Each holds the other through a Protocol below, never by its class:
`Replay` is what the TF model asks of the replay, `TFModel` what the replay asks of
the TF model, and `TFCore` what the TF model's parts ask of the TF model. Within the
replay, `ReplayCore` is what its parts (`expressions`, `function_replay`,
`module_replay`) ask of the interpreter, `ImportState` what they read of the module
replay, and `EntryRecorder` what they tell a replay kept for a buffer's next version.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Protocol, Sequence, Union

import libcst as cst

from scopelint.engine.graph import Frame, Graph, Request
from scopelint.engine.cstwalk import Block
from scopelint.engine.module_state import ModuleState
from scopelint.engine.project import Project
from scopelint.engine.sharing import Load, Writes
from scopelint.engine.values import (
    Args, Class, Env, Function, Instance, TFObject, Value, Variable,
)
from scopelint.facts import CallStack, Location, ModuleFacts, VariableFact

if TYPE_CHECKING:
    from scopelint.engine.containers import Escaped
    from scopelint.engine.session import Session


class CallSite(NamedTuple):
    """A replayed call of a module function, as the calling code wrote it."""

    caller: int  # the invocation the call is made from
    loc: Location
    function: str  # the called function's name
    node: cst.Call


class EntryModule(Protocol):
    """The program's `__main__` module, as the TF model sees it."""

    @property
    def globals(self) -> Env: ...


class Replay(Protocol):
    """What the TF model asks of the Python replay: where the code running is, what
    kind of pass it is, and calls of the program's own functions."""

    @property
    def entry(self) -> EntryModule: ...  # the program's `__main__`

    @property
    def recording(self) -> bool: ...  # False in passes whose facts are dropped

    @property
    def handling(self) -> int: ...  # depth of `try` blocks whose handlers catch ValueError

    @property
    def catching_type_error(self) -> int: ...  # depth of `try` blocks catching TypeError

    @property
    def invocation(self) -> int: ...  # the replayed call the current statement belongs to

    @property
    def loops(self) -> list[tuple[int, int]]: ...  # (line, iteration) of the loops running

    @property
    def stack(self) -> list[Location]: ...  # call sites of the replayed calls, outermost first

    @property
    def call_sites(self) -> list[CallSite]: ...  # the replayed calls with a call site

    @property
    def active(self) -> list[cst.FunctionDef]: ...  # the functions being replayed

    @property
    def calling(self) -> list[Function]: ...  # and their values, innermost last

    @property
    def call_envs(self) -> list[Env]: ...  # and their local variables

    @property
    def current(self) -> Optional[cst.CSTNode]: ...  # the statement running

    @property
    def uncertain_sites(self) -> list[Optional[Location]]: ...  # where code that may not
    # run began, innermost last

    def loc(self, node: cst.CSTNode) -> Location: ...

    def loc_statement(self, node: cst.CSTNode) -> Location: ...

    def call_stack(self) -> CallStack: ...

    def call_function(self, fn: Function, args: list[Value], kwargs: dict[str, Value],
                      call: Optional[cst.Call], unknown_args: bool = False,
                      unknown_rest: bool = False, replay_generator: bool = False) -> Value: ...

    def call_value(self, callee: Value, args: list[Value], kwargs: dict[str, Value],
                   call: Optional[cst.Call], unknown_rest: bool = False) -> Value: ...

    def full_def(self, node: cst.FunctionDef) -> cst.FunctionDef: ...


class TFModel(Protocol):
    """What the Python replay asks of the TF model: TF API calls by full name, `with`
    items, classes on a library base, and the TF state a branch or a shared module
    replay saves and restores."""

    graph: Graph  # the current default graph
    pending_reuse: list[tuple[int, int]]  # (reuse_calls index, invocation) not yet used
    unknown_calls: int  # calls scopelint could not follow

    @property
    def first_graph(self) -> Graph: ...  # the program's default graph as it began

    @property
    def arg_scopes(self) -> list[TFObject]: ...  # the slim arg_scope blocks entered

    def tf_call(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value: ...

    def tf_method(self, owner: Value, name: str, args: list[Value], kwargs: Args,
                  node: cst.Call) -> Value: ...

    def run_main(self, main: Optional[Value], node: Optional[cst.Call] = None) -> Value: ...

    def opaque_call(self, node: Optional[cst.CSTNode] = None) -> None: ...

    def close(self) -> None: ...  # the program has run: drop its state (`Interpreter.close`)

    def compared_name(self, node: cst.Comparison, left: cst.BaseExpression,
                      right: cst.BaseExpression, env: Env) -> None: ...

    def enter_context(self, value: Value, node: cst.BaseExpression
                      ) -> tuple[Optional[Frame], Value]: ...

    def enter_unknown_context(self) -> tuple[Frame, Value]: ...

    def exit_context(self, frame: Optional[Frame]) -> None: ...

    def library_init(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                     node: Optional[cst.Call]) -> Value: ...

    def library_call(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                     node: cst.Call) -> Value: ...

    def library_weight(self, instance: Instance, args: list[Value], kwargs: dict[str, Value],
                       node: cst.Call) -> Value: ...

    def test_method(self, instance: Instance, name: str, args: list[Value],
                    kwargs: dict[str, Value], node: Optional[cst.Call]) -> Value: ...


class TFCore(Protocol):
    """What the TF model's parts (scopes, library calls, layer classes) ask of it: its
    state, variable requests and the facts they record."""

    graph: Graph
    pending_reuse: list[tuple[int, int]]

    @property
    def facts(self) -> ModuleFacts: ...

    @property
    def session(self) -> Session: ...

    @property
    def tf_version(self) -> str: ...

    @property
    def scope_frames(self) -> list[tuple[str, int, str]]: ...  # (kind, invocation, name)

    @property
    def arg_scopes(self) -> list[TFObject]: ...

    @property
    def reuse_ignored(self) -> dict[int, bool]: ...  # FunctionDef id -> ignores `reuse`

    def tf_call(self, path: str, args: list[Value], kwargs: Args, node: cst.Call) -> Value: ...

    def opaque_call(self, node: Optional[cst.CSTNode] = None) -> None: ...

    def get_variable(self, bound: dict[str, Value], node: cst.Call,
                     api: str = "get_variable") -> Value: ...

    def new_variable(self, node: cst.Call, api: str, base: str, dtype: Optional[str] = None,
                     shape: Optional[tuple] = None,
                     trainable: Optional[bool] = False) -> Variable: ...

    def record_request(self, node: cst.Call, api: str, request: Request,
                       expected: Optional[str] = None,
                       through: Optional[CallSite] = None) -> None: ...

    def add_variable(self, node: cst.CSTNode, fact: VariableFact, text: str = "") -> None: ...

    def reuse_origin(self, request: Request) -> Optional[Location]: ...


class ImportState(Protocol):
    """What the replay's parts read of the module replay (`module_replay.ModuleReplay`)."""

    @property
    def project(self) -> Optional[Project]: ...

    @property
    def shortcuts(self) -> bool: ...

    @property
    def tf_free(self) -> tuple[str, ...]: ...

    @property
    def modules(self) -> dict[str, Optional[ModuleState]]: ...  # by name, as `sys.modules`

    @property
    def loading(self) -> list[Load]: ...  # the modules whose top level is running

    @property
    def writes(self) -> Writes: ...  # globals of shared modules set by other modules


class EntryRecorder(Protocol):
    """What the replay tells a replay without a caller that a language server may take
    again for the buffer's next version (`entries.Recording`)."""

    def called(self, local: Env, node: Optional[cst.FunctionDef]) -> None: ...

    def read_name(self, name: str, env: Env, value: Value) -> None: ...

    def read_attribute(self, value: Value) -> None: ...  # of an object, class or module

    def note_set(self, owner: object) -> None: ...  # an attribute set on `owner`


class ReplayCore(Replay, Protocol):
    """What the replay's parts ask of the interpreter: its state, statements and
    expressions, and each other's entry points."""

    module: ModuleState  # the module whose code is running
    current: Optional[cst.CSTNode]  # the statement running, for positions
    stack: list[Location]
    invocation: int
    budget: int  # function replays the program may still spend
    effects: int  # calls replayed and attributes set outside shareable module top levels
    attribute_sets: int  # attributes set on classes and instances
    maybe_returns: list[Value]  # what a `return` in a branch of the running call returns
    escaped: Escaped  # lists code scopelint cannot see may change (`containers`)
    entry_recording: Optional[EntryRecorder]  # the replay without a caller being kept
    tf: TFModel

    @property
    def imports(self) -> ImportState: ...

    @property
    def facts(self) -> ModuleFacts: ...

    @property
    def session(self) -> Session: ...

    @property
    def tf_version(self) -> str: ...  # the configured TF version (`tf-version`)

    def eval(self, node: cst.BaseExpression, env: Env) -> Value: ...

    def exec_block(self, body: Union[Block, cst.BaseSuite], env: Env) -> None: ...

    def assign(self, target: cst.BaseExpression, value: Value, env: Env) -> None: ...

    def set_attribute(self, owner: Value, name: str, value: Value) -> None: ...

    def set_attribute_value(self, attrs: dict[str, Value], name: str, value: Value) -> None: ...

    def origin(self, node: cst.Call) -> tuple[object, cst.Call, Optional[cst.CSTNode]]: ...

    def maybe(self) -> AbstractContextManager[None]: ...

    def quietly(self) -> AbstractContextManager[None]: ...

    def alternatives(self, env: Env, names: bool = True
                     ) -> AbstractContextManager[Callable[[], AbstractContextManager[None]]]: ...

    def reach_yield(self, value: Value) -> Value: ...

    def in_module(self, state: ModuleState) -> AbstractContextManager[None]: ...

    def code_of(self, env: Env) -> AbstractContextManager[None]: ...

    def instantiate(self, cls: Class, args: list[Value], kwargs: dict[str, Value],
                    call: cst.Call) -> Value: ...

    def run_callbacks(self, values: Sequence[Value], certain: bool,
                      call: Optional[cst.Call] = None) -> None: ...

    def reaches_tf(self, path: str) -> bool: ...
