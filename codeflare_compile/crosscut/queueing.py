"""Queueing: how a Run's objects wait for admission (SPEC §3, targets §3 and §5).

`appwrapper`: one AppWrapper (v1beta2) holding every object, its podSets declared exactly as the
AppWrapper controller infers them; `mcad`: the legacy GenericItems form with custompodresources
and the completionstatus MCAD needs to finish; `kueue`: the queue label on the workload itself;
`none`: the objects as they are. docs/targets.md says, target by target, who admits the objects,
who reports success and failure, and who retries; the choices below follow it.
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Lowered, PodSet, Target
from codeflare_compile.lower import pods
from codeflare_compile.lower.names import wraps
from codeflare_compile.problems.targets import mcad_cannot_finish, queue_ignored

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
FAULT_TOLERANCE = "workload.codeflare.dev.appwrapper"
#: MCAD's integer `spec.priority` for each Run priority (higher dispatches first).
MCAD_PRIORITY = {"low": 1, "normal": 5, "high": 10}
#: Why `names.KUEUE_DIRECT` (Ray) is not wrapped under `appwrapper` but queued by Kueue directly:
#: the AppWrapper succeeds only when its pods have (appwrapper `internal/controller/appwrapper/
#: appwrapper_controller.go`, Reconcile, "Handle Success"; its RayJob status check is commented
#: out in getComponentStatus), and KubeRay deletes a RayJob's cluster when the job ends
#: (`shutdownAfterJobFinishes`, which Kueue requires), so the pods vanish instead of succeeding and
#: the AppWrapper resets, re-running the job. Kueue's RayJob integration reads the RayJob's own
#: status (kueue `pkg/controller/jobs/rayjob/rayjob_controller.go`, Finished).
#: MCAD's `completionstatus` for the workload item: condition types MCAD looks for (as
#: case-insensitive substrings) in the object's `status.conditions` before it moves the
#: AppWrapper to Completed (multi-cluster-app-dispatcher v1.34.0
#: `pkg/controller/queuejobresources/genericresource/genericresource.go`, IsItemCompleted;
#: `pkg/controller/queuejob/queuejob_controller_ex.go`, getAppWrapperCompletionStatus). Both the
#: success and the failure condition finish it; the pod counts tell them apart. A kind without
#: conditions (RayJob) can never complete: CF440.
MCAD_COMPLETION = {"batch/v1/Job": "Complete,Failed",
                   "kubeflow.org/v1/PyTorchJob": "Succeeded,Failed"}
#: MCAD counts the pods carrying this label (queuejob_controller_ex.go, UpdateQueueJobStatus) but
#: adds it only to a `spec.template` (genericresource.go, addLabelsToPodTemplateField): every pod
#: template gets it here, so that a PyTorchJob's pods count too.
MCAD_LABEL = "appwrapper.mcad.ibm.com"


def queueing(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
    if not lowered.pod_sets:  # nothing to admit: a Workflow's steps are queued one by one
        return lowered
    queue = lowered.plan.run.model.spec.queue
    level = lowered.plan.run.model.spec.priority
    mode = queueing_of(lowered, target)
    if mode == "mcad" and kind_of(lowered.workload) not in MCAD_COMPLETION:
        diags.add(mcad_cannot_finish(lowered.workload["kind"],
                                     lowered.plan.app.span("spec", "api")))
        return lowered
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
        diags.add(queue_ignored(queue, mode, lowered.plan.run.span("spec", "queue")))
    return lowered


def queueing_of(lowered: Lowered, target: Target) -> str:
    """The queueing the Run gets: the target's, except where it could never finish."""
    if target.queueing == "appwrapper" and not wraps(target.queueing, lowered.plan.archetype):
        return "kueue"
    return target.queueing


def kind_of(obj: dict[str, Any]) -> str:
    return f"{obj['apiVersion']}/{obj['kind']}"


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
    # A failed component is reset (deleted and created again) up to retryLimit times, 3 by
    # default (appwrapper `pkg/config/config.go`; resetOrFail): 0 where the workload must not
    # run again from the start.
    annotations = {**lowered.wrapper_annotations,
                   **({} if lowered.rerun else {"retryLimit": "0"})}
    if annotations:
        meta.setdefault("annotations", {}).update(
            {f"{FAULT_TOLERANCE}/{k}": v for k, v in sorted(annotations.items())})
    return {
        "apiVersion": "workload.codeflare.dev/v1beta2",
        "kind": "AppWrapper",
        "metadata": meta,
        "spec": {"components": components},
    }


def _mcad(lowered: Lowered) -> dict[str, Any]:
    plan = lowered.plan
    name = lowered.workload["metadata"]["name"]
    for template in lowered.pod_templates():
        template["metadata"]["labels"][MCAD_LABEL] = name
    items = []
    for obj in lowered.objects:
        item: dict[str, Any] = {"replicas": 1, "generictemplate": obj}
        if obj is lowered.workload:
            item["completionstatus"] = MCAD_COMPLETION[kind_of(obj)]
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
    return {
        "apiVersion": "mcad.ibm.com/v1beta1",
        "kind": "AppWrapper",
        "metadata": pods.metadata(plan, name, "appwrapper"),
        "spec": spec,
    }


def _custom_resources(lowered: Lowered, pod_set: PodSet) -> dict[str, Any]:
    amounts = pods.resources(lowered.plan.pod)
    return {"replicas": pod_set.replicas, **amounts}
