"""Jupyter notebooks: reading, IPython syntax, the cell map, and every output format."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest

from helpers.oracle import notebook_files
from scopelint.analysis import analyze_bytes
from scopelint.cli import main
from scopelint.files import SourceError
from scopelint.notebook import blank_ipython, read_notebook

TF = "import tensorflow.compat.v1 as tf\n"
NAME_SCOPE = 'with tf.name_scope("a"):\n    w = tf.get_variable("v", [1])\n'


def notebook(*cells: tuple[str, str], outputs: list | None = None) -> bytes:
    """nbformat 4 JSON as Jupyter writes it (indent 1, one JSON string per source line)."""
    return (json.dumps({"cells": [
        {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
         **({"outputs": outputs or [], "execution_count": None} if kind == "code" else {})}
        for kind, source in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
        indent=1, ensure_ascii=False) + "\n").encode()


def check(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    status = main(["check", "--no-cache", "--jobs", "1", *args])
    return status, capsys.readouterr().out


# -- reading --------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message, position", [
    (b'{"cells": [}', "notebook is not valid JSON: Expecting value", (1, 12)),
    (b'{"cells": []}\n{', "notebook is not valid JSON: extra data after the notebook", (2, 1)),
    (b'{"cells": [], }', "notebook is not valid JSON: expected a key", (1, 15)),
    (b'{"cells": [\xff]}', "notebook is not UTF-8: invalid start byte (byte 0xff)", (1, 1)),
    (b'{"cells": {}}', "not an nbformat 4 notebook: expected an array", (1, 11)),
    (b'{"cells": [{"cell_type": "code", "source": 3}]}',
     "not an nbformat 4 notebook: expected a cell's source: a string or an array of strings",
     (1, 44)),
    (b'[]', "not an nbformat 4 notebook: expected an object", (1, 1)),
    (b'{"cells": [{"cell_type": "markdown", "source": "x"}]}', "notebook has no code cells",
     (1, 1)),
    (b'{"worksheets": [{"cells": []}], "nbformat": 3}', "notebook has no code cells", (1, 1)),
    (notebook(("code", ""), ("code", "")), "notebook has no code cells with code", (1, 1)),
])
def test_bad_notebooks_are_tfs002(data: bytes, message: str, position: tuple[int, int]) -> None:
    with pytest.raises(SourceError) as info:
        read_notebook(data)
    assert str(info.value).startswith(message)
    assert (info.value.line, info.value.col) == position
    (finding,) = analyze_bytes("nb.ipynb", data).findings
    assert (finding.code, finding.message) == ("TFS002", str(info.value))


def test_code_cells_joined_in_order_markdown_and_outputs_left_out() -> None:
    nb = read_notebook(notebook(("markdown", "# title\nx = 1\n"), ("code", TF),
                                ("raw", "y = 2\n"), ("code", "a = 1\nb = 2"), ("code", "c = 3\n"),
                                outputs=[{"output_type": "stream", "text": ["d = 4\n"]}]))
    assert nb.text == TF + "a = 1\nb = 2\nc = 3\n"
    assert [(p.cell, p.line) for p in nb.cells.places] == [(2, 1), (4, 1), (4, 2), (5, 1)]
    assert [start for start, _ in nb.sources] == [1, 2, 4]


@pytest.mark.parametrize("cell, module", [
    ("%matplotlib inline\nx = 1\n", "pass\nx = 1\n"),
    ("!pip install \\\n    tensorflow\nx = 1\n", "pass\n\nx = 1\n"),
    ("if x:\n    !ls\n    tf.get_variable?\n", "if x:\n    pass\n    pass\n"),
    ("files = !ls\nt = %timeit -o f()\n??tf\n", "pass\npass\npass\n"),
    ("%time y = f(x)\n%time for i in r: f(i)\n", "if 1: y = f(x)\npass\n"),
    ("%%time\ny = f(x)\n", "\ny = f(x)\n"),
    ("%%bash\nls -l\n!x\n", "\n\n\n"),
    ('msg = ("%s"\n       % x)\ny = [1,\n!= 2]\n', 'msg = ("%s"\n       % x)\ny = [1,\n!= 2]\n'),
    ('s = """\n%not a magic\n"""\nt = \'a\\\n!b\'\n',
     's = """\n%not a magic\n"""\nt = \'a\\\n!b\'\n'),
    ("x = 1 \\\n    % 2\n# why?\n", "x = 1 \\\n    % 2\n# why?\n"),
    ("!ls (\n%ls\n", "pass\npass\n"),  # a magic line is not scanned as Python
])
def test_ipython_syntax_becomes_pass_at_statement_starts_only(cell: str, module: str) -> None:
    assert blank_ipython(cell) == module
    assert module.count("\n") == cell.count("\n")


@pytest.mark.parametrize("path", notebook_files(), ids=lambda p: p.name)
def test_cell_map_points_at_the_json_text_holding_each_line(path: Path) -> None:
    raw = path.read_text(encoding="utf-8").splitlines()
    cells = json.loads("\n".join(raw))["cells"]
    nb = read_notebook(path.read_bytes())
    for number, place in enumerate(nb.cells.places, start=1):
        source = cells[place.cell - 1]["source"][place.line - 1]
        line, col = nb.cells.raw_position(number, 1)
        assert raw[line - 1][col - 2:] == json.dumps(source, ensure_ascii=False) + \
            ("," if place.line < len(cells[place.cell - 1]["source"]) else "")
        last = max((i for i, char in enumerate(source) if char.isalnum()), default=None)
        if last is not None:  # escapes (`\"`) before the column are counted
            line, col = nb.cells.raw_position(number, last + 1)
            assert raw[line - 1][col - 1] == source[last]


def test_a_cell_that_does_not_parse_gets_tfs001_and_ends_the_analysis() -> None:
    data = notebook(("code", TF + NAME_SCOPE), ("markdown", "text"),
                    ("code", "x = (1,\n"), ("code", NAME_SCOPE))
    result = analyze_bytes("nb.ipynb", data)
    assert [(f.line, f.code) for f in result.findings] == [(3, "TFS201"), (4, "TFS001")]
    assert result.findings[1].message == "syntax error: '(' was never closed"


def test_python2_cells_are_analysed_as_python2() -> None:
    data = notebook(("code", TF), ("code", 'print "building"\n' + NAME_SCOPE))
    result = analyze_bytes("nb.ipynb", data)
    assert [(f.line, f.col, f.code) for f in result.findings] == [
        (2, 1, "TFS003"), (4, 9, "TFS201")]


def test_a_50_mb_notebook_is_read_quickly() -> None:
    """Outputs are skipped by the C JSON decoder, never looked at (measured: 47 MB in
    about 1 s, as long as `json.loads` takes)."""
    blob = base64.b64encode(os.urandom(600_000)).decode()
    lines = [f"step {i}: loss 0.{i:06d}\n" for i in range(20_000)]
    outputs = [{"data": {"image/png": blob}, "metadata": {}, "output_type": "display_data"}] * 22
    outputs += [{"name": "stdout", "output_type": "stream", "text": lines}] * 12
    data = notebook(("code", TF), ("code", NAME_SCOPE), outputs=outputs)
    assert len(data) > 50_000_000
    start = time.perf_counter()
    result = analyze_bytes("big.ipynb", data)
    elapsed = time.perf_counter() - start
    assert [f.code for f in result.findings] == ["TFS201"]
    assert elapsed < 20, f"{elapsed:.1f} s"


# -- the command line -------------------------------------------------------------------------

@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nb.ipynb").write_bytes(notebook(
        ("markdown", "# model"), ("code", "%matplotlib inline\n" + TF),
        ("code", NAME_SCOPE + '    u = tf.get_variable("u", [1])  # noqa: TFS201\n')))
    (tmp_path / "broken.ipynb").write_bytes(b"{")
    return tmp_path


def test_directories_pick_up_notebooks_and_text_names_the_cell(project: Path, capsys) -> None:
    status, out = check(capsys, ".")
    assert status == 1
    assert out.splitlines() == [
        "broken.ipynb:1:2: TFS002 notebook is not valid JSON: expected a key",
        "nb.ipynb:cell 3:2:9: TFS201 get_variable ignores name_scope 'a': this variable is "
        "named 'v:0', not 'a/v:0'"]


def test_jupyter_checkpoints_are_not_walked(project: Path, capsys) -> None:
    (project / ".ipynb_checkpoints").mkdir()
    (project / "nb.ipynb").rename(project / ".ipynb_checkpoints" / "nb-checkpoint.ipynb")
    assert check(capsys, "--ignore", "TFS002", ".") == (0, "")


def test_json_rows_gain_the_cell(project: Path, capsys) -> None:
    _, out = check(capsys, "--format", "json", "nb.ipynb")
    (row,) = json.loads(out)
    assert (row["path"], row["cell"], row["line"], row["col"]) == ("nb.ipynb", 3, 2, 9)


def test_sarif_and_github_point_at_the_notebook_file_line(project: Path, capsys) -> None:
    raw = (project / "nb.ipynb").read_text().splitlines()
    _, out = check(capsys, "--format", "github", "nb.ipynb")
    assert out.startswith("::warning file=nb.ipynb,line=")
    line, col = (int(part.split("=")[1]) for part in out.split("::")[1].split(",")[1:3])
    assert raw[line - 1][col - 1:].startswith('tf.get_variable(\\"v\\"')
    assert "::cell 3:2:9: get_variable ignores" in out
    _, out = check(capsys, "--format", "sarif", "nb.ipynb")
    (result,) = json.loads(out)["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (line, col)
    assert result["message"]["text"].startswith("cell 3:2:9: ")


def test_names_on_a_notebook(project: Path, capsys) -> None:
    assert main(["names", "nb.ipynb"]) == 0
    assert capsys.readouterr().out == ("nb.ipynb:cell 3:2:9: get_variable v:0 [1] float32\n"
                                       "nb.ipynb:cell 3:3:9: get_variable u:0 [1] float32\n")
    main(["names", "--format", "json", "nb.ipynb"])
    rows = json.loads(capsys.readouterr().out)
    assert [(r["cell"], r["line"], r["name"]) for r in rows] == [(3, 2, "v:0"), (3, 3, "u:0")]


def test_related_lines_in_messages_name_the_cell(tmp_path: Path, capsys) -> None:
    path = tmp_path / "gan.ipynb"
    path.write_bytes(notebook(("code", TF + "def d():\n    return tf.get_variable('w', [1])\n"),
                              ("code", "d()\nd()\n")))
    _, out = check(capsys, str(path))
    assert "(first created at cell 1, line 3; the repeat comes from the call at cell 2, " \
           "line 2)" in out


def test_the_cache_tells_a_notebook_from_a_python_file_with_the_same_bytes(
        project: Path, capsys) -> None:
    (project / "copy.py").write_bytes((project / "nb.ipynb").read_bytes())
    for _ in range(2):  # cold, then warm
        status = main(["check", "--jobs", "1", "nb.ipynb", "copy.py"])
        out = capsys.readouterr().out
        assert (status, [line.split(":")[0] for line in out.splitlines()]) == (1, ["nb.ipynb"])


def test_a_directory_with_a_script_a_notebook_and_python2(project: Path, capsys) -> None:
    """Each file's scope bugs at the right cell or line."""
    (project / "broken.ipynb").unlink()
    (project / "model.py").write_text(TF + NAME_SCOPE)
    (project / "legacy.py").write_text(TF + 'print "building"\n' + NAME_SCOPE)
    _, out = check(capsys, ".")
    assert [line.split(" ")[:2] for line in out.splitlines()] == [
        ["legacy.py:2:1:", "TFS003"], ["legacy.py:4:9:", "TFS201"],
        ["model.py:3:9:", "TFS201"], ["nb.ipynb:cell", "3:2:9:"]]
