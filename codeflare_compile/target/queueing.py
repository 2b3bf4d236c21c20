"""Queueing: how a Run's objects wait for admission (SPEC §3, targets §3 and §5).

`appwrapper`: one AppWrapper (v1beta2) holding every object, its podSets declared exactly as the
AppWrapper controller infers them; `mcad`: the legacy GenericItems form with custompodresources;
`kueue`: the queue label on the workload itself; `none`: the objects as they are.
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.diagnostics import Code, Diagnostics
from codeflare_compile.ir import Lowered, PodSet, Target
from codeflare_compile.lower import pods

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
FAULT_TOLERANCE = "workload.codeflare.dev.appwrapper"
#: MCAD's integer `spec.priority` for each Run priority (higher dispatches first).
MCAD_PRIORITY = {"low": 1, "normal": 5, "high": 10}


def queueing(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
    if not lowered.pod_sets:  # nothing to admit: a Workflow's steps are queued one by one
        return lowered
    queue = lowered.plan.run.model.spec.queue
    level = lowered.plan.run.model.spec.priority
    mode = target.queueing
    if mode == "kueue":
        queued = lowered.workload
        if queue:
            queued["metadata"]["labels"][QUEUE_LABEL] = queue
    elif mode == "appwrapper":
        queued = _appwrapper(lowered, queue)
        lowered.objects = [queued]
    elif mode == "mcad":
        queued = _mcad(lowered)
        if level:
            queued["spec"]["priority"] = MCAD_PRIORITY[level]
        lowered.objects = [queued]
    if mode in ("kueue", "appwrapper") and level in target.workload_priority_classes:
        queued["metadata"]["labels"][PRIORITY_LABEL] = target.workload_priority_classes[level]
    if queue and mode in ("mcad", "none"):
        diags.warning(Code.IGNORED_SETTING,
                      f"queue '{queue}' has no effect with queueing '{mode}'",
                      lowered.plan.run.span("spec", "queue"),
                      help="use --queueing appwrapper or kueue to queue through Kueue")
    return lowered


def pod_set_path(path: tuple[str | int, ...]) -> str:
    """A pod template's place as the AppWrapper writes it: `template.spec.x[0].template`."""
    out = "template"
    for seg in path:
        out += f"[{seg}]" if isinstance(seg, int) else f".{seg}"
    return out


def _appwrapper(lowered: Lowered, queue: str | None) -> dict[str, Any]:
    plan = lowered.plan
    components = []
    for obj in lowered.objects:
        component: dict[str, Any] = {"template": obj}
        if obj is lowered.workload:
            component["podSets"] = [
                {"path": pod_set_path(p.path), "replicas": p.replicas} for p in lowered.pod_sets
            ]
        components.append(component)
    meta = pods.metadata(plan, lowered.workload["metadata"]["name"], "appwrapper")
    if queue:
        meta["labels"][QUEUE_LABEL] = queue
    if lowered.wrapper_annotations:
        meta.setdefault("annotations", {}).update(
            {f"{FAULT_TOLERANCE}/{k}": v for k, v in lowered.wrapper_annotations.items()})
    return {
        "apiVersion": "workload.codeflare.dev/v1beta2",
        "kind": "AppWrapper",
        "metadata": meta,
        "spec": {"components": components},
    }


def _mcad(lowered: Lowered) -> dict[str, Any]:
    plan = lowered.plan
    items = []
    for obj in lowered.objects:
        item: dict[str, Any] = {"replicas": 1, "generictemplate": obj}
        if obj is lowered.workload:
            item["custompodresources"] = [_custom_resources(lowered, p) for p in lowered.pod_sets]
        items.append(item)
    pod_count = sum(p.replicas for p in lowered.pod_sets)
    return {
        "apiVersion": "mcad.ibm.com/v1beta1",
        "kind": "AppWrapper",
        "metadata": pods.metadata(plan, lowered.workload["metadata"]["name"], "appwrapper"),
        "spec": {
            "schedulingSpec": {"minAvailable": pod_count},
            "resources": {"GenericItems": items},
        },
    }


def _custom_resources(lowered: Lowered, pod_set: PodSet) -> dict[str, Any]:
    amounts = pods.resources(lowered.plan.pod)
    return {"replicas": pod_set.replicas, **amounts}
