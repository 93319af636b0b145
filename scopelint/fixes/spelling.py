"""How this file spells the TF1 API: the expression that names the `tf.compat.v1` root
(`tf`, `v1`, `tf.compat.v1`), so that fixes write `tf.variable_scope` the file's way."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from scopelint.engine.import_resolution import dotted, member_value, module_value
from scopelint.engine.tfapi import canonical
from scopelint.engine.values import TFRef


def tf_namespaces(module: cst.Module) -> dict[str, str]:
    """Local names bound to TF namespaces by the module's top-level imports (`tf` → ""), as
    they stand after its top-level statements (a later `tf = ...` unbinds `tf`)."""
    bound: dict[str, str] = {}
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            bound.pop(statement.name.value, None)
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted(alias.name)
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        _bind(bound, alias.asname.name.value, module_value(name))
                    else:
                        _bind(bound, name.split(".")[0], module_value(name.split(".")[0]))
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar) \
                    and not small.relative and small.module is not None:
                for alias in small.names:
                    local = alias.asname.name if alias.asname else alias.name
                    if isinstance(local, cst.Name):
                        _bind(bound, local.value, member_value(dotted(small.module),
                                                               dotted(alias.name)))
            else:
                for target in _assigned(small):
                    bound.pop(target, None)
    return bound


def _assigned(small: cst.BaseSmallStatement) -> list[str]:
    """Names a small statement assigns (`tf = ...`, `tf: T = ...`, `tf += ...`)."""
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        targets = [small.target]
    else:
        return []
    return [t.value for t in targets if isinstance(t, cst.Name)]


def _bind(bound: dict[str, str], name: str, value: object) -> None:
    if isinstance(value, TFRef):
        bound[name] = value.path
    else:
        bound.pop(name, None)


def namespace_of(name: str, bound: dict[str, str]) -> Optional[str]:
    """The TF namespace a dotted name names (`tf.compat.v1` → ""), or None."""
    parts = name.split(".")
    if parts[0] not in bound:
        return None
    path: Optional[str] = bound[parts[0]]
    for part in parts[1:]:
        if path is None:
            return None
        path = canonical(f"{path}.{part}" if path else part)
    return path


def tf_api(module: cst.Module, api: str, like: Optional[cst.Call] = None) -> Optional[str]:
    """Source text naming the root API `api` (`tf.AUTO_REUSE`): on the longest part of the
    callee of `like` that names the root (`tf.compat.v1` of `tf.compat.v1.layers.dense`),
    else on a root alias the module imports; None if none."""
    bound = tf_namespaces(module)
    if like is not None and isinstance(like.func, cst.Attribute):
        parts = dotted(like.func.value).split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if namespace_of(prefix, bound) == "":
                return f"{prefix}.{api}"
    roots = sorted(name for name, path in bound.items() if path == "")
    return f"{roots[0]}.{api}" if roots else None


def renamed_callee(call: cst.Call, module: cst.Module, api: str) -> Optional[cst.BaseExpression]:
    """The call's callee turned into the root API `api`: `tf.compat.v1.name_scope` →
    `tf.compat.v1.variable_scope`, a bare imported name → `<root alias>.api`."""
    func = call.func
    if isinstance(func, cst.Attribute) \
            and namespace_of(dotted(func.value), tf_namespaces(module)) == "":
        return func.with_changes(attr=cst.Name(api))
    spelled = tf_api(module, api)
    return cst.parse_expression(spelled) if spelled else None
