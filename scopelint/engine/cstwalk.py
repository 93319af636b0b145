"""A fast walk over libcst trees, in source order.

libcst's visitors cost several times more than a plain walk over dataclass
fields; the engine walks statements to pair positions and to find `yield`.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Iterator, Sequence, Union, cast

import libcst as cst

_SKIPPED_BASES = (cst.BaseParenthesizableWhitespace, cst.Comma, cst.Dot, cst.LeftParen,
            cst.RightParen, cst.Colon, cst.AssignEqual, cst.Semicolon, cst.EmptyLine,
            cst.Newline, cst.TrailingWhitespace, cst.Comment, cst.Name, cst.SimpleString,
            cst.Integer, cst.Float, cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp,
            cst.BaseUnaryOp, cst.BaseAugOp, cst.LeftSquareBracket, cst.RightSquareBracket,
            cst.LeftCurlyBrace, cst.RightCurlyBrace)
_FIELDS: dict[type, tuple[str, ...]] = {  # where dataclass order is not source order
    cst.IfExp: ("body", "test", "orelse"),
    cst.FunctionDef: ("decorators", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
}


def _subclasses(kind: type) -> set[type]:
    found = {kind}
    sub: type
    for sub in kind.__subclasses__():
        found |= _subclasses(sub)
    return found


# Concrete types, so a set lookup replaces slow isinstance checks against abstract bases.
_SKIPPED = frozenset(t for base in _SKIPPED_BASES for t in _subclasses(base))
_WALKED = frozenset(_subclasses(cst.CSTNode) - _SKIPPED)


def _fields(kind: type) -> tuple[str, ...]:
    """A node type's child fields in source order."""
    found = _FIELDS.get(kind)
    if found is None:
        found = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind)
                                      if not f.name.startswith(("whitespace", "lpar", "rpar")))
    return found


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The child nodes that can hold expressions or statements, in source order."""
    for name in _fields(type(node)):
        child = getattr(node, name)
        if type(child) in _WALKED:
            yield child
        elif isinstance(child, (tuple, list)):
            for item in child:
                if type(item) in _WALKED:
                    yield item


_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def contains_yield(node: cst.CSTNode) -> bool:
    """Whether `yield` occurs under `node`, outside nested functions and classes."""
    for child in children(node):
        if isinstance(child, cst.Yield):
            return True
        if not isinstance(child, _SCOPES) and contains_yield(child):
            return True
    return False


Block = Sequence[cst.BaseStatement]


def statements(suite: Union[cst.BaseSuite, Block]) -> Block:
    """The statements of a block; a one-line suite (`if x: a; b`) as one statement line.

    libcst's node classes are ABCs: `isinstance` against one that fails runs a Python
    call (`ABCMeta.__instancecheck__`). Where the replay tests many nodes, a concrete node
    class (one without subclasses, as all of them are) is tested by `type(node) is`."""
    if type(suite) is cst.IndentedBlock:
        return suite.body
    if type(suite) is cst.SimpleStatementSuite:
        return [cst.SimpleStatementLine(body=suite.body)]
    return cast(Block, suite)  # a BaseSuite is one of the two above


_LITERALS = (cst.Tuple, cst.List, cst.Set, cst.Dict, cst.SimpleString, cst.ConcatenatedString,
             cst.FormattedString)
_INPUTS = frozenset({"sys.argv", "os.environ"})  # filled before the program runs


# calls that read what the graph holds: `if tf.trainable_variables(scope="enc"):`
_GRAPH_QUERIES = frozenset({
    "get_collection", "get_collection_ref", "global_variables", "all_variables",
    "trainable_variables", "local_variables", "model_variables", "moving_average_variables",
    "get_variable_scope", "get_default_graph",
})


@lru_cache(maxsize=8192)
def tests_what_was_built(test: cst.CSTNode) -> bool:
    """Whether a condition may test what the program has built so far: membership in a
    container it fills (`name in cache`, not `mode in ("a", "b")` nor `"-v" in sys.argv`),
    `hasattr(...)`, or a call that reads the graph (`tf.global_variables()`). Kept for the
    conditions asked for last, as `source_of`: a loop or a function replayed again asks
    again."""
    return _tests_built(test)


def _tests_built(test: cst.CSTNode) -> bool:
    # `type(...) is`, not `isinstance`, for speed (see `statements`)
    if type(test) is cst.ComparisonTarget and type(test.operator) in (cst.In, cst.NotIn):
        comparator = test.comparator
        return not isinstance(comparator, _LITERALS) and dotted(comparator) not in _INPUTS
    if type(test) is cst.Call:
        called = dotted(test.func).rsplit(".", 1)[-1]
        if called in _GRAPH_QUERIES or (called == "hasattr" and isinstance(test.func, cst.Name)):
            return True
    return any(_tests_built(child) for child in children(test))


def dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` as written; "" for other expressions (a call, a subscript) at its root."""
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""


def reads_name(node: cst.CSTNode, name: str) -> bool:
    """Whether a variable `name` is used under `node`: keyword names, attribute names and
    parameter names do not count; nested functions and lambdas do."""
    if isinstance(node, cst.Name):
        return node.value == name
    if isinstance(node, cst.Arg):
        return reads_name(node.value, name)
    if isinstance(node, cst.Attribute):
        return reads_name(node.value, name)
    if isinstance(node, cst.Param):
        return any(reads_name(part, name) for part in (node.default, node.annotation)
                   if part is not None)
    return any(reads_name(child, name) for child in node.children)


_EMPTY = cst.Module(body=[])


@lru_cache(maxsize=8192)
def source_of(node: cst.CSTNode) -> str:
    """The code of an expression, as written (kept for the nodes asked for last: a node
    replayed again, by a loop, another call or the next version of a buffer, is not
    printed again; nodes hash by identity and the cache keeps them alive)."""
    return _EMPTY.code_for_node(node)
