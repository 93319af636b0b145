"""The session: everything the analyses of one run keep between files.

Like mypy's `BuildManager`, one documented object holds the run-wide state, so that
nothing mutable lives at module level: the runner makes one per run (per chunk of
files in a worker process), `analysis.analyze_text` one per call unless given one,
and tests make their own. Two sessions share nothing, so two runs in one process
(tests, an editor server) cannot see each other's files, modules or counters.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, Optional

from scopelint.files import SourceError, decode_source, read_source

if TYPE_CHECKING:
    import ast

    import libcst as cst

    from scopelint.engine.entries import Version
    from scopelint.engine.graph import BranchWrites
    from scopelint.engine.project import Found, SourceFile
    from scopelint.engine.sharing import Shared
    from scopelint.engine.symbols import Holes
    from scopelint.engine.tffree import TFReach
    from scopelint.engine.tree_store import TreeStore
    from scopelint.engine.values import OuterWrites


class Session:
    """The files, modules, shared replays and counters of one run.

    - `files`: each file read, by (real path, content hash), read and parsed at most once
      whichever analysis asks for it; `once`, inside `reading_once`: each path as first read.
    - `found` and `no_tf`: module lookups by (project roots, module name), and the modules
      known to reach no TF module (`project.Project`); `tf_reaching`, those known to reach
      one, with their content hash; `tf_reach`, the installed modules that can (`tffree`).
    - `shared`: the replays of modules shared between programs (`sharing`).
    - `package_root`: the package root of the file analysed last (`runner`).
    - `graphs` and `holes`: the serial numbers of graphs and of holes in symbolic strings,
      unique within the session (facts and shared replays of one session meet).
    - `pieces`: the functions parsed in the latest version of each file, by path and text
      (`project.SourceFile.full_def`), and `skeletons`, the skeleton parsed of it
      (`project.SourceFile.parsed`), for an editor's next version of a buffer.
    - `branch_writes` and `outer_writes`: what the branches running now changed
      (`graph.BranchWrites`, `values.OuterWrites`).
    - `replays` and `restores`: how many times each module's top level was replayed, and
      taken from a shared replay instead, by path (`stats`).
    - `trees`: the libcst trees of earlier runs (`tree_store`), when the run uses the cache.
    - `share_modules`: whether module replays are shared (`sharing`); a run of one file
      has no later program to share them with, and skips taking their snapshots.
    - `release_checked`: whether a checked file that no program imported drops its
      trees once analysed (`release`): in a run over many files (`runner`) most such files
      are imported by no later one either (tensor2tensor: 235 of 443 files are imported by
      none, 40 by later ones only, which parse them again); an editor's session keeps them.
    """

    def __init__(self) -> None:
        self.trees: Optional[TreeStore] = None
        self.share_modules = True
        self.release_checked = False
        self.files: dict[tuple[str, str], Optional[SourceFile]] = {}
        self.pieces: dict[str, dict[str, cst.FunctionDef]] = {}
        self.skeletons: dict[str, tuple[str, cst.Module]] = {}
        self.complexity: dict[tuple[int, int, str], tuple[int, int]] = {}  # `limits`
        self.once: Optional[dict[str, Optional[SourceFile]]] = None
        self.found: dict[tuple[tuple[str, ...], str], Optional[Found]] = {}
        self.no_tf: set[tuple[tuple[str, ...], str]] = set()
        self.tf_reaching: set[tuple[tuple[str, ...], str, str]] = set()
        # (TF-free modules, TF version, module name, its file) -> the module as its top
        # level left it: the latest replays first, one for each set of writes the program
        # had made when it began
        self.shared: dict[tuple[object, ...], list[Shared]] = {}
        self.package_root: Optional[str] = None
        self.graphs = itertools.count(1)
        self.replays: Counter[str] = Counter()
        self.restores: Counter[str] = Counter()
        # by path: the replays without a caller of the file's last analysis, kept for its
        # next version when not None (`entries`; a language server's session keeps them)
        self.entry_replays: Optional[dict[str, Version]] = None

    # The replay's own state is made when a replay first needs it: a run whose files the
    # prefilter clears imports none of the engine's model (see `analysis`).
    @cached_property
    def holes(self) -> Holes:
        from scopelint.engine.symbols import Holes

        return Holes()

    @cached_property
    def branch_writes(self) -> BranchWrites:
        from scopelint.engine.graph import BranchWrites

        return BranchWrites()

    @cached_property
    def outer_writes(self) -> OuterWrites:
        from scopelint.engine.values import OuterWrites  # libcst is loaded for the engine only

        return OuterWrites()

    @cached_property
    def tf_reach(self) -> TFReach:
        """Which modules can reach TF (`tffree`), each installed module scanned once."""
        from scopelint.engine.tffree import TFReach

        return TFReach(self.load_file)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Inside, new holes (`symbols.hole`) are numbered by this session: values that
        make them (`values.Unknown`) are built everywhere, far from any session."""
        from scopelint.engine.symbols import HOLES

        token = HOLES.set(self.holes)
        try:
            yield
        finally:
            HOLES.reset(token)

    def load_file(self, path: str) -> Optional[SourceFile]:
        """The file's text, or None when it cannot be read or decoded."""
        if self.once is not None and path in self.once:
            return self.once[path]
        from scopelint.cache import content_hash
        from scopelint.engine.project import SourceFile

        try:
            data = read_source(path)
            text = decode_source(data)
        except SourceError:
            loaded = None
        else:
            key = (os.path.realpath(path), content_hash(data))
            if key not in self.files:
                self.files[key] = SourceFile(path, text, key[1], versions=self.pieces,
                                             skeletons=self.skeletons, trees=self.trees)
            loaded = self.files[key]
        if self.once is not None:
            self.once[path] = loaded
        return loaded

    @contextmanager
    def reading_once(self) -> Iterator[None]:
        """Inside, each path is read once, and every later load takes what was read: a run
        sees each file as it first read it. Outside, every load reads the file again (and
        parses it again only when its content changed), so that analyses see edits."""
        if self.once is not None:
            yield
            return
        self.once = {}
        try:
            yield
        finally:
            self.once = None

    def stats(self) -> dict[str, dict[str, int]]:
        """The replay counts, for `SCOPELINT_STATS` (`runner`)."""
        return {"replays": dict(self.replays), "restores": dict(self.restores)}

    def loaded_files(self) -> list[SourceFile]:
        """Every file this session has read for an analysis."""
        return [f for f in self.files.values() if f is not None]

    def forget(self) -> None:
        """Forget every file read, module found and module shared (a cold start, or a run
        moving on to another project), and where the holes made so far came from (the
        values holding them are gone: their origins hold the trees of their files); the
        trees it parsed are stored first. The files drop their trees: the module states
        still holding them are in cycles, and trees freed now by reference counting are
        no longer walked by the cyclic GC's pass that frees those (`runner.moving_to`)."""
        self.save_trees()
        for source in self.loaded_files():
            source.drop_trees()
        if self.trees is not None:
            self.trees.packs.clear()
        self.files.clear()
        self.pieces.clear()
        self.skeletons.clear()
        self.complexity.clear()
        self.found.clear()
        if self.once is not None:
            self.once.clear()
        self.no_tf.clear()
        self.tf_reaching.clear()
        self.shared.clear()
        if self.entry_replays is not None:
            self.entry_replays.clear()
        self.__dict__.pop("tf_reach", None)
        if "holes" in self.__dict__:  # made by a replay (`cached_property`)
            self.holes.origins.clear()

    def save_trees(self) -> None:
        """Store the trees parsed since the last save for later runs (`tree_store`); deep
        trees need the analysis thread's large stack."""
        if self.trees is not None:
            self.trees.flush()

    def forget_version(self, path: str, digest: Optional[str] = None) -> None:
        """Forget one version of a file read or analysed before (None: every version), when
        the file changed since: a language server analyses each edit of a buffer as a new
        version, and reads a module again when it changes on disk."""
        real = os.path.realpath(path)
        keys = [(real, digest)] if digest is not None else [k for k in self.files if k[0] == real]
        for key in keys:
            self.files.pop(key, None)

    def release(self, source: SourceFile) -> None:
        """Drop the trees of a file analysed (see `release_checked`); an import of it later
        in the run parses it again."""
        source.drop_trees()
        self.pieces.pop(source.path, None)
        self.skeletons.pop(source.path, None)

    def remember(self, path: str, text: str, digest: str, tree: ast.Module) -> SourceFile:
        """The analysed file itself, so that a module importing it reuses its parse."""
        from scopelint.engine.project import SourceFile

        key = (os.path.realpath(path), digest)
        found = self.files.get(key)
        if found is None or found.path != path:
            found = self.files[key] = SourceFile(path, text, digest, tree, versions=self.pieces,
                                                 skeletons=self.skeletons, trees=self.trees)
        else:  # read as an import from the tree store before, it has no CPython tree
            found.give_tree(tree)
        return found
