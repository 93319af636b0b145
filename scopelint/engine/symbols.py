"""Symbolic strings: text with holes for values scopelint cannot know.

A hole is a private-use marker pair around an id, so symbolic names flow
through ordinary string operations (concatenation, `%`, f-strings) and two
names built from the same unknown value still compare equal.
"""

from __future__ import annotations

import itertools
import re
from contextvars import ContextVar
from functools import lru_cache

OPEN, CLOSE = "\ue000", "\ue001"
_HOLE = re.compile(f"{OPEN}[0-9]+{CLOSE}")
ANY = f"{OPEN}0{CLOSE}"  # a hole standing for any text, where identity does not matter


class Holes:
    """The holes of one session (`Session.active` makes them the current ones): their
    numbers, and where the unknown value each stands for came from, when known
    (`values.Unknown.origin`)."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.origins: dict[str, object] = {}


HOLES: ContextVar[Holes] = ContextVar("HOLES")


def hole(origin: object = None) -> str:
    """A fresh hole: an unknown piece of text (that came from `origin`, when known)."""
    current = HOLES.get()
    text = f"{OPEN}{next(current.ids)}{CLOSE}"
    if origin is not None:
        current.origins[text] = origin
    return text


def origin_of(text: str) -> object:
    """Where the first unknown part of `text` with a known origin came from, else None."""
    origins = HOLES.get().origins
    return next((origins[h] for h in holes(text) if h in origins), None)


def holes(text: str) -> list[str]:
    """The unknown parts of a text, in order."""
    return _HOLE.findall(text) if OPEN in text else []


def is_known(text: str) -> bool:
    """True when the text has no unknown part."""
    return OPEN not in text


def known_parts(text: str) -> str:
    """The text with its unknown parts left out."""
    return _HOLE.sub("", text) if OPEN in text else text


def pattern(text: str) -> str:
    """The text with each unknown part shown as `…`."""
    return _HOLE.sub("…", text) if OPEN in text else text


class KeySet:
    """Names, some symbolic, that a concrete name may turn out to be.

    With `suffixed`, a member also stands for its `_N` variants (TF's
    uniquified names). Concrete members are looked up directly; symbolic ones
    are filed under their last path component, so a lookup tries a regex only
    on members that end like the name (and on those whose end is unknown).
    """

    def __init__(self, suffixed: bool, *keys: str) -> None:
        self.suffixed = suffixed
        self.exact: set[str] = set()
        self.by_last: dict[str, set[str]] = {}
        self.open_ended: set[str] = set()  # symbolic members whose last component is unknown
        self.size = 0  # members
        for key in keys:
            self.add(key)

    @property
    def empty(self) -> bool:
        return not (self.exact or self.by_last or self.open_ended)

    def __len__(self) -> int:
        return self.size

    def add(self, key: str) -> None:
        if is_known(key):
            members = self.exact
        else:
            last = key.rsplit("/", 1)[-1]
            members = self.by_last.setdefault(last, set()) if is_known(last) else self.open_ended
        if key not in members:
            members.add(key)
            self.size += 1

    def __contains__(self, key: str) -> bool:
        """Whether `key` itself is a member (not whether it matches one)."""
        if is_known(key):
            return key in self.exact
        return key in self.open_ended or key in self.by_last.get(key.rsplit("/", 1)[-1], ())

    def discard(self, key: str) -> None:
        """Remove the member `key`, if it is one (a branch's write taken back)."""
        if is_known(key):
            self.exact.discard(key)
            return
        self.open_ended.discard(key)
        self.by_last.get(key.rsplit("/", 1)[-1], set()).discard(key)

    def matches(self, key: str) -> bool:
        last = key.rsplit("/", 1)[-1]
        bases = [(key, last)]
        if self.suffixed:
            base, sep, number = key.rpartition("_")
            if sep and number.isdigit():
                bases.append((base, last.rpartition("_")[0]))
        if any(name in self.exact for name, _ in bases):
            return True
        candidates = [*self.open_ended]
        for _, tail in bases:
            candidates.extend(self.by_last.get(tail, ()))
        return any(matcher(s, self.suffixed).fullmatch(key) for s in candidates)


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
