"""The per-file pipeline: bytes → text → syntax check → libcst tree → engine facts → findings."""

from __future__ import annotations

import ast
import sys
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Optional, Union

from scopelint.facts import Finding, ModuleFacts
from scopelint.files import SourceError, decode_source
from scopelint.limits import may_be_too_complex, too_complex
from scopelint.prefilter import mentions_tf
from scopelint.rules import Check, all_rules

REPORT_HINT = "please report it at the scopelint issue tracker with this file"
ASSUMED_TF = " (assumed tf is tensorflow: the file uses tf without importing it)"


@dataclass
class FileResult:
    """Findings (unfiltered by noqa) and, when the file was analysed, its facts."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    facts: Optional[ModuleFacts] = None
    skipped: bool = False  # the prefilter showed it cannot reach a TF scope API


def analyze_bytes(path: str, data: bytes, prefilter: bool = False) -> FileResult:
    """Analyse one file's raw bytes; never raises for bad input."""
    try:
        text = decode_source(data)
    except SourceError as err:
        return FileResult(path, [unreadable(path, err)])
    return analyze_text(path, text, prefilter)


def analyze_text(path: str, text: str, prefilter: bool = False) -> FileResult:
    """Analyse decoded source text; never raises for bad input.

    Every file gets CPython's syntax check; with `prefilter`, a file whose text
    cannot reach a TF API stops there (see `prefilter`), and a file beyond
    `limits` gets a TFS001 instead of libcst's slow parse.
    """
    tree = parse_python(path, text)
    if isinstance(tree, Finding):
        return FileResult(path, [tree])
    if prefilter and not mentions_tf(text):
        return FileResult(path, [], ModuleFacts(), skipped=True)
    problem = too_complex(tree) if may_be_too_complex(text) else None
    if problem is not None:
        return FileResult(path, [Finding(path, problem[0], 1, "TFS001", problem[1])])
    import libcst as cst  # only files that reach the engine pay for libcst's import

    from scopelint.engine.interpreter import run_module
    try:
        module = cst.parse_module(text)
        facts = run_module(module, tree, text)
    except cst.ParserSyntaxError as err:
        return FileResult(path, [Finding(path, err.raw_line, err.raw_column + 1, "TFS001",
                                         f"syntax error: {err.message}")])
    except RecursionError:
        return FileResult(path, [too_deep(path)])
    except Exception as err:  # noqa: BLE001 - one file's failure must not stop the run
        return FileResult(path, [internal_error(path, err)])
    findings = [f for check in _checks() for f in check(path, facts)]
    findings.sort(key=Finding.sort_key)
    if facts.assumed_tf and findings:
        findings[0] = replace(findings[0], message=findings[0].message + ASSUMED_TF)
    return FileResult(path, findings, facts)


def parse_python(path: str, text: str) -> Union[ast.Module, Finding]:
    """CPython's own parse of the text, or a TFS001 finding when it rejects it.

    libcst follows a newer, more lenient grammar (it accepts Python 2's
    `except E, e:`), so CPython's parser decides what is valid Python 3 and
    Python 2 files are reported instead of half-analysed.
    """
    try:
        with warnings.catch_warnings():  # `"\d"` in user code is not ours to report
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=path)
    except SyntaxError as err:
        line = err.lineno or 1
        col = err.offset or 1
        return Finding(path, line, max(col, 1), "TFS001", f"syntax error: {err.msg}")
    except (RecursionError, MemoryError):
        return too_deep(path)
    except ValueError as err:  # e.g. source with NUL bytes
        return Finding(path, 1, 1, "TFS001", f"cannot parse: {err}")


@lru_cache(maxsize=1)
def _checks() -> tuple[Check, ...]:
    """Every rule's check, once per process (the pipeline runs it for every file)."""
    return tuple(rule.check for rule in all_rules().values() if rule.check)


def unreadable(path: str, err: SourceError) -> Finding:
    """TFS002: the file could not be read or decoded."""
    return Finding(path, err.line, err.col, "TFS002", str(err))


def too_deep(path: str) -> Finding:
    """TFS001: nesting beyond what CPython's parser or the engine can recurse into."""
    return Finding(path, 1, 1, "TFS001", "code is nested too deeply to analyse")


def internal_error(path: str, err: BaseException) -> Finding:
    """TFS000: an unexpected failure while analysing one file."""
    kind = type(err).__name__
    return Finding(path, 1, 1, "TFS000",
                   f"internal error while analysing this file ({kind}: {err}); {REPORT_HINT}")


def recursion_guard() -> None:
    """Give the recursive parser and engine room for deeply nested code."""
    if sys.getrecursionlimit() < 10_000:
        sys.setrecursionlimit(10_000)

