"""README.md and docs/ stay in sync with the rule docs, and every console session in them is run
here (or by the test its `<!-- run: test: ... -->` marker names) and shows the real output."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from helpers.console import replay

from scopelint.cli import rules_markdown

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, ROOT / "CONTRIBUTING.md", *DOCS]
SESSION = re.compile(r"(?:<!-- run: ([^>]*?) -->\n)?```console\n(.*?)```", re.DOTALL)
MAX_README_LINES = 300
TABLE = re.compile(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", re.DOTALL)
SECTIONS = ("## Use with pre-commit", "## Use with flake8", "## Use in your editor",
            "## Configuration")


def test_rule_table_matches_the_rule_docs() -> None:
    match = TABLE.search(README.read_text(encoding="utf-8"))
    assert match, "README.md lacks the <!-- rules:start --> / <!-- rules:end --> markers"
    assert match.group(1) == rules_markdown(), (
        "README rule table is stale: paste `python -m scopelint rules --format markdown` "
        "between the markers")


def test_readme_sections() -> None:
    text = README.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert f"\n{heading}\n" in text


def sessions() -> list[tuple[str, str, str]]:
    """(page, how it runs, block) of every console block with a `$ ` command in it."""
    return [(page.relative_to(ROOT).as_posix(), kind, block) for page in PAGES
            for kind, block in SESSION.findall(page.read_text(encoding="utf-8"))
            if "\n$ " in "\n" + block]


def commands(block: str) -> list[tuple[str, str]]:
    return re.findall(r"^\$ (.*)\n((?:[^$].*\n)*)", block, re.MULTILINE)


def test_the_readme_is_short_and_links_every_docs_page() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_README_LINES
    for page in DOCS:
        assert f"](docs/{page.name})" in text, f"README does not link docs/{page.name}"


def test_every_session_says_how_it_runs() -> None:
    for page, kind, block in sessions():
        assert kind, f"{page}: a console session without `<!-- run: ... -->`:\n{block}"
        if kind.startswith("test: "):
            path, name = kind[len("test: "):].split("::")
            assert f"\ndef {name}(" in (ROOT / path).read_text(encoding="utf-8"), kind


def tutorial_folder(folder: Path) -> Path:
    program = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    (folder / "tutorial.py").write_text(program.group(1), encoding="utf-8")
    return folder


def listing_folder(folder: Path, page: str, block: str) -> Path:
    """The files of the ```text listing just before the session: a name in the first 18
    columns, then its lines."""
    text = (ROOT / page).read_text(encoding="utf-8")
    listing = re.findall(r"```text\n(.*?)```", text[:text.index(block)], re.DOTALL)[-1]
    files: dict[str, list[str]] = {}
    current = ""
    for line in listing.splitlines():
        current = line[:18].strip() or current
        files.setdefault(current, []).append(line[18:])
    for name, lines in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent("\n".join(lines)).strip("\n") + "\n" if lines[0] else "",
                        encoding="utf-8")
    return folder


@pytest.mark.parametrize("page, kind, block", [s for s in sessions()
                                               if not s[1].startswith("test: ")],
                         ids=lambda value: value.split("\n")[0][:60])
def test_session_shows_the_real_output(page: str, kind: str, block: str, tmp_path: Path) -> None:
    """Each `$ ` command, run as the page says (`repo`: from the repository root, with the
    files it names copied; `tutorial`: beside the README's tutorial program; `listing`: in the
    files of the listing above it), prints what the page shows (stdout and stderr, run times
    aside; no cache, as on a fresh machine)."""
    if kind == "repo":
        for name in set(re.findall(r"fixtures/[\w/.]+", block)):
            if (ROOT / name).is_file():
                (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / name, tmp_path / name)
    elif kind == "tutorial":
        tutorial_folder(tmp_path)
    else:
        assert kind == "listing", kind
        listing_folder(tmp_path, page, block)
    if "flake8" in block:
        pytest.importorskip("flake8")
    replay(commands(block), tmp_path)
