"""TFS104's name check: TF's patterns, and names with unknown parts."""

from __future__ import annotations

import pytest

from scopelint.engine.session import Session
from scopelint.engine.symbols import hole
from scopelint.engine.validity import rejected

with Session().active():
    H = hole()


@pytest.mark.parametrize("text, root, expected", [
    ("layer 1", True, True),
    ("layer 1", False, True),
    ("_x", True, True),  # a root name may not start with `_`
    ("_x", False, False),
    ("a/w:0", True, True),
    ("conv1.block-2/x>y", True, False),
    ("", True, False),  # empty resets to the root: never checked
    (f"layer {H}", True, True),  # the space is wrong whatever the hole holds
    (f"{H}_x", True, False),  # the hole may hold a valid first character
    (f"_{H}", True, True),
    (f"{H}", True, False),
    ("é", False, True),  # TF's classes are ASCII
])
def test_rejected(text: str, root: bool, expected: bool) -> None:
    assert rejected(text, root) is expected
