"""TFS000-TFS003: files scopelint could not analyse, or read as Python 2. The pipeline
reports them."""

from scopelint.rules import NOTE, Rule, codes

INTERNAL = Rule(
    code=codes.INTERNAL_ERROR, name="internal-error",
    summary="scopelint failed while analysing this file",
    what="Reports an unexpected error inside scopelint while it analysed one file. "
         "The other files are still checked.",
    why="A file that was not analysed may hide real findings; the error is a scopelint bug.",
    example="# any file that triggers a scopelint bug",
    use_instead="# report the file to the scopelint issue tracker; use `# noqa: TFS000` meanwhile",
)

SYNTAX = Rule(
    code=codes.SYNTAX_ERROR, name="syntax-error",
    summary="the file parses neither as Python 3 nor as Python 2",
    what="Reports the first syntax error, at CPython's position, for code that neither "
         "the running CPython nor, after it, a Python 2 reading accepts "
         "(Python 2 files are analysed instead, see TFS003). When the only trouble is `async` or "
         "`await` used as a name (keywords since Python 3.7), the message says so and which "
         "Pythons parse the file (3.6 and older, or Python 2). In a notebook, it is reported "
         "in the first code cell that does not parse, and the cells before it are analysed.",
    why="scopelint cannot check code it cannot parse, and neither can Python run it.",
    example="x = = 1",
    use_instead="x = 1",
)

UNREADABLE = Rule(
    code=codes.UNREADABLE_FILE, name="unreadable-file",
    summary="the file could not be read or decoded",
    what="Reports files that cannot be read (permissions), that are not text (NUL bytes) "
         "or that do not decode with their PEP 263 coding cookie or as UTF-8, and notebooks "
         "that are not UTF-8, not valid JSON, not nbformat 4, or hold no code.",
    why="scopelint cannot check code it cannot read, and Python would refuse it too.",
    example="# -*- coding: latin-1 -*- (file saved with bytes that are not latin-1)",
    use_instead="# save the file as UTF-8, or declare its real encoding",
)

PYTHON2 = Rule(
    code=codes.PYTHON2_FILE, name="python2-file",
    summary="a Python 2 file, analysed as Python 2 (informational)",
    what="Notes, once per file and at its first Python 2 construct (for tabs mixed with "
         "spaces: the first line Python 3 rejects), that the file is "
         "Python 2 (`print x`, `print >>f, x`, `exec code`, `except E, e:`, `raise E, V`, "
         "backticks, `<>`, `0777`, `10L`, `ur\"\"`, tabs mixed with spaces). scopelint "
         "reads it with a Python 2 grammar (fissix), rewrites those constructs to Python 3 "
         "on the same lines and analyses the result; every finding keeps its line and column.",
    why="Nothing is wrong with the scopes; the note says that the file was analysed as "
        "Python 2, not checked as Python 3, which would run it.",
    example='print "step", step',
    use_instead='print("step", step)  # or ignore TFS003 for legacy code: --extend-ignore TFS003',
    severity=NOTE,
)

# Every input problem: a fix is kept only when the fixed file has none.
INPUT_PROBLEMS = frozenset(rule.code for rule in (INTERNAL, SYNTAX, UNREADABLE, PYTHON2))
