"""Every rule's doc examples as fixture programs: `Rule.example` with `# expect: TFSNNN` on
each line it marks `# TFSNNN`, `Rule.use_instead` as a clean one. tests/test_rule_examples.py
checks scopelint against them; tests/test_oracle.py runs them under real TF like fixtures."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path

from scopelint.rules import Rule, all_rules

HEADER = "import tensorflow.compat.v1 as tf\n"
MARK = re.compile(r"#\s*(TFS\d{3})\b")


def checked_rules() -> list[Rule]:
    """The rules whose examples are programs (those of input problems and of the names lock
    are not: a broken file, a lock file)."""
    return [rule for rule in all_rules().values() if rule.check is not None]


def program(text: str) -> str:
    """A doc example as a fixture: the TF import first, `# expect:` where it marks a code."""
    lines = []
    for line in (HEADER + text.strip("\n")).splitlines():
        codes = MARK.findall(line)
        lines.append(f"{line}  # expect: {', '.join(codes)}" if codes else line)
    return "\n".join(lines) + "\n"


def example_files() -> list[Path]:
    """Every checked rule's `example_tfsNNN.py` and `ok_tfsNNN.py` (its `use_instead`),
    written to a folder of their own for this test session."""
    folder = Path(tempfile.mkdtemp(prefix="scopelint-examples-"))
    atexit.register(shutil.rmtree, folder, True)
    paths = []
    for rule in checked_rules():
        for name, text in ((f"example_{rule.code.lower()}.py", rule.example),
                           (f"ok_{rule.code.lower()}.py", rule.use_instead)):
            path = folder / name
            path.write_text(program(text), encoding="utf-8")
            paths.append(path)
    return paths
