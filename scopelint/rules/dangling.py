"""TFS202: a name string that matches no variable while a close one exists; and, in time,
a variable collection read before the variables it selects are made.

`trainable_variables(scope="gen")` copies the collection as it is when it runs: read before
the generator is built, it is an empty list for good, and handed to `minimize(var_list=...)`
or `Saver(...)` TF raises. The finding is at the read and names where the variables are made.
"""

from __future__ import annotations

import difflib
import re
from typing import Iterator, Optional

from scopelint.facts import (
    EmptyFilterFact, Finding, ModuleFacts, NameRefFact, Outcome, VariableFact,
)
from scopelint.rules import WARNING, Rule, codes
from scopelint.rules.common import closest, finding, related_at

CODE = codes.DANGLING


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    yield from early_filters(path, facts)
    if not facts.name_refs:
        return
    names = {v.name.rsplit(":", 1)[0] for v in facts.variables if v.name}
    unknown = _unknown_names(facts.unknown_names, facts.variables, names)
    scopes = {prefix for name in names for prefix in _prefixes(name)}
    for ref in facts.name_refs:
        if ref.actual is not None and ref.actual != ref.text:
            yield Finding(path, ref.loc.line, ref.loc.col, CODE,
                          f"this variable is named '{ref.actual}', not '{ref.text}'")
            continue
        tensor = ref.kind in ("tensor", "operation")
        if ref.actual is not None or _may_name_unknown(
                ref, unknown | facts.unknown_op_names if tensor else unknown):
            continue
        ops = facts.op_names if ref.kind == "scope" or tensor else set()
        if ref.kind == "variables" and not _filters_something(ref.text, names):
            hidden = _under_name_scope(ref.text, facts.variables)
            if hidden is not None:
                yield Finding(path, ref.loc.line, ref.loc.col, CODE, hidden)
                continue
        suggestion = _suggest(ref, names, scopes, ops)
        if suggestion is not None:
            what = "tensor" if suggestion.partition(":")[0] not in names | scopes else "variable"
            yield finding(path, CODE, ref,
                          f"no {what} is named '{ref.text}': did you mean '{suggestion}'?")


def _unknown_names(unknown: set[str], variables: list[VariableFact],
                   names: set[str]) -> set[str]:
    """The patterns (no `:0`) of the names scopelint could not predict.

    An optimizer's slot `<scope>/…/Adam` is named after a variable it trains
    (`primary.op.name`): its `…` stands for one of the program's variable names, known or not,
    so it matches only what `<scope>/<that name>/Adam` matches.
    """
    slots = [v for v in variables if v.name is None and _is_slot(v)]
    bases = unknown | {v.pattern.rsplit(":", 1)[0] for v in variables
                       if v.name is None and not _is_slot(v)}
    expanded = {v.pattern.rsplit(":", 1)[0].replace(f"…/{v.detail}", f"{base}/{v.detail}")
                for v in slots for base in names | bases}
    return bases | expanded


def _is_slot(fact: VariableFact) -> bool:
    """An optimizer slot made in a scope scopelint knows, for variables it does not."""
    scope, _, rest = fact.pattern.rpartition("…/")
    return (fact.api.endswith((".minimize", ".apply_gradients")) and "…" not in scope
            and bool(fact.detail) and rest == f"{fact.detail}:0")


def _filters_something(text: str, names: set[str]) -> bool:
    """Whether `scope=text` (TF: `re.match` on each name) selects a name; True if not a regex."""
    try:
        pattern = re.compile(text)
    except re.error:
        return True
    return any(pattern.match(name) for name in names)


def _under_name_scope(text: str, variables: list[VariableFact]) -> Optional[str]:
    """Why a variable filter selects nothing: its variables were made under a name scope."""
    pattern = re.compile(text)
    for fact in variables:
        if fact.name and fact.name_scope and pattern.match(fact.name_scope + "/") and (
                "…" not in fact.name_scope):
            return (f"no variable name matches scope='{text}', so this selects nothing: "
                    f"name_scope '{fact.name_scope}' does not prefix the names of variables "
                    f"made by get_variable or tf.layers (the one made there is named "
                    f"'{fact.name}'); use variable_scope")
    return None


def _may_name_unknown(ref: NameRefFact, unknown: set[str]) -> bool:
    """Whether a variable scopelint could not name may be the one the string refers to."""
    if ref.kind in ("scope", "variables"):
        if any(c in _REGEX_CHARS for c in ref.text):
            return bool(unknown)  # a real regex: any unknown name might match it
        known_parts = (p.split("…", 1)[0] for p in unknown)
        return any(k.startswith(ref.text) or ref.text.startswith(k) for k in known_parts)
    base = ref.text.partition(":")[0]
    return any(re.fullmatch(".*".join(map(re.escape, p.split("…"))), base) for p in unknown)


_REGEX_CHARS = frozenset(".^$*+?{}[]\\|()")


