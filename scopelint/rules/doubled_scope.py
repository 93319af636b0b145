"""TFS209: a variable name that spells out the variable scope it is made in."""

from typing import Iterator

from scopelint.facts import DoubledScopeFact, Finding, ModuleFacts
from scopelint.rules import WARNING, FixIn, Rule, codes
from scopelint.rules.common import once_per_site

CODE = codes.DOUBLED_SCOPE


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    return once_per_site(path, CODE, ((fact, (_message(fact), ()))
                                      for fact in facts.doubled_scopes))


def _message(fact: DoubledScopeFact) -> str:
    if fact.owner:
        return (f"{fact.owner} opens its own variable scope '{fact.scope}' inside the "
                f"variable scope '{fact.scope}': its variables are named '{fact.name}'")
    scope = (f"its variable scope '{fact.scope}'" if fact.scope.strip("…/")
             else "its variable scope (the same value)")
    return (f"the name repeats {scope}: get_variable prefixes the scope again, so this "
            f"variable is named '{fact.name}'")


RULE = Rule(
    code=CODE, name="name-repeats-scope",
    summary="a variable name repeats the variable scope it is made in",
    what="Finds `tf.get_variable` calls whose name argument starts with the current variable "
         "scope (the same value, or built from the same expression), inside that scope; and "
         "objects whose `__call__` opens a variable scope of their own name (a "
         "`tf.layers.Layer` subclass, a tensor2tensor `T2TModel`, a Sonnet module, a "
         "`make_template` template) first "
         "called (Sonnet: made) right inside a variable scope of that name "
         "(`transformer/transformer/...`).",
    why="`get_variable` prefixes the variable scope itself, so the scope appears twice "
        "(`policy/policy/w:0`); checkpoints, exports and name lookups then carry the "
        "doubled prefix.",
    example="""
def build(scope):
    with tf.variable_scope(scope):
        return tf.get_variable("{}/w".format(scope), [4, 4])  # TFS209: 's/s/w:0'

w = build("s")
""",
    use_instead="""
def build(scope):
    with tf.variable_scope(scope):
        return tf.get_variable("w", [4, 4])  # 's/w:0'

w = build("s")
""",
    autofix="Unsafe: the name drops the repeated scope (`\"critic/w\"`, "
            "`\"{}/w\".format(scope)`, `f\"{scope}/w\"`, `\"%s/w\" % scope`, "
            "`vs.name + \"/w\"` become `\"w\"`), so the variable's checkpoint key changes "
            "back to `scope/w`.",
    severity=WARNING,
    check=check,
    fix=FixIn("scopelint.rules.doubled_scope_fix"),
)
