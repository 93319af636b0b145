"""[tool.scopelint] loading, validation, and flake8's select/ignore decision."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from flake8.style_guide import Decision, DecisionEngine
from hypothesis import given
from hypothesis import strategies as st

from scopelint.config import (
    DEFAULT_EXCLUDE, ConfigError, Settings, find_config, load_settings, path_matches, split_codes,
)
from scopelint.rules import all_rules

CODES = list(all_rules())


def write_config(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(f"[project]\nname = 'x'\n\n[tool.scopelint]\n{body}\n", encoding="utf-8")
    return path


def test_defaults_select_every_code(tmp_path: Path) -> None:
    settings = load_settings([str(tmp_path)])
    assert settings.config_file is None
    assert all(settings.is_enabled(code, "a.py") for code in CODES)


def test_nearest_pyproject_with_a_scopelint_table(tmp_path: Path) -> None:
    outer = write_config(tmp_path, 'select = ["TFS1"]')
    inner = tmp_path / "pkg" / "sub"
    inner.mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text("[project]\nname = 'y'\n")  # no table: skipped
    (inner / "m.py").write_text("x = 1\n")
    assert find_config([str(inner / "m.py")]) == outer
    settings = load_settings([str(inner)])
    assert settings.select == ("TFS1",)
    assert settings.root == str(tmp_path.resolve())


def test_all_keys(tmp_path: Path) -> None:
    write_config(tmp_path, '''select = ["TFS1", "TFS2"]
ignore = ["TFS203"]
extend-select = ["TFS001"]
extend-ignore = ["TFS102"]
exclude = ["legacy/"]
[tool.scopelint.per-file-ignores]
"tests/*" = ["TFS201"]''')
    s = load_settings([str(tmp_path)])
    assert (s.select, s.ignore, s.extend_select, s.extend_ignore, s.exclude) == (
        ("TFS1", "TFS2"), ("TFS203",), ("TFS001",), ("TFS102",), ("legacy/",))
    assert s.per_file_ignores == (("tests/*", ("TFS201",)),)
    assert s.is_enabled("TFS201", str(tmp_path / "src" / "m.py"))
    assert not s.is_enabled("TFS201", str(tmp_path / "tests" / "test_m.py"))
    assert not s.is_enabled("TFS203", "m.py")
    assert s.is_enabled("TFS001", "m.py")


@pytest.mark.parametrize(("body", "words"), [
    ("colour = true", ["unknown key", "'colour'"]),
    ('selct = ["TFS1"]', ["unknown key 'selct' (did you mean 'select'?)"]),
    ('extend_exclude = ["x"]', ["unknown key 'extend_exclude' (did you mean 'extend-exclude'?)"]),
    ('select = "TFS1"', ["select", "list of strings"]),
    ("ignore = [1]", ["ignore", "list of strings"]),
    ('select = ["TFS999"]', ["select", "TFS999"]),
    ('extend-ignore = ["E501"]', ["extend-ignore", "E501"]),
    ('exclude = "build"', ["exclude", "list of strings"]),
    ('per-file-ignores = ["x"]', ["per-file-ignores", "table"]),
    ('[tool.scopelint.per-file-ignores]\n"a.py" = ["TFS77"]', ["per-file-ignores", "TFS77"]),
    ("select = [", ["invalid TOML"]),
    ('extend-tf-free = "mylib"', ["extend-tf-free", "list of strings"]),
    ('extend-tf-free = ["my lib"]', ["extend-tf-free", "not a module name", "'my lib'"]),
    ('tf-version = 1.15', ["tf-version", "TF 1.x version"]),
    ('tf-version = "2.4"', ["tf-version", "'2.4'"]),
])
def test_bad_config_names_file_and_key(tmp_path: Path, body: str, words: list[str]) -> None:
    path = write_config(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_settings([str(tmp_path)])
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_tf_free_modules_and_tf_version_reach_the_analysis(tmp_path: Path) -> None:
    assert load_settings([str(tmp_path)]).project.tf_version == "1.15"
    write_config(tmp_path, 'extend-tf-free = ["mylib", "corp.utils"]\ntf-version = "1.4"')
    settings = load_settings([str(tmp_path)])
    assert (settings.project.tf_free, settings.project.tf_version) == (
        ("mylib", "corp.utils"), "1.4")
    assert settings.settings_key() != Settings(root=settings.root).settings_key()


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    assert load_settings([str(tmp_path)]).exclude == DEFAULT_EXCLUDE
    write_config(tmp_path, 'extend-exclude = ["gen/"]')
    assert load_settings([str(tmp_path)]).exclude == (*DEFAULT_EXCLUDE, "gen/")
    write_config(tmp_path, 'exclude = ["legacy"]\nextend-exclude = ["gen/"]')
    assert load_settings([str(tmp_path)]).exclude == ("legacy", "gen/")


def test_codes_are_upper_cased(tmp_path: Path) -> None:
    write_config(tmp_path, 'select = ["tfs1"]\n[tool.scopelint.per-file-ignores]\n"t/*" = ["Tfs2"]')
    settings = load_settings([str(tmp_path)], overrides={"extend-ignore": ["tfs101"]})
    assert settings.select == ("TFS1",) and settings.extend_ignore == ("TFS101",)
    assert settings.per_file_ignores == (("t/*", ("TFS2",)),)
    with pytest.raises(ConfigError, match="unknown code 'tfs9'"):
        load_settings([str(tmp_path)], overrides={"ignore": ["tfs9"]})


def test_explicit_config_file(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    config = write_config(other, 'ignore = ["TFS2"]')
    write_config(tmp_path, 'ignore = ["TFS1"]')
    settings = load_settings([str(tmp_path)], str(config))
    assert settings.ignore == ("TFS2",)
    with pytest.raises(ConfigError, match="no such file"):
        load_settings([str(tmp_path)], str(tmp_path / "missing.toml"))


def test_command_line_overrides(tmp_path: Path) -> None:
    write_config(tmp_path, 'select = ["TFS1"]\nextend-ignore = ["TFS101"]')
    s = load_settings([str(tmp_path)], overrides={"select": ["TFS2"], "extend-ignore": ["TFS203"]})
    assert s.select == ("TFS2",)
    assert s.extend_ignore == ("TFS101", "TFS203")
    with pytest.raises(ConfigError, match="--ignore: unknown code 'TFS8'"):
        load_settings([str(tmp_path)], overrides={"ignore": ["TFS8"]})


def test_settings_key_is_stable_and_tracks_what_changes_the_analysis(tmp_path: Path) -> None:
    write_config(tmp_path, 'ignore = ["TFS1"]')
    first = load_settings([str(tmp_path)]).settings_key()
    assert first == load_settings([str(tmp_path)]).settings_key()
    assert first == load_settings([str(tmp_path)], overrides={"ignore": ["TFS2"]}).settings_key()
    write_config(tmp_path, 'src = ["lib"]')
    assert first != load_settings([str(tmp_path)]).settings_key()


def test_path_matches(tmp_path: Path) -> None:
    root = str(tmp_path)
    file = str(tmp_path / "legacy" / "old" / "m.py")
    assert path_matches(file, ["legacy"], root)
    assert path_matches(file, ["legacy/"], root)
    assert path_matches(file, ["legacy/*"], root)
    assert path_matches(file, ["**/old/*.py"], root)
    assert path_matches(file, ["m.py"], root)
    assert path_matches(file, [os.path.join(root, "legacy", "*")], root)
    assert not path_matches(file, ["old/m.py"], root)
    assert not path_matches(file, [tmp_path.name], root)  # above the root: not considered
    assert not path_matches(file, [], root)


def test_split_codes() -> None:
    assert split_codes("TFS1, TFS201 TFS203,") == ["TFS1", "TFS201", "TFS203"]


prefixes = st.sampled_from(sorted({code[:n] for code in CODES for n in range(3, 7)}))
code_lists = st.one_of(st.none(), st.lists(prefixes, max_size=3))


@given(code_lists, code_lists, code_lists, code_lists, st.sampled_from(CODES))
def test_decision_matches_flake8(select, ignore, extend_select, extend_ignore, code) -> None:
    """flake8 with scopelint as its only plugin (default select `TFS`) decides the same."""
    options = argparse.Namespace(
        select=select, ignore=ignore, extend_select=extend_select, extend_ignore=extend_ignore,
        extended_default_select=["TFS"], extended_default_ignore=[])
    expected = DecisionEngine(options).decision_for(code) is Decision.Selected
    settings = Settings(select=tuple(select) if select is not None else None,
                        ignore=tuple(ignore or ()), extend_select=tuple(extend_select or ()),
                        extend_ignore=tuple(extend_ignore or ()))
    assert settings.is_enabled(code, "m.py") == expected