def _prefixes(name: str) -> list[str]:
    parts = name.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _suggest(ref: NameRefFact, names: set[str], scopes: set[str],
             ops: set[str]) -> Optional[str]:
    if ref.kind in ("scope", "variables"):
        try:
            pattern = re.compile(ref.text)
        except re.error:
            return None
        if any(pattern.match(name) for name in names | ops):
            return None
        close = difflib.get_close_matches(ref.text.rstrip("/"), sorted(scopes), n=1, cutoff=0.8)
        return close[0] if close else None
    base, _, port = ref.text.partition(":")
    if (ref.kind != "variable" and port != "0") or base in names or base in ops:
        return None
    # The slips: the right variable (or op named by the code) under another scope prefix,
    # the `_N` of a re-entered scope put on the variable, a typo a few letters away.
    known = names | ops
    leaf = base.rsplit("/", 1)[-1]
    same_leaf = sorted(n for n in known if n.rsplit("/", 1)[-1] == leaf)
    found = (same_leaf[0] if len(same_leaf) == 1 else
             _reentered(base, known) or closest(base, known))
    if found is None:
        return None
    return found + ("" if ref.kind == "variable" else ":0")


def _reentered(base: str, names: set[str]) -> Optional[str]:
    """`foo/counter_1` for `foo_1/counter`: the suffix belongs to the re-entered scope."""
    parts = base.split("/")
    match = re.fullmatch(r"(.+)_([0-9]+)", parts[-1])
    if match is None:
        return None
    for i in range(len(parts) - 1):
        moved = [*parts[:i], f"{parts[i]}_{match.group(2)}", *parts[i + 1:-1], match.group(1)]
        if "/".join(moved) in names:
            return "/".join(moved)
    return None


# What each API does with an empty var_list (TF 1.15 and later).
OUTCOMES = {
    "minimize": "raises 'No variables to optimize.'",
    "compute_gradients": "raises 'No variables to optimize.'",
    "Saver": "raises 'No variables to save'",
    "variables_initializer": "initializes nothing",
    "initialize_variables": "initializes nothing",
}


def early_filters(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    """One finding per collection read whose empty list reaches an API that needs variables."""
    seen = set()
    for fact in facts.empty_filters:
        later = _first_made_later(fact, facts)
        if later is None or fact.loc in seen:
            continue
        seen.add(fact.loc)
        here = fact.loc.path
        what = f"the variables under '{fact.scope}'" if fact.scope else "the variables"
        message = (f"this reads {what} before any exists (the first, '{later.name}', is made "
                   f"at {later.loc.where(here)}), so it is an empty list: {fact.api}() at "
                   f"{fact.consumer.where(here)} {OUTCOMES[fact.api]}")
        yield finding(path, CODE, fact, message, (
            related_at(later.loc, "the first variable it would select is made here"),
            related_at(fact.consumer, "the empty list is used here")))


def _first_made_later(fact: EmptyFilterFact, facts: ModuleFacts) -> Optional[VariableFact]:
    """The first variable the read would have selected, made after it in the same graph."""
    match = re.compile(fact.scope or "").match
    return next((v for v in facts.variables[fact.variables_before:]
                 if v.graph == fact.graph and v.outcome is Outcome.CREATE and v.name
                 and match(v.name)), None)


RULE = Rule(
    code=CODE, name="dangling-name-reference",
    summary="a name string matches no predicted variable name",
    what="Finds string literals used as variable, tensor or scope names "
         "(`get_tensor_by_name`, `get_collection(..., scope=)`, "
         "`trainable_variables(scope=)`, `.name == ...`, the graph side of an "
         "`init_from_checkpoint` map, ...) that match none of the names scopelint "
         "predicts (variables, and for tensor lookups the ops the code names, "
         "`placeholder(..., name=\"inputs\")`) while a close one exists, and suggests it. "
         "A scope filter over variables "
         "(`trainable_variables(scope=)`, `get_collection(GraphKeys.TRAINABLE_VARIABLES, "
         "scope=)`, ...) that selects nothing because its variables were made under a "
         "`name_scope` of that name is reported with that reason, and `v.name == \"...\"` "
         "against another name than the one `v` is known to have (`Variable_1:0`, not "
         "`Variable:0`). It stays silent when any "
         "name in the file cannot be predicted. A variable collection read (filtered by "
         "`scope=`, by a comprehension on `v.name`, or whole) before any variable it selects "
         "exists is an empty list for good: when it reaches `minimize(var_list=...)`, "
         "`compute_gradients`, `Saver(...)` or `variables_initializer`, the read is reported "
         "with where its variables are made later.",
    why="The lookup fails at run time (`KeyError: The name 'layer1/w:0' refers to a Tensor "
        "which does not exist`), or a scope filter silently selects no variables, so an "
        "optimizer trains nothing or a saver saves nothing. A list read too early makes "
        "TF raise `ValueError: No variables to optimize.` (`No variables to save`), or "
        "`variables_initializer` initialize nothing.",
    example="""
with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [2])
encoder_vars = tf.trainable_variables(scope="encodr")  # TFS202: did you mean 'encoder'?
""",
    use_instead="""
with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [2])
encoder_vars = tf.trainable_variables(scope="encoder")
""",
    severity=WARNING,
    check=check,
)
