"""What notebooks and Python 2 files cost to read. Run from the repository root:

    python benchmarks/inputs.py

Prints the time to read a notebook of about 50 MB of outputs (next to `json.loads`
of the same bytes) and, for the `ok_` fixtures joined into one file with a Python 2
`print` statement on top, the time of the Python 2 reading alone (fissix's parse, the
rewrite, CPython's parse of it) next to the whole analysis of the Python 3 text.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scopelint.analysis import analyze_text  # noqa: E402
from scopelint.notebook import read_notebook  # noqa: E402
from scopelint.python2 import read_python2  # noqa: E402


def best(work: Callable[[], object], runs: int = 3) -> float:
    """The fastest of `runs` timings, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def big_notebook() -> bytes:
    blob = base64.b64encode(os.urandom(600_000)).decode()
    lines = [f"step {i}: loss 0.{i:06d}\n" for i in range(20_000)]
    outputs = [{"data": {"image/png": blob}, "metadata": {}, "output_type": "display_data"}] * 22
    outputs += [{"name": "stdout", "output_type": "stream", "text": lines}] * 12
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": outputs,
              "source": [line]}
             for line in ("import tensorflow.compat.v1 as tf\n", "x = tf.Variable(1.0)\n")]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1).encode()


def main() -> None:
    data = big_notebook()
    print(f"notebook, {len(data) / 1e6:.1f} MB: read_notebook "
          f"{best(lambda: read_notebook(data)):.2f} s, "
          f"json.loads {best(lambda: json.loads(data)):.2f} s")
    root = Path(__file__).resolve().parents[1] / "fixtures"
    body = "".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("ok_*.py")))
    python2 = 'print "start"\n' + body
    analyze_text("warm.py", body)
    print(f"Python 2, {python2.count(chr(10))} lines: reading "
          f"{best(lambda: read_python2(python2)):.2f} s, whole analysis of the Python 3 text "
          f"{best(lambda: analyze_text('a.py', body)):.2f} s, of the Python 2 text "
          f"{best(lambda: analyze_text('b.py', python2)):.2f} s")


if __name__ == "__main__":
    main()
