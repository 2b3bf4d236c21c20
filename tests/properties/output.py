"""Walking compiled output the way the cluster will see it: wrappers opened, Workflow resource
manifests parsed, every pod spec and container found, wherever it sits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

Obj = dict[str, Any]


def created(objects: list[Obj]) -> Iterator[Obj]:
    """Every object that will exist in the cluster: the top-level ones, those an AppWrapper
    (v1beta2 or MCAD) creates, and those an Argo Workflow's resource templates create."""
    for obj in objects:
        yield obj
        yield from created(list(wrapped(obj)))


def wrapped(obj: Obj) -> Iterator[Obj]:
    """The objects directly inside `obj` (one level)."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "AppWrapper":
        for component in spec.get("components", []):
            yield component["template"]
        for item in (spec.get("resources") or {}).get("GenericItems", []):
            yield item["generictemplate"]
    if obj.get("kind") == "Workflow":
        for template in spec.get("templates", []):
            manifest = (template.get("resource") or {}).get("manifest")
            if manifest is not None:
                yield yaml.safe_load(manifest)


def workflow_container_templates(objects: list[Obj]) -> Iterator[Obj]:
    """Argo container templates: each becomes a pod the Workflow controller creates."""
    for obj in created(objects):
        if obj.get("kind") == "Workflow":
            yield from (t for t in obj["spec"]["templates"] if "container" in t)


def pod_templates(objects: list[Obj]) -> Iterator[tuple[Obj, Obj]]:
    """(owning object, pod template: its `metadata` and `spec`) for every pod template in every
    created object; wrapped objects are visited on their own, not through their wrapper."""
    for obj in created(objects):
        if obj.get("kind") in ("AppWrapper", "Workflow"):
            continue
        yield from ((obj, template) for template in _templates_in(obj))


def pod_specs(objects: list[Obj]) -> Iterator[tuple[Obj, Obj]]:
    """(owning object, pod spec) for every pod template in every created object."""
    return ((obj, template["spec"]) for obj, template in pod_templates(objects))


def _templates_in(node: Any) -> Iterator[Obj]:
    if isinstance(node, dict):
        if isinstance(node.get("spec"), dict) and isinstance(node["spec"].get("containers"), list):
            yield node
            return
        for value in node.values():
            yield from _templates_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _templates_in(value)


def containers(spec: Obj) -> list[Obj]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def all_containers(objects: list[Obj]) -> Iterator[Obj]:
    """Every container, init container and Argo container template's container."""
    for _, spec in pod_specs(objects):
        yield from containers(spec)
    for template in workflow_container_templates(objects):
        yield template["container"]


def labels(obj: Obj) -> dict[str, str]:
    found: dict[str, str] = obj.get("metadata", {}).get("labels", {})
    return found


def group_kind(obj: Obj) -> tuple[str, str]:
    return obj["apiVersion"].rpartition("/")[0], obj["kind"]


def mappings(node: Any) -> Iterator[Obj]:
    """Every mapping in `node`, itself included, outermost first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from mappings(value)
    elif isinstance(node, list):
        for value in node:
            yield from mappings(value)


def strings(node: Any) -> Iterator[str]:
    """Every string in the output, keys included, and every line of embedded manifests."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
