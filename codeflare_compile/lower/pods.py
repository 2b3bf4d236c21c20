"""The pod and container pieces every archetype shares: labels, resources, env, security."""

from __future__ import annotations

import shlex
from decimal import Decimal
from typing import Any

from codeflare_compile import quantities
from codeflare_compile.ir import PodSize, RunPlan

MANAGED_BY = "codeflare-compile"
GPU_RESOURCE = "nvidia.com/gpu"
SHM_MOUNT = {"name": "dshm", "mountPath": "/dev/shm"}


#: On a workflow step's objects and pods: the workflow Run's name (`codeflare.dev/run` is the
#: step's own, `<run>-<step>`), so `kubectl get pods -l codeflare.dev/workflow=<run>` finds
#: every step's pods.
WORKFLOW_LABEL = "codeflare.dev/workflow"
#: The Run's name on every object and pod (a workflow step's: `<run>-<step>`).
RUN_LABEL = "codeflare.dev/run"


def standard_labels(plan: RunPlan, component: str) -> dict[str, str]:
    """The labels of SPEC §3 over the user's own labels; carried by every object and pod."""
    labels = {
        **plan.labels,
        "app.kubernetes.io/name": plan.app.name,
        "app.kubernetes.io/instance": plan.name,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/component": component,
        RUN_LABEL: plan.name,
        "codeflare.dev/application": plan.app.name,
        "codeflare.dev/archetype": plan.archetype,
        "codeflare.dev/size": plan.size,
    }
    if plan.step is not None:
        labels[WORKFLOW_LABEL] = plan.step.workflow
    return labels


def metadata(plan: RunPlan, name: str, component: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "namespace": plan.namespace,
        "labels": standard_labels(plan, component),
    }
    if plan.annotations:
        meta["annotations"] = dict(plan.annotations)
    return meta


def resources(pod: PodSize) -> dict[str, dict[str, str]]:
    """requests = limits, every quantity a string (CRDs reject floats)."""
    amounts = {"cpu": pod.cpu, "memory": pod.memory}
    if pod.gpu > 0:
        amounts[GPU_RESOURCE] = str(pod.gpu)
    return {"requests": dict(amounts), "limits": dict(amounts)}


def pod_amounts(template: dict[str, Any], field: str = "requests") -> dict[str, Decimal]:
    """What one pod of a template asks for (`requests` or `limits`), per resource, as
    Kubernetes counts it ("Resource sharing within containers", kubernetes.io Init Containers;
    k8s.io/component-helpers resource.PodRequests): the containers and the sidecars
    (`restartPolicy: Always` init containers) together, or an init container with the sidecars
    started before it, whichever is more."""
    spec = template["spec"]
    sidecars: dict[str, Decimal] = {}
    peaks: list[dict[str, Decimal]] = []
    for init in spec.get("initContainers", []):
        amounts = init.get("resources", {}).get(field, {})
        if init.get("restartPolicy") == "Always":
            quantities.add(sidecars, amounts)
        else:
            peak = dict(sidecars)
            quantities.add(peak, amounts)
            peaks.append(peak)
    running = dict(sidecars)
    for container in spec["containers"]:
        quantities.add(running, container.get("resources", {}).get(field, {}))
    return quantities.most([running, *peaks])


def secret_env(plan: RunPlan) -> list[dict[str, Any]]:
    """Environment taken from Secrets, always by reference."""
    return [e for e in env(plan) if "valueFrom" in e]


def plain_env(plan: RunPlan) -> dict[str, str]:
    return {name: value for name, value in plan.env.items() if isinstance(value, str)}


def env(plan: RunPlan) -> list[dict[str, Any]]:
    """The whole environment as container `env`, in the user's order; Secrets by reference."""
    return [
        {"name": name, "value": value} if isinstance(value, str) else
        {"name": name, "valueFrom": {"secretKeyRef": {
            "name": value.secret_key_ref.name, "key": value.secret_key_ref.key}}}
        for name, value in plan.env.items()
    ]


def shell_command(plan: RunPlan, line: str) -> list[str]:
    """`/bin/sh -c` running `line` (a shell command line the user wrote), after installing the
    Application's pip requirements; every value the compiler adds is quoted."""
    steps = ["set -e"]
    if plan.requirements:
        quoted = " ".join(shlex.quote(r) for r in plan.requirements)
        steps.append(f"python3 -m pip install --no-cache-dir --user {quoted}")
    steps.append(line)
    return ["/bin/sh", "-c", "\n".join(steps)]


def container(plan: RunPlan, name: str, *, command: list[str] | None = None,
              args: list[str] | None = None, env: list[dict[str, Any]] | None = None,
              ports: list[dict[str, Any]] | None = None,
              size: PodSize | None = None) -> dict[str, Any]:
    """The workload container: image, command, env, requests = limits, safe defaults.

    The lowering names it as its pod set's `main` container, where the cross-cutting passes
    add their mounts and environment. `size` is the pod's when it is not the Run's per-pod
    size (the Ray head's own).
    """
    out: dict[str, Any] = {"name": name, "image": plan.image}
    if command is not None:
        out["command"] = command
    if args is not None:
        out["args"] = args
    if ports:
        out["ports"] = ports
    if env:
        out["env"] = env
    if plan.code is not None:
        out["workingDir"] = plan.code.workdir
    out["resources"] = resources(size or plan.pod)
    out["securityContext"] = container_security()
    return out


def container_security() -> dict[str, Any]:
    """Every container's own settings at every Pod Security level (crosscut/security.py adds
    what the level and the Application ask for); a new mapping each time, so that no two
    containers share one (the YAML writer would make an alias of it)."""
    return {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def pod_spec(plan: RunPlan, containers: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A pod spec with the Run's pull secrets, priority and security context applied."""
    spec: dict[str, Any] = {**fields, "automountServiceAccountToken": False}
    if plan.priority_class:
        spec["priorityClassName"] = plan.priority_class
    if plan.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": s} for s in plan.image_pull_secrets]
    security = plan.security_context
    # the Application's fields; crosscut/security.py adds the Pod Security level's
    spec["securityContext"] = security.pod_fields() if security is not None else {}
    spec["containers"] = containers
    return spec


def shm_volume() -> dict[str, Any]:
    """A memory-backed /dev/shm (mounted with `SHM_MOUNT`): a container runtime gives 64Mi, too
    little for PyTorch data loaders and NCCL, and for Ray's object store, which otherwise falls
    back to /tmp (ray `python/ray/_private/services.py`, determine_plasma_store_config). What is
    written there counts against the container's memory limit."""
    return {"name": SHM_MOUNT["name"], "emptyDir": {"medium": "Memory"}}


def pod_template(plan: RunPlan, component: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"labels": standard_labels(plan, component)}, "spec": spec}
