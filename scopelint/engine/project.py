"""The project around an analysed file: where its imports lead, each module parsed once.

Roots, in order: the analysed file's directory (Python puts a script's directory
first on `sys.path`), its package root (the folder above the topmost one with an
`__init__.py`), then the configured `src` folders. A module found under a root is a
project module; TF and the other modules scopelint models by name never are, even
when a project folder shadows them. Each file is read and parsed at most once per
session (`session.Session.load_file`), whichever analysis asks for it.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, NamedTuple, Optional, Protocol, Sequence, Union, cast

from scopelint.engine import tfapi
from scopelint.limits import may_be_too_complex, too_complex

if TYPE_CHECKING:
    import libcst as cst

    from scopelint.engine.positions import Positions
    from scopelint.engine.tree_store import TreeStore

# Top-level names never resolved to project files: scopelint models them by name.
MODELLED = frozenset({name.partition(".")[0] for name in tfapi.MODULES} | {"absl"})


@dataclass(frozen=True)
class ProjectSettings:
    """How far an analysis reaches: project imports followed or not, and extra roots."""

    follow: bool = True
    src: tuple[str, ...] = ()
    # Function bodies parsed when first run (`SourceFile.parsed`), modules replayed once
    # per process (`sharing`); off only to check that they change nothing.
    shortcuts: bool = True
    tf_free: tuple[str, ...] = ()  # modules declared TF-free (`extend-tf-free`)
    tf_version: str = "1.15"  # what `tf.__version__` is (`tf-version`)


Import = tuple[str, int, tuple[str, ...]]  # (module, level of leading dots, imported names)

# Import statements, found in the text without parsing it: `import a.b as c, d`,
# `from ..m import (x, y)`. It may also match inside strings, which only costs time.
_IMPORTS = re.compile(
    r"(?:^|[;:])[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*)"
    r"|import[ \t]+([^\n#;]*))", re.MULTILINE)


@dataclass
class SourceFile:
    """One module's text; its CPython and libcst trees are made on first use."""

    path: str  # as shown in findings
    text: str
    digest: str
    _tree: Optional[ast.Module] = field(default=None, repr=False)
    _broken: bool = field(default=False, repr=False)
    _cst: dict[bool, tuple[cst.Module, Positions]] = field(default_factory=dict, repr=False)
    _bodies: dict[int, cst.FunctionDef] = field(default_factory=dict, repr=False)
    libcst_lines: int = 0  # the lines of code handed to libcst so far (blanked ones aside)
    _lines: Optional[list[str]] = field(default=None, repr=False)
    _imports: Optional[list[Import]] = field(default=None, repr=False)
    _mentions_tf: Optional[bool] = field(default=None, repr=False)
    # The functions parsed in the latest version of each file (by path, then by their text),
    # kept by the session: another version of this file (an editor's buffer as it is edited)
    # parses again only the functions whose text changed; libcst trees are immutable, and
    # each version pairs them with its own positions.
    versions: dict[str, dict[str, cst.FunctionDef]] = field(default_factory=dict, repr=False)
    _pieces: dict[str, cst.FunctionDef] = field(default_factory=dict, repr=False)  # by text
    _earlier: Optional[dict[str, cst.FunctionDef]] = field(default=None, repr=False)
    # Likewise the skeleton (see `parsed`) of the latest version of each file, by path: an
    # edit inside a function body leaves it as it was.
    skeletons: dict[str, tuple[str, cst.Module]] = field(default_factory=dict, repr=False)
    trees: Optional[TreeStore] = field(default=None, repr=False)  # parses of earlier runs
    _hollowed: bool = field(default=False, repr=False)  # taken from the store (`_stored`)
    imported: bool = field(default=False, repr=False)  # run as a module a program imported

    def tree(self) -> Optional[ast.Module]:
        """CPython's tree, or None when the file does not parse (or is beyond `limits`)."""
        if self._tree is None and not self._broken:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._tree = ast.parse(self.text, filename=self.path)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._broken = True
            else:
                if may_be_too_complex(self.text) and self._too_complex() is not None:
                    self._tree, self._broken = None, True
        return self._tree

    def drop_trees(self) -> None:
        """Forget the trees made so far (the text stays): a later use parses it again."""
        self._tree, self._earlier, self._hollowed, self._pieces = None, None, False, {}
        for _, positions in self._cst.values():
            positions.release()
        self._cst.clear()
        self._bodies.clear()

    def give_tree(self, tree: ast.Module) -> None:
        """CPython's tree of the whole text, made by the caller (`tree` would parse it)."""
        if self._tree is None and not self._broken:
            self._tree = tree

    def _too_complex(self) -> Optional[tuple[int, str]]:
        """`limits.too_complex` of the tree, as an earlier run found it when it can."""
        assert self._tree is not None
        if self.trees is None or not self.digest:
            return too_complex(self._tree)
        known, verdict = self.trees.verdict(self.digest)
        if not known:
            verdict = too_complex(self._tree)
            self.trees.keep_verdict(self.digest, verdict)
        return verdict

    def _parse(self, text: str) -> cst.Module:
        """libcst's parse of `text`, or the tree an earlier run stored for the same text."""
        import libcst as cst

        if self.trees is None or not self.digest:
            return cst.parse_module(text)
        found = self.trees.parsed(self.digest, text)
        if found is None:
            found = cst.parse_module(text)
            self.trees.keep(self.path, self.digest, text, found)
        return found

    def imports(self) -> list[Import]:
        """What the import statements at any depth may import, read from the text."""
        if self._imports is None:
            self._imports = []
            for dots, module, names, plain in _IMPORTS.findall(self.text):
                if plain:
                    for item in plain.replace("\\", " ").split(","):
                        self._imports.append((item.split(" as ")[0].strip(), 0, ()))
                else:
                    members = names.strip("() \t\\").replace("\n", " ").split(",")
                    self._imports.append((module, len(dots), tuple(
                        m.split(" as ")[0].strip(" \t\\") for m in members)))
        return self._imports

    def mentions_tf(self) -> bool:
        """`prefilter.mentions_tf` of the text."""
        if self._mentions_tf is None:
            from scopelint.prefilter import mentions_tf

            self._mentions_tf = mentions_tf(self.text)
        return self._mentions_tf

    def parsed(self, lazy: bool = True, either: bool = False,
               keep: bool = False) -> tuple[cst.Module, Positions]:
        """The libcst tree and its positions (libcst errors propagate).

        `lazy`: the body of each function defined at module or class level is left
        out (`...`), and parsed on its own when the replay first runs it (`full_def`):
        most functions of an imported module never run, nor do those of a checked file
        that nothing calls and that can reach no fact. `either`: a parse of the other kind
        made before will do. `keep` (the file a program runs as `__main__`): its skeleton is
        kept for its next version, which takes it when its own is the same text (an edit
        inside a body); a module the same program imports never shares its nodes.
        """
        if either and lazy not in self._cst and (not lazy) in self._cst:
            return self._cst[not lazy]
        if lazy not in self._cst:
            self._cst[lazy] = (lazy and self._stored()) or self._parse_file(lazy, keep)
        return self._cst[lazy]

    def _parse_file(self, lazy: bool, keep: bool) -> tuple[cst.Module, Positions]:
        """`parsed`, with positions from CPython's tree of the whole file."""
        import libcst as cst

        from scopelint.engine.positions import Positions

        tree = self.tree()
        text, stubs, ranges = _skeleton(self.lines(), tree) if lazy and tree \
            else (self.text, [], [])
        kept = self.skeletons.get(self.path) if stubs and keep else None
        try:
            module = kept[1] if kept is not None and kept[0] == text else self._parse(text)
        except cst.ParserSyntaxError:
            if not stubs:
                raise
            module, stubs = self._parse(self.text), []
        else:
            if lazy and tree and self.trees is not None and self.digest:
                self.trees.keep_stubs(self.path, self.digest, ranges)
        if stubs and keep:
            self.skeletons[self.path] = (text, module)
        blanked = sum((n.end_lineno or 0) - n.body[0].lineno for n in stubs)
        self.libcst_lines += self.text.count("\n") - blanked
        return module, Positions(module, tree, self._split_lines(), self.path, stubs)

    def _stored(self) -> Optional[tuple[cst.Module, Positions]]:
        """The skeleton (`parsed`) an earlier run stored (`tree_store`), without parsing
        the file: positions come from CPython's tree of the skeleton alone (its lines
        kept), each body left out getting its own when it first runs (`full_def`). None
        when the store does not hold it."""
        from scopelint.engine.positions import Positions

        ranges = self._stored_ranges()
        if ranges is None or self.trees is None:
            return None
        module = self.trees.parsed(self.digest, _blank(self.lines(), ranges))
        if module is None:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                skeleton = ast.parse(_blank(self.lines(), ranges, numbered=True),
                                     filename=self.path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        ends = {header: last for header, _, last in ranges}
        stubs = [node for node in _defs(skeleton) if node.lineno in ends]
        for node in stubs:
            node.end_lineno = ends[node.lineno]  # where the function ends in the file
        self._hollowed = True
        return module, Positions(module, skeleton, self._split_lines(), self.path, stubs)

    def _split_lines(self) -> list[str]:
        return self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def _stored_ranges(self) -> Optional[Ranges]:
        """The bodies an earlier run left out of this file's skeleton, if it stored it (it
        did so only when the file parsed within `limits`)."""
        if self.trees is None or not self.digest or self._broken:
            return None
        return self.trees.stubs(self.digest, len(self.lines()))

    def parses(self) -> bool:
        """Whether the file parses, within `limits` (`tree`; known without parsing it when
        an earlier run stored its skeleton)."""
        return self._hollowed or self._stored_ranges() is not None or self.tree() is not None

    def lines(self) -> list[str]:
        """The lines of the text with their endings, numbered as CPython's tokenizer does."""
        if self._lines is None:
            self._lines = _LINE.findall(self.text)
        return self._lines

    def full_def(self, header: cst.FunctionDef) -> cst.FunctionDef:
        """The function whose body `parsed` left out, parsed now (else `header` itself)."""
        found = self._bodies.get(id(header))
        if found is not None:
            return found
        node = self._cst[True][1].stub(header) if True in self._cst else None
        if node is None:
            return header
        import libcst as cst

        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        piece = "".join(self.lines()[start - 1:node.end_lineno])
        if self._earlier is None:  # the first function parsed in this version of the file
            self._earlier = self.versions.get(self.path, {})
            self.versions[self.path] = self._pieces
        found = None if piece in self._pieces else self._earlier.get(piece)
        if found is None:
            try:
                parsed = self._parse(f"if 1:\n{piece}" if node.col_offset else piece).body[0]
            except cst.ParserSyntaxError:
                cst.parse_module(self.text)  # raises with the file's own positions
                raise
            self.libcst_lines += piece.count("\n")
            found = cast("cst.FunctionDef", cast("cst.IndentedBlock", cast("cst.If", parsed).body)
                         .body[0] if node.col_offset else parsed)  # parsed inside `if 1:`
        self._pieces[piece] = found
        if self._hollowed:  # `node` is the skeleton's: the body's statements, the piece's
            node = _parsed_piece(piece, start, node.col_offset)
        self._cst[True][1].pair_body(found, node)
        self._bodies[id(header)] = found
        return found


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


Stub = Union[ast.FunctionDef, ast.AsyncFunctionDef]
Ranges = list[tuple[int, int, int]]  # (header line, first and last line of the body left out)


def _skeleton(text_lines: list[str], tree: ast.Module) -> tuple[str, list[Stub], Ranges]:
    """The text with the body of each function defined at module or class level left out
    (see `_blank`; positions come from the `ast` tree), those functions, and the lines of
    each. A body on its header's last line stays."""
    stubs: list[Stub] = []
    ranges: Ranges = []
    for node in _defs(tree):
        ends = [getattr(n, "end_lineno", 0) or 0 for n in ast.walk(node.args)]
        header = max([node.lineno, *ends, (node.returns.end_lineno or 0) if node.returns else 0])
        first, last = node.body[0].lineno, node.end_lineno or 0
        if first <= header or last > len(text_lines):
            continue
        stubs.append(node)
        ranges.append((node.lineno, first, last))
    return _blank(text_lines, ranges), stubs, ranges


def _defs(tree: ast.Module) -> list[Stub]:
    """The functions defined at module or class level, the last first."""
    found: list[Stub] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.ClassDef):
            todo.extend(node.body)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(node)
    return found


