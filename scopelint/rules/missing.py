"""TFS102: a variable is requested in a reusing scope but was never created."""

from typing import Iterable, Iterator

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, Related, VariableFact
from scopelint.rules import Rule, codes
from scopelint.rules.common import (
    Message, closest, message_home, first_errors, once_per_site, related_at, store_key,
)

CODE = codes.MISSING


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, (
        (fact, _message(fact, _made_before(fact, facts), path)) for fact in _first_of_each_cause(
            f for f in first_errors(facts) if f.outcome is Outcome.MISSING)))


def _first_of_each_cause(facts: Iterable[VariableFact]) -> Iterator[VariableFact]:
    """One finding per leaked root reuse: TF stops at the first request it breaks, and
    fixing the leak (TFS205 points at it) fixes the later ones too."""
    leaks: set[Location] = set()
    for fact in facts:
        if fact.reuse_origin is None or fact.reuse_origin not in leaks:
            if fact.reuse_origin is not None:
                leaks.add(fact.reuse_origin)
            yield fact


# APIs whose variables tf.Variable makes: get_variable cannot fetch them.
MADE_BY_VARIABLE = frozenset({"Variable", "AdamOptimizer.beta_power"})


def _made_before(fact: VariableFact, facts: ModuleFacts) -> list[str]:
    """The store keys of the variables get_variable made before this request."""
    made = []
    for other in facts.variables:
        if other is fact:
            break
        if other.outcome is Outcome.CREATE and other.name and other.api not in MADE_BY_VARIABLE:
            made.append(store_key(other))
    return made


def _message(fact: VariableFact, made: list[str], here: str) -> Message:
    related: tuple[Related, ...] = ()
    why = "the variable scope reuses (reuse=True)"
    if fact.reuse_origin is not None:
        where = fact.reuse_origin.where(message_home(fact, here), here)
        why = f"reuse=True leaked from the root scope by reuse_variables() at {where}"
        related = (related_at(fact.reuse_origin, "reuse set here"),)
    key = store_key(fact)
    if fact.detail:  # an optimizer's slots, a moving average's shadows
        raised = key if fact.name else f"…/{fact.detail}/"
        return (f"{fact.api}() creates its '{fact.detail}' slot variables with get_variable, "
                f"but {why}; TF raises 'Variable {raised} does not exist'"), related
    near = closest(key, made) if fact.name else None
    hint = f"; did you mean '{near}'?" if near else ""
    if fact.through is not None:
        where = fact.through.where(fact.loc.path)
        why += f"; the name comes from the call of {fact.helper}() at {where}"
        related += (related_at(fact.through, f"{fact.helper}() is called here"),)
    return (f"variable '{key}' does not exist: {fact.api} in a reusing scope fetches, it does "
            f"not create ({why}); TF raises 'Variable {key} does not exist'{hint}"), related


RULE = Rule(
    code=CODE, name="missing-variable-on-reuse",
    summary="a reusing scope asks for a variable that was never created",
    what="Finds variables requested in a scope that reuses (reuse=True, after "
         "`reuse_variables()`, inherited from an outer scope, or the root scope set to reuse) "
         "under a name never created before: `get_variable`, `tf.layers` calls, optimizer "
         "slot variables of `minimize()` / `apply_gradients()` and "
         "`ExponentialMovingAverage.apply()` shadow variables. When `get_variable` made a "
         "variable a slip away (one path component, at most 2 edits and a quarter of its "
         "length), the message suggests it.",
    why="TensorFlow raises `ValueError: Variable a/b/v does not exist, or was not created with "
        "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?`.",
    example="""
with tf.variable_scope("a", reuse=True):
    v = tf.get_variable("v", [1])  # TFS102: never created
""",
    use_instead="""
with tf.variable_scope("a"):
    v = tf.get_variable("v", [1])
with tf.variable_scope("a", reuse=True):
    v_again = tf.get_variable("v", [1])
""",
    check=check,
)
