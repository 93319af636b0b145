"""`[tool.scopelint]` loading and validation, and the select/ignore decision.

Select and ignore follow flake8: entries are code prefixes (`TFS2` covers
TFS201..TFS205), and when a code matches both lists the longer explicit
prefix wins (ignore wins a tie).
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from scopelint.rules import all_rules

if TYPE_CHECKING:
    from scopelint.engine.project import ProjectSettings

# Set to 1 to parse every file whole and replay every imported module in every program
# (to check that the shortcuts change no output: tests/test_shortcuts.py, benchmarks/run.py).
NO_SHORTCUTS = "SCOPELINT_NO_SHORTCUTS"

CODE_PREFIX = re.compile(r"^TFS[0-9]{0,3}$")
CODE_LISTS = ("select", "ignore", "extend-select", "extend-ignore")
KEYS = (*CODE_LISTS, "exclude", "extend-exclude", "per-file-ignores", "follow-imports",
        "src", "names-lock", "extend-tf-free", "tf-version")
MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
TF_VERSION = re.compile(r"^[01]\.[0-9]+(\.[0-9]+)?$")
DEFAULT_SELECT = ("TFS",)
# ruff's default excludes, plus every hidden directory (a trailing "/" matches directories only)
DEFAULT_EXCLUDE = (
    ".*/", "__pypackages__", "_build", "buck-out", "build", "dist", "env", "node_modules",
    "site-packages", "venv",
)


class ConfigError(Exception):
    """A bad configuration file or option; the CLI exits with status 2."""


@dataclass(frozen=True)
class Settings:
    """The effective configuration: config file values overridden by CLI options."""

    select: Optional[tuple[str, ...]] = None  # None: every code (implicitly)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    force_exclude: bool = False  # excludes apply to paths named on the command line too
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    root: str = field(default_factory=os.getcwd)  # globs are relative to it
    config_file: Optional[str] = None
    names_lock: Optional[str] = None  # the names lock TFS301 compares with
    follow_imports: bool = True  # replay the project modules a file imports
    src: tuple[str, ...] = ()  # extra import roots, absolute
    tf_free: tuple[str, ...] = ()  # modules that cannot reach TF (`extend-tf-free`)
    # `tf.__version__` (`tf-version`); None: the analysis's default (`ProjectSettings`)
    tf_version: Optional[str] = None

    @property
    def shortcuts(self) -> bool:
        """Whether the analysis takes its shortcuts (off with `NO_SHORTCUTS`)."""
        return os.environ.get(NO_SHORTCUTS, "") in ("", "0")

    @property
    def project(self) -> ProjectSettings:
        """What the analysis of one file may reach (and `NO_SHORTCUTS`)."""
        from scopelint.engine.project import ProjectSettings  # not for a run all cached

        project = ProjectSettings(self.follow_imports, self.src, shortcuts=self.shortcuts,
                                  tf_free=self.tf_free)
        return project if self.tf_version is None else replace(project,
                                                               tf_version=self.tf_version)

    def settings_key(self) -> str:
        """A stable string naming what changes a file's analysis (the runner's cache key).

        The cache holds findings before select, ignore and noqa filter them, and excludes
        only choose the files: none of those is part of the key.
        """
        data = {"follow-imports": self.follow_imports, "src": self.src,
                "shortcuts": self.shortcuts, "extend-tf-free": self.tf_free,
                "tf-version": self.tf_version}
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def is_enabled(self, code: str, path: str) -> bool:
        """Whether findings with `code` are reported for the file at `path`."""
        explicit = (*(self.select or ()), *self.extend_select)
        selected = (*(self.select if self.select is not None else DEFAULT_SELECT),
                    *self.extend_select)
        ignored = (*self.ignore, *self.extend_ignore, *self.file_ignores(path))
        select_match = longest_prefix(code, selected)
        ignore_match = longest_prefix(code, ignored)
        if select_match is None:
            return False
        if ignore_match is None:
            return True
        return longest_prefix(code, explicit) is not None and len(select_match) > len(ignore_match)

    def file_ignores(self, path: str) -> tuple[str, ...]:
        """The codes `per-file-ignores` ignores for `path`."""
        return tuple(code for pattern, codes in self.per_file_ignores
                     if path_matches(path, (pattern,), self.root) for code in codes)


def longest_prefix(code: str, prefixes: Iterable[str]) -> Optional[str]:
    """The longest entry of `prefixes` that `code` starts with."""
    return max((p for p in prefixes if code.startswith(p)), key=len, default=None)


def path_matches(path: str, patterns: Sequence[str], root: str) -> bool:
    """Whether `path` or a directory above it (up to `root`) matches a glob, flake8 style.

    A pattern matches a basename, a path relative to `root` (a leading `**/`
    may match nothing) or the absolute path.
    """
    absolute = PurePosixPath(Path(os.path.abspath(path)).as_posix())
    try:
        relative = absolute.relative_to(Path(os.path.abspath(root)).as_posix())
        candidates = [c for c in (relative, *relative.parents) if c.name]
    except ValueError:
        candidates = [PurePosixPath(absolute.name)]
    for pattern in patterns:
        bare = pattern.rstrip("/")
        short = bare[3:] if bare.startswith("**/") else bare
        if fnmatch.fnmatchcase(str(absolute), bare):
            return True
        for candidate in candidates:
            if any(fnmatch.fnmatchcase(text, glob)
                   for text in (candidate.name, str(candidate)) for glob in (bare, short)):
                return True
    return False


def known_codes() -> tuple[str, ...]:
    """Every code scopelint can report."""
    return tuple(all_rules())


def check_codes(codes: Iterable[str], where: str) -> tuple[str, ...]:
    """Validate code prefixes, in any case, and return them upper-cased.

    `where` names the option or file key in the error.
    """
    known = known_codes()
    result = []
    for given in codes:
        code = given.upper()
        if not CODE_PREFIX.match(code) or not any(k.startswith(code) for k in known):
            raise ConfigError(f"{where}: unknown code {given!r} (known: {', '.join(known)})")
        result.append(code)
    return tuple(result)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def split_codes(value: str) -> list[str]:
    """Split a command-line code list on commas and whitespace, as flake8 does."""
    return [item for item in re.split(r"[,\s]", value) if item]


def find_config(paths: Sequence[str]) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.scopelint] table above the paths."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    start = Path(os.path.commonpath(absolute))
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and "scopelint" in read_toml(candidate).get("tool", {}):
            return candidate
    return None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a ConfigError."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None


def load_table(path: Path) -> dict[str, Any]:
    """The validated [tool.scopelint] table of `path` ({} when it has none), codes upper-cased."""
    table = read_toml(path).get("tool", {}).get("scopelint", {})
    where = f"{path}: [tool.scopelint]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    result: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, KEYS)} "
                              f"(known: {', '.join(KEYS)})")
        if key == "follow-imports":
            if not isinstance(value, bool):
                raise ConfigError(f"{where} {key}: must be true or false, got {value!r}")
            result[key] = value
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where} {key}: must be a table of glob = [codes]")
            ignores = {}
            for glob, codes in value.items():
                entry = f"{where} {key} {glob!r}"
                ignores[glob] = check_codes(string_list(codes, entry), entry)
            result[key] = ignores
        elif key == "extend-tf-free":
            names = string_list(value, f"{where} {key}")
            for name in names:
                if not MODULE_NAME.match(name):
                    raise ConfigError(f"{where} {key}: not a module name: {name!r}")
            result[key] = tuple(names)
        elif key == "tf-version":
            if not isinstance(value, str) or not TF_VERSION.match(value):
                raise ConfigError(f"{where} {key}: must be a TF 1.x version such as "
                                  f"\"1.15\", got {value!r}")
            result[key] = value
        elif key == "names-lock":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where} {key}: must be a file name, got {value!r}")
            result[key] = value
        else:
            strings = string_list(value, f"{where} {key}")
            result[key] = check_codes(strings, f"{where} {key}") if key in CODE_LISTS \
                else tuple(strings)
    return result


def string_list(value: Any, where: str) -> list[str]:
    """`value` when it is a list of strings, else a ConfigError."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: must be a list of strings, got {value!r}")
    return value


