"""The per-file pipeline: bytes → text → syntax check → libcst tree → engine facts → findings.

The engine and libcst are imported only for a file that reaches them (`analyze_tree`): a run
whose files are all cached or all cleared by the prefilter does without them.
"""

from __future__ import annotations

import ast
import sys
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Optional, Union

from scopelint.cache import content_hash
from scopelint.facts import Finding, ModuleFacts
from scopelint.files import SourceError, decode_source, is_notebook
from scopelint.limits import may_be_too_complex, too_complex
from scopelint.rules import Check, all_rules, hooks
from scopelint.rules.input_problems import INTERNAL, SYNTAX, UNREADABLE

if TYPE_CHECKING:
    from scopelint.engine.project import ProjectSettings
    from scopelint.engine.session import Session
    from scopelint.python2 import Rewrite

REPORT_HINT = "please report it at the scopelint issue tracker with this file"
SYNTAX_ERROR = "syntax error: "
ASSUMED_TF = " (assumed tf is tensorflow: the file uses tf without importing it)"


@dataclass
class FileResult:
    """Findings (unfiltered by noqa) and, when the file was analysed, its facts."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    facts: Optional[ModuleFacts] = None
    skipped: bool = False  # the prefilter showed it cannot reach a TF scope API
    modules: dict[str, str] = field(default_factory=dict)  # project modules read: content hash


def analyze_bytes(path: str, data: bytes, prefilter: bool = False,
                  project: Optional[ProjectSettings] = None,
                  session: Optional[Session] = None) -> FileResult:
    """Analyse one file's raw bytes; never raises for bad input."""
    if is_notebook(path):
        return analyze_notebook(path, data, prefilter, project, session)
    try:
        text = decode_source(data)
    except SourceError as err:
        return FileResult(path, [unreadable(path, err)])
    return analyze_text(path, text, prefilter, project, session)


def analyze_text(path: str, text: str, prefilter: bool = False,
                 project: Optional[ProjectSettings] = None,
                 session: Optional[Session] = None) -> FileResult:
    """Analyse decoded source text as a program's `__main__`; never raises for bad input.

    Every file gets CPython's syntax check; with `prefilter`, a file whose text
    cannot reach a TF API, itself or through the project modules it imports, stops
    there (see `prefilter`), and a file beyond `limits` gets a TFS001 instead of
    libcst's slow parse. Text CPython rejects but Python 2 reads is analysed as
    rewritten by `python2` (TFS003). With `project` (the default: follow imports,
    no extra roots), project modules are followed; `ProjectSettings(follow=False)`
    reads the file alone. The files read and modules replayed are kept in `session`
    for the analyses that share it (by default, a new one: nothing is shared).
    """
    parsed = read_python(path, text)
    if isinstance(parsed, Finding):
        return FileResult(path, [parsed])
    tree, python2 = parsed
    if python2 is None:
        return analyze_tree(path, text, tree, prefilter, project, session)
    result = analyze_tree(path, python2.text, tree, prefilter, project, session)
    result.findings = (python2.restore(path, result.findings, result.facts)
                       + [python2.finding(path)])
    result.findings.sort(key=Finding.sort_key)
    return result


def analyze_tree(path: str, text: str, tree: ast.Module, prefilter: bool,
                 project: Optional[ProjectSettings] = None,
                 session: Optional[Session] = None) -> FileResult:
    """Analyse text CPython parsed into `tree` (see `analyze_text`)."""
    from scopelint.engine.project import Project, ProjectSettings
    from scopelint.engine.session import Session

    settings = project or ProjectSettings()
    session = session or Session()
    resolver = Project(path, settings.src, session) if settings.follow else None
    digest = content_hash(text.encode("utf-8", "surrogatepass"))
    source = session.remember(path, text, digest, tree)
    if prefilter and not source.mentions_tf() and not (resolver and resolver.reaches_tf(source)):
        return FileResult(path, [], ModuleFacts(), skipped=True)
    problem = (too_complex(tree, source.lines(), session.complexity)
               if may_be_too_complex(text) else None)
    if problem is not None:
        return FileResult(path, [Finding(path, problem[0], 1, SYNTAX.code, problem[1])])
    import libcst as cst  # only files that reach the engine pay for libcst's import

    from scopelint.engine.interpreter import run_program
    try:
        facts = run_program(source, resolver, session, settings, hooks())
    except cst.ParserSyntaxError as err:
        return FileResult(path, [Finding(path, err.raw_line, err.raw_column + 1, SYNTAX.code,
                                         SYNTAX_ERROR + err.message)])
    except RecursionError:
        return FileResult(path, [too_deep(path)])
    except Exception as err:  # noqa: BLE001 - one file's failure must not stop the run
        return FileResult(path, [internal_error(path, err)])
    finally:
        if session.release_checked and not source.imported:  # else later ones may import it
            session.release(source)
    findings = [f for check in _checks() for f in check(path, facts)]
    findings.sort(key=Finding.sort_key)
    if facts.assumed_tf and findings:
        findings[0] = replace(findings[0], message=findings[0].message + ASSUMED_TF)
    return FileResult(path, findings, facts)


