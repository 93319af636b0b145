"""Symbolic strings: text with holes for values scopelint cannot know.

A hole is a private-use marker pair around an id, so symbolic names flow
through ordinary string operations (concatenation, `%`, f-strings) and two
names built from the same unknown value still compare equal.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

OPEN, CLOSE = "\ue000", "\ue001"
_HOLE = re.compile(f"{OPEN}[0-9]+{CLOSE}")
_ids = itertools.count(1)
ANY = f"{OPEN}0{CLOSE}"  # a hole standing for any text, where identity does not matter


def hole() -> str:
    """A fresh hole: an unknown piece of text."""
    return f"{OPEN}{next(_ids)}{CLOSE}"


def is_known(text: str) -> bool:
    """True when the text has no unknown part."""
    return OPEN not in text


def pattern(text: str) -> str:
    """The text with each unknown part shown as `…`."""
    return _HOLE.sub("…", text) if OPEN in text else text


@lru_cache(maxsize=4096)
def matcher(text: str, with_suffix: bool = False) -> re.Pattern[str]:
    """A regex matching every known text this symbolic text could stand for.

    With `with_suffix`, also the `_N` variants TF's uniquifier may add.
    """
    parts = _HOLE.split(text)
    body = ".*".join(re.escape(p) for p in parts)
    if with_suffix:
        body += "(?:_[0-9]+)?"
    return re.compile(body, re.IGNORECASE if with_suffix else 0)
