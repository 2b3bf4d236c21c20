"""Checks no schema expresses but an API server or a webhook enforces (targets.md, 1 to 7).

Each function takes one object (top-level or wrapped) and returns Issues with paths relative to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from codeflare_compile.backends.queueing.kueue import QUEUE_LABEL
from codeflare_compile.k8s import (
    DNS1035_LABEL,
    DNS1123_LABEL,
    DNS1123_SUBDOMAIN,
    LABEL_NAME,
    LABEL_VALUE,
)

from .failure import Issue, ObjPath
from .kinds import APPWRAPPER, Gvk, get, gvk_of, is_wrapper, wrapped_objects

MAX_APPWRAPPER_PODSETS = 8  # appwrapper v1.2.1 webhook
MAX_KUEUE_PODSETS = 18  # kueue v0.19.2 MaxPodSets
MAX_ANNOTATIONS_BYTES = 256 * 1024
QUANTITY_CODE = (
    "quantity"  # the engine drops schema errors at the same path: one fault, one failure
)

_PODSET_STEP = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")
# The quantity pattern of controller-gen CRDs; the core schemas have none, so "4 GB" passes there.
_QUANTITY = re.compile(
    r"(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))"
    r"(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?"
)


@dataclass(frozen=True)
class _NameRule:
    what: str
    pattern: re.Pattern[str]
    max_len: int
    chars: str


_SUBDOMAIN_CHARS = (
    "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
)
_LABEL_CHARS = "lowercase letters, digits and '-', starting and ending with a letter or digit"
_DNS1035_CHARS = (
    "lowercase letters, digits and '-', starting with a letter, ending with a letter or digit"
)
_SUBDOMAIN = _NameRule("DNS-1123 subdomain", DNS1123_SUBDOMAIN, 253, _SUBDOMAIN_CHARS)

# Names stricter than a DNS-1123 subdomain, by (group, kind). Sources: kuberay utils/validation.go
# (RayJob/RayService 47, RayCluster 53), training-operator webhook, core Service validation
# (NameIsDNS1035Label), and the batch.kubernetes.io/job-name pod label a Job name must fit in.
_NAME_RULES: dict[tuple[str, str], _NameRule] = {
    ("ray.io", "RayJob"): _NameRule("DNS-1035 label", DNS1035_LABEL, 47, _DNS1035_CHARS),
    ("ray.io", "RayService"): _NameRule("DNS-1035 label", DNS1035_LABEL, 47, _DNS1035_CHARS),
    ("ray.io", "RayCluster"): _NameRule("DNS-1035 label", DNS1035_LABEL, 53, _DNS1035_CHARS),
    ("kubeflow.org", "PyTorchJob"): _NameRule("DNS-1035 label", DNS1035_LABEL, 63, _DNS1035_CHARS),
    ("", "Service"): _NameRule("DNS-1035 label", DNS1035_LABEL, 63, _DNS1035_CHARS),
    ("", "Namespace"): _NameRule("DNS-1123 label", DNS1123_LABEL, 63, _LABEL_CHARS),
    ("batch", "Job"): _NameRule("DNS-1123 subdomain", DNS1123_SUBDOMAIN, 63, _SUBDOMAIN_CHARS),
}


def check_object(obj: Mapping[str, Any], gvk: Gvk | None, *, wrapped: bool) -> list[Issue]:
    """All rule issues of one object; wrapped objects inside it are checked on their own."""
    issues = _check_name(obj, gvk)
    skip = frozenset(w.path for w in wrapped_objects(gvk, obj))
    issues += _check_tree(obj, (), skip)
    if gvk is None:
        return issues
    if wrapped and is_wrapper(gvk):
        issues.append(Issue((), "an AppWrapper cannot be wrapped in another AppWrapper", "rule"))
    kind_rules = _KIND_RULES.get((gvk.group, gvk.kind))
    if kind_rules is not None:
        issues += kind_rules(obj, gvk)
    return issues


def _issue(path: ObjPath, message: str) -> Issue:
    return Issue(path, message, "rule")


# ----------------------------------------------------------------------------------- names


def _check_name(obj: Mapping[str, Any], gvk: Gvk | None) -> list[Issue]:
    name = get(obj, "metadata", "name")
    path = ("metadata", "name")
    if name is None or name == "":
        return [_issue(path, "metadata.name is required")]
    if not isinstance(name, str):
        return [_issue(path, f"metadata.name must be a string, not {type(name).__name__}")]
    issues: list[Issue] = []
    kind = gvk.kind if gvk else "object"
    rule = (_NAME_RULES.get((gvk.group, gvk.kind)) if gvk else None) or _SUBDOMAIN  # strictest
    if problem := _name_problem(name, rule):
        issues.append(_issue(path, f"invalid {kind} name {name!r}: {problem}"))
    namespace = get(obj, "metadata", "namespace")
    if isinstance(namespace, str) and namespace:
        rule = _NameRule("DNS-1123 label", DNS1123_LABEL, 63, _LABEL_CHARS)
        if problem := _name_problem(namespace, rule):
            issues.append(_issue(("metadata", "namespace"), f"invalid namespace: {problem}"))
    return issues


def _name_problem(value: str, rule: _NameRule) -> str | None:
    if len(value) > rule.max_len:
        return f"must be at most {rule.max_len} characters, has {len(value)}"
    if not rule.pattern.fullmatch(value):
        return f"must be a {rule.what} ({rule.chars})"
    return None


# ------------------------------------------------------------ labels, annotations, quantities


def _check_tree(node: Any, path: ObjPath, skip: frozenset[ObjPath]) -> list[Issue]:
    """Labels/annotations of every `metadata` and float quantities of every `resources`."""
    issues: list[Issue] = []
    if isinstance(node, Mapping):
        metadata = node.get("metadata")
        if isinstance(metadata, Mapping):
            issues += _check_metadata_maps(metadata, (*path, "metadata"))
        resources = node.get("resources")
        if isinstance(resources, Mapping):
            issues += _check_quantities(resources, (*path, "resources"))
        children: Iterator[tuple[str | int, Any]] = iter(node.items())
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        return issues
    for key, child in children:
        if isinstance(child, Mapping | list) and (*path, key) not in skip:
            issues += _check_tree(child, (*path, key), skip)
    return issues


def _check_metadata_maps(metadata: Mapping[str, Any], path: ObjPath) -> list[Issue]:
    issues: list[Issue] = []
    labels = metadata.get("labels")
    if isinstance(labels, Mapping):
        for key, value in labels.items():
            where = (*path, "labels", str(key))
            if problem := qualified_name_problem(key):
                issues.append(_issue(where, f"invalid label key {key!r}: {problem}"))
            if isinstance(value, str) and (problem := label_value_problem(value)):
                issues.append(_issue(where, f"invalid label value {value!r}: {problem}"))
    annotations = metadata.get("annotations")
    if isinstance(annotations, Mapping):
        size = 0
        for key, value in annotations.items():
            if problem := qualified_name_problem(key):
                where = (*path, "annotations", str(key))
                issues.append(_issue(where, f"invalid annotation key {key!r}: {problem}"))
            size += len(str(key)) + len(value if isinstance(value, str) else "")
        if size > MAX_ANNOTATIONS_BYTES:
            issues.append(
                _issue((*path, "annotations"), f"annotations total {size} bytes, limit is 256 KiB")
            )
    return issues


def qualified_name_problem(key: object) -> str | None:
    """Why `key` is not a valid label/annotation key (`[prefix/]name`), or None."""
    if not isinstance(key, str):
        return "keys must be strings"
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return "the prefix before '/' must not be empty"
    if "/" in prefix:
        return "a key has at most one '/'"
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.fullmatch(prefix)):
        return "the prefix must be a DNS-1123 subdomain of at most 253 characters"
    if len(name) > 63:
        return f"the name part must be at most 63 characters, has {len(name)}"
    if not LABEL_NAME.fullmatch(name):
        return "the name part must be non-empty, of letters, digits, '-', '_' or '.', " + (
            "starting and ending with a letter or digit"
        )
    return None


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a valid label value, or None."""
    if len(value) > 63:
        return f"must be at most 63 characters, has {len(value)}"
    if not LABEL_VALUE.fullmatch(value):
        return "must be empty or letters, digits, '-', '_' or '.', starting and ending with " + (
            "a letter or digit"
        )
    return None


