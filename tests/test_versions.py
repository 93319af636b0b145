"""`tf.__version__` is the configured `tf-version`: version guards are evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopelint.analysis import analyze_text
from scopelint.engine.project import ProjectSettings
from scopelint.engine.versions import parse, release
from scopelint.engine.values import Const, Unknown

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ok_version_guard_raises.py"


@pytest.mark.parametrize(("version", "lines"), [("1.15", []), ("0.11", [11, 18, 25])])
def test_guards_follow_the_configured_version(version: str, lines: list[int]) -> None:
    result = analyze_text(str(FIXTURE), FIXTURE.read_text(encoding="utf-8"),
                          project=ProjectSettings(tf_version=version))
    assert [f.line for f in result.findings if f.code == "TFS207"] == lines


def test_version_values() -> None:
    assert release("1.15") == "1.15.0" and release("1.4.1") == "1.4.1"
    assert parse("distutils.version.LooseVersion", "1.15.0") == Const((1, 15, 0))
    assert parse("packaging.version.parse", "1.15.0") == parse("packaging.version.parse", "1.15")
    assert isinstance(parse("packaging.version.parse", "1.15.0rc1"), Unknown)