def _blank(text_lines: list[str], ranges: Ranges, numbered: bool = False) -> str:
    """The text with each range of lines left out: its first line `...`, the others removed
    (an edit inside a body leaves the text as it was), or with `numbered`, left empty (the
    lines after keep their numbers, for CPython's tree)."""
    lines = list(text_lines)
    for _, first, last in ranges:
        line = lines[first - 1]
        indent = line[:len(line) - len(line.lstrip(" \t\f"))]
        lines[first - 1] = indent + "..." + _ending(line)
        lines[first:last] = ["\n" if numbered else ""] * (last - first)
    return "".join(lines)


def _parsed_piece(piece: str, start: int, indented: int) -> Stub:
    """CPython's tree of a function's text that begins on line `start` of its file."""
    if indented:
        node = cast(ast.If, ast.parse(f"if 1:\n{piece}").body[0]).body[0]
        return cast(Stub, ast.increment_lineno(node, start - 2))
    return cast(Stub, ast.increment_lineno(ast.parse(piece).body[0], start - 1))


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


@dataclass(frozen=True)
class Found:
    """A project module on disk: a file, or a namespace package (a folder, no file)."""

    name: str
    path: str  # the `.py` file, or the folder of a namespace package
    package: bool

    @property
    def has_file(self) -> bool:
        return self.path.endswith(".py")


