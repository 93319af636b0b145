"""Every rule, imported in one place."""

from scopelint.rules import (
    dangling,
    doubled_scope,
    duplicate,
    ignored_reuse,
    input_problems,
    invalid_name,
    misplaced_arg,
    mismatch,
    missing,
    name_scope,
    reuse_false,
    root_reuse,
    shared_cell,
    variable_reuse,
)

RULES = (
    input_problems.INTERNAL,
    input_problems.SYNTAX,
    input_problems.UNREADABLE,
    duplicate.RULE,
    missing.RULE,
    mismatch.RULE,
    invalid_name.RULE,
    name_scope.RULE,
    dangling.RULE,
    variable_reuse.RULE,
    reuse_false.RULE,
    root_reuse.RULE,
    ignored_reuse.RULE,
    shared_cell.RULE,
    misplaced_arg.RULE,
    doubled_scope.RULE,
)
