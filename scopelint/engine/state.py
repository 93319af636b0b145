"""The interpreter state the TF-call mixins (scopes, library, tfcalls) read and write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NamedTuple, Optional

import libcst as cst

from scopelint.engine.model import Graph
from scopelint.engine.values import Env, Function, TFObject, Value
from scopelint.facts import CallStack, Location, ModuleFacts

if TYPE_CHECKING:
    from scopelint.engine.containers import Escaped
    from scopelint.engine.importing import ModuleState
    from scopelint.engine.session import Session


class CallSite(NamedTuple):
    """A replayed call of a module function, as the calling code wrote it."""

    caller: int  # the invocation the call is made from
    loc: Location
    function: str  # the called function's name
    node: cst.Call


class EngineState:
    """Attributes and callbacks the interpreter provides to its mixins."""

    entry: ModuleState  # the program's `__main__`
    session: Session  # what the run keeps between programs (files, shared modules, counters)
    graph: Graph
    facts: ModuleFacts
    recording: bool  # False in passes whose facts are dropped (a loop's extra run)
    invocation: int  # the replayed call the current statement belongs to
    scope_frames: list[tuple[str, int, str]]  # (kind, invocation, name as written) per scope
    pending_reuse: list[tuple[int, int]]  # (reuse_calls index, invocation) not yet used
    arg_scopes: list[TFObject]  # the slim arg_scope blocks entered, innermost last
    handling: int  # depth of `try` blocks whose handlers catch TF's ValueError
    catching_type_error: int  # depth of `try` blocks whose handlers catch TypeError
    stack: list[Location]  # call sites of the replayed calls, outermost first
    call_sites: list[CallSite]  # the replayed calls with a call site, outermost first
    active: list[cst.FunctionDef]  # the functions being replayed, innermost last
    calling: list[Function]
    call_envs: list[Env]  # the local variables of each replayed call, innermost last
    escaped: Escaped  # lists code scopelint cannot see may change (`containers`)
    reuse_ignored: dict[int, bool]  # FunctionDef id -> takes `reuse` and never reads it
    loops: list[tuple[int, int]]  # (line, iteration) of each loop running, outermost first
    loc: Callable[[cst.CSTNode], Location]
    call_stack: Callable[[], CallStack]
    call_function: Callable[..., Value]
    call_value: Callable[..., Value]
    loc_statement: Callable[[cst.CSTNode], Location]
    tf_version: str  # the configured TF version (`tf-version`)
    add_variable: Callable[..., None]  # record a `names` row (`tfcalls.TFCalls.add_variable`)
    uncertain_sites: list[Optional[Location]]  # where code that may not run began (innermost last)
    tf_call: Callable[..., Value]  # a TF API call (`tfcalls.TFCalls.tf_call`)
    full_def: Callable[[cst.FunctionDef], cst.FunctionDef]  # with its body (`Importing`)
