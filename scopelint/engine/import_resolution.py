"""Binds imported names: TF modules and APIs become `TFRef`s, other modules `ModuleRef`s."""

from __future__ import annotations

import ast
from typing import Union

import libcst as cst

from scopelint.engine.tfapi import MODULES, canonical, module_namespace
from scopelint.engine.values import Env, ModuleRef, TFRef, Unknown, Value, tf_value


def dotted(node: Union[cst.Attribute, cst.Name, cst.BaseExpression]) -> str:
    """`a.b.c` as text."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


def module_value(module: str) -> Value:
    """The value an imported module name has."""
    namespace = module_namespace(module)
    if namespace is not None:
        return TFRef(namespace)
    if module == "tensorflow.compat.v2" or module.startswith("tensorflow."):
        return Unknown()
    return ModuleRef(module)


def member_value(module: str, name: str) -> Value:
    """The value of `from module import name`."""
    full = f"{module}.{name}"
    if full in MODULES:
        return module_value(full)
    namespace = module_namespace(module)
    if namespace is None:
        return module_value(full) if not module.startswith("tensorflow") else Unknown()
    path = canonical(f"{namespace}.{name}" if namespace else name)
    return tf_value(path) if path is not None else Unknown()


def bind_import(node: cst.Import, env: Env) -> None:
    for alias in node.names:
        module = dotted(alias.name)
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            env.vars[alias.asname.name.value] = module_value(module)
        else:
            top = module.split(".")[0]
            env.vars[top] = module_value(top)


def bind_import_from(node: cst.ImportFrom, env: Env) -> None:
    module = "." * len(node.relative) + (dotted(node.module) if node.module else "")
    if isinstance(node.names, cst.ImportStar):
        return
    for alias in node.names:
        name = dotted(alias.name)
        env.vars[bound_name(alias, name)] = member_value(module, name)


def bound_name(alias: cst.ImportAlias, name: str) -> str:
    """The name an import binds: its `as` name, else `name`."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return name


def assumes_tf(tree: ast.Module) -> bool:
    """The module uses `tf` and binds it nowhere, nor star-imports anything that might:
    a pasted snippet or a notebook cell whose `import tensorflow as tf` is elsewhere.

    Any binding decides, wherever it is: the walk goes depth first in source order, with a
    stack (faster than `ast.walk`), and skips the children of names and aliases (none but
    contexts)."""
    used = False
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            if node.id == "tf":
                if not isinstance(node.ctx, ast.Load):
                    return False
                used = True
            continue
        if isinstance(node, ast.alias):
            if node.name == "*" or (node.asname or node.name.split(".")[0]) == "tf":
                return False
            continue
        if isinstance(node, ast.arg):
            if node.arg == "tf":
                return False
        elif isinstance(node, _BINDERS):
            if node.name == "tf":
                return False
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and "tf" in node.names:
            return False
        for field in reversed(node._fields):  # pushed last to first: the imports come early
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack += [item for item in reversed(value) if isinstance(item, ast.AST)]
            elif isinstance(value, ast.AST):
                stack.append(value)
    return used


# Nodes that bind their `name` (None for `except E:`, `case _:`, `case [*_]`).
_BINDERS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.MatchAs,
            ast.MatchStar)
