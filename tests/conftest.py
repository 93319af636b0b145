"""Shared pytest setup: quiet TensorFlow, legacy tf.layers, and the tests/ helpers importable."""

import os
import sys
from pathlib import Path

# Must be set before TensorFlow is imported anywhere in the session.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

_TESTS = Path(__file__).resolve().parent
for _p in (str(_TESTS), str(_TESTS.parent)):
    if _p not in sys.path:
        sys.path.insert(0, _p)
