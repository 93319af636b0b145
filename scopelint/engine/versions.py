"""TF versions: what `tf.__version__` is (the configured `tf-version`) and how the usual
version parsers order it, so that version guards in the code are evaluated."""

from __future__ import annotations

import re

from scopelint.engine.values import Const, Unknown, Value

# Parsers whose results compare as their numeric parts do, padded with zeros (True), or
# as a list (False: `LooseVersion("1.15") < LooseVersion("1.15.0")`).
PARSERS = {
    "distutils.version.LooseVersion": False,
    "distutils.version.StrictVersion": True,
    "packaging.version.parse": True,
    "packaging.version.Version": True,
    "pkg_resources.parse_version": True,
    "setuptools.extern.packaging.version.parse": True,
}
_NUMERIC = re.compile(r"^[0-9]+(\.[0-9]+)*$")


def release(version: str) -> str:
    """The `__version__` of a configured version: `1.15` is `1.15.0`."""
    return version if version.count(".") >= 2 else version + ".0"


def at_least(version: str, minimum: tuple[int, ...]) -> bool:
    """Whether a configured version is `minimum` or later (`at_least("1.15", (1, 2))`)."""
    return tuple(int(p) for p in version.split(".")) >= minimum


def parse(parser: str, text: str) -> Value:
    """A parsed version of plain numeric text, as a tuple that orders as the parser's
    results do; unknown for anything else (`1.15.0rc1`)."""
    if not _NUMERIC.match(text):
        return Unknown()
    parts = tuple(int(p) for p in text.split("."))
    if PARSERS[parser]:
        while len(parts) > 1 and parts[-1] == 0:
            parts = parts[:-1]
    return Const(parts)