def _check_quantities(resources: Mapping[str, Any], path: ObjPath) -> list[Issue]:
    """Quantities in requests/limits: strings in Kubernetes syntax, or integers.

    A float (`cpu: 0.5`) is rejected inside CRDs and ambiguous in core kinds, whose schemas also
    accept any string ("4 GB"); the API server rejects both.
    """
    issues: list[Issue] = []
    for field in ("requests", "limits"):
        quantities = resources.get(field)
        if not isinstance(quantities, Mapping):
            continue
        for name, value in quantities.items():
            where = (*path, field, str(name))
            if isinstance(value, float):
                message = (
                    f"resource quantity {value!r} is a float; quantities must be strings "
                    f'(e.g. "{value:g}", "500m", "4Gi") or integers'
                )
                issues.append(Issue(where, message, QUANTITY_CODE))
            elif isinstance(value, str) and not _QUANTITY.fullmatch(value):
                message = f'{value!r} is not a Kubernetes quantity (e.g. "500m", "2", "4Gi")'
                issues.append(Issue(where, message, QUANTITY_CODE))
    return issues


# ----------------------------------------------------------------------------- AppWrapper


def infer_podsets(template: Any) -> list[str] | None:
    """Pod template paths (from "template") as appwrapper's InferPodSets finds them.

    None for kinds it cannot infer (they create no pods, or must declare podSets).
    """
    gvk = gvk_of(template) if isinstance(template, Mapping) else None
    if gvk is None:
        return None
    spec = get(template, "spec")
    match gvk.group, gvk.kind:
        case "", "Pod":
            return ["template"]
        case ("batch", "Job") | ("apps", "Deployment") | ("apps", "StatefulSet"):
            return ["template.spec.template"]
        case "ray.io", "RayCluster":
            return _ray_podsets(spec, "template.spec")
        case "ray.io", "RayJob":
            cluster = get(spec, "rayClusterSpec")
            return _ray_podsets(cluster, "template.spec.rayClusterSpec") if cluster else []
        case "kubeflow.org", "PyTorchJob":
            replicas = get(spec, "pytorchReplicaSpecs")
            keys = list(replicas) if isinstance(replicas, Mapping) else []
            return [f"template.spec.pytorchReplicaSpecs.{key}.template" for key in keys]
        case "jobset.x-k8s.io", "JobSet":
            jobs = get(spec, "replicatedJobs")
            count = len(jobs) if isinstance(jobs, list) else 0
            return [
                f"template.spec.replicatedJobs[{i}].template.spec.template" for i in range(count)
            ]
    return None


