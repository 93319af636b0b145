"""Every rule, imported in one place."""

from scopelint.rules import (
    dangling,
    duplicate,
    input_problems,
    mismatch,
    missing,
    name_scope,
    names_lock,
    reuse_false,
    root_reuse,
    scope_filter,
    variable_reuse,
)

RULES = (
    input_problems.INTERNAL,
    input_problems.SYNTAX,
    input_problems.UNREADABLE,
    input_problems.PYTHON2,
    duplicate.RULE,
    missing.RULE,
    mismatch.RULE,
    name_scope.RULE,
    dangling.RULE,
    variable_reuse.RULE,
    reuse_false.RULE,
    root_reuse.RULE,
    scope_filter.RULE,
    names_lock.RULE,
)