def analyze_notebook(path: str, data: bytes, prefilter: bool = False,
                     project: Optional[ProjectSettings] = None,
                     session: Optional[Session] = None) -> FileResult:
    """Analyse a notebook's code cells as one module (see `notebook`).

    When the module does not parse, the first code cell that does not parse on
    its own gets the TFS001, and the cells before it are analysed.
    """
    try:
        from scopelint.notebook import read_notebook  # notebooks and Python 2 are rare

        notebook = read_notebook(data)
    except SourceError as err:
        return FileResult(path, [unreadable(path, err)])
    result = analyze_text(path, notebook.text, prefilter, project, session)
    if result.facts is not None or not result.findings[0].message.startswith(SYNTAX_ERROR):
        return result
    for start, cell in notebook.sources:
        error = read_python(path, cell)
        if isinstance(error, Finding):
            before = analyze_text(path, notebook.text_before(start), prefilter, project,
                                  session)
            before.findings.append(replace(error, line=error.line + start - 1))
            before.findings.sort(key=Finding.sort_key)
            return before
    return result


def read_python(path: str, text: str) -> Union[tuple[ast.Module, Optional[Rewrite]], Finding]:
    """CPython's parse of the text, else of its Python 2 rewrite, else a TFS001 finding."""
    tree = parse_python(path, text)
    if not isinstance(tree, Finding):
        return tree, None
    if not tree.message.startswith(SYNTAX_ERROR):
        return tree
    try:
        from scopelint.python2 import read_python2

        python2 = read_python2(text)
    except Exception as err:  # noqa: BLE001 - e.g. fissix's grammar cache unreadable
        return internal_error(path, err)
    if python2 is None:
        from scopelint.python2 import keywords_as_names

        versions = keywords_as_names(text)
        return tree if versions is None else replace(tree, message=tree.message + versions)
    return python2.tree, python2


def parse_python(path: str, text: str) -> Union[ast.Module, Finding]:
    """CPython's own parse of the text, or a TFS001 finding when it rejects it.

    libcst follows a newer, more lenient grammar (it accepts Python 2's
    `except E, e:`), so CPython's parser decides what is valid Python 3, and
    Python 2 files are rewritten (`read_python`) instead of half-analysed.
    """
    try:
        with warnings.catch_warnings():  # `"\d"` in user code is not ours to report
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=path)
    except SyntaxError as err:
        line = err.lineno or 1
        col = err.offset or 1
        return Finding(path, line, max(col, 1), SYNTAX.code, SYNTAX_ERROR + err.msg)
    except (RecursionError, MemoryError):
        return too_deep(path)
    except ValueError as err:  # e.g. source with NUL bytes
        return Finding(path, 1, 1, SYNTAX.code, f"cannot parse: {err}")


@lru_cache(maxsize=1)
def _checks() -> tuple[Check, ...]:
    """Every rule's check, once per process (the pipeline runs it for every file)."""
    return tuple(rule.check for rule in all_rules().values() if rule.check)


def unreadable(path: str, err: SourceError) -> Finding:
    """TFS002: the file could not be read or decoded."""
    return Finding(path, err.line, err.col, UNREADABLE.code, str(err))


def too_deep(path: str) -> Finding:
    """TFS001: nesting beyond what CPython's parser or the engine can recurse into."""
    return Finding(path, 1, 1, SYNTAX.code, "code is nested too deeply to analyse")


def internal_error(path: str, err: BaseException) -> Finding:
    """TFS000: an unexpected failure while analysing one file."""
    kind = type(err).__name__
    return Finding(path, 1, 1, INTERNAL.code,
                   f"internal error while analysing this file ({kind}: {err}); {REPORT_HINT}")


def recursion_guard() -> None:
    """Give the recursive parser and engine room for deeply nested code."""
    if sys.getrecursionlimit() < 10_000:
        sys.setrecursionlimit(10_000)
