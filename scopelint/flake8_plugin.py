"""flake8 adapter: `flake8 --select TFS` reports what `scopelint check` reports.

flake8 applies its own select/ignore and `# noqa`; syntax errors reach the
user as flake8's E999 because flake8 runs no plugin on a file it cannot parse.
flake8 hands over one file at a time, so a finding in a module the file imports
goes to the call in this file that leads there (see `placement`).

It costs what the command line costs on the same file: flake8 imports every plugin
it knows before it reads a file, so this module imports nothing of the analysis until
a file comes; the prefilter lets a file that cannot reach TF stop after the syntax
check, which reuses flake8's own tree; and the analysis runs as the command line's
does (`runner.analysing`: no cyclic garbage collector pass), after which what it
made is frozen out of the collector (`gc.freeze`), so that neither the passes flake8
makes later nor the interpreter's teardown walk the session it keeps (the command
line exits without that teardown; freeing what tensorpack's `models/conv2d.py` made took
about a third as long as analysing it).
"""

from __future__ import annotations

import ast
import gc
from contextlib import ExitStack
from functools import cache
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

from scopelint import __version__

if TYPE_CHECKING:
    from scopelint.analysis import FileResult
    from scopelint.engine.session import Session


# What lasts as long as the process: its session reads each file once (`run_session`).
PROCESS = ExitStack()


@cache
def run_session() -> Session:
    """The session of this flake8 process: flake8 hands its files over one at a time, with no
    object for the run, so the files and modules they import are read and replayed once per
    process (a flake8 process, or each of its workers, lives for one run), and, as in the
    command line's run, each file is read from disk once (`Session.reading_once`), not once
    per file importing it."""
    from scopelint.engine.session import Session

    session = Session()
    PROCESS.enter_context(session.reading_once())
    return session


class ScopelintChecker:
    """A flake8 tree plugin: flake8's tree spares the syntax check a second parse."""

    name = "scopelint"
    version = __version__

    def __init__(self, tree: Optional[ast.AST], filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        """Yield (line, 0-based column, "TFSnnn message", type) per finding."""
        from scopelint.analysis import recursion_guard
        from scopelint.placement import place
        from scopelint.runner import in_big_stack

        recursion_guard()  # with a big stack, deep nesting is TFS001, not a crash
        result = in_big_stack(self._analyse)
        for f in place(result.findings, [self.filename]):
            yield f.line, f.col - 1, f"{f.code} {f.message}", type(self)

    def _analyse(self) -> FileResult:
        """The file's analysis in the process's session, as the command line runs it."""
        from scopelint.analysis import analyze_text, analyze_tree
        from scopelint.runner import analysing, moving_to

        session, text = run_session(), "".join(self.lines)
        gc.unfreeze()  # what earlier files made: a move to another project frees it
        try:
            with analysing(session):
                moving_to(session, self.filename)
                if isinstance(self.tree, ast.Module):
                    return analyze_tree(self.filename, text, self.tree, True, session=session)
                return analyze_text(self.filename, text, True, session=session)
        finally:
            gc.freeze()