def _ray_podsets(cluster: Any, base: str) -> list[str]:
    workers = get(cluster, "workerGroupSpecs")
    count = len(workers) if isinstance(workers, list) else 0
    return [f"{base}.headGroupSpec.template"] + [
        f"{base}.workerGroupSpecs[{i}].template" for i in range(count)
    ]


def _resolve(root: Any, dotted: str) -> Any:
    """Follow an AppWrapper podSet path such as `template.spec.workerGroupSpecs[0].template`."""
    node = root
    for step in dotted.split("."):
        match = _PODSET_STEP.fullmatch(step)
        if match is None:
            return None
        node = get(node, match.group(1))
        for index in re.findall(r"\d+", match.group(2)):
            node = get(node, int(index))
    return node


def _appwrapper(obj: Mapping[str, Any], gvk: Gvk) -> list[Issue]:
    if gvk != APPWRAPPER:
        return []  # legacy MCAD: only its wrapped objects are checked
    components = get(obj, "spec", "components")
    if not isinstance(components, list):
        return []
    namespace = get(obj, "metadata", "namespace") or ""
    issues: list[Issue] = []
    total = 0
    for i, component in enumerate(components):
        if not isinstance(component, Mapping):
            continue
        base: ObjPath = ("spec", "components", i)
        template = component.get("template")
        inner_ns = get(template, "metadata", "namespace")
        if isinstance(inner_ns, str) and inner_ns and inner_ns != namespace:
            issues.append(
                _issue(
                    (*base, "template", "metadata", "namespace"),
                    f"namespace {inner_ns!r} differs from the AppWrapper's "
                    f"({namespace or 'unset'}); a wrapped object's must be empty or the same",
                )
            )
        inferred = infer_podsets(template)
        declared = component.get("podSets")
        if isinstance(declared, list) and declared:
            total += len(declared)
            issues += _declared_podsets(component, declared, inferred, base)
        else:
            total += len(inferred or [])
    if not 1 <= total <= MAX_APPWRAPPER_PODSETS:
        issues.append(
            _issue(
                ("spec", "components"),
                f"the AppWrapper has {total} podspecs in total (declared podSets, else inferred "
                f"from the components); it must have between 1 and {MAX_APPWRAPPER_PODSETS}",
            )
        )
    return issues


def _declared_podsets(
    component: Mapping[str, Any], declared: list[Any], inferred: list[str] | None, base: ObjPath
) -> list[Issue]:
    issues: list[Issue] = []
    paths: list[str] = []
    for j, podset in enumerate(declared):
        path = get(podset, "path")
        if not isinstance(path, str):
            continue
        paths.append(path)
        if not path.startswith("template") or not isinstance(_resolve(component, path), Mapping):
            issues.append(
                _issue(
                    (*base, "podSets", j, "path"),
                    f"podSet path {path!r} does not lead to a pod template in this component",
                )
            )
    if inferred is not None and sorted(paths) != sorted(inferred):
        issues.append(
            _issue(
                (*base, "podSets"),
                f"declared podSets {paths} differ from the ones the AppWrapper controller infers "
                f"for this kind {inferred}; declare exactly those, or none",
            )
        )
    return issues


# --------------------------------------------------------------- KubeRay, Kueue, PyTorchJob


