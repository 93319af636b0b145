"""The prefilter never changes a result: checked on every fixture and on generated files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scopelint.engine import tfapi
from scopelint.prefilter import ROOTS, SNIPPET_NAME, mentions_tf
from scopelint.engine.project import ProjectSettings
from scopelint.engine.session import Session
from scopelint.runner import Outcome, analyse_file

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.py"))
IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)


def analysed(path: Path, prefilter: bool, want_facts: bool) -> Outcome:
    return analyse_file(str(path), prefilter, want_facts, ProjectSettings(), Session())


def both_ways(path: Path) -> tuple[list, list]:
    with_filter = analysed(path, prefilter=True, want_facts=True).result
    without = analysed(path, prefilter=False, want_facts=True).result
    return with_filter.findings, without.findings


def hide_tf(text: str) -> str:
    """The text with every root module name, and the word `tf`, replaced by a different,
    same-length word."""
    for root in ROOTS:
        text = text.replace(root, root[::-1] if root[::-1] != root else "x" * len(root))
    return SNIPPET_NAME.sub("ft", text)


def test_there_are_fixtures() -> None:
    assert len(FIXTURES) > 20


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_same_findings_with_and_without_prefilter(fixture: Path) -> None:
    with_filter, without = both_ways(fixture)
    assert with_filter == without


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_without_tf_names_the_engine_finds_nothing(fixture: Path, tmp_path: Path) -> None:
    """The criterion's premise: hide the module names and the full analysis reports nothing."""
    hidden = tmp_path / fixture.name
    hidden.write_text(hide_tf(fixture.read_text()))
    with_filter, without = both_ways(hidden)
    assert with_filter == without
    assert [f for f in without if f.code not in ("TFS001", "TFS002")] == []
    assert analysed(hidden, prefilter=True, want_facts=False).skipped


def hide_api_words(text: str) -> str:
    """The text with every API word (any case) replaced by a different, same-length word."""
    for word in tfapi.FACT_WORDS:
        text = re.sub(re.escape(word), lambda m: m.group()[::-1], text, flags=re.IGNORECASE)
    return text


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_without_api_words_the_engine_finds_nothing(fixture: Path, tmp_path: Path) -> None:
    """The criterion's second premise: hide the API words and nothing is reported."""
    hidden = tmp_path / fixture.name
    hidden.write_text(hide_api_words(fixture.read_text()))
    without = analysed(hidden, prefilter=False, want_facts=True).result
    assert [f for f in without.findings if f.code not in ("TFS001", "TFS002")] == []
    assert without.facts is None or without.facts.variables == []


@pytest.mark.parametrize("module", sorted(tfapi.MODULES))
def test_every_known_module_is_kept(module: str) -> None:
    head, _, tail = module.rpartition(".")
    for source in (f"import {module} as x\nx.get_variable\n",
                   f"from {module} import variable_scope\n",
                   f"from {head or module} import {tail or module}\n{tail}.Variable\n"):
        assert mentions_tf(source), source


@given(st.lists(IDENT, min_size=1, max_size=4))
@settings(max_examples=200)
def test_engine_knows_no_module_outside_the_roots(parts: list[str]) -> None:
    """ROOTS must cover every module the engine resolves, or the prefilter could lose findings."""
    name = ".".join(parts)
    if tfapi.module_namespace(name) is not None:
        assert parts[0] in ROOTS


@pytest.mark.parametrize("source", [
    "import ｔensorflow as tf\ntf.Variable\n",  # NFKC: this imports tensorflow
    "from ﬁle import x\nimport tf_ｓlim\n",
    "import tensorflow as tf\nｇet_ｖariable = tf.get_variable\n",
    "# tensorflow and variables in a comment are enough (a false positive only costs time)\n",
    "import tensorflow as tf\nopt = tf.train.AdamOptimizer\n",
    "import tensorflow as tf\ncell = tf.nn.rnn_cell.GRUCell(4)\n",
    "from tensorflow.compat.v1 import layers as L\n",
])
def test_kept(source: str) -> None:
    assert mentions_tf(source)


@pytest.mark.parametrize("source", [
    "import os\n", "import tf\n", "import tensor_flow\n", "x = 'é'\n", "from .tf import x\n",
    "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.nn.relu(x)\n",
])
def test_skipped(source: str) -> None:
    assert not mentions_tf(source)


@pytest.mark.parametrize("source", [
    "x = (\n", "x = = 1\n", "def f():\n\treturn 1\n    pass\n", "x = 1\n",
    "async = 1\n", "try:\n    pass\nexcept E, e:\n    pass\n",
])
def test_syntax_checked_either_way(source: str, tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(source)
    with_filter, without = both_ways(path)
    assert with_filter == without
    python2 = "except E, e" in source
    assert [f.code for f in without] == (
        [] if source == "x = 1\n" else ["TFS003"] if python2 else ["TFS001"])


def test_tf_use_without_import_is_not_analysed(tmp_path: Path) -> None:
    """`tf` bound by a star import or a sibling module: the engine cannot see it either way."""
    path = tmp_path / "m.py"
    path.write_text("from common import *\nwith tf.name_scope('a'):\n"
                    "    v = tf.get_variable('v', [1])\n")
    with_filter, without = both_ways(path)
    assert with_filter == without == []
    assert re.search(r"tensorflow", path.read_text()) is None
