"""The facts the engine records while replaying a module, and the findings rules derive.

The engine simulates TensorFlow; each fact says what TF would do at one call
site during one run of it. Rules only read these records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from scopelint.fixes import Fix


@dataclass(frozen=True)
class Location:
    """A 1-based line and column in a module of the project ("" path: the analysed file)."""

    line: int
    col: int
    path: str = ""

    def where(self, here: str, analysed: str = "") -> str:
        """`line 12` in the file `here`, `ops.py:12` in another; a location without a path
        is in the `analysed` file."""
        path = self.path or analysed
        return f"line {self.line}" if path in ("", here) else f"{path}:{self.line}"


CallStack = Tuple[Location, ...]
"""Call sites (outermost first) of the calls and imports that led to a fact."""


class Reuse(Enum):
    """The reuse mode of a variable scope, as TF computes it."""

    NO = "no"  # None / False: create, fail if it exists
    YES = "yes"  # True: fetch, fail if missing
    AUTO = "auto"  # tf.AUTO_REUSE: fetch or create
    UNKNOWN = "unknown"


class Outcome(Enum):
    """What TF does with one variable request."""

    CREATE = "create"
    REUSE = "reuse"
    DUPLICATE = "duplicate"  # ValueError: ... already exists, disallowed
    MISSING = "missing"  # ValueError: ... does not exist
    MISMATCH = "mismatch"  # ValueError: Trying to share variable ..., but specified shape/dtype
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Cause:
    """What first made a predicted name uncertain: where, and what is there."""

    loc: Location
    what: str  # "call of `parser.add_argument`", ...

    def __str__(self) -> str:
        return f"{self.loc.path}:{self.loc.line}: {self.what}"


@dataclass(frozen=True)
class VariableFact:
    """One variable created or fetched by one run of a call site."""

    loc: Location
    api: str  # "get_variable", "Variable", "layers.dense", "Adam.minimize", ...
    name: Optional[str]  # the real `.name`, e.g. "a/w_1:0"; None when it cannot be known
    pattern: str  # the name with unknown parts shown as "…"
    outcome: Outcome
    reuse: Reuse  # the reuse mode of the variable scope it ran in
    stack: CallStack = ()
    ignored_name_scope: Optional[str] = None  # get_variable under a name scope it ignores
    expected_name: Optional[str] = None  # the name such code seems to expect (pattern form)
    first: Optional[Location] = None  # where an existing variable was created (duplicates, reuse)
    first_stack: CallStack = ()
    detail: str = ""  # e.g. the shapes of a mismatch
    reuse_origin: Optional[Location] = None  # the root reuse_variables() that made the scope reuse
    key: str = ""  # the variable-store key (for tf.Variable: the one get_variable would use)
    graph: int = 0  # which simulated graph it was made in
    shape: Optional[Tuple[int, ...]] = None  # the variable's literal shape, when known
    dtype: Optional[str] = None  # its dtype ("float32"), when known
    certain: bool = True  # False when made where code may or may not run (an `if` branch)
    name_scope: str = ""  # the name scope it was requested in (pattern form)
    loops: Tuple[Tuple[int, int], ...] = ()  # (line, iteration) of each loop it runs in
    # the call of a project helper (`weight("w", ...)`) that hands get_variable its name, in
    # the code that entered the innermost scope, when that is not the requesting function
    through: Optional[Location] = None
    helper: str = ""  # the helper that call runs
    cause: Optional[Cause] = None  # why the name, reuse or run is uncertain, when one is

    @property
    def reused(self) -> Optional[bool]:
        """True when the call fetches an existing variable, False when it makes one."""
        if self.outcome is Outcome.REUSE:
            return True
        if self.outcome in (Outcome.CREATE, Outcome.DUPLICATE, Outcome.MISSING):
            return False
        return None


@dataclass(frozen=True)
class ScopeFact:
    """One `with` item entering a name or variable scope."""

    loc: Location
    kind: str  # "name_scope" or "variable_scope"
    name_scope: str  # the name scope it opened, pattern form ("" for root)
    variable_scope: str  # the variable scope inside, pattern form
    reuse: Reuse  # the resulting reuse mode
    explicit_false: bool = False  # `reuse=False` is spelled out in the call
    inherited: Reuse = Reuse.NO  # the reuse the scope would inherit
    stack: CallStack = ()


@dataclass(frozen=True)
class ReuseCallFact:
    """A `reuse_variables()` call."""

    loc: Location
    on_root: Optional[bool]  # True: the graph's root variable scope; None: the caller's scope
    scope: str  # pattern of the scope made reusing
    stack: CallStack = ()  # non-empty: inside a function, so reuse outlives the call
    used_after: bool = False  # variables were requested after it in the same function
    leaves_call: bool = True  # False: its graph was made in the same call and ends with it
    known_caller: bool = False  # the program that made the call is known (the module ran it)


@dataclass(frozen=True)
class NameRefFact:
    """A string literal used as the name of a variable, tensor, op or scope."""

    loc: Location
    kind: str  # "tensor" (`w:0`), "operation", "scope" (a prefix regex), "variable" (`a/w`),
    # "variables" (a prefix regex over variable names only: `trainable_variables(scope=)`)
    text: str
    stack: CallStack = ()
    # a scope filter on a variable collection: the names of the variables certainly in the
    # graph at the lookup that it returns
    matches: Tuple[str, ...] = ()
    actual: Optional[str] = None  # `v.name == text`: the name `v` is known to have


@dataclass(frozen=True)
class IgnoredReuseFact:
    """A `variable_scope` a function opens without its `reuse` parameter, which it never reads."""

    loc: Location
    function: str
    caller: Optional[Location] = None  # the call that passed reuse=True (or AUTO_REUSE)
    stack: CallStack = ()


@dataclass(frozen=True)
class SharedCellFact:
    """A MultiRNNCell given one cell object for several layers, or an RNN call given a cell
    that built its weights in another variable scope (`first` set)."""

    loc: Location
    how: str  # how the list repeats the cell: "[cell] * n", "gru listed 2 times", ...;
    # or the RNN call's argument that passes the cell again (`cell_bw=cell`: "cell")
    stack: CallStack = ()
    first: Optional[Location] = None  # the RNN call where the cell built its weights
    built: str = ""  # the cell's own variable scope, there (pattern form)
    here: str = ""  # the variable scope of this call (pattern form)
    first_how: str = ""  # the argument that passed it there ("" for a direct call)


@dataclass(frozen=True)
class MisplacedArgFact:
    """A positional argument TF binds to another parameter than the one it looks meant for."""

    loc: Location
    api: str  # as written, e.g. "tf.VariableScope"
    text: str  # the argument as written
    param: str  # the parameter TF binds it to
    meant: str  # the parameter it looks meant for
    raises: bool = False  # TF raises a TypeError here (a dtype that is not one, a bad shape)
    variables_before: int = 0  # variable facts recorded before it
    stack: CallStack = ()
    lands: str = ""  # an ignored scope object: where the variables go instead (pattern form)


@dataclass(frozen=True)
class InvalidArgFact:
    """Arguments TF rejects with TypeError: an unknown keyword, a name that is no string."""

    loc: Location
    api: str  # as written, e.g. "tf.variable_scope"
    reason: str  # e.g. "unexpected keyword argument 'name'"
    caught: bool  # a `try` around it catches TypeError (its other arm runs instead)
    variables_before: int = 0  # variable facts recorded before it: TF raises here
    stack: CallStack = ()


@dataclass(frozen=True)
class UndefinedShapeFact:
    """A `get_variable` whose shape TF rejects with ValueError: given with a constant
    initializer, or not fully defined (`[None, 10]`) for a new variable."""

    loc: Location
    api: str  # as written, e.g. "tf.get_variable"
    shape: str  # the shape as TF sees it, e.g. "(None, 10)"
    constant: bool  # the initializer is a constant (raises on every run); else the shape
    # has a dimension TF certainly does not know (raises only where the call creates)
    same: bool = False  # a constant initializer of the shape and dtype given: drop `shape`
    variables_before: int = 0  # variable facts recorded before it
    stack: CallStack = ()

    def raises(self, variables: Sequence[VariableFact]) -> bool:
        """TF raises at this call: a shape not fully defined only fails a new variable, and
        a partitioner (`name/part_…`) takes both shapes its own way."""
        made = variables[self.variables_before] if self.variables_before < len(variables) else None
        return (made is not None and made.loc == self.loc
                and not made.pattern.startswith(made.key + "/part_")
                and (self.constant or made.outcome is Outcome.CREATE))


@dataclass(frozen=True)
class InvalidNameFact:
    """A scope or variable name TF rejects: `'layer 1' is not a valid root scope name`."""

    loc: Location
    text: str  # the name as TF checks it
    root: Optional[bool]  # checked against the root pattern (first character too); None: maybe
    variables_before: int  # variable facts recorded before it: TF raises here
    stack: CallStack = ()


@dataclass(frozen=True)
class DoubledScopeFact:
    """A variable whose name argument spells out the variable scope it is made in."""

    loc: Location
    name: str  # the predicted name, pattern form (`s/s/w:0`)
    scope: str  # the repeated part, pattern form
    stack: CallStack = ()
    owner: str = ""  # a class whose `__call__` opens the repeated scope (`Transformer`)


@dataclass(frozen=True)
class StepCellFact:
    """A cell call fed the state of the same call's previous run on another cell object:
    a new cell each time step, so each step makes its own weights."""

    loc: Location  # the cell call
    cell: str  # the cell class, e.g. "GRUCell"
    scope: str  # the variable scope of this step's weights (pattern form)
    first_scope: str  # that of the previous step's cell
    stack: CallStack = ()


@dataclass(frozen=True)
class EmptyFilterFact:
    """A variable collection read before any variable it selects exists (an empty list),
    handed to an API that needs variables: `minimize(var_list=...)`, `Saver(...)`."""

    loc: Location  # the collection's read
    scope: Optional[str]  # its `scope=` pattern; None: the whole collection
    variables_before: int  # variable facts recorded before the read
    graph: int  # the simulated graph it read
    consumer: Location
    api: str  # "minimize", "compute_gradients", "Saver", "variables_initializer"
    stack: CallStack = ()


@dataclass
class ModuleFacts:
    """Everything the engine learned about one module, in execution order."""

    variables: list[VariableFact] = field(default_factory=list)
    scopes: list[ScopeFact] = field(default_factory=list)
    reuse_calls: list[ReuseCallFact] = field(default_factory=list)
    name_refs: list[NameRefFact] = field(default_factory=list)
    op_names: set[str] = field(default_factory=set)  # literal `name=` of other TF ops
    # Where calls scopelint cannot follow may have made variables (pattern form: `gen/…`).
    unknown_names: set[str] = field(default_factory=set)
    # The name scopes where ops got a `name=` scopelint cannot know (pattern form: `enc/…`).
    unknown_op_names: set[str] = field(default_factory=set)
    # Project modules the replay read, with the content hash it read (the cache's dependencies).
    modules: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # limits reached, shown with --verbose
    # The calls scopelint cannot follow that may have changed the TF state, in order.
    unknown_calls: list[Cause] = field(default_factory=list)
    assumed_tf: bool = False  # `tf` is used, never bound: analysed as `import tensorflow as tf`
    ignored_reuse: list[IgnoredReuseFact] = field(default_factory=list)
    shared_cells: list[SharedCellFact] = field(default_factory=list)
    misplaced_args: list[MisplacedArgFact] = field(default_factory=list)
    invalid_args: list[InvalidArgFact] = field(default_factory=list)
    undefined_shapes: list[UndefinedShapeFact] = field(default_factory=list)
    invalid_names: list[InvalidNameFact] = field(default_factory=list)
    doubled_scopes: list[DoubledScopeFact] = field(default_factory=list)
    empty_filters: list[EmptyFilterFact] = field(default_factory=list)
    step_cells: list[StepCellFact] = field(default_factory=list)

    def add(self, fact: object) -> None:
        """Add a fact to the list of its type (the facts a rule's hook finds, `engine.hooks`)."""
        getattr(self, _LIST_OF[type(fact).__name__]).append(fact)


# The field of `ModuleFacts` that lists each type of fact, by the type's name.
_LIST_OF = {match.group(1): f.name for f in fields(ModuleFacts)
            if (match := re.fullmatch(r"list\[(\w+)\]", str(f.type)))}


@dataclass(frozen=True)
class Related:
    """A second location a finding points to (the first creation, the call that repeats)."""

    line: int
    col: int
    message: str
    path: str = ""  # "": the finding's own file


@dataclass(frozen=True)
class Finding:
    """One reported problem; line and column are 1-based."""

    path: str
    line: int
    col: int
    code: str
    message: str
    related: Tuple[Related, ...] = ()
    stack: CallStack = ()  # the calls (outermost first) that lead to this line
    fix: Optional[Fix] = None  # set by `scopelint.fixes.apply.with_fixes`, never by rules

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)
