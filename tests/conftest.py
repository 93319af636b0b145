"""Shared pytest setup: quiet TensorFlow, legacy tf.layers, the tests/ helpers importable,
the `tf` fixture of the oracle tests, and every test that uses a `tf` fixture (real
TensorFlow) marked `slow`."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

# Must be set before TensorFlow is imported anywhere in the session.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

_TESTS = Path(__file__).resolve().parent
for _p in (str(_TESTS), str(_TESTS.parent)):
    if _p not in sys.path:
        sys.path.insert(0, _p)


@pytest.fixture(scope="session")
def tf():
    """TF1 semantics, once per session (disable_v2_behavior is process-wide); skips the
    test when TensorFlow is missing or does not import."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed: the oracle needs real TF "
                    "(pip install tensorflow-cpu tf-keras)")
    from helpers import oracle

    try:
        return oracle.load_tf()
    except Exception as err:  # noqa: BLE001 - any import failure means: no oracle here
        pytest.skip(f"import tensorflow failed ({type(err).__name__}: {err}); oracle not run")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs real TensorFlow (through a `tf` fixture) is slow."""
    for item in items:
        if "tf" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
