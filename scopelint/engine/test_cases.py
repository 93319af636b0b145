"""TF's test harness, `tf.test.TestCase` (TF's `framework/test_util.py`), as its runner
calls a test and as its methods touch the TF state. Part of the TF model (see `tf_model`).

- The runner makes an instance per test method, calls `setUp()`, then the method (a
  method named `test...` taking only `self`). The default graph before `setUp` is what
  earlier tests left; `TensorFlowTestCase.setUp` (what `super().setUp()` reaches) resets
  it and clears the test's cached session, so the test then builds in a fresh graph at
  the root scope.
- `session(graph)` makes `graph` (else the default graph) the default inside its block;
  `test_session(graph)` with a graph does the same. `cached_session()` and
  `test_session()` reuse one session per test, made over the graph that was the default
  when the first of them ran (or `evaluate` and the assertions that evaluate tensors,
  outside any session): inside, that graph is the default again.
- The other methods (assertions, `evaluate`, `get_temp_dir`) make no ops and no
  variables, unless handed code to run (`assertRaises(ValueError, build)`).
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from scopelint.engine.graph import Graph
from scopelint.engine.protocols import Replay, TFCore
from scopelint.engine.values import (
    Benign, Class, Const, Function, Instance, Lambda, Partial, TFObject, TFRef, Unknown, Value,
)

TEST_CASES = frozenset({"test.TestCase"})  # `tf.test.TestCase`, `test_util.TensorFlowTestCase`
_SESSIONS = frozenset({"session", "cached_session", "test_session"})
_INERT = frozenset({"get_temp_dir", "skipTest", "id"})
_CACHE = "cached_session"  # `Instance.library` key: the graphs the cached session may be over


def is_test_case(bases: Sequence[Value]) -> bool:
    """A class built on TF's test case, directly or through project classes."""
    return any(isinstance(b, TFRef) and b.path in TEST_CASES
               or isinstance(b, Class) and b.test_case for b in bases)


def runs_as_test(node: cst.FunctionDef, cls: Optional[Class]) -> bool:
    """A method TF's test runner calls, as written: `test...(self)`, undecorated, on a TF
    test case."""
    params = node.params
    return (cls is not None and cls.test_case and node.name.value.startswith("test")
            and not node.decorators and not params.posonly_params and not params.kwonly_params
            and len(params.params) == 1 and params.star_arg is cst.MaybeSentinel.DEFAULT
            and params.star_kwarg is None)


class TestHarness:
    """The library methods of a TF test case, called on an instance of the program."""

    def __init__(self, tf: TFCore, py: Replay) -> None:
        self.tf = tf
        self.py = py

    def call(self, instance: Instance, name: str, args: list[Value],
             kwargs: dict[str, Value], node: Optional[cst.Call]) -> Value:
        if name == "setUp":
            self.set_up(instance)
            return Const(None)
        if any(isinstance(v, (Function, Lambda, Class, Partial, Instance))
               for v in (*args, *kwargs.values())):
            self.tf.opaque_call(node)  # it may run the code it is handed
            return Unknown()
        if name in _SESSIONS:
            return self._session(instance, name, args, kwargs, node)
        if name.startswith("assert") and not name.startswith("assertRaises") or (
                name == "evaluate"):
            self._may_cache(instance)
            return Benign()
        if name in _INERT:
            return Benign()
        self.tf.opaque_call(node)
        return Unknown()

    def set_up(self, instance: Instance) -> None:
        """`TensorFlowTestCase.setUp`: a fresh default graph, no cached session."""
        self.tf.graph = Graph(self.tf.session)
        instance.library[_CACHE] = TFObject("CachedSession", state={"graphs": [None]})

    def _session(self, instance: Instance, name: str, args: list[Value],
                 kwargs: dict[str, Value], node: Optional[cst.Call]) -> Value:
        graph = kwargs.get("graph", args[0] if args else Const(None))
        if name == "session" or (name == "test_session" and graph != Const(None)):
            if graph == Const(None):
                return _session_of(self.tf.graph)
            if isinstance(graph, TFObject) and graph.path == "Graph":
                return _session_of(graph.state["graph"])
        elif graph == Const(None):
            cached = self._cached_graph(instance)
            if cached is not None:
                return _session_of(cached)
        self.tf.opaque_call(node)
        return Unknown()

    def _cached_graph(self, instance: Instance) -> Optional[Graph]:
        """The graph of the session `cached_session()` uses, when certain: the one cached,
        else (none cached yet, `None` below) a new one over the default graph."""
        cache = instance.library.get(_CACHE)
        if not isinstance(cache, TFObject):
            return None  # no `setUp` of TF's: what earlier code cached is unknown
        graphs: list[Optional[Graph]] = cache.state["graphs"]
        options = {id(g if g is not None else self.tf.graph): g or self.tf.graph
                   for g in graphs}
        if len(options) != 1:
            return None
        (graph,) = options.values()
        if not self.py.uncertain_sites:
            graphs[:] = [graph]
        elif graph not in graphs:
            graphs.append(graph)
        return graph

    def _may_cache(self, instance: Instance) -> None:
        """`evaluate` outside any session caches one over the default graph."""
        cache = instance.library.get(_CACHE)
        if isinstance(cache, TFObject) and None in cache.state["graphs"]:
            if self.tf.graph not in cache.state["graphs"]:
                cache.state["graphs"].append(self.tf.graph)


def _session_of(graph: Graph) -> TFObject:
    """A session's block: `graph` is the default inside."""
    return TFObject("GraphContext", state={"graph": graph, "session": True})
