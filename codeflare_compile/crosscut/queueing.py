"""Queueing: how a Run's objects wait for admission (SPEC §3, targets §3 and §5).

Each target is declared in `backends/queueing/<name>.py`; here is what it does to a Run's
objects, one `apply` per target. docs/targets.md says, target by target, who admits the objects,
who reports success and failure, and who retries; the choices below follow it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from codeflare_compile.backends import QUEUEINGS, QueueingTarget
from codeflare_compile.backends.queueing import appwrapper, kueue, mcad
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Lowered, PodSet, Target
from codeflare_compile.lower import pods
from codeflare_compile.problems.targets import mcad_cannot_finish, queue_ignored

#: The targets that queue through Kueue, for messages: "appwrapper or kueue".
_THROUGH_KUEUE = " or ".join(name for name, b in QUEUEINGS.items() if b.through_kueue)

#: What a target does to a Run that has pods to admit; None when it cannot queue the Run (and
#: has said why).
Apply = Callable[[Lowered, Target, Diagnostics], Lowered | None]


def queueing(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
    if not lowered.pod_sets:  # nothing to admit: a Workflow's steps are queued one by one
        return lowered
    backend = queueing_of(lowered, target)
    queued = APPLY[backend.name](lowered, target, diags)
    if queued is None:
        return lowered
    queue = lowered.plan.queue
    if backend.through_kueue:  # on the object Kueue admits: the wrapper, else the workload
        admitted = queued.objects[0] if backend.wraps(lowered.plan.archetype) else queued.workload
        _kueue_labels(admitted, lowered, target)
    elif queue:
        diags.add(queue_ignored(queue, backend.name, _THROUGH_KUEUE,
                                lowered.plan.run.span("spec", "queue")))
    return queued


def queueing_of(lowered: Lowered, target: Target) -> QueueingTarget:
    """The queueing the Run gets: the target's, except where it could never finish."""
    chosen = QUEUEINGS[target.queueing]
    if lowered.plan.archetype in chosen.kueue_direct:
        return kueue.BACKEND
    return chosen


def kind_of(obj: dict[str, Any]) -> str:
    return f"{obj['apiVersion']}/{obj['kind']}"


def pod_set_path(path: tuple[str | int, ...]) -> str:
    """A pod template's place as the AppWrapper writes it: `template.spec.x[0].template`."""
    out = "template"
    for seg in path:
        out += f"[{seg}]" if isinstance(seg, int) else f".{seg}"
    return out


def _kueue_labels(queued: dict[str, Any], lowered: Lowered, target: Target) -> None:
    """The queue and the workload priority class, on the object Kueue admits."""
    queue = lowered.plan.queue
    level = lowered.plan.priority_level
    if queue:
        queued["metadata"]["labels"][kueue.QUEUE_LABEL] = queue
    if level in target.workload_priority_classes:
        queued["metadata"]["labels"][kueue.PRIORITY_LABEL] = \
            target.workload_priority_classes[level]


def _unchanged(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
    """The objects as they are (what Kueue admits is labelled by `queueing`)."""
    return lowered


def _appwrapper(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
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
    # A failed component is reset (deleted and created again) up to retryLimit times, 3 by
    # default (appwrapper `pkg/config/config.go`; resetOrFail): 0 where the workload must not
    # run again from the start.
    annotations = {**lowered.wrapper_annotations,
                   **({} if lowered.rerun else {"retryLimit": "0"})}
    if annotations:
        meta.setdefault("annotations", {}).update(
            {f"{appwrapper.FAULT_TOLERANCE}/{k}": v for k, v in sorted(annotations.items())})
    lowered.objects = [{
        "apiVersion": appwrapper.WRAPPER.api_version,
        "kind": appwrapper.WRAPPER.kind,
        "metadata": meta,
        "spec": {"components": components},
    }]
    return lowered


def _mcad(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered | None:
    plan = lowered.plan
    if kind_of(lowered.workload) not in mcad.COMPLETION:
        diags.add(mcad_cannot_finish(lowered.workload["kind"], plan.app.span("spec", "api")))
        return None
    name = lowered.workload["metadata"]["name"]
    for template in lowered.templates():
        template.labels[mcad.POD_LABEL] = name
    items = []
    for obj in lowered.objects:
        item: dict[str, Any] = {"replicas": 1, "generictemplate": obj}
        if obj is lowered.workload:
            item["completionstatus"] = mcad.COMPLETION[kind_of(obj)]
            item["custompodresources"] = [_custom_resources(lowered, p) for p in lowered.pod_sets]
        items.append(item)
    spec: dict[str, Any] = {}
    if lowered.rerun:
        # MCAD requeues (deletes and dispatches again) an AppWrapper whose running and
        # succeeded pods stay below minAvailable, with no limit by default
        # (queuejob_controller_ex.go, PreemptQueueJobs): the gang's all-or-nothing start.
        # Without minAvailable it never requeues (the CRD's description of the field).
        spec["schedulingSpec"] = {"minAvailable": sum(p.replicas for p in lowered.pod_sets)}
    spec["resources"] = {"GenericItems": items}
    level = plan.priority_level
    if level:
        spec["priority"] = mcad.PRIORITY[level]
    lowered.objects = [{
        "apiVersion": mcad.WRAPPER.api_version,
        "kind": mcad.WRAPPER.kind,
        "metadata": pods.metadata(plan, name, "appwrapper"),
        "spec": spec,
    }]
    return lowered


def _custom_resources(lowered: Lowered, pod_set: PodSet) -> dict[str, Any]:
    amounts = pods.resources(lowered.plan.pod)
    return {"replicas": pod_set.replicas, **amounts}


#: Each queueing target's `apply`.
APPLY: dict[str, Apply] = {"appwrapper": _appwrapper, "mcad": _mcad, "kueue": _unchanged,
                           "none": _unchanged}
if APPLY.keys() != QUEUEINGS.keys():
    raise ImportError(f"queueing targets without an apply, or applies without a target: "
                      f"{sorted(APPLY.keys() ^ QUEUEINGS.keys())}")
