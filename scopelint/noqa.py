"""`# noqa` comments, with flake8's regular expressions and semantics.

A finding is silenced by `# noqa` (every code) or `# noqa: CODE[,CODE...]`
(codes and prefixes of them) anywhere in the physical lines of the token
range its line belongs to: one physical line, except across a multi-line
string or a backslash continuation. `# flake8: noqa` at the start of a line
silences the whole file.
"""

from __future__ import annotations

import re
import tokenize
from typing import Iterable, Sequence

from scopelint.facts import Finding

NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)


def filter_noqa(findings: Iterable[Finding], source_lines: Sequence[str]) -> list[Finding]:
    """The findings that no noqa comment in `source_lines` (one file's lines) silences."""
    findings = list(findings)
    if not findings:
        return findings
    lines = [line if line.endswith(("\n", "\r")) else line + "\n" for line in source_lines]
    if any(NOQA_FILE.match(line) for line in lines):
        return []
    mapping = noqa_lines(lines)
    return [f for f in findings if not is_silenced(f.code, mapping.get(f.line, ""))]


def is_silenced(code: str, text: str) -> bool:
    """Whether a noqa comment in `text` silences `code`."""
    match = NOQA_INLINE.search(text)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    listed = tuple(item for item in re.split(r"[,\s]", codes) if item)
    return code.startswith(listed)


def noqa_lines(lines: Sequence[str]) -> dict[int, str]:
    """Map each 1-based line number to the text searched for its noqa comment.

    As flake8 does, lines are grouped by token range (a multi-line string or a
    backslash continuation spans several); untokenizable source falls back to
    the physical line.
    """
    physical = {number: line for number, line in enumerate(lines, start=1)}
    result: dict[int, str] = {}
    first, last = len(lines) + 2, -1
    readline = iter(lines).__next__
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, token.start[0]), max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[first - 1:last])
                result.update(dict.fromkeys(range(first, last + 1), joined))
                first, last = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError):
        return physical
    return {**physical, **result}