class ProjectFiles(Protocol):
    """What a project takes from the session (`session.Session`): files as read once, and
    the module lookups it remembers."""

    @property
    def found(self) -> dict[tuple[tuple[str, ...], str], Optional[Found]]: ...

    @property
    def no_tf(self) -> set[tuple[tuple[str, ...], str]]: ...

    @property
    def tf_reaching(self) -> set[tuple[tuple[str, ...], str, str]]: ...

    def load_file(self, path: str) -> Optional[SourceFile]: ...


class Project:
    """Module resolution for one analysed file (its roots and its own module name)."""

    def __init__(self, entry: str, src: Sequence[str], session: ProjectFiles) -> None:
        self.session = session  # files read and modules found, for the whole run
        folder = os.path.dirname(entry) or "."
        parts = _packages(folder)
        top = os.path.join(folder, *([os.pardir] * len(parts)))
        stem = os.path.splitext(os.path.basename(entry))[0]
        self.entry_name = ".".join([*parts, stem])
        roots = [folder, top, *(_like(entry, s) for s in src)]
        self.roots = tuple(dict.fromkeys(os.path.normpath(r) if r else "." for r in roots))
        self.package = ".".join(parts)  # the entry's package, for its relative imports

    def find(self, name: str) -> Optional[Found]:
        """The module `a.b.c` under the first root that has it."""
        key = (self.roots, name)
        found = self.session.found
        if key not in found:
            found[key] = self._find(name)
        return found[key]

    def missing(self, name: str) -> bool:
        """Whether a module not found here may be the project's: its top-level package is
        found neither under the roots nor among the installed modules and the standard
        library (`import numpy` is not missing)."""
        top = name.split(".")[0]
        if top in MODELLED or top in sys.builtin_module_names or self.find(top) is not None:
            return False
        try:
            return importlib.util.find_spec(top) is None
        except (ImportError, ValueError):
            return False

    def _find(self, name: str) -> Optional[Found]:
        parts = name.split(".")
        if not all(p.isidentifier() for p in parts) or parts[0] in MODELLED:
            return None
        namespace: Optional[Found] = None
        for root in self.roots:
            base = os.path.join(root, *parts)
            init = os.path.join(base, "__init__.py")
            if os.path.isfile(init):
                return Found(name, _shown(init), True)
            if os.path.isfile(base + ".py"):
                return Found(name, _shown(base + ".py"), False)
            if namespace is None and os.path.isdir(base):
                namespace = Found(name, _shown(base), True)
        return namespace  # a folder without `__init__.py`, when no root has a regular module

    def reaches_tf(self, source: SourceFile, name: Optional[str] = None,
                   package: bool = False) -> bool:
        """Whether a module (the entry by default) imports, directly or through other
        project modules, a project module whose text may reach a TF API
        (`prefilter.mentions_tf`).

        When none does, no module the search visited can reach one either: they are
        remembered for the rest of the session, so each is searched once; so is a module
        that does (with its text), since shared replays ask again on each reuse, and so is
        every module on the way to the one found: a later search stops at them.
        """
        start = self.entry_name if name is None else name
        if (self.roots, start, source.digest) in self.session.tf_reaching:
            return True
        seen: set[str] = set()
        todo = [(source, start, package, _Way(start, source.digest, None))]
        while todo:
            module, name, package, way = todo.pop()
            for imported in self.imported_names(module, name, package):
                parts = imported.split(".")
                for i in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:i])
                    if prefix in seen or (self.roots, prefix) in self.session.no_tf:
                        continue
                    seen.add(prefix)
                    found = self.find(prefix)
                    loaded = self.session.load_file(found.path) if found and found.has_file \
                        else None
                    if loaded is None or found is None:
                        continue
                    if loaded.mentions_tf() or (
                            (self.roots, prefix, loaded.digest) in self.session.tf_reaching):
                        step: Optional[_Way] = way
                        while step is not None:
                            self.session.tf_reaching.add((self.roots, step.name, step.digest))
                            step = step.importer
                        return True
                    todo.append((loaded, prefix, found.package, _Way(prefix, loaded.digest, way)))
        self.session.no_tf.update((self.roots, name) for name in seen)
        return False

    def imported_names(self, source: SourceFile, name: str, package: bool) -> Iterator[str]:
        """The absolute names of every module a module's import statements may load."""
        for module, level, members in source.imports():
            base = absolute(module, level, name, package) if level or module else None
            if base is None:
                continue
            if not members:  # `import a.b`
                yield base
                continue
            if base:
                yield base
            for member in members:
                if member and member != "*":
                    yield f"{base}.{member}" if base else member


