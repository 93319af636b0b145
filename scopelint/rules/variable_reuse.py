"""TFS203: tf.Variable inside a reusing scope never reuses."""

from typing import Iterator

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, Reuse, VariableFact
from scopelint.rules import WARNING, FixIn, Rule, codes
from scopelint.rules.common import REUSE_WORDS, Message, once_per_site

CODE = codes.VARIABLE_REUSE


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, ((fact, _message(fact)) for fact in _unshared(facts)))


def _unshared(facts: ModuleFacts) -> Iterator[VariableFact]:
    """tf.Variable facts that should have shared: under reuse=True, or under AUTO_REUSE when
    the same line runs again in the same scope or takes a name get_variable shares there."""
    seen: set[tuple[Location, str, int]] = set()
    shared: set[tuple[str, int]] = set()
    for fact in facts.variables:
        if not _never_reuses(fact.api):
            if fact.outcome in (Outcome.CREATE, Outcome.REUSE) and fact.name:
                shared.add((fact.key, fact.graph))
            continue
        site = (fact.loc, fact.key, fact.graph)
        again = site in seen
        seen.add(site)
        if fact.reuse is Reuse.YES or (fact.reuse is Reuse.AUTO and "…" not in fact.key and (
                again or (fact.key, fact.graph) in shared)):
            yield fact


def _never_reuses(api: str) -> bool:
    """tf.Variable, and the Keras layers whose weights are tf.Variables."""
    return api == "Variable" or api.startswith("keras.layers.")


def _message(fact: VariableFact) -> Message:
    named = f" '{fact.name}'" if fact.name else ""
    reuse = REUSE_WORDS[fact.reuse]
    if fact.api != "Variable":
        return (f"a Keras layer in a reusing scope ({reuse}) never reuses: tf.{fact.api} "
                f"creates new weights{named}; variable-scope reuse does not apply to Keras "
                f"layers, call the same layer object again to share them"), ()
    return (f"tf.Variable in a reusing scope ({reuse}) never reuses: it "
            f"creates a new, unshared variable{named}; use tf.get_variable to share it"), ()


RULE = Rule(
    code=CODE, name="variable-in-reusing-scope",
    summary="tf.Variable (or a Keras layer) in a reusing scope makes new variables",
    what="Finds `tf.Variable` created inside a scope that reuses (reuse=True, after "
         "`reuse_variables()`, inherited, or a function called again with reuse), and the "
         "first call of a `tf.keras.layers` layer there (its weights are tf.Variables). Under "
         "`tf.AUTO_REUSE`, which may also create, it reports a `tf.Variable` that runs again "
         "in the same variable scope or that takes the name of a variable `get_variable` "
         "shares there.",
    why="`tf.Variable` ignores reuse: every call makes a new variable (`w_1`, or one under "
        "the `foo_1/` name scope), so weights that look shared are not.",
    example="""
with tf.variable_scope("foo"):
    w = tf.get_variable("w", [])
with tf.variable_scope("foo", reuse=True):
    w_shared = tf.Variable(1.0, name="w")  # TFS203: a new 'foo_1/w:0'
""",
    use_instead="""
with tf.variable_scope("foo"):
    w = tf.get_variable("w", [])
with tf.variable_scope("foo", reuse=True):
    w_shared = tf.get_variable("w", [])
""",
    autofix="Unsafe: `tf.Variable(init, name=\"w\")` becomes "
            "`tf.get_variable(\"w\", initializer=init)` when each argument has a "
            "get_variable counterpart (dtype, trainable, collections, ...). The variable is "
            "then shared, so its own name (`w_1`, `foo_1/w`) goes away.",
    severity=WARNING,
    check=check,
    fix=FixIn("scopelint.rules.variable_reuse_fix"),
)
