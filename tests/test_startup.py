"""What a run imports: a run whose files are all cached, or all cleared by the prefilter,
imports neither libcst nor the engine's replay (only the import resolution the prefilter
follows); the flake8 plugin imports nothing of the analysis until flake8 hands it a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What the prefilter needs to follow a file's project imports (`Project.reaches_tf`).
PREFILTER_ENGINE = {"scopelint.engine", "scopelint.engine.tfapi", "scopelint.engine.project",
                    "scopelint.engine.session"}
TF = "import tensorflow as tf\nwith tf.name_scope('a'):\n    w = tf.get_variable('w', [1])\n"
# Runs the command line's `main` (which, unlike `scopelint`, returns), then prints the
# modules the process imported as the last line of stdout.
CLI = ("import json, sys\nfrom scopelint.cli import main\nmain(sys.argv[1:])\n"
       "print('\\n' + json.dumps(sorted(sys.modules)))\n")


def run_cli(cwd: Path, *args: str) -> tuple[str, set[str]]:
    """stdout of `scopelint ARGS` in `cwd`, and the modules the run imported."""
    done = subprocess.run([sys.executable, "-c", CLI, *args], cwd=cwd, capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    output, _, modules = done.stdout.rstrip("\n").rpartition("\n")
    return output, set(json.loads(modules))


def engine(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] == "libcst" or m.startswith("scopelint.engine")}


def test_files_the_prefilter_clears_import_no_libcst(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("import os\n\ndef size(p):\n    return os.stat(p)\n")
    (tmp_path / "main.py").write_text("import sys\nfrom helpers import size\nsize(sys.argv[0])\n")
    output, modules = run_cli(tmp_path, "check", "--no-cache", "--format", "json", ".")
    assert json.loads(output) == []
    assert engine(modules) <= PREFILTER_ENGINE
    assert "scopelint.engine.project" in modules  # the prefilter followed `helpers`


def test_a_run_served_by_the_cache_imports_no_engine(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(TF)
    (tmp_path / "util.py").write_text("x = 1\n")
    first, modules = run_cli(tmp_path, "check", "--jobs", "1", ".")
    assert [line.split()[1] for line in first.splitlines()] == ["TFS201"]
    assert {"libcst", "scopelint.engine.interpreter"} <= modules  # what a cold run needs
    again, modules = run_cli(tmp_path, "check", ".")
    assert again == first
    assert engine(modules) == set()


PLUGIN = """
import ast, gc, json, sys
from scopelint.flake8_plugin import ScopelintChecker
loaded = set(sys.modules)
path = sys.argv[1]
lines = open(path).readlines()
found = [text for _, _, text, _ in ScopelintChecker(ast.parse("".join(lines)), path, lines).run()]
print(json.dumps([sorted(loaded), sorted(sys.modules), found, gc.isenabled(),
                  gc.get_freeze_count()]))
"""


def plugin(path: Path) -> tuple[set[str], set[str], list[str], int]:
    """The modules flake8's loading of the plugin imports, those after it checked `path`,
    what it reported, and how many objects it left frozen (the collector is on again)."""
    done = subprocess.run([sys.executable, "-c", PLUGIN, str(path)], capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    loaded, after, found, collecting, frozen = json.loads(done.stdout)
    assert collecting
    return set(loaded), set(after), found, frozen


def test_the_flake8_plugin_loads_nothing_until_a_file_needs_it(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("import os\nprint(os.sep)\n")
    (tmp_path / "model.py").write_text(TF)
    loaded, after, found, _ = plugin(tmp_path / "plain.py")
    assert found == []
    assert not {m for m in loaded if m.startswith("scopelint.")} - {"scopelint.flake8_plugin"}
    assert engine(after) <= PREFILTER_ENGINE
    _, after, found, frozen = plugin(tmp_path / "model.py")
    assert [text.split()[0] for text in found] == ["TFS201"]
    assert "libcst" in after
    assert frozen > 0  # what the analysis made: no later pass, nor the teardown, walks it