def load_settings(
    paths: Sequence[str],
    config_file: Optional[str] = None,
    overrides: Optional[dict[str, Optional[list[str]]]] = None,
    force_exclude: bool = False,
) -> Settings:
    """Settings from the config file (given, or the nearest one) and CLI overrides.

    `overrides` maps option names (`select`, `extend-ignore`, ...) to code
    lists given on the command line; `select`/`ignore` replace the file's
    values, the `extend-` lists add to them. The file's `exclude` replaces
    DEFAULT_EXCLUDE, its `extend-exclude` adds to it.
    """
    if config_file and not Path(config_file).is_file():
        raise ConfigError(f"--config: no such file: {config_file}")
    path = Path(config_file) if config_file else find_config(paths)
    table = load_table(path) if path else {}
    settings = Settings(
        select=table.get("select"),
        ignore=table.get("ignore", ()),
        extend_select=table.get("extend-select", ()),
        extend_ignore=table.get("extend-ignore", ()),
        exclude=table.get("exclude", DEFAULT_EXCLUDE) + table.get("extend-exclude", ()),
        force_exclude=force_exclude,
        per_file_ignores=tuple(table.get("per-file-ignores", {}).items()),
        root=str(path.parent.resolve()) if path else os.getcwd(),
        config_file=str(path) if path else None,
        follow_imports=table.get("follow-imports", True),
        src=tuple(os.path.join(str(path.parent.resolve()), folder)
                  for folder in table.get("src", ())) if path else (),
        names_lock=str(path.parent / table["names-lock"]) if path and "names-lock" in table
        else None,
        tf_free=table.get("extend-tf-free", ()),
        tf_version=table.get("tf-version"),
    )
    given = {option: check_codes(codes, f"--{option}")
             for option, codes in (overrides or {}).items() if codes is not None}
    return replace(
        settings,
        select=given.get("select", settings.select),
        ignore=given.get("ignore", settings.ignore),
        extend_select=settings.extend_select + given.get("extend-select", ()),
        extend_ignore=settings.extend_ignore + given.get("extend-ignore", ()),
    )
