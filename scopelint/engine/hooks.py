"""Hooks: detections of rules that the replay runs at the calls of TF APIs, by full name.

As mypy plugins and astroid brains hook a checker by a function's full name, a rule
module registers hooks (`Rule.hooks`) by the TF API's full name,
`"tensorflow.variable_scope"`, or by namespace, `"tensorflow.contrib.slim.*"`; the
analysis hands every rule's hooks to the engine as one `Hooks` table. At each call of a
TF API it replays while recording facts (whatever the import spelling: `tf.compat.v1.X`,
`from tensorflow.compat.v1 import X`), the engine calls that API's hooks with a `TFCall`:
the call, the arguments' values as the replay knows them, and the replay's state there. A
hook returns the facts it finds; the engine adds them to the module's facts
(`ModuleFacts.add`), in replay order, where the rule's check reads them. Hooks never walk
the tree (the node is there for positions and text) nor change the replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Protocol, Sequence

from scopelint.facts import CallStack, Location, ModuleFacts

if TYPE_CHECKING:
    import libcst as cst

    from scopelint.engine.values import Args, Value

TF = "tensorflow."  # the full name of an API is this and the engine's path (`variable_scope`)


@dataclass(frozen=True)
class TFCall:
    """One call of a TF API, as a hook sees it."""

    api: str  # full name: "tensorflow.variable_scope", "tensorflow.layers.dense"
    args: Sequence[Value]  # the positional arguments' values (`Unknown` where not known)
    kwargs: Args  # the keyword arguments' values (`spread`: a `**kwargs` was passed)
    node: cst.Call  # the call as written
    loc: Location
    stack: CallStack  # the calls (outermost first) that lead to it
    variables_before: int  # variable facts recorded before it (TF raising here stops them)
    catches_type_error: bool  # inside a `try` whose handler catches TypeError

    @property
    def path(self) -> str:
        """The engine's name of the API (`tfapi`): the full name without `tensorflow.`."""
        return self.api[len(TF):]


Hook = Callable[[TFCall], Iterable[object]]


class Replay(Protocol):
    """What the dispatch reads of the replay running the call."""

    @property
    def recording(self) -> bool: ...  # facts are being recorded

    @property
    def catching_type_error(self) -> int: ...  # depth of `try` blocks catching TypeError

    def loc(self, node: cst.CSTNode) -> Location: ...

    def call_stack(self) -> CallStack: ...


class Hooks:
    """The hooks of every rule, by API full name or namespace (`prefix.*`)."""

    def __init__(self, hooks: Iterable[tuple[str, Hook]] = ()) -> None:
        self._hooks: dict[str, list[Hook]] = {}
        for api, hook in hooks:
            self._hooks.setdefault(api, []).append(hook)
        self._at: dict[str, list[Hook]] = {}  # by engine path, as first looked up

    def at(self, path: str) -> list[Hook]:
        """The hooks of the API at engine path `path`: its own, then its namespaces'."""
        found = self._at.get(path)
        if found is None:
            api = TF + path
            found = list(self._hooks.get(api, ()))
            for end in range(len(api) - 1, 0, -1):
                if api[end] == ".":
                    found += self._hooks.get(api[:end + 1] + "*", ())
            self._at[path] = found
        return found

    def run(self, replay: Replay, facts: ModuleFacts, path: str, args: Sequence[Value],
            kwargs: Args, node: cst.Call) -> None:
        """Call the hooks of the API at `path` and add the facts they find to `facts`."""
        hooks = self.at(path)
        if not hooks or not replay.recording:
            return
        call = TFCall(TF + path, args, kwargs, node, replay.loc(node), replay.call_stack(),
                      len(facts.variables), replay.catching_type_error > 0)
        for hook in hooks:
            for fact in hook(call):
                facts.add(fact)
