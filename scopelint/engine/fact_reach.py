"""Which of a checked file's functions nothing calls may record facts when replayed
(`FunctionReplay.run_uncalled` skips the others: replaying them records nothing).

A function may record facts when its code (comments and docstrings aside) spells an API
facts come from (`tfapi.FACT_WORDS`), or when it calls something that may: a function of
the file that may (a fixpoint over the names it calls), or what a dotted name it calls is
bound to once the module's top level has run (`f(...)`, `ops.conv(...)`, `Net(...)`): a TF
API whose path spells such a word (an alias such as `gv = tf.get_variable`), or a function
of any module (a class: its `__init__`; in a method, `self.name(...)`: its class's) that may
by the same test, as deep as a replay without a caller follows calls (`MAX_ENTRY_DEPTH`).
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from scopelint.engine import tfapi
from scopelint.engine.expressions import attribute
from scopelint.engine.module_state import ModuleState
from scopelint.engine.values import Class, Env, Function, TFRef, Unknown, Value

CALLED = re.compile(r"(?<!def )\b([A-Za-z_]\w*)\s*\(")  # the last name of each call
_PATHS = re.compile(r"(?<!def )(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\(")  # dotted calls
MAX_ENTRY_DEPTH = 3  # frames a function the module never calls runs in, its own included


def without_comments(text: str) -> str:
    """`text` without its comments and docstrings (a string first in a block)."""
    kept: list[str] = []
    last, opens = 0, True  # `opens`: what comes next is first in a block
    for match in _STRING_OR_COMMENT.finditer(text):
        between = text[last:match.start()]
        kept.append(between)
        string = match.lastgroup == "string"
        code = between.rstrip("rRbBuUfF") if string else between  # less a string's prefix
        if code.strip():
            opens = code.rstrip().endswith(":")
        if string:
            if not opens:
                kept.append(match.group())
            opens = False
        last = match.end()
    kept.append(text[last:])
    return "".join(kept)


_STRING_OR_COMMENT = re.compile(
    r'(?=["\'#])(?:(?P<string>"""[\s\S]*?"""' r"|'''[\s\S]*?'''"
    r'|"(?:\\.|[^"\\\n])*"' r"|'(?:\\.|[^'\\\n])*')"
    r"|(?P<comment>#[^\n]*))")


Code = tuple[bool, frozenset[str], frozenset[str]]  # see `FactReach._code`


class FactReach:
    """The test, for one program: what it found of each function is kept."""

    def __init__(self) -> None:
        self._read: dict[int, Code] = {}  # by node id
        self._reaches: dict[tuple[int, int], bool] = {}  # (node id, depth left) -> answer

    def useful(self, defs: list[cst.FunctionDef], module: ModuleState) -> set[str]:
        """Names of the functions of `defs` (the file's, not run yet) whose replay may
        record facts."""
        calls: dict[str, set[str]] = {}
        useful: set[str] = set()
        local = {node.name.value for node in defs}
        for node in defs:
            spelled, paths, names = self._code(node, module)
            name = node.name.value
            if spelled or self._calls_reaching(paths, module.globals, local,
                                               MAX_ENTRY_DEPTH - 1):
                useful.add(name)
            else:
                calls.setdefault(name, set()).update(names)
        grown = True
        while grown:
            grown = False
            for name, callees in calls.items():
                if name not in useful and callees & useful:
                    useful.add(name)
                    grown = True
        return useful

    def _code(self, node: cst.FunctionDef, module: ModuleState) -> Code:
        """Whether the code of a function (comments and docstrings aside) spells a fact API
        (or cannot be read), else the dotted names it calls and the last name of each call."""
        found = self._read.get(id(node))
        if found is None:
            text = module.positions.source_of(node) if module.positions else None
            code = without_comments(text) if text is not None else ""
            spelled = text is None or tfapi.spells_fact_word(code)
            found = self._read[id(node)] = (spelled, frozenset(), frozenset()) if spelled \
                else (False, frozenset(_PATHS.findall(code)), frozenset(CALLED.findall(code)))
        return found

    def _calls_reaching(self, paths: frozenset[str], scope: Env, skip: set[str], depth: int,
                        owner: Optional[Class] = None) -> bool:
        """Whether one of `paths` (called) is bound in `scope` to what may record facts
        (names in `skip` are left to the caller's fixpoint); in a method of `owner`, the
        methods `self.name(...)` calls are its."""
        for path in paths:
            head, *attrs = path.split(".")
            if head in skip:
                continue
            if owner is not None and head in ("self", "cls") and len(attrs) == 1:
                value = owner.lookup(attrs[0])
            else:
                value = _resolve(scope, head, attrs)
            if self._may_record(value, depth):
                return True
        return False

    def _may_record(self, value: Optional[Value], depth: int) -> bool:
        if isinstance(value, TFRef):
            return tfapi.spells_fact_word(value.path)
        if isinstance(value, Class):  # constructing it runs its `__init__`
            value = value.lookup("__init__")
        if not isinstance(value, Function) or depth == 0:
            return False
        key = (id(value.node), depth)
        found = self._reaches.get(key)
        if found is None:  # the depth falls at each step: no key recurs
            spelled, paths, _ = self._code(value.node, value.env.owner())
            found = self._reaches[key] = spelled or self._calls_reaching(
                paths, value.env, set(), depth - 1, value.owner)
        return found


def _resolve(scope: Env, head: str, attrs: list[str]) -> Value:
    """What `head.attr...` is bound to in `scope` (Unknown when nothing is)."""
    value = scope.lookup(head) or Unknown()
    for attr in attrs:
        value = attribute(value, attr)
    return value
