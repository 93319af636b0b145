"""`# noqa` handling matches flake8's regular expressions and line grouping."""

from __future__ import annotations

import argparse

from flake8.processor import FileProcessor
from flake8.violation import Violation
from hypothesis import given
from hypothesis import strategies as st

from scopelint.facts import Finding
from scopelint.noqa import filter_noqa, is_silenced, noqa_lines


def finding(line: int, code: str = "TFS201") -> Finding:
    return Finding("m.py", line, 1, code, "message")


def kept(source: str, *findings: Finding) -> list[tuple[int, str]]:
    lines = source.splitlines(keepends=True)
    return [(f.line, f.code) for f in filter_noqa(findings, lines)]


def test_blanket_noqa_silences_every_code() -> None:
    source = "a = 1  # noqa\nb = 2\n"
    assert kept(source, finding(1), finding(1, "TFS101"), finding(2)) == [(2, "TFS201")]


def test_codes_and_prefixes() -> None:
    source = "a = 1  # noqa: TFS201,TFS203\nb = 2  # NOQA:TFS2\nc = 3  # noqa: TFS101\n"
    findings = [finding(1), finding(1, "TFS101"), finding(2, "TFS205"), finding(3)]
    assert kept(source, *findings) == [(1, "TFS101"), (3, "TFS201")]


def test_spelling_rules_follow_flake8() -> None:
    assert is_silenced("TFS201", "x  # NoQA")
    assert not is_silenced("TFS201", "x  #noqa")  # flake8 needs "# noqa"
    assert not is_silenced("TFS201", "x  # noqa: tfs201")  # codes compare case-sensitively
    assert is_silenced("TFS201", "x  # noqa : TFS101")  # not a code list: blanket
    assert is_silenced("TFS201", "x  # noqa:TFS101 TFS201")


def test_first_line_of_a_multiline_call() -> None:
    source = 'w = tf.get_variable(  # noqa: TFS201\n    "v",\n    [1])\n'
    assert kept(source, finding(1)) == []
    moved = 'w = tf.get_variable(\n    "v",  # noqa: TFS201\n    [1])\n'
    assert kept(moved, finding(1)) == [(1, "TFS201")]


def test_multiline_string_and_continuation_share_the_comment() -> None:
    source = 'x = """a\nb"""  # noqa\ny = 1 + \\\n    2  # noqa\nz = 3\n'
    assert kept(source, finding(1), finding(3), finding(5)) == [(5, "TFS201")]


def test_file_level_flake8_noqa() -> None:
    assert kept("# flake8: noqa\nx = 1\n", finding(2)) == []
    assert kept("x = 1  # flake8: noqa\n", finding(1, "TFS101")) == [(1, "TFS101")]


def test_untokenizable_source_uses_physical_lines() -> None:
    source = 'print "x"  # noqa\nx = (\n'
    assert kept(source, finding(1, "TFS001"), finding(2, "TFS001")) == [(2, "TFS001")]


def test_lines_without_newlines() -> None:
    assert filter_noqa([finding(1)], ["a = 1  # noqa"]) == []


def flake8_mapping(source: str) -> dict[int, str]:
    options = argparse.Namespace(hang_closing=False, indent_size=4, max_line_length=79,
                                 max_doc_length=None, verbose=0)
    processor = FileProcessor("m.py", options, lines=source.splitlines(keepends=True))
    lines = processor.lines
    return {n: processor.noqa_line_for(n) or lines[n - 1] for n in range(1, len(lines) + 1)}


SOURCES = [
    'x = f(\n  1,  # noqa\n)\n',
    's = """\n# noqa\n"""\nt = 1\n',
    'if a:\n    b = 1 + \\\n        2\n\nc = 3\n',
    'def f():\n    """doc\n    more"""  # noqa: TFS101\n    return 1\n',
]


def test_line_grouping_matches_flake8() -> None:
    for source in SOURCES:
        assert noqa_lines(source.splitlines(keepends=True)) == flake8_mapping(source)


codes = st.sampled_from(["TFS101", "TFS201", "TFS203", "TFS001"])
comments = st.lists(st.sampled_from(
    ["#", " ", "noqa", "NOQA", ":", ",", "TFS", "TFS2", "TFS201", "tfs201", "TFS101", "E501", "x"]),
    max_size=8).map("".join)


@given(codes, comments)
def test_silencing_matches_flake8(code: str, comment: str) -> None:
    line = f"x = 1  {comment}\n"
    expected = Violation(code, "m.py", 1, 1, "text", line).is_inline_ignored(False)
    assert is_silenced(code, line) == expected
