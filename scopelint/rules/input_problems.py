"""TFS000-TFS002: files scopelint could not analyse. The pipeline reports them."""

from scopelint.rules import Rule

INTERNAL = Rule(
    code="TFS000", name="internal-error",
    summary="scopelint failed while analysing this file",
    what="Reports an unexpected error inside scopelint while it analysed one file. "
         "The other files are still checked.",
    why="A file that was not analysed may hide real findings; the error is a scopelint bug.",
    example="# any file that triggers a scopelint bug",
    fix="# report the file to the scopelint issue tracker; use `# noqa: TFS000` meanwhile",
)

SYNTAX = Rule(
    code="TFS001", name="syntax-error",
    summary="the file could not be parsed as Python 3",
    what="Reports the first syntax error, at the parser's position, using CPython's own "
         "parser: Python 2 files (`print x`, `except E, e:`) are reported, not half-analysed.",
    why="scopelint cannot check code it cannot parse, and neither can Python run it.",
    example='print "hello"',
    fix='print("hello")',
)

UNREADABLE = Rule(
    code="TFS002", name="unreadable-file",
    summary="the file could not be read or decoded",
    what="Reports files that cannot be read (permissions), that are not text (NUL bytes) "
         "or that do not decode with their PEP 263 coding cookie or as UTF-8.",
    why="scopelint cannot check code it cannot read, and Python would refuse it too.",
    example="# -*- coding: latin-1 -*- (file saved with bytes that are not latin-1)",
    fix="# save the file as UTF-8, or declare its real encoding",
)
