"""The edit that silences one finding with `# noqa: CODE`, where `noqa` looks for it: at
the end of the last physical line of the finding's token range, added to a noqa comment
already there."""

from __future__ import annotations

import io
import tokenize
from typing import Optional, Sequence

from scopelint.fixes import Edit, Position
from scopelint.noqa import NOQA_INLINE


def noqa_edit(lines: Sequence[str], line: int, code: str) -> Edit:
    """Add `code` to the noqa comment that covers the 1-based `line`."""
    last, comment = _range_end(lines, line)
    text = lines[last - 1].rstrip("\r\n") if 0 < last <= len(lines) else ""
    if comment is not None:
        match = NOQA_INLINE.search(text, comment)
        if match is not None and match.group("codes"):
            codes = match.group("codes")
            listed = codes.rstrip(", \t")  # the codes, without what separates them from more
            at = Position(last, match.end("codes") - (len(codes) - len(listed)) + 1)
            return Edit(at, at, f", {code}")
    after = Position(last, len(text) + 1)
    return Edit(after, after, f"  # noqa: {code}")


def _range_end(lines: Sequence[str], line: int) -> tuple[int, Optional[int]]:
    """The last line of the token range holding `line`, and the column (0-based) of the
    comment on that last line, if any."""
    text = "".join(lines)
    first = None
    comment: dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comment[token.start[0]] = token.start[1]
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT, tokenize.INDENT):
                continue
            first = token.start[0] if first is None else first
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                if first <= line <= token.end[0]:
                    return token.start[0], comment.get(token.start[0])
                first = None
    except (tokenize.TokenError, SyntaxError):
        pass
    return line, None