class _Way(NamedTuple):
    """A module `Project.reaches_tf` searched, and the one whose import led to it."""

    name: str
    digest: str
    importer: Optional[_Way]


def _packages(folder: str) -> list[str]:
    """The names of the packages a folder is in, outermost first (`__init__.py` files)."""
    parts: list[str] = []
    here = os.path.abspath(folder)
    while os.path.isfile(os.path.join(here, "__init__.py")) and os.path.dirname(here) != here:
        parts.insert(0, os.path.basename(here))
        here = os.path.dirname(here)
    return parts


def package_root(path: str) -> str:
    """The folder above a file's topmost package (its own folder outside packages)."""
    folder = os.path.abspath(os.path.dirname(path) or ".")
    for _ in _packages(folder):
        folder = os.path.dirname(folder)
    return folder


def absolute(module: str, level: int, importer: str, package: bool) -> Optional[str]:
    """`from ..m import x` in module `importer`: the absolute name of `..m` (None: invalid)."""
    if level == 0:
        return module
    parts = importer.split(".") if importer else []
    if not package:
        parts = parts[:-1]
    if level - 1 > len(parts) or (level - 1 == len(parts) and not module and not parts):
        return None
    base = parts[:len(parts) - (level - 1)]
    if not base and not module:
        return None
    return ".".join([*base, module] if module else base)


def _shown(path: str) -> str:
    return os.path.normpath(path)


def _like(entry: str, folder: str) -> str:
    """A configured folder, spelled relative or absolute like the analysed file's path."""
    if os.path.isabs(entry):
        return os.path.abspath(folder)
    try:
        return os.path.relpath(folder)
    except ValueError:  # another drive on Windows
        return os.path.abspath(folder)
