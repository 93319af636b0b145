"""Which modules can reach TF: decided from their source on disk, never by importing them.

A call into a module that cannot reach TF (the standard library, numpy, argparse,
any project module or installed package whose code, through its own imports, never
imports TF) cannot change the graph, scopes, reuse or name counters, unless it is
handed code or TF objects to run (see `expressions.holds_tf`). A module is
TF-capable when it imports a TF module (`TF_ROOTS`), directly or through the modules
it imports (read from their text, found on `sys.path` with
`importlib.machinery.PathFinder`, which runs nothing); when it cannot be found (unless
the config's `extend-tf-free` names it); or when its calls load code by name
(`importlib`, `runpy`, ...). An import inside a module that cannot be found is not
installed here and is skipped; compiled modules count as TF-free. Results are kept
for the session.
"""

from __future__ import annotations

import sys
from importlib.machinery import PathFinder
from typing import Callable, Optional, Sequence

from scopelint.engine.project import Project, SourceFile, absolute
from scopelint.files import SourceError, decode_source, read_source
from scopelint.prefilter import ROOTS

TF_ROOTS = frozenset({*ROOTS, "keras", "tf_keras", "sonnet", "tensor2tensor", "tflearn",
                      "tensorpack", "trax", "t2t"})
# A fast path for common TF-free libraries (the scan would say the same, more slowly).
KNOWN_FREE = frozenset({
    "numpy", "scipy", "pandas", "six", "absl", "PIL", "cv2", "matplotlib", "sklearn", "h5py",
    "tqdm", "yaml", "skimage", "imageio", "nltk", "sentencepiece", "future", "past",
    "google.protobuf", "simplejson", "regex", "requests", "termcolor", "colorama", "tabulate",
})
# Standard modules whose calls load and run code by name.
LOADS_CODE = frozenset({
    "importlib", "imp", "runpy", "pkgutil", "code", "codeop", "builtins", "unittest", "ctypes",
})
# TF-free modules whose calls may return any object, one of the program's too.
RETURNS_ANY = frozenset({
    "pickle", "shelve", "marshal", "dill", "cloudpickle", "joblib", "copy", "copyreg",
    "weakref", "gc", "inspect", "types", "functools", "operator",
})
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}

class TFReach:
    """Which modules can reach TF, for one session: each installed module is looked up and
    scanned once (`session.Session.tf_reach`)."""

    def __init__(self, load_file: Callable[[str], Optional[SourceFile]]) -> None:
        self.load_file = load_file  # a project file, as the session reads it
        self.scanned: dict[str, bool] = {}  # installed module name -> reaches TF
        self.sources: dict[str, Optional[tuple[str, bool]]] = {}  # module -> (file, package)
        self.dirs: dict[str, list[str]] = {}  # installed package -> its submodules' folders

    def reaches_tf(self, path: str, project: Optional[Project], free: Sequence[str] = ()) -> bool:
        """Whether calling `path` (`numpy.zeros`, `utils.log`, `mylib.f`) may run TF code."""
        if _listed(path, free):
            return False
        top = path.split(".")[0]
        if top in TF_ROOTS or top in LOADS_CODE:
            return True
        if _listed(path, KNOWN_FREE) or top in _STDLIB:
            return False
        if project is not None:
            found = project.find(top)
            if found is not None:
                return self._project_reaches(path, project)
        module = self._deepest_installed(path)
        if module is None:
            return True  # not found: it may be anything
        return self._installed_reaches(module)

    def _project_reaches(self, path: str, project: Project) -> bool:
        """A project module: the deepest one `path` names, by the project's own search."""
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            found = project.find(".".join(parts[:i]))
            if found is None:
                continue
            if not found.has_file:
                return False  # a namespace package runs no code of its own
            source = self.load_file(found.path)
            if source is None or not source.parses():
                return True  # unreadable or broken: unknown
            return source.mentions_tf() or project.reaches_tf(source, found.name, found.package)
        return True

    def _deepest_installed(self, path: str) -> Optional[str]:
        """The longest prefix of `path` that is an installed module with a known source."""
        parts = path.split(".")
        best: Optional[str] = None
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if self._source(name) is None:
                break
            best = name
        return best

    def _source(self, name: str) -> Optional[tuple[str, bool]]:
        """(source file or "" for compiled / namespace code, is a package) of an installed
        module, or None when it cannot be found."""
        if name in self.sources:
            return self.sources[name]
        parent, _, leaf = name.rpartition(".")
        search: Optional[list[str]] = None
        if parent:
            found = self._source(parent)
            if found is None or not found[1]:
                self.sources[name] = None
                return None
            search = self.dirs.get(parent, [])
        try:
            spec = PathFinder.find_spec(leaf if parent else name, search)
        except (ImportError, ValueError, OSError):
            spec = None
        result: Optional[tuple[str, bool]] = None
        if spec is not None:
            origin = spec.origin or ""
            package = spec.submodule_search_locations is not None
            if package:
                self.dirs[name] = list(spec.submodule_search_locations or ())
            result = (origin if origin.endswith(".py") else "", package)
        self.sources[name] = result
        return result

    def _installed_reaches(self, name: str) -> bool:
        """An installed module imports TF, itself or through what it imports (cached)."""
        if name in self.scanned:
            return self.scanned[name]
        seen = {name}
        todo = [name]
        while todo:
            module = todo.pop()
            for imported in self._imports_of(module):
                top = imported.split(".")[0]
                if top in TF_ROOTS:
                    self.scanned[name] = True
                    return True
                if top in _STDLIB or _listed(imported, KNOWN_FREE):
                    continue
                for prefix in _prefixes(imported):
                    if prefix in seen or self.scanned.get(prefix) is False:
                        continue
                    seen.add(prefix)
                    if self._source(prefix) is not None:
                        todo.append(prefix)
        for module in seen:
            self.scanned[module] = False
        return False

    def _imports_of(self, name: str) -> list[str]:
        """The absolute names a module's import statements (at any depth) may load."""
        found = self._source(name)
        if found is None or not found[0]:
            return []
        try:
            text = decode_source(read_source(found[0]))
        except (SourceError, OSError):
            return []
        names: list[str] = []
        for module, level, members in SourceFile(found[0], text, "").imports():
            base = absolute(module, level, name, found[1]) if level or module else None
            if not base:
                continue
            names.append(base)
            names += [f"{base}.{m}" for m in members if m and m != "*"]
        return names


def returns_any(path: str) -> bool:
    """Whether a TF-free call of `path` may return any object (`pickle.load`)."""
    return path.split(".")[0] in RETURNS_ANY


def _listed(path: str, names: Sequence[str] | frozenset[str]) -> bool:
    """`path` is one of `names` or lies below one."""
    return any(path == name or path.startswith(name + ".") for name in names)


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
