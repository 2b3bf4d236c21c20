"""Checks that hold for any compiled output: names, sizes, safety. Shared by the property tests
(over generated inputs) and tests/test_safe_output.py (over every golden)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import yaml

from tests.properties.oracle import Expected
from tests.properties.output import (
    Obj,
    all_containers,
    created,
    group_kind,
    labels,
    mappings,
    pod_specs,
    strings,
    workflow_container_templates,
)

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
#: Kinds whose names are DNS-1035 labels, and their length limits.
DNS1035_KINDS = {("", "Service"): 63, ("ray.io", "RayJob"): 47, ("kubeflow.org", "PyTorchJob"): 63}
WORKLOAD_KINDS = {("ray.io", "RayJob"), ("batch", "Job"), ("kubeflow.org", "PyTorchJob")}
INT32 = (-(2**31), 2**31 - 1)


def parse(stream: str) -> list[Obj]:
    return [o for o in yaml.safe_load_all(stream) if o is not None]


# ------------------------------------------------------------------------------ names


def check_names(objects: list[Obj]) -> None:
    """Every object the cluster will hold has a valid name, unique per kind and namespace."""
    seen: dict[tuple[str, str, str, str], Obj] = {}
    for obj in created(objects):
        meta = obj["metadata"]
        name, namespace = meta["name"], meta.get("namespace", "")
        group, kind = group_kind(obj)
        where = f"{kind} {namespace}/{name}"
        assert len(name) <= 253 and DNS1123_SUBDOMAIN.fullmatch(name), where
        if (group, kind) in DNS1035_KINDS:
            assert len(name) <= DNS1035_KINDS[group, kind], where
            assert DNS1035_LABEL.fullmatch(name), where
        if kind == "Job" and obj["spec"].get("completionMode") == "Indexed":
            # pod hostnames are `<job>-<index>`: DNS-1123 labels
            hostname = f"{name}-{obj['spec']['completions'] - 1}"
            assert len(hostname) <= 63 and DNS1123_LABEL.fullmatch(hostname), where
        if namespace:
            assert len(namespace) <= 63 and DNS1123_LABEL.fullmatch(namespace), where
        key = (group, kind, namespace, name)
        assert key not in seen, f"two objects named {where}"
        seen[key] = obj
        check_labels(obj.get("metadata", {}), where)
    for _, spec in pod_specs(objects):
        for container in spec.get("containers", []):
            assert DNS1123_LABEL.fullmatch(container["name"]), container["name"]


def check_labels(meta: Obj, where: str) -> None:
    for key, value in meta.get("labels", {}).items():
        prefix, _, name = key.rpartition("/")
        assert len(name) <= 63 and LABEL_NAME.fullmatch(name), (where, key)
        assert not prefix or (len(prefix) <= 253 and DNS1123_SUBDOMAIN.fullmatch(prefix)), key
        assert isinstance(value, str) and len(value) <= 63 and LABEL_VALUE.fullmatch(value), \
            (where, key, value)
    for key in meta.get("annotations", {}):
        prefix, _, name = key.rpartition("/")
        assert len(name) <= 63 and LABEL_NAME.fullmatch(name), (where, key)
        assert not prefix or DNS1123_SUBDOMAIN.fullmatch(prefix), (where, key)


def check_integers(node: Any, path: str = "") -> None:
    """Every integer fits the int32 fields Kubernetes and the operators declare."""
    if isinstance(node, bool):
        return
    if isinstance(node, int):
        assert INT32[0] <= node <= INT32[1], f"{path}: {node} overflows int32"
    elif isinstance(node, dict):
        for key, value in node.items():
            check_integers(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            check_integers(value, f"{path}[{i}]")


def check_mounts(objects: list[Obj]) -> None:
    """Within a container, mount paths are unique (the API server rejects repeats)."""
    for container in all_containers(objects):
        paths = [m["mountPath"] for m in container.get("volumeMounts", [])]
        assert len(paths) == len(set(paths)), (container["name"], paths)
        assert all(p.startswith("/") for p in paths), paths


# ------------------------------------------------------------------------------ sizing


def check_sizes(objects: list[Obj], expectations: list[Expected]) -> None:
    """Each Run's (and each workflow step's) pods get exactly what SPEC §2 says."""
    for exp in expectations:
        if exp.step is None:
            found = [o for o in created(objects)
                     if group_kind(o) in WORKLOAD_KINDS and _is_run(o, exp.namespace, exp.run)]
            assert len(found) == 1, (exp, [o["kind"] for o in found])
            _check_workload(found[0], exp)
            for group in [o for o in created(objects) if o["kind"] == "PodGroup"
                          and _is_run(o, exp.namespace, exp.run)]:
                assert group["spec"]["minMember"] == pod_count(found[0], exp), exp
            continue
        (workflow,) = [o for o in created(objects)
                       if o["kind"] == "Workflow" and _is_run(o, exp.namespace, exp.run)]
        (template,) = [t for t in workflow["spec"]["templates"] if t["name"] == exp.step]
        if "container" in template:  # a single-pod shell step run by Argo itself
            assert exp.archetype == "shell" and max(1, exp.workers) == 1, exp
            assert template["container"]["resources"] == exp.resources(), exp
            continue
        inside = list(created([yaml.safe_load(template["resource"]["manifest"])]))
        (workload,) = [o for o in inside if group_kind(o) in WORKLOAD_KINDS]
        _check_workload(workload, exp)
        for group in [o for o in inside if o["kind"] == "PodGroup"]:
            assert group["spec"]["minMember"] == pod_count(workload, exp), exp


def _is_run(obj: Obj, namespace: str, run: str) -> bool:
    return obj["metadata"].get("namespace") == namespace and labels(obj).get(
        "codeflare.dev/run") == run


def pod_count(workload: Obj, exp: Expected) -> int:
    if workload["kind"] == "RayJob":
        return 1 + exp.workers
    if workload["kind"] == "Job":
        count: int = workload["spec"]["parallelism"]
        return count
    return max(1, exp.workers)


def _check_workload(workload: Obj, exp: Expected) -> None:
    spec = workload["spec"]
    resources = exp.resources()
    if workload["kind"] == "RayJob":
        assert exp.archetype == "ray"
        cluster = spec["rayClusterSpec"]
        head = cluster["headGroupSpec"]["template"]["spec"]["containers"][0]
        assert head["resources"] == resources, exp
        if exp.workers == 0:
            assert "workerGroupSpecs" not in cluster, exp
        else:
            (group,) = cluster["workerGroupSpecs"]
            assert group["replicas"] == group["minReplicas"] == group["maxReplicas"] \
                == exp.workers, exp
            assert group["template"]["spec"]["containers"][0]["resources"] == resources, exp
    elif workload["kind"] == "Job":
        main = spec["template"]["spec"]["containers"][0]
        assert main["resources"] == resources, exp
        if exp.archetype == "workqueue":
            assert exp.tasks is not None
            assert spec["completions"] == exp.tasks, exp
            assert spec["parallelism"] == min(max(1, exp.workers), exp.tasks), exp
        else:
            assert exp.archetype in ("shell", "torch"), exp
            assert spec["completions"] == spec["parallelism"] == max(1, exp.workers), exp
        if exp.archetype == "torch":
            assert f"--nproc_per_node {max(1, exp.gpu)} " in main["command"][-1], exp
    else:
        assert exp.archetype == "torch" and workload["kind"] == "PyTorchJob"
        replicas = spec["pytorchReplicaSpecs"]
        assert replicas["Master"]["replicas"] == 1
        workers = max(1, exp.workers) - 1
        assert replicas.get("Worker", {}).get("replicas", 0) == workers, exp
        for replica in replicas.values():
            main = replica["template"]["spec"]["containers"][0]
            assert main["resources"] == resources, exp
        assert spec["nprocPerNode"] == str(max(1, exp.gpu))


# ------------------------------------------------------------------------------ safety


def check_safe(objects: list[Obj]) -> None:
    """Safe by default: no privileged container, no added capability, no privilege escalation;
    no service-account token in any pod that runs user code (Argo's own pods keep theirs);
    nothing cluster-scoped, and RBAC only namespaced."""
    for obj in created(objects):
        assert obj["metadata"].get("namespace"), f"{obj['kind']} {obj['metadata']['name']}"
        assert obj["kind"] not in ("ClusterRole", "ClusterRoleBinding", "Namespace")
    for container in all_containers(objects):
        context = container.get("securityContext", {})
        assert context.get("allowPrivilegeEscalation") is False, container["name"]
        assert not context.get("privileged"), container["name"]
        assert not context.get("capabilities", {}).get("add"), container["name"]
    for owner, spec in pod_specs(objects):
        assert spec.get("automountServiceAccountToken") is False, owner["metadata"]["name"]
        assert not spec.get("hostNetwork") and not spec.get("hostPID") \
            and not spec.get("hostIPC"), owner["metadata"]["name"]
        assert not any("hostPath" in v for v in spec.get("volumes", []))
    # a container template would run user code in the pod that holds the workflow's token
    assert list(workflow_container_templates(objects)) == []


def check_no_secret_values(stream: str, objects: list[Obj],
                           secrets: dict[str, dict[str, str]]) -> None:
    """No Secret value anywhere in the output; every Secret reference names a known Secret
    and key (only names and keys appear)."""
    for values in secrets.values():
        for value in values.values():
            assert value not in stream
    for text in strings(objects):
        for values in secrets.values():
            assert not any(v in text for v in values.values())
    for ref in _secret_key_refs(objects):
        assert ref["name"] in secrets and ref["key"] in secrets[ref["name"]], ref


def _secret_key_refs(node: Any) -> list[Obj]:
    found = [m["secretKeyRef"] for m in mappings(node) if isinstance(m.get("secretKeyRef"), dict)]
    for text in strings(node):
        if "secretKeyRef" in text:  # an embedded manifest (or the key itself: a plain string)
            with contextlib.suppress(yaml.YAMLError):
                embedded = yaml.safe_load(text)
                if not isinstance(embedded, str):
                    found += _secret_key_refs(embedded)
    return found
