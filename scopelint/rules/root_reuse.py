"""TFS205: reuse_variables() on the root variable scope leaks reuse to all later code."""

from typing import Iterator, Union

from scopelint.facts import Finding, Location, ModuleFacts, Outcome, ReuseCallFact, VariableFact
from scopelint.rules import WARNING, FixIn, Rule, codes
from scopelint.rules.common import Message, once_per_site

CODE = codes.ROOT_REUSE


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    broken = {v.reuse_origin for v in facts.variables if v.reuse_origin is not None
              and (v.outcome is Outcome.MISSING or v.api == "Variable")}
    found = ((fact, _harmful(fact, broken, facts.variables)) for fact in facts.reuse_calls)
    return once_per_site(path, CODE, ((fact, _message(fact, harm))
                                      for fact, harm in found if harm))


def _harmful(fact: ReuseCallFact, broken: set[Location],
             variables: list[VariableFact]) -> Union[bool, VariableFact]:
    """Certain harm: later code fails, or the reuse escapes the function that set it: into
    the root scope, or into an unknown caller's scope when that function goes on to request
    variables under it (a discriminator reusing its own layers). When the module itself
    made the call, an escape harms only through a request after the call that runs under
    the leaked reuse and fails or fetches (that request is returned)."""
    if fact.on_root is False:
        return False
    if fact.loc in broken:
        return True
    escapes = bool(fact.stack) and fact.leaves_call and bool(fact.on_root or fact.used_after)
    if not escapes or not fact.known_caller:
        return escapes
    return next((v for v in variables if v.reuse_origin == fact.loc
                 and v.stack[:len(fact.stack)] != fact.stack
                 and (v.outcome in (Outcome.MISSING, Outcome.REUSE) or v.api == "Variable")),
                False)


def _message(fact: ReuseCallFact, harm: Union[bool, VariableFact]) -> Message:
    where = ("outside any variable_scope" if fact.on_root
             else "with no variable_scope of its own, on the caller's scope")
    later = ""
    if isinstance(harm, VariableFact):
        what = "fails" if harm.outcome is Outcome.MISSING else (
            "makes a new variable" if harm.api == "Variable" else "silently reuses")
        later = f" (after the call, {harm.api} at line {harm.loc.line} {what} under it)"
    return (f"reuse_variables() {where}: at the root scope it sets reuse for everything built "
            f"afterwards, so new variables (an optimizer's slots) fail with 'does not exist'"
            f"{later}; open a variable_scope and reuse inside it"), ()


RULE = Rule(
    code=CODE, name="root-reuse-leak",
    summary="reuse_variables() at the root scope leaks reuse",
    what="Finds `tf.get_variable_scope().reuse_variables()` run outside any "
         "`tf.variable_scope` (at the root scope), or in a function that opens no variable "
         "scope of its own and so sets reuse on its caller's scope; reported where later "
         "code then fails, or where the reuse escapes the function that set it: when the "
         "file calls that function, only if a variable request after the call runs under "
         "the leaked reuse (and fails or fetches); when its callers are elsewhere, always.",
    why="The root scope then reuses for the rest of the graph: every new variable, typically "
        "an optimizer's slot variables in `minimize()`, fails with `ValueError: Variable "
        "d_w/Adam/ does not exist`. A documented bug in public GAN and multi-GPU scripts.",
    example="""
def discriminator(x, reuse=False):
    if reuse:
        tf.get_variable_scope().reuse_variables()  # TFS205
    return tf.layers.dense(x, 1, name="d_fc")


real = tf.placeholder(tf.float32, [None, 4])
fake = tf.placeholder(tf.float32, [None, 4])
d_real = discriminator(real)
d_fake = discriminator(fake, reuse=True)
train = tf.train.AdamOptimizer().minimize(tf.reduce_mean(d_fake - d_real))  # TFS102: Adam slots
""",
    use_instead="""
def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        return tf.layers.dense(x, 1, name="d_fc")


real = tf.placeholder(tf.float32, [None, 4])
fake = tf.placeholder(tf.float32, [None, 4])
d_real = discriminator(real)
d_fake = discriminator(fake, reuse=True)
train = tf.train.AdamOptimizer().minimize(tf.reduce_mean(d_fake - d_real))
""",
    autofix="Unsafe. In a loop (multi-GPU towers) the loop is wrapped in `with "
            "tf.variable_scope(tf.get_variable_scope()):`, so the reuse ends with it. "
            "Elsewhere the call (or an `if reuse:` holding only it) becomes a `with "
            "tf.variable_scope(tf.get_variable_scope(), reuse=True):` block (`reuse=reuse` "
            "for the `if`) around the statements after it, ending before the first one that "
            "needs reuse off (the fix's message says where the block ends); when that is the "
            "very next statement, the call is removed. Names of ops under the new scope can "
            "change.",
    severity=WARNING,
    check=check,
    fix=FixIn("scopelint.rules.root_reuse_fix"),
)
