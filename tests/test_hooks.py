"""Rules' hooks (scopelint/engine/hooks.py): found by TF API full name or namespace, called
at each call the replay records, whatever the import spelling, and their facts reach the
rules' checks."""

from __future__ import annotations

import textwrap
from typing import Iterator

import pytest

import scopelint.analysis
from scopelint.analysis import analyze_text
from scopelint.engine.hooks import Hooks, TFCall
from scopelint.engine.values import Const
from scopelint.facts import InvalidArgFact
from scopelint.rules import invalid_arg


def _never(call: TFCall) -> Iterator[object]:
    return iter(())


def _other(call: TFCall) -> Iterator[object]:
    return iter(())


def test_hooks_are_found_by_full_name_then_namespace() -> None:
    hooks = Hooks([("tensorflow.variable_scope", _never), ("tensorflow.contrib.slim.*", _other),
                   ("tensorflow.contrib.*", _never)])
    assert hooks.at("variable_scope") == [_never]
    assert hooks.at("contrib.slim.conv2d") == [_other, _never]
    assert hooks.at("name_scope") == [] and hooks.at("contrib") == []


PROGRAM = textwrap.dedent('''\
    import tensorflow as tf1
    import tensorflow.compat.v1 as tf
    from tensorflow.compat.v1 import variable_scope

    with tf1.compat.v1.variable_scope("a"):
        pass
    with variable_scope("b"):
        pass
    for _ in range(2):
        with tf.variable_scope("c"):
            pass
    with tf.name_scope("d"):
        pass
    ''')


def test_a_hook_sees_every_spelling_and_its_facts_reach_the_checks(monkeypatch) -> None:
    """A made-up hook reporting each `variable_scope` as TFS105 runs at each run of each
    call (both runs of the loop), with the argument values the replay knows; the rule's
    check reports each site once."""
    seen: list[tuple[str, int, object]] = []

    def hook(call: TFCall) -> Iterator[InvalidArgFact]:
        seen.append((call.api, call.loc.line, call.args[0]))
        yield InvalidArgFact(call.loc, "variable_scope", "a test", False,
                             call.variables_before, call.stack)

    monkeypatch.setattr(scopelint.analysis, "hooks",
                        lambda: Hooks([("tensorflow.variable_scope", hook)]))
    findings = analyze_text("hooked.py", PROGRAM).findings
    assert seen == [("tensorflow.variable_scope", 5, Const("a")),
                    ("tensorflow.variable_scope", 7, Const("b")),
                    ("tensorflow.variable_scope", 10, Const("c")),
                    ("tensorflow.variable_scope", 10, Const("c"))]
    assert [(f.line, f.code) for f in findings] == [(5, invalid_arg.CODE), (7, invalid_arg.CODE),
                                                    (10, invalid_arg.CODE)]


@pytest.mark.parametrize("call", ['tf.contrib.slim.conv2d(x, 8, 3, scope=1)',
                                  'tf.variable_scope("a", name="b")'])
def test_the_argument_check_runs_on_its_hook(call: str) -> None:
    """TFS105 is found by its rule's hook, in the slim namespace as for a named API."""
    text = f"import tensorflow as tf\nx = tf.placeholder(tf.float32, [1, 4, 4, 1])\n{call}\n"
    assert [(f.line, f.code) for f in analyze_text("args.py", text).findings] == [
        (3, invalid_arg.CODE)]
