"""Console sessions of the README and docs, replayed as a shell would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": os.path.dirname(sys.executable)
       + os.pathsep + os.environ.get("PATH", "")}
SECONDS = re.compile(r" in \d+\.\d\d s$", re.MULTILINE)


def replay(commands: list[tuple[str, str]], cwd: Path) -> None:
    """Run each command as a shell would and compare stdout and stderr with what the page
    shows (run times aside). `pip install .` is what the test environment already did."""
    status = 0
    for command, expected in commands:
        output = ""
        for part in command.split(" && "):
            words = part.split()
            if words == ["pip", "install", "."]:
                continue
            if words == ["echo", "$?"]:
                output += f"{status}\n"
                continue
            assert words[0] in ("scopelint", "flake8"), f"README runs {part!r}"
            run = subprocess.run([sys.executable, "-m", *words], cwd=cwd, env=ENV, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
            output, status = output + run.stdout, run.returncode
        assert SECONDS.sub(" in … s", output) == SECONDS.sub(" in … s", expected), (
            f"the documented output of `{command}` is stale:\n{output}")
