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

import io
import re
import textwrap
import tokenize
from typing import Optional

import libcst as cst

from scopelint.engine import tfapi
from scopelint.engine.expressions import attribute
from scopelint.engine.module_state import ModuleState
from scopelint.engine.values import Class, Env, Function, TFRef, Unknown, Value

CALLED = re.compile(r"(?<!def )\b([A-Za-z_]\w*)\s*\(")  # the last name of each call
_PATHS = re.compile(r"(?<!def )(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\(")  # dotted calls
MAX_ENTRY_DEPTH = 3  # frames a function the module never calls runs in, its own included


def spells_facts(text: str) -> bool:
    """Whether the code of `text` (its comments and docstrings aside) spells one of
    `tfapi.FACT_WORDS`: an API facts come from is reached through a name spelling one."""
    folded = text.lower()
    if not any(word in folded for word in tfapi.FACT_WORDS):
        return False
    return any(word in _code(text) for word in tfapi.FACT_WORDS)


def _code(text: str) -> str:
    """The names and the strings that are not docstrings of `text`, lowered."""
    kept: list[str] = []
    opens = True  # the next token begins a statement
    try:
        for token in tokenize.generate_tokens(io.StringIO(textwrap.dedent(text)).readline):
            if token.type == tokenize.NAME or (token.type == tokenize.STRING and not opens):
                kept.append(token.string)
            if token.type not in _LAYOUT:
                opens = token.type == tokenize.NEWLINE
    except (tokenize.TokenError, SyntaxError):
        return text.lower()
    return " ".join(kept).lower()


_LAYOUT = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}


class FactReach:
    """The test, for one program: what it found of each function or class is kept."""

    def __init__(self) -> None:
        self._reaches: dict[tuple[int, int], bool] = {}  # (node id, depth left) -> answer

    def useful(self, defs: list[cst.FunctionDef], module: ModuleState) -> set[str]:
        """Names of the functions of `defs` (the file's, not run yet) whose replay may
        record facts."""
        calls: dict[str, set[str]] = {}
        useful: set[str] = set()
        local = {node.name.value for node in defs}
        for node in defs:
            text = module.positions.source_of(node) if module.positions else None
            name = node.name.value
            if text is None or spells_facts(text) or self._calls_reaching(
                    text, module.globals, local, MAX_ENTRY_DEPTH - 1):
                useful.add(name)
            else:
                calls.setdefault(name, set()).update(CALLED.findall(text))
        grown = True
        while grown:
            grown = False
            for name, callees in calls.items():
                if name not in useful and callees & useful:
                    useful.add(name)
                    grown = True
        return useful

    def _calls_reaching(self, text: str, scope: Env, skip: set[str], depth: int,
                        owner: Optional[Class] = None) -> bool:
        """Whether a dotted name `text` calls is bound in `scope` to what may record facts
        (names in `skip` are left to the caller's fixpoint); in a method of `owner`, the
        methods `self.name(...)` calls are its."""
        for path in set(_PATHS.findall(text)):
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
            return spells_facts(value.path)
        if isinstance(value, Class):  # constructing it runs its `__init__`
            value = value.lookup("__init__")
        if not isinstance(value, Function) or depth == 0:
            return False
        key = (id(value.node), depth)
        found = self._reaches.get(key)
        if found is None:  # the depth falls at each step: no key recurs
            module = value.env.owner()
            text = module.positions.source_of(value.node) if module.positions else None
            found = self._reaches[key] = text is None or spells_facts(text) or \
                self._calls_reaching(text, value.env, set(), depth - 1, value.owner)
        return found


def _resolve(scope: Env, head: str, attrs: list[str]) -> Value:
    """What `head.attr...` is bound to in `scope` (Unknown when nothing is)."""
    value = scope.lookup(head) or Unknown()
    for attr in attrs:
        value = attribute(value, attr)
    return value
