"""Code actions: each finding's fix as a quick fix (unsafe ones say so), `# noqa: CODE`
for each finding, and `source.fixAll.scopelint`: every safe fix, as `check --fix` applies
them. Edits name the document version they were computed for, so that a client drops
them once the text has changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from lsprotocol import types

from scopelint.facts import Finding
from scopelint.files import NEWLINE
from scopelint.fixes import Edit, Position
from scopelint.server.convert import Lines
from scopelint.server.suppress import noqa_edit

FIX_ALL = "source.fixAll.scopelint"


@dataclass(frozen=True)
class Target:
    """The document the edits apply to, and how the client takes workspace edits."""

    uri: str
    version: Optional[int]
    lines: Lines
    versioned: bool  # the client takes `documentChanges` (edits naming a version)

    def edit(self, edits: Sequence[Edit]) -> types.WorkspaceEdit:
        text_edits = [types.TextEdit(range=self.lines.range(e.start, e.end), new_text=e.content)
                      for e in edits]
        if not self.versioned:
            return types.WorkspaceEdit(changes={self.uri: text_edits})
        document = types.OptionalVersionedTextDocumentIdentifier(uri=self.uri,
                                                                 version=self.version)
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(text_document=document, edits=text_edits)])


def quick_fixes(findings: Sequence[Finding], diagnostics: Sequence[types.Diagnostic],
                target: Target) -> list[types.CodeAction]:
    """A fix (when the finding has one) and a noqa action per finding."""
    actions = []
    for finding in findings:
        matching = [d for d in diagnostics if _same(d, finding, target.lines)] or None
        fix = finding.fix
        if fix is not None:
            unsafe = "" if fix.safe else " (unsafe: may change more than the bug)"
            actions.append(types.CodeAction(
                title=f"{fix.message} [{finding.code}]{unsafe}",
                kind=types.CodeActionKind.QuickFix, diagnostics=matching,
                is_preferred=fix.safe, edit=target.edit(fix.edits)))
        actions.append(types.CodeAction(
            title=f"Add `# noqa: {finding.code}` [{finding.code}]",
            kind=types.CodeActionKind.QuickFix, diagnostics=matching,
            edit=target.edit([noqa_edit(target.lines.lines, finding.line, finding.code)])))
    return actions


def fix_all(before: str, after: str, target: Target) -> Optional[types.CodeAction]:
    """The action that turns `before` into `after` (one edit over the part that differs)."""
    if before == after:
        return None
    return types.CodeAction(title="Fix all safe scopelint findings",
                            kind=FIX_ALL, edit=target.edit([changed_part(before, after)]))


def changed_part(before: str, after: str) -> Edit:
    """One edit replacing the part of `before` between what it shares with `after` at
    both ends."""
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < limit - prefix
           and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]):
        suffix += 1
    return Edit(_point(before, prefix), _point(before, len(before) - suffix),
                after[prefix:len(after) - suffix])


def _point(text: str, offset: int) -> Position:
    """The 1-based line and column of a character offset (a line break inside `\r\n`
    counts as the end of its line)."""
    line, start = 1, 0
    for match in NEWLINE.finditer(text):
        if match.end() > offset:
            break
        line, start = line + 1, match.end()
    return Position(line, offset - start + 1)


def wants(only: Optional[Sequence[str]], kind: str) -> bool:
    """Whether a request's `only` kinds (None: any) cover actions of `kind`."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def _same(diagnostic: types.Diagnostic, finding: Finding, lines: Lines) -> bool:
    return (diagnostic.code == finding.code
            and diagnostic.range.start == lines.position((finding.line, finding.col)))
