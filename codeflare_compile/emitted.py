"""Checks on the emitted objects as the cluster will hold them: Kubernetes' size limits, and one
object per apiVersion, kind, namespace and name.

An object is stored whole in etcd, whose request limit is 1.5 MiB by default (etcd
`server/embed/config.go`, `DefaultMaxRequestBytes`): a Workflow embeds its steps' objects, an
AppWrapper its components, ConfigMaps included. The API server refuses a ConfigMap whose data
takes more than 1 MiB (kubernetes `pkg/apis/core/validation/validation.go`,
`ValidateConfigMap`: the values' bytes against `core.MaxSecretSize`) and an object whose
annotations take more than 256 KiB (apimachinery `pkg/api/validation/objectmeta.go`,
`ValidateAnnotationsSize`: keys and values against `TotalAnnotationSizeLimitB`). Each is checked
on every object and every object it carries, and reported at the input that made it large.

Checking costs nothing on the usual Run: its YAML text bounds every size (a JSON text is at most
twice its YAML text; data and annotations at most the text), so below 256 KiB of text nothing
is measured.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostics, Span
from codeflare_compile.ir import RunPlan
from codeflare_compile.problems.output import (
    annotations_too_large,
    config_map_too_large,
    object_collision,
    object_too_large,
)

MAX_OBJECT_BYTES = 1536 * 1024
MAX_CONFIG_MAP_BYTES = 1024 * 1024
MAX_ANNOTATIONS_BYTES = 256 * 1024
#: Below this much YAML text for a Run, none of its objects can reach a limit.
_TEXT_BOUND = MAX_ANNOTATIONS_BYTES

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                           check_circular=False).encode

Identity = tuple[str, str, str, str]  # apiVersion, kind, namespace, name


def carried(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The objects a wrapper carries (AppWrapper components, MCAD GenericItems, an Argo
    Workflow's resource manifests), and theirs, in their namespace when they name none."""
    from codeflare_compile.emit.yaml import embedded_object

    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    inner: list[Any] = [c.get("template") for c in spec.get("components") or []]
    inner += [i.get("generictemplate") for i in (spec.get("resources") or {}).get(
        "GenericItems") or []] if isinstance(spec.get("resources"), dict) else []
    for template in spec.get("templates") or []:
        manifest = (template.get("resource") or {}).get("manifest")
        if isinstance(manifest, str):
            inner.append(embedded_object(manifest) or _load(manifest))
    namespace = obj.get("metadata", {}).get("namespace", "")
    for item in inner:
        if isinstance(item, dict) and isinstance(item.get("metadata"), dict):
            if "namespace" not in item["metadata"] and namespace:
                item = {**item, "metadata": {**item["metadata"], "namespace": namespace}}
            yield item
            yield from carried(item)


def _load(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def identity(obj: dict[str, Any]) -> Identity:
    meta = obj.get("metadata", {})
    return (obj.get("apiVersion", ""), obj.get("kind", ""), meta.get("namespace", ""),
            meta.get("name", ""))


def identities(objects: list[dict[str, Any]]) -> list[Identity]:
    """Every object the cluster will hold for these: the emitted ones and those they carry."""
    return [identity(inner) for obj in objects for inner in (obj, *carried(obj))]


def _entries_bytes(mapping: dict[str, Any] | None) -> int:
    """Keys and values, as annotations are counted."""
    return sum(len(k.encode()) + len(v.encode()) for k, v in (mapping or {}).items()
               if isinstance(v, str))


def _values_bytes(mapping: dict[str, Any] | None) -> int:
    """Values only, as a ConfigMap's data is counted (the compiler writes no binaryData)."""
    return sum(len(v.encode()) for v in (mapping or {}).values() if isinstance(v, str))


def oversized(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], int]]:
    """(which limit, the object over it, its size) for every limit `obj` or an object it
    carries is over: "object", "annotations" or "config-map"."""
    size = len(_encode(obj).encode())
    if size > MAX_OBJECT_BYTES:
        yield "object", obj, size
    for inner in (obj, *carried(obj)):
        taken = _entries_bytes(inner.get("metadata", {}).get("annotations"))
        if taken > MAX_ANNOTATIONS_BYTES:
            yield "annotations", inner, taken
        if inner.get("kind") == "ConfigMap" and inner.get("apiVersion") == "v1":
            data = _values_bytes(inner.get("data"))
            if data > MAX_CONFIG_MAP_BYTES:
                yield "config-map", inner, data


