"""The fixes under real TensorFlow: each pair fixtures/X.py → fixtures/fixed/X.py.

For every pair, in a fresh graph each:

(a) the fixed program builds without any error (the original error is gone and no new
    one appears);
(b) every variable name TF made before the fix and not after is one the engine predicts
    the fix removes (what `--diff` lists), and, when the original ran to its end, every
    name TF makes only after the fix is one the engine predicts it adds (when the
    original raised, TF never reached the names after the error);
(c) scopelint's predicted names for the fixed program are what TF does (the check
    tests/test_oracle.py makes for every fixture).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from helpers import oracle
import pytest
from helpers.oracle import FIXTURES, oracle_skip_reason

from scopelint.fixes.apply import created_names

if importlib.util.find_spec("tensorflow") is None:
    pytest.skip("tensorflow is not installed: the fix oracle needs real TF",
                allow_module_level=True)

PAIRS = sorted((FIXTURES / "fixed").glob("*.py"))


@pytest.fixture(scope="session")
def tf():
    try:
        return oracle.load_tf()
    except Exception as err:  # noqa: BLE001 - any import failure means: no oracle here
        pytest.skip(f"import tensorflow failed ({type(err).__name__}: {err}); oracle not run")


def _names(run: oracle.TFRun) -> set[str]:
    return {row.name.rsplit(":", 1)[0] for row in run.rows}


def _covered(names: set[str], predicted: set[str]) -> bool:
    """Every name is a predicted one, or matches a predicted pattern (`…` for any part)."""
    patterns = [re.compile(re.escape(p).replace("…", ".+")) for p in predicted]
    return all(any(p.fullmatch(name) for p in patterns) for name in names)


@pytest.mark.parametrize("after", PAIRS, ids=lambda p: p.name)
def test_fixed_program_builds_with_the_predicted_names(tf, after: Path) -> None:
    before = FIXTURES / after.name
    before_text, after_text = before.read_text(encoding="utf-8"), after.read_text(encoding="utf-8")
    fixed = oracle.run_under_tf(after)
    assert fixed.error is None, f"{after.name}: the fixed program raises {fixed.error_text} " \
                                f"at line {fixed.error_line}"
    predicted_before, predicted_after = created_names(before_text), created_names(after_text)
    removed = set(predicted_before - predicted_after)
    added = set(predicted_after - predicted_before)
    if oracle_skip_reason(before_text) is None:
        original = oracle.run_under_tf(before)
        assert _covered(_names(original) - _names(fixed), removed), after.name
        if original.error is None:
            assert _covered(_names(fixed) - _names(original), added), after.name
    sl_rows, unknown_lines, _, partial = oracle.scopelint_rows(after, after_text, fixed.lines)
    tf_rows = oracle.comparable_tf_rows(fixed.rows, unknown_lines, partial)
    assert oracle.normalise(tf_rows) == oracle.normalise(sl_rows), after.name


# The projects of fixtures/projects/ that `check --fix --unsafe-fixes` changes.
FIXED_PROJECTS = [oracle.PROJECTS / "tfs205_dcgan_adam",
                  oracle.PROJECTS / "tfs205_train_leak_model_optimizer"]


@pytest.mark.parametrize("project", FIXED_PROJECTS, ids=lambda p: p.name)
def test_fixed_project_builds(tf, project: Path, tmp_path: Path, capsys) -> None:
    """`check --fix --unsafe-fixes` on a project (the DCGAN whose discriminator leaks reuse
    from model.py): it reports nothing left, and every entry script builds under TF."""
    import shutil

    from scopelint import cli

    fixed = tmp_path / project.name
    shutil.copytree(project, fixed)
    status = cli.main(["check", "--fix", "--unsafe-fixes", "--no-cache", "--jobs", "1",
                       str(fixed)])
    assert (status, capsys.readouterr().out) == (0, "")
    assert any(path.read_bytes() != (project / path.relative_to(fixed)).read_bytes()
               for path in oracle.project_files(fixed))
    for entry in oracle.project_entries(fixed):
        run = oracle.run_project_under_tf(fixed, entry)
        assert run.error is None, f"{entry.name}: {run.error_text}"
