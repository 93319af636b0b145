"""Names TF rejects: its own patterns for op and scope names (tensorflow/python/framework/ops.py).

`Graph.name_scope` checks a name against `_VALID_OP_NAME_REGEX` at the root and
`_VALID_SCOPE_NAME_REGEX` inside another name scope; `get_variable` checks the
full variable name at the root.
"""

from __future__ import annotations

import re

from scopelint.engine.symbols import OPEN, known_parts

VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")
_FIRST = re.compile(r"[A-Za-z0-9.]")


def rejected(text: str, root: bool) -> bool:
    """Whether TF surely rejects `text`, whatever its unknown parts turn out to be.

    A known character outside the pattern is always wrong; at the root, so is a known
    first character that may not start a name. Empty names are never checked.
    """
    if not text:
        return False
    if not VALID_SCOPE_NAME.match(known_parts(text)):
        return True
    return root and not text.startswith(OPEN) and not _FIRST.match(text[0])