def _queued(obj: Mapping[str, Any]) -> bool:
    return isinstance(get(obj, "metadata", "labels", QUEUE_LABEL), str)


def _rayjob(obj: Mapping[str, Any], _gvk: Gvk) -> list[Issue]:
    spec = get(obj, "spec")
    if not isinstance(spec, Mapping):
        return []
    cluster, selector = spec.get("rayClusterSpec"), spec.get("clusterSelector")
    issues: list[Issue] = []
    if cluster is None and not selector and spec.get("submissionMode") != "InteractiveMode":
        issues.append(_issue(("spec",), "a RayJob needs rayClusterSpec or clusterSelector"))
    if cluster is not None:
        issues += _ray_cluster_spec(cluster, ("spec", "rayClusterSpec"), queued=_queued(obj))
    if _queued(obj) and cluster is not None:
        if selector:
            issues.append(
                _issue(
                    ("spec", "clusterSelector"),
                    "a Kueue-managed RayJob cannot have both clusterSelector and rayClusterSpec",
                )
            )
        if spec.get("shutdownAfterJobFinishes") is not True:
            issues.append(
                _issue(
                    ("spec", "shutdownAfterJobFinishes"),
                    f"a RayJob with rayClusterSpec and the {QUEUE_LABEL} label must set "
                    "shutdownAfterJobFinishes: true (Kueue webhook)",
                )
            )
    return issues


def _raycluster(obj: Mapping[str, Any], _gvk: Gvk) -> list[Issue]:
    spec = get(obj, "spec")
    return _ray_cluster_spec(spec, ("spec",), queued=_queued(obj)) if spec is not None else []


def _ray_cluster_spec(cluster: Any, base: ObjPath, *, queued: bool) -> list[Issue]:
    if not isinstance(cluster, Mapping):
        return []
    issues: list[Issue] = []
    workers = cluster.get("workerGroupSpecs")
    workers = workers if isinstance(workers, list) else []
    seen: set[str] = set()
    for i, group in enumerate(workers):
        name = get(group, "groupName")
        where = (*base, "workerGroupSpecs", i)
        if name == "head":
            issues.append(
                _issue((*where, "groupName"), "worker group name 'head' is reserved (Kueue)")
            )
        elif isinstance(name, str) and name in seen:
            issues.append(_issue((*where, "groupName"), f"duplicate worker group name {name!r}"))
        if isinstance(name, str):
            seen.add(name)
        low, high = get(group, "minReplicas"), get(group, "maxReplicas")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            issues.append(
                _issue((*where, "minReplicas"), f"minReplicas {low} exceeds maxReplicas {high}")
            )
    if queued:
        if cluster.get("enableInTreeAutoscaling") is True:
            issues.append(
                _issue(
                    (*base, "enableInTreeAutoscaling"),
                    "Kueue rejects enableInTreeAutoscaling: true (without workload slicing)",
                )
            )
        if 1 + len(workers) > MAX_KUEUE_PODSETS:
            issues.append(
                _issue(
                    (*base, "workerGroupSpecs"),
                    f"{1 + len(workers)} podsets (head + worker groups); "
                    f"Kueue allows at most {MAX_KUEUE_PODSETS}",
                )
            )
    return issues


def _pytorchjob(obj: Mapping[str, Any], _gvk: Gvk) -> list[Issue]:
    replicas = get(obj, "spec", "pytorchReplicaSpecs")
    if not isinstance(replicas, Mapping):
        return []
    issues: list[Issue] = []
    for rtype, replica in replicas.items():
        where: ObjPath = ("spec", "pytorchReplicaSpecs", str(rtype))
        if rtype not in ("Master", "Worker"):
            issues.append(_issue(where, f"replica type {rtype!r}: only Master and Worker exist"))
        count = get(replica, "replicas")
        if rtype == "Master" and isinstance(count, int) and count != 1:
            issues.append(_issue((*where, "replicas"), "Master must have exactly 1 replica"))
        if rtype == "Worker" and isinstance(count, int) and count < 1:
            issues.append(_issue((*where, "replicas"), "Worker must have at least 1 replica"))
        containers = get(replica, "template", "spec", "containers")
        if isinstance(containers, list) and not any(
            get(c, "name") == "pytorch" for c in containers
        ):
            issues.append(
                _issue(
                    (*where, "template", "spec", "containers"),
                    "the training operator requires a container named 'pytorch'",
                )
            )
    return issues


_KIND_RULES: dict[tuple[str, str], Callable[[Mapping[str, Any], Gvk], list[Issue]]] = {
    (APPWRAPPER.group, APPWRAPPER.kind): _appwrapper,
    ("ray.io", "RayJob"): _rayjob,
    ("ray.io", "RayCluster"): _raycluster,
    ("kubeflow.org", "PyTorchJob"): _pytorchjob,
}
