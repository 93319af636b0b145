"""`tf.__version__` is the configured `tf-version`: version guards are evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopelint.analysis import analyze_text
from scopelint.engine.project import ProjectSettings
from scopelint.engine.versions import parse, release
from scopelint.engine.values import Const, Unknown

FIXTURE = Path(__file__).parent.parent / "fixtures" / "tfs207_version_guard_passes.py"


GUARDED = """\
from distutils.version import LooseVersion
import tensorflow.compat.v1 as tf
if {guard}:
    with tf.variable_scope("old"):
        tf.get_variable("w", [1])
else:
    with tf.variable_scope("new"):
        tf.get_variable("w", [1])
"""


@pytest.mark.parametrize("guard", [
    'tf.__version__.startswith("1.4")',
    'LooseVersion(tf.__version__) < LooseVersion("1.5.0")',
    'tuple(map(int, tf.VERSION.split(".")[:2])) < (1, 5)',
])
@pytest.mark.parametrize(("version", "scope"), [("1.4", "old"), ("1.15", "new")])
def test_guards_follow_the_configured_version(guard: str, version: str, scope: str) -> None:
    result = analyze_text("m.py", GUARDED.format(guard=guard),
                          project=ProjectSettings(tf_version=version))
    assert [v.name for v in result.facts.variables] == [f"{scope}/w:0"]


def test_cells_keep_their_first_scope_since_tf_1_2() -> None:
    codes = {version: [f.code for f in analyze_text(
        str(FIXTURE), FIXTURE.read_text(encoding="utf-8"),
        project=ProjectSettings(tf_version=version)).findings] for version in ("1.1", "1.2")}
    assert codes == {"1.1": [], "1.2": ["TFS207"]}


def test_version_values() -> None:
    assert release("1.15") == "1.15.0" and release("1.4.1") == "1.4.1"
    assert parse("distutils.version.LooseVersion", "1.15.0") == Const((1, 15, 0))
    assert parse("packaging.version.parse", "1.15.0") == parse("packaging.version.parse", "1.15")
    assert isinstance(parse("packaging.version.parse", "1.15.0rc1"), Unknown)
