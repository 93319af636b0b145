"""One file's fixed text: its diff, writing it back, and the variable names it changes."""

from __future__ import annotations

import difflib
import io
import tokenize
from dataclasses import dataclass
from typing import Sequence

from scopelint.facts import Finding


@dataclass
class FileChange:
    """A file before and after its fixes, how many findings they remove, and the findings
    left (with their fixes)."""

    path: str
    data: bytes  # the file as read
    before: str
    after: str
    fixed: int
    findings: list[Finding]

    def diff(self) -> str:
        """A unified diff naming the file as given (as ruff does; `patch -p0` applies it)."""
        lines = difflib.unified_diff(_lines(self.before), _lines(self.after),
                                     self.path, self.path)
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at "
                       "end of file\n" for line in lines)

    def write(self) -> None:
        """Write the fixed text in the file's own encoding (a BOM stays)."""
        encoding, _ = tokenize.detect_encoding(io.BytesIO(self.data).readline)
        with open(self.path, "wb") as out:
            out.write(self.after.encode(encoding))


def _lines(text: str) -> list[str]:
    return io.StringIO(text, newline="").readlines()


def names_summary(changes: Sequence[FileChange]) -> str:
    """The variable names (checkpoint keys) the engine predicts the fixes remove and add;
    `…` stands for a part it cannot predict."""
    from scopelint.fixes.apply import created_names

    rows = []
    for change in changes:
        before = created_names(change.before, change.path)  # its imports resolve from there
        after = created_names(change.after, change.path)
        rows += [f"  {change.path}: - {name}\n" for name in sorted(before - after)]
        rows += [f"  {change.path}: + {name}\n" for name in sorted(after - before)]
    if not changes:
        return ""
    if not rows:
        return "Variable names (checkpoint keys): unchanged by these fixes\n"
    return "Variable names (checkpoint keys) these fixes change:\n" + "".join(rows)
