"""Python 2 files: read with fissix, rewritten on the same lines, analysed like their twins."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from helpers.oracle import python2_files, python2_twin
from scopelint.analysis import analyze_bytes, analyze_text
from scopelint.python2 import read_python2

PYTHON2 = python2_files()


def _findings(path: Path) -> list[tuple[int, int, str]]:
    result = analyze_text(str(path), path.read_text(encoding="utf-8"))
    return [(f.line, f.col, f.code) for f in result.findings]


@pytest.mark.parametrize("path", PYTHON2, ids=lambda p: p.name)
def test_python2_file_gives_its_twins_findings_and_names(path: Path) -> None:
    """Same codes on the same lines and, where the line reads the same in both, the same
    columns; the same predicted names in the same order; plus one TFS003."""
    twin = python2_twin(path)
    mine, theirs = _findings(path), _findings(twin)
    assert [code for _, _, code in mine].count("TFS003") == 1
    mine = [f for f in mine if f[2] != "TFS003"]
    assert [(line, code) for line, _, code in mine] == [(line, code) for line, _, code in theirs]
    lines = path.read_text(encoding="utf-8").splitlines()
    twin_lines = twin.read_text(encoding="utf-8").splitlines()
    same = [(m, t) for m, t in zip(mine, theirs) if lines[m[0] - 1] == twin_lines[t[0] - 1]]
    assert all(m == t for m, t in same)
    names = [[(v.loc.line, v.name) for v in analyze_text(str(p), p.read_text()).facts.variables]
             for p in (path, twin)]
    assert names[0] == names[1] and names[0]


@pytest.mark.parametrize("source, rewritten", [
    ('print "a", x\n', 'print( "a", x)\n'),
    ("print >>f, x,\n", "print( f, x,)\n"),
    ("print (x)\nprint\nprint 1\n", "print (x)\nprint\nprint( 1)\n"),
    ("exec code in ns\n", "exec( code , ns)\n"),
    ("try: pass\nexcept (A, B), e: pass\n", "try: pass\nexcept (A, B) as e: pass\n"),
    ("raise E, 'v'\n", "raise E( 'v')\n"),
    ("x = `y` <> 0777L\n", "x = repr(y) != 0o777\n"),
    ("x = Ur'a' + b'c' + 0 + 00 + 0xFFL + 1.0\n", "x = r'a' + b'c' + 0 + 00 + 0xFF + 1.0\n"),
    ("if x:\n\ty = 1\n        z = 2\n", "if x:\n        y = 1\n        z = 2\n"),
    ("print 'a'; print 'b'  # c\n", "print( 'a'); print( 'b')  # c\n"),
    ('print """a\nb"""\n', 'print( """a\nb""")\n'),
    ("from __future__ import print_function\nprint('a', end='')\nexec 'x'\n",
     "from __future__ import print_function\nprint('a', end='')\nexec( 'x')\n"),
])
def test_rewrite_keeps_every_line(source: str, rewritten: str) -> None:
    result = read_python2(source)
    assert result is not None and result.text == rewritten
    assert result.text.count("\n") == source.count("\n")


@pytest.mark.parametrize("source", ["x = = 1\n", "async = 1\n", "def f():\n    return (\n",
                                    "x = 1\n"])
def test_no_rewrite_for_code_broken_in_every_python_or_valid_python3(source: str) -> None:
    assert read_python2(source) is None


def test_columns_map_back_to_the_original_line() -> None:
    result = read_python2("print `a`, tf.get_variable('w')\nif a:\n\tx = 1\n        y = 2\n")
    text = result.text.splitlines()[0]
    assert text == "print( repr(a), tf.get_variable('w'))"
    assert result.original_col(1, text.index("tf") + 1) == 12  # `tf` in the original line
    assert result.original_col(1, text.index("repr") + 2) == 7  # inside an edit: its start
    assert result.original_col(1, 1) == 1
    assert result.original_col(3, 9) == 2  # after the expanded tab


def test_cost_is_measured_and_bounded() -> None:
    """fissix parses Python 2 at a few thousand lines a second: a 3000-line file in well
    under the time budget of a file (measured: about 1 s on one 2020 laptop core)."""
    body = "".join(f'print "step", {i}\nx{i} = `{i}` <> 0{i % 8}\n' for i in range(1500))
    start = time.perf_counter()
    result = read_python2(body)
    elapsed = time.perf_counter() - start
    assert result is not None and result.text.count("\n") == 3000
    assert elapsed < 10, f"{elapsed:.1f} s for 3000 lines"


def test_python2_note_is_at_the_first_line_python3_rejects() -> None:
    """Tabs inside parentheses, or a tab-indented block alone, are Python 3 too: the note goes
    to the line CPython rejects, not to the first tab."""
    source = ('import tensorflow as tf\nw = tf.get_variable("w",\n\t[1])\nif w:\n\tx = 1\n'
              'if x:\n        y = 1\n\tz = 2\n')
    (note,) = [f for f in analyze_text("tabs.py", source).findings if f.code == "TFS003"]
    assert (note.line, note.col) == (8, 1)


@pytest.mark.parametrize("source, versions", [
    ("async = True\nf(async=async)\n", "parses with Python 3.6 and older only"),
    ('await = 1\nprint "x"\n', "parses as Python 2 only"),
])
def test_keywords_used_as_names_say_which_pythons_parse_the_file(source: str,
                                                                 versions: str) -> None:
    (error,) = analyze_text("old.py", source).findings
    assert error.code == "TFS001" and "a keyword since Python 3.7" in error.message
    assert error.message.endswith(f"{versions})")


def test_other_syntax_errors_name_no_python_version() -> None:
    (error,) = analyze_text("broken.py", "async = 1\nx = = 1\n").findings
    assert error.message == "syntax error: invalid syntax"


def test_diff_of_a_python2_file_prints_the_findings_it_cannot_fix(capsys) -> None:
    """Python 2 files are never fixed: `--diff` prints no patch, and the findings on stderr."""
    from scopelint.cli import main

    path = str(Path(__file__).resolve().parents[1] / "fixtures" / "python2" / "print_statement.py")
    assert main(["check", "--diff", "--no-cache", path]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert [line.split(": ")[1].split()[0] for line in err.splitlines()[:2]] == ["TFS003",
                                                                               "TFS101"]
    assert err.endswith("scopelint: would fix 0 findings in 0 files\n")


def test_a_failure_of_the_python2_reader_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """An analysis never raises: fissix failing (its grammar cache truncated, say) gives the
    file a TFS000, as any failure of the engine does."""
    import pickle

    import scopelint.python2

    def broken(text: str) -> None:
        raise pickle.UnpicklingError("pickle data was truncated")

    monkeypatch.setattr(scopelint.python2, "read_python2", broken)
    result = analyze_bytes("old.py", b"print 'hello'\n")
    assert [(f.code, f.line) for f in result.findings] == [("TFS000", 1)]
    assert "UnpicklingError: pickle data was truncated" in result.findings[0].message
