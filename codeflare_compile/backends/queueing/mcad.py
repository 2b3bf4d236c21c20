"""`mcad`: the legacy MCAD AppWrapper (mcad.ibm.com/v1beta1) with GenericItems, the
custompodresources and the completionstatus MCAD needs to finish (docs/targets.md §1.2 and §4).
MCAD has no Kueue queue: a Run's `queue` is ignored."""

from __future__ import annotations

from codeflare_compile.backends.declare import ONE_OBJECT_TASK_BUDGET, QueueingTarget, Wrapper

#: MCAD's integer `spec.priority` for each Run priority (higher dispatches first).
PRIORITY = {"low": 1, "normal": 5, "high": 10}
#: MCAD's `completionstatus` for the workload item: condition types MCAD looks for (as
#: case-insensitive substrings) in the object's `status.conditions` before it moves the
#: AppWrapper to Completed (multi-cluster-app-dispatcher v1.34.0
#: `pkg/controller/queuejobresources/genericresource/genericresource.go`, IsItemCompleted;
#: `pkg/controller/queuejob/queuejob_controller_ex.go`, getAppWrapperCompletionStatus). Both the
#: success and the failure condition finish it; the pod counts tell them apart. A kind without
#: conditions (RayJob) can never complete: CF440.
COMPLETION = {"batch/v1/Job": "Complete,Failed",
              "kubeflow.org/v1/PyTorchJob": "Succeeded,Failed"}
#: MCAD counts the pods carrying this label (queuejob_controller_ex.go, UpdateQueueJobStatus) but
#: adds it only to a `spec.template` (genericresource.go, addLabelsToPodTemplateField): every pod
#: template gets it, so that a PyTorchJob's pods count too.
POD_LABEL = "appwrapper.mcad.ibm.com"

_ITEMS = ("spec", "resources", "GenericItems")
#: MCAD completes an AppWrapper when its workload succeeded or failed (COMPLETION) and counts
#: the pods that failed in `status.failed` (written only when not 0); a wrapped pod fails only
#: when the Run does (docs/targets.md): a workflow step waits for those. MCAD has no admission
#: webhook at all (project-codeflare/multi-cluster-app-dispatcher): nothing checks the creator.
WRAPPER = Wrapper("mcad.ibm.com/v1beta1", "AppWrapper", _ITEMS, "generictemplate",
                  conditions=("status.state == Completed,!status.failed",
                              "status.state == Failed,status.failed > 0"))

BACKEND = QueueingTarget(
    name="mcad",
    api=WRAPPER.api_version,
    detect_rank=2,
    wrapper=WRAPPER,
    legacy_wrappers=(Wrapper("workload.codeflare.dev/v1beta1", "AppWrapper", _ITEMS,
                             "generictemplate"),),
    task_budget=ONE_OBJECT_TASK_BUDGET,
)
