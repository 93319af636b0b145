"""TFS210: a collection's scope filter is a prefix match that also takes a sibling scope."""

from __future__ import annotations

import re
from typing import Iterator, Optional

from scopelint.facts import Finding, ModuleFacts, NameRefFact
from scopelint.rules import WARNING, Rule, codes
from scopelint.rules.common import once_per_site

CODE = codes.SCOPE_FILTER

_PLAIN = re.compile(r"[\w/-]+")  # a scope name, not a regex meant to match several


def check(path: str, facts: ModuleFacts) -> Iterator[Finding]:
    found = ((ref, _sibling_message(ref)) for ref in facts.name_refs)
    return once_per_site(path, CODE, ((ref, (text, ())) for ref, text in found if text))


def _sibling_message(ref: NameRefFact) -> Optional[str]:
    """The message when the filter returns variables of its scope and of another one."""
    scope = ref.text
    if ref.kind != "variables" or scope.endswith("/") or not _PLAIN.fullmatch(scope):
        return None
    inside = scope + "/"
    if not any(name.startswith(inside) for name in ref.matches):
        return None
    others = sorted(name for name in ref.matches if not name.startswith(inside))
    if not others:
        return None
    sibling = others[0].split("/")[0] if "/" in others[0] else others[0]
    return (f"scope filter '{scope}' also matches '{others[0]}' ({len(others)} variable"
            f"{'s' if len(others) > 1 else ''} of '{sibling}'): TF applies re.match, a prefix "
            f"match; write scope='{inside}' to take only the variables under '{inside}'")


RULE = Rule(
    code=CODE, name="scope-filter-matches-sibling",
    summary="a scope= filter also selects a sibling scope's variables",
    what="Finds `get_collection(key, scope=...)`, `trainable_variables(scope=...)` and "
         "`global_variables(scope=...)` on a variable collection whose filter, a plain scope "
         "name without a trailing `/`, returns the variables under that scope and also "
         "variables the graph certainly holds under another scope that starts with the "
         "same text (`critic` and `critic_target`).",
    why="TF filters with `re.match(scope, var.name)`, a prefix match: `scope=\"critic\"` "
        "also returns `critic_target/...`. Handing that list to an optimizer trains the "
        "target network with the online updates (DDPG, SAC and DQN code builds the target "
        "beside the online network); a saver or an update op gets the wrong set.",
    example="""
def critic(s, scope):
    with tf.variable_scope(scope):
        return tf.layers.dense(s, 1, name="q")

s = tf.placeholder(tf.float32, [None, 3])
q = critic(s, scope="critic")
q_target = critic(s, scope="critic_target")
critic_vars = tf.trainable_variables(scope="critic")  # TFS210: also critic_target/...
""",
    use_instead="""
def critic(s, scope):
    with tf.variable_scope(scope):
        return tf.layers.dense(s, 1, name="q")

s = tf.placeholder(tf.float32, [None, 3])
q = critic(s, scope="critic")
q_target = critic(s, scope="critic_target")
critic_vars = tf.trainable_variables(scope="critic/")
""",
    severity=WARNING,
    check=check,
)
