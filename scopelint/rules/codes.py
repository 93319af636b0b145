"""Every rule's code, by its module's name: the one place a code is written (as ruff's
codes table), so that rules can name each other without importing each other."""

INTERNAL_ERROR = "TFS000"  # rules/input_problems.py
SYNTAX_ERROR = "TFS001"  # rules/input_problems.py
UNREADABLE_FILE = "TFS002"  # rules/input_problems.py
PYTHON2_FILE = "TFS003"  # rules/input_problems.py
DUPLICATE = "TFS101"  # rules/duplicate.py
MISSING = "TFS102"  # rules/missing.py
MISMATCH = "TFS103"  # rules/mismatch.py
INVALID_NAME = "TFS104"  # rules/invalid_name.py
INVALID_ARG = "TFS105"  # rules/invalid_arg.py
UNDEFINED_SHAPE = "TFS106"  # rules/undefined_shape.py
NAME_SCOPE = "TFS201"  # rules/name_scope.py
DANGLING = "TFS202"  # rules/dangling.py
VARIABLE_REUSE = "TFS203"  # rules/variable_reuse.py
REUSE_FALSE = "TFS204"  # rules/reuse_false.py
ROOT_REUSE = "TFS205"  # rules/root_reuse.py
IGNORED_REUSE = "TFS206"  # rules/ignored_reuse.py
SHARED_CELL = "TFS207"  # rules/shared_cell.py
MISPLACED_ARG = "TFS208"  # rules/misplaced_arg.py
DOUBLED_SCOPE = "TFS209"  # rules/doubled_scope.py
SCOPE_FILTER = "TFS210"  # rules/scope_filter.py
NAMES_LOCK = "TFS301"  # rules/names_lock.py
