"""Settings: `[tool.scopelint]` found from each document's path, as `check --stdin-filename`
finds it (so each workspace folder, and each project in it, has its own), and the editor's
options (`initializationOptions`, `workspace/didChangeConfiguration`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Iterable, Optional, Union

from scopelint.config import ConfigError, Settings, load_settings


@dataclass(frozen=True)
class ClientOptions:
    """What the editor may switch: `{"inlayHints": false}`, alone or under `scopelint`."""

    inlay_hints: bool = True

    @classmethod
    def read(cls, value: Any, current: Optional[ClientOptions] = None) -> ClientOptions:
        options = current or cls()
        if isinstance(value, dict) and isinstance(value.get("scopelint"), dict):
            value = value["scopelint"]
        if isinstance(value, dict) and isinstance(value.get("inlayHints"), bool):
            options = replace(options, inlay_hints=value["inlayHints"])
        return options


class FolderSettings:
    """The settings of each document's folder, read once until a config file changes."""

    def __init__(self) -> None:
        self.folders: list[str] = []  # the workspace folders, absolute
        self._by_folder: dict[str, Union[Settings, ConfigError]] = {}

    def set_folders(self, folders: Iterable[str]) -> None:
        self.folders = [os.path.abspath(f) for f in folders]
        self.forget()

    def forget(self) -> None:
        """A config file changed: read them again."""
        self._by_folder.clear()

    def for_path(self, path: str) -> Settings:
        """The settings for the file at `path`; ConfigError for a bad config. Without a
        config file, the globs are relative to the workspace folder holding the file."""
        folder = os.path.dirname(path)
        if folder not in self._by_folder:
            try:
                settings = load_settings([path])
            except ConfigError as err:
                self._by_folder[folder] = err
            else:
                if settings.config_file is None:
                    settings = replace(settings, root=self.folder_of(path))
                self._by_folder[folder] = settings
        found = self._by_folder[folder]
        if isinstance(found, ConfigError):
            raise found
        return found

    def folder_of(self, path: str) -> str:
        """The innermost workspace folder holding `path`, else the file's own folder."""
        holding = [f for f in self.folders if _is_under(path, f)]
        return max(holding, key=len) if holding else os.path.dirname(path)


def _is_under(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive
        return False
