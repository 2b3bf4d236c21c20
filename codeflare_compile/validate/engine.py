"""validate_objects: schemas (core or CRD) plus rules, recursing into wrapper kinds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .bundled import bundled_match
from .core import core_validator, is_core_group, object_meta_validator, resolve_kube_version
from .crds import CrdMatch, CrdSet
from .failure import Issue, ObjPath, ValidationFailure, format_path, path_sort_key
from .fast import FastValidator, has_float
from .kinds import Gvk, get, gvk_of, is_wrapper, wrapped_objects
from .rules import QUANTITY_CODE, check_object

_Found = tuple[ObjPath, str, str]  # (path in the top-level object, subject, message)
_LONG_REPR = 80
_SEPARATOR = " \u203a "  # a single right angle quote, between a wrapper and a wrapped place


def validate_objects(
    objects: Sequence[Mapping[str, Any]], *, kube_version: str, crds: CrdSet | None
) -> list[ValidationFailure]:
    """Every failure of every object, objects in input order, each object's sorted by path.

    Core kinds are checked against the strict schema of `kube_version`; custom resources against
    `crds` when it defines their group/kind, else against the CRDs bundled in the package, and
    skipped when neither knows them; AppWrapper components and MCAD GenericItems are validated
    as objects of their own, their paths prefixed by the wrapper's. Raises UnsupportedKubeVersion,
    and CrdLoadError when a CRD file needed here turns out not to be valid YAML.
    """
    version = resolve_kube_version(kube_version)
    failures: list[ValidationFailure] = []
    for obj in objects:
        found: list[_Found] = []
        _validate(obj, version, crds, (), None, None, wrapped=False, floats=None, out=found)
        found.sort(key=lambda f: (path_sort_key(f[0]), f[1], f[2]))
        failures += [ValidationFailure(subject, format_path(p), m) for p, subject, m in found]
    return failures


def _validate(
    obj: Any,
    version: str,
    crds: CrdSet | None,
    prefix: ObjPath,
    chain: str | None,
    namespace: str | None,
    *,
    wrapped: bool,
    floats: bool | None,
    out: list[_Found],
) -> None:
    """`floats`: whether `obj` holds a float, None when not known yet (one walk per object
    tree: what a wrapper or an object has not, the objects and metadata inside it have not)."""
    subject = _describe(obj, namespace)
    if chain is not None:
        subject = f"{chain} ({subject})"
    if not isinstance(obj, Mapping):
        out.append((prefix, subject, f"expected a Kubernetes object, got {type(obj).__name__}"))
        return
    gvk = gvk_of(obj)
    if floats is None:
        floats = has_float(obj)
    issues = _schema_issues(obj, gvk, version, crds, floats) + check_object(obj, gvk,
                                                                          wrapped=wrapped)
    # A bad quantity fails both a CRD's int-or-string schema and the rule; keep the clearer rule.
    quantities = {issue.path for issue in issues if issue.code == QUANTITY_CODE}
    for issue in issues:
        if not (issue.code == "schema" and issue.path in quantities):
            out.append(((*prefix, *issue.path), subject, issue.message))
    own_namespace = get(obj, "metadata", "namespace")
    inner_namespace = own_namespace if isinstance(own_namespace, str) and own_namespace else None
    for inner in wrapped_objects(gvk, obj):
        _validate(
            inner.template,
            version,
            crds,
            (*prefix, *inner.path),
            f"{subject}{_SEPARATOR}{inner.label}",
            inner_namespace or namespace,
            wrapped=is_wrapper(gvk),
            # an Argo manifest is a string in the Workflow: its objects were not walked
            floats=False if not floats and is_wrapper(gvk) else None,
            out=out,
        )


def _describe(obj: Any, namespace: str | None) -> str:
    """E.g. `RayJob team-a/train`; a wrapped object without namespace shows its wrapper's."""
    if not isinstance(obj, Mapping):
        return f"{type(obj).__name__} value"
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else "object"
    name = get(obj, "metadata", "name")
    own = get(obj, "metadata", "namespace")
    space = own if isinstance(own, str) and own else namespace
    shown = name if isinstance(name, str) and name else "<unnamed>"
    return f"{kind} {space}/{shown}" if space else f"{kind} {shown}"


def _schema_issues(
    obj: Mapping[str, Any], gvk: Gvk | None, version: str, crds: CrdSet | None, floats: bool
) -> list[Issue]:
    if gvk is None:
        return [
            Issue((field,), f"{field} is required and must be a non-empty string")
            for field in ("apiVersion", "kind")
            if not isinstance(obj.get(field), str) or not obj.get(field)
        ]
    core = core_validator(version, gvk.group, gvk.version, gvk.kind)
    if core is not None:
        return list(_errors(core, obj, floats=floats))
    if is_core_group(version, gvk.group):
        return [
            Issue(
                ("apiVersion",), f"Kubernetes {version} has no kind {gvk.kind} in {gvk.api_version}"
            )
        ]
    match = _crd_match(gvk, crds)
    if match is None:
        return []  # a custom resource of no CRD known here: not validated
    if match.problem is not None:
        return [Issue(("apiVersion",), match.problem)]
    issues: list[Issue] = []
    if match.validator is not None:
        issues += _errors(match.validator, obj, floats=floats)
    metadata = obj.get("metadata")
    if isinstance(metadata, Mapping):  # CRDs leave metadata to the API server: check it as it does
        issues += _errors(object_meta_validator(version), metadata, ("metadata",),
                          floats=False if not floats else None)
    return issues


def _crd_match(gvk: Gvk, crds: CrdSet | None) -> CrdMatch | None:
    """The CRDs given with --crds for the kinds they define (a cluster holds one CRD per
    group/kind, so a given one replaces the bundled one), else the bundled upstream CRDs."""
    if crds is not None and crds.defines(gvk.group, gvk.kind):
        return crds.match(gvk.group, gvk.version, gvk.kind)
    return bundled_match(gvk.group, gvk.version, gvk.kind)


def _errors(validator: FastValidator, instance: Any, prefix: ObjPath = (), *,
            floats: bool | None) -> Iterator[Issue]:
    """All errors, an unexpected field reported at its own path (not at its parent's)."""
    for error in validator.iter_errors(instance, floats=floats):
        path: ObjPath = (
            *prefix,
            *(p if isinstance(p, int) else str(p) for p in error.absolute_path),
        )
        if (
            error.validator == "additionalProperties"
            and error.validator_value is False
            and isinstance(error.instance, Mapping)
        ):
            for key in _unexpected(error.schema, error.instance):
                yield Issue(
                    (*path, key), f"Additional properties are not allowed ({key!r} was unexpected)"
                )
        else:
            yield Issue(path, _short_message(error.message, error.instance))


def _unexpected(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    known = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    return sorted(
        str(key)
        for key in instance
        if key not in known and not any(re.search(p, str(key)) for p in patterns)
    )


def _short_message(message: str, instance: Any) -> str:
    """jsonschema starts many messages with repr(instance), which for a pod spec is kilobytes."""
    shown = repr(instance)
    if len(shown) > _LONG_REPR and message.startswith(shown):
        return f"{shown[: _LONG_REPR - 1]}…{message[len(shown) :]}"
    return message