def check_sizes(plans: list[RunPlan], objects: list[dict[str, Any]], text: str | None,
                diags: Diagnostics) -> None:
    """Every object within Kubernetes' size limits, else CF431 at the input that made it
    large. `plans`: the Run first, then its workflow's steps; `text`: the objects' YAML text
    when it was made (a bound that spares measuring)."""
    if text is not None and len(text.encode()) < _TEXT_BOUND:
        return
    top = plans[0]
    by_name = {plan.name: plan for plan in plans}
    annotations_reported = False
    for obj in objects:
        for limit, inner, size in oversized(obj):
            plan = by_name.get(_run_of(inner), top)
            if limit == "object":
                _object_too_large(inner, size, top, by_name, diags)
            elif limit == "config-map":
                _config_map_too_large(inner, size, plan, diags)
            elif not annotations_reported:  # the same merged annotations on every object
                annotations_reported = True
                _annotations_too_large(inner, size, plan, diags)


def _run_of(obj: dict[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("labels", {}).get("codeflare.dev/run", ""))


def _component(obj: dict[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/component", ""))


def _what(obj: dict[str, Any]) -> str:
    return f"{obj.get('kind')} '{obj.get('metadata', {}).get('name')}'"


def _tasks_span(plan: RunPlan) -> Span:
    run_tasks = plan.step is None and plan.run.model.spec.tasks is not None
    return plan.run.span("spec", "tasks") if run_tasks else plan.app.span("spec", "tasks")


def _object_too_large(obj: dict[str, Any], size: int, top: RunPlan,
                      by_name: dict[str, RunPlan], diags: Diagnostics) -> None:
    """Report at the largest input carried: a Run's tasks, an Application's code files, else
    the Run; the way out depends on what carries them (a wrapper or a workflow)."""
    shares: dict[tuple[str, str], int] = {}
    for inner in carried(obj):
        role = _component(inner)
        if inner.get("kind") == "ConfigMap" and role in ("tasks", "code"):
            key = (_run_of(inner), role)
            shares[key] = shares.get(key, 0) + _values_bytes(inner.get("data"))
    span, largest = top.run.key_span("metadata", "name"), None
    if shares:
        (run, role), _ = max(shares.items(), key=lambda item: item[1])
        plan = by_name.get(run, top)
        span = _tasks_span(plan) if role == "tasks" else plan.app.span("spec", "code")
        largest = (sum(share for (_, other), share in shares.items() if other == role),
                   role == "tasks")
    diags.add(object_too_large(_what(obj), size, MAX_OBJECT_BYTES, obj.get("kind") == "Workflow",
                               span, largest))


def _annotations_too_large(obj: dict[str, Any], size: int, plan: RunPlan,
                           diags: Diagnostics) -> None:
    own = plan.run.model.metadata.annotations
    span = (plan.run.key_span("metadata", "annotations") if own
            else plan.app.key_span("metadata", "annotations"))
    merged = plan.app.key_span("metadata", "annotations") if own and \
        plan.app.model.metadata.annotations else None
    diags.add(annotations_too_large(_what(obj), size, MAX_ANNOTATIONS_BYTES, span, merged))


def _config_map_too_large(obj: dict[str, Any], size: int, plan: RunPlan,
                          diags: Diagnostics) -> None:
    tasks = _component(obj) == "tasks"
    span = _tasks_span(plan) if tasks else plan.app.span("spec", "code")
    diags.add(config_map_too_large(_what(obj), size, MAX_CONFIG_MAP_BYTES, tasks, span))


def check_collisions(emitted: list[tuple[RunPlan, list[Identity]]], diags: Diagnostics) -> None:
    """No two objects with the same apiVersion, kind, namespace and name (CF304), whichever
    inputs emit them: each would overwrite the other in the cluster."""
    first: dict[Identity, RunPlan] = {}
    for plan, objects in emitted:
        for ident in objects:
            other = first.setdefault(ident, plan)
            if other is plan and objects.count(ident) == 1:
                continue
            span = plan.run.key_span("metadata", "name")
            if any(d.code is Code.OBJECT_COLLISION and d.span == span for d in diags.items):
                continue  # already reported, before lowering, as a step's objects named alike
            api_version, kind, namespace, name = ident
            diags.add(object_collision(
                plan.name, kind, name, api_version, namespace, span,
                None if other is plan else (other.name, other.run.key_span("metadata", "name"))))
            break
