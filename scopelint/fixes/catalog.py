"""Every rule's fixer, by code: a fixer turns one finding into a `Fix`, or None."""

from __future__ import annotations

from typing import Callable, Optional

from scopelint.facts import Finding
from scopelint.fixes import (
    Fix, tfs101, tfs105, tfs201, tfs203, tfs205, tfs206, tfs207, tfs208, tfs209,
)
from scopelint.fixes.context import FixContext

Fixer = Callable[[Finding, FixContext], Optional[Fix]]

FIXERS: dict[str, Fixer] = {
    "TFS101": tfs101.fix,
    "TFS105": tfs105.fix,
    "TFS201": tfs201.fix,
    "TFS203": tfs203.fix,
    "TFS205": tfs205.fix,
    "TFS206": tfs206.fix,
    "TFS207": tfs207.fix,
    "TFS208": tfs208.fix,
    "TFS209": tfs209.fix,
}
