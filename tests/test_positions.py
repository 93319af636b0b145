"""Positions from the ast pairing equal libcst's own PositionProvider, for every call."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import PositionProvider

from scopelint.engine.positions import Positions

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.py"))

TRICKY = '''
import tensorflow as tf
@tf.function(input_signature=f(1))
def g(x=h(2), *, y=k(3)) -> r(4):
    return x if c(5) else d(6)
a = [e(i) for i in m(7) if n(8)]; b = {p(9): q(10) for _ in ()}
lam = lambda z=s(11): t(12)
with tf.variable_scope(u(13)) as sc, tf.name_scope("é" + v(14)):
    w = f(f(f(15)))(16)
if o(17) == o(18) < o(19):
    pass
elif o(20):
    try:
        raise E(21)
    except F(22) as err:
        print(23)
    finally:
        print(24)
class C(B(25), metaclass=M(26)):
    x = y(27)
for i in range(28):
    while cond(29):
        break
    else:
        print(30)
# é non-ASCII before a call on the same line:
s = "ééé"; t = call(31)
'''


def _cases() -> list[tuple[str, str]]:
    return [("tricky", TRICKY)] + [(p.name, p.read_text(encoding="utf-8")) for p in FIXTURES]


class _Statements(cst.CSTVisitor):
    """Each call with its innermost statement, as the interpreter tracks it."""

    def __init__(self) -> None:
        self.stack: list[cst.CSTNode] = []
        self.calls: list[tuple[cst.Call, cst.CSTNode]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            self.stack.append(node)
        if isinstance(node, cst.Call):
            self.calls.append((node, self.stack[-1]))
        return True

    def on_leave(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            self.stack.pop()


@pytest.mark.parametrize("name,source", _cases(), ids=[c[0] for c in _cases()])
def test_every_call_position_matches_libcst(name: str, source: str) -> None:
    module = cst.parse_module(source)
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    positions = Positions(module, ast.parse(source), source.split("\n"))
    visitor = _Statements()
    module.visit(visitor)
    assert visitor.calls
    for call, statement in visitor.calls:
        loc = positions.of(call, statement)
        start = expected[call].start
        assert (loc.line, loc.col) == (start.line, start.column + 1), module.code_for_node(call)
