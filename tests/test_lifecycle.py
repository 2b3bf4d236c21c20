"""Lifecycle: for every row of docs/targets.md, the emitted objects reach the right end.

Each queueing controller's decision is modelled here as small as its upstream code (cited at
each model) and run on what the compiler emits plus status objects shaped as the upstream
controllers write them at each phase:

- AppWrapper v1beta2 (appwrapper v1.2.1 `internal/controller/appwrapper/appwrapper_controller.go`,
  Reconcile in phase Running, getPodStatus, getComponentStatus, resetOrFail): the pods counted
  are those of the declared pod sets, which the controller labels (resource_management.go,
  createComponent).
- MCAD (multi-cluster-app-dispatcher v1.34.0 `queuejob_controller_ex.go`
  getAppWrapperCompletionStatus, UpdateQueueJobStatus, PreemptQueueJobs; `genericresource.go`
  IsItemCompleted, addLabelsToPodTemplateField), then the workflow step's Argo conditions on
  the AppWrapper's status (argo-workflows `workflow/executor/resource.go`, matchConditions:
  any failure requirement fails, all success requirements must hold; keys are gjson paths).
- Kueue (v0.19.2 `pkg/controller/jobs/*/…_controller.go`, Finished) for the workload itself.

Status fixtures: Job conditions as the Job controller writes them (kubernetes
`pkg/controller/job/job_controller.go`: from 1.31 `SuccessCriteriaMet`/`FailureTarget` come before
`Complete`/`Failed`); PyTorchJob conditions as the training operator writes them (`Created`,
`Running`, then `Succeeded` or `Failed`); RayJob status fields of kuberay v1.7.0
`rayjob_types.go` (no conditions).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from codeflare_compile.backends.queueing.kueue import QUEUE_LABEL
from codeflare_compile.backends.queueing.mcad import POD_LABEL as MCAD_LABEL
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Overrides
from codeflare_compile.lower.workflow import CONDITIONS
from tests import argo_conditions
from tests.build_inputs import app, run
from tests.lowering import lowered

AW_LABEL = "workload.codeflare.dev/appwrapper"  # appwrapper api/v1beta2, AppWrapperLabel
AW_ANNOTATION = "workload.codeflare.dev.appwrapper/"
AW_DEFAULT_RETRY_LIMIT = 3  # appwrapper pkg/config/config.go, NewAppWrapperConfig

APPS = {
    "ray": app(),
    "torch": app().replace("api: ray", "api: torch"),
    "shell": app().replace("api: ray", "api: shell"),
    "workqueue": app(extra="  tasks: [a, b, c]\n").replace("api: ray", "api: workqueue"),
}


def emit(archetype: str, queueing: str, backend: str = "job", gang: str = "coscheduler",
         queue: str | None = "q") -> tuple[list[dict[str, Any]], Diagnostics]:
    """The Run's objects (as YAML would carry them) and the diagnostics of lowering it."""
    extra = "  workers: 2\n" + (f"  queue: {queue}\n" if queue else "")
    overrides = Overrides(queueing=queueing, gang=gang,  # type: ignore[arg-type]
                          torch_backend=backend)
    diags = Diagnostics()
    low = lowered(APPS[archetype] + run(extra=extra), overrides, "queueing", diags)
    return yaml.safe_load(yaml.safe_dump(low.objects)), diags


def objects_of(archetype: str, queueing: str, backend: str = "job",
               gang: str = "coscheduler") -> list[dict[str, Any]]:
    objects, diags = emit(archetype, queueing, backend, gang)
    assert not diags.has_errors, diags.items
    return objects


# ------------------------------------------------------------------ status fixtures

def job_status(outcome: str, *, new_conditions: bool = True) -> dict[str, Any]:
    """A Job's status: `running`, `succeeded` or `failed`; Kubernetes ≥ 1.31 writes the
    interim condition first, ≤ 1.30 only the final one (job_controller.go, syncJob)."""
    if outcome == "running":
        return {"active": 2}
    final, interim = {"succeeded": ("Complete", "SuccessCriteriaMet"),
                      "failed": ("Failed", "FailureTarget")}[outcome]
    conditions = [{"type": final, "status": "True"}]
    if new_conditions:
        conditions.insert(0, {"type": interim, "status": "True"})
    return {"conditions": conditions}


def pytorchjob_status(outcome: str) -> dict[str, Any]:
    """training-operator `pkg/util/status.go` (UpdateJobConditions, filterOutCondition):
    Created, Running, then Succeeded or Failed appended with Running turned False."""
    conditions = [{"type": "Created", "status": "True"},
                  {"type": "Running", "status": "True" if outcome == "running" else "False"}]
    if outcome != "running":
        conditions.append({"type": outcome.capitalize(), "status": "True"})
    return {"conditions": conditions}


def rayjob_status(outcome: str) -> dict[str, Any]:
    """kuberay v1.7.0 `rayjob_types.go`: jobStatus and jobDeploymentStatus, no conditions."""
    return {"running": {"jobStatus": "RUNNING", "jobDeploymentStatus": "Running"},
            "succeeded": {"jobStatus": "SUCCEEDED", "jobDeploymentStatus": "Complete"},
            "failed": {"jobStatus": "FAILED", "jobDeploymentStatus": "Complete"},
            "deployment-failed": {"jobDeploymentStatus": "Failed"}}[outcome]


# ------------------------------------------------------------------ AppWrapper v1beta2

def aw_decision(wrapper: dict[str, Any], pods: list[str], component_failed: bool,
                retries: int = 0, grace_over: bool = True) -> str:
    """Reconcile in phase Running: the next phase (`Running` = keep waiting)."""
    components = wrapper["spec"]["components"]
    expected = sum(p["replicas"] for c in components for p in c.get("podSets", []))
    annotations = wrapper["metadata"].get("annotations", {})
    limit = int(annotations.get(AW_ANNOTATION + "retryLimit", AW_DEFAULT_RETRY_LIMIT))

    def reset_or_fail() -> str:
        return "Resetting" if retries < limit else "Failed"

    count = {phase: pods.count(phase) for phase in ("Pending", "Running", "Succeeded", "Failed")}
    if component_failed:  # "If a component's controller has put it into a failed state"
        return reset_or_fail()
    unfinished = count["Pending"] + count["Running"] + count["Failed"]
    if count["Succeeded"] >= expected and unfinished == 0:
        return "Succeeded"  # "Handle Success"
    if count["Failed"] > 0:  # "Handle Failed Pods", after failureGracePeriodDuration
        return reset_or_fail() if grace_over else "Running"
    if count["Running"] + count["Succeeded"] >= expected:
        return "Running"
    return reset_or_fail() if grace_over else "Running"  # InsufficientPodsReady


def wrapper_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (wrapper,) = objects
    assert wrapper["apiVersion"] == "workload.codeflare.dev/v1beta2"
    return wrapper


def pod_count(wrapper: dict[str, Any]) -> int:
    return sum(p["replicas"] for c in wrapper["spec"]["components"] for p in c.get("podSets", []))


@pytest.mark.parametrize(("archetype", "backend"), [
    ("torch", "job"), ("torch", "pytorchjob"), ("shell", "job"), ("workqueue", "job")])
def test_appwrapper_succeeds_when_every_pod_succeeded(archetype: str, backend: str) -> None:
    wrapper = wrapper_of(objects_of(archetype, "appwrapper", backend))
    pods = pod_count(wrapper)
    assert pods >= 1
    assert aw_decision(wrapper, ["Succeeded"] * pods, component_failed=False) == "Succeeded"
    assert aw_decision(wrapper, ["Running"] * pods, component_failed=False,
                       grace_over=False) == "Running"


@pytest.mark.parametrize(("archetype", "end"), [("shell", "Failed"), ("workqueue", "Failed"),
                                                ("torch", "Resetting")])
def test_appwrapper_failure_is_final_unless_the_workload_may_run_again(archetype: str,
                                                                       end: str) -> None:
    """A failed Job fails the AppWrapper at once (its Failed condition); shell and workqueue
    carry retryLimit 0, torch keeps the default 3 and is reset (run again)."""
    wrapper = wrapper_of(objects_of(archetype, "appwrapper"))
    pods = ["Failed"] + ["Succeeded"] * (pod_count(wrapper) - 1)
    assert aw_decision(wrapper, pods, component_failed=True) == end
    assert aw_decision(wrapper, pods, component_failed=True,
                       retries=AW_DEFAULT_RETRY_LIMIT) == "Failed"


def test_appwrapper_workqueue_task_retried_in_its_pod_still_succeeds() -> None:
    """A task that failed once and succeeded on retry leaves no failed pod: its retry ran in the
    same pod (`backoffLimitPerIndex: 0`). With per-index retries (a new pod per try) the Job
    completes but the AppWrapper, seeing a failed pod, could never succeed."""
    wrapper = wrapper_of(objects_of("workqueue", "appwrapper"))
    job = wrapper["spec"]["components"][-1]["template"]
    assert job["spec"]["backoffLimitPerIndex"] == 0
    assert "until /bin/sh -ec" in job["spec"]["template"]["spec"]["containers"][0]["command"][2]
    pods = ["Succeeded"] * pod_count(wrapper)
    assert aw_decision(wrapper, pods, component_failed=False) == "Succeeded"
    assert aw_decision(wrapper, ["Failed", *pods], component_failed=False) == "Failed"


def test_appwrapper_would_never_see_a_rayjob_succeed() -> None:
    """Why Ray is not wrapped: KubeRay deletes the cluster when the job ends, so a wrapped
    RayJob's pods vanish; no pods is InsufficientPodsReady, a reset (the job runs again)."""
    wrapper = {"metadata": {}, "spec": {"components": [{"podSets": [
        {"path": "template.spec.rayClusterSpec.headGroupSpec.template", "replicas": 1},
        {"path": "template.spec.rayClusterSpec.workerGroupSpecs[0].template", "replicas": 2}]}]}}
    assert aw_decision(wrapper, [], component_failed=False) == "Resetting"
    objects = objects_of("ray", "appwrapper")
    assert [o["kind"] for o in objects] == ["PodGroup", "RayJob"]  # queued by Kueue directly
    assert objects[1]["metadata"]["labels"][QUEUE_LABEL] == "q"


# ------------------------------------------------------------------ MCAD

def mcad_item_completed(item: dict[str, Any], status: dict[str, Any]) -> bool:
    """IsItemCompleted: some condition's type contains an entry (status not read)."""
    entries = [e.lower() for e in item["completionstatus"].split(",")]
    return any(e in str(c["type"]).lower() for c in status.get("conditions", [])
               for e in entries)


def mcad_counted(wrapper: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    """Whether the pods of the template at `path` carry MCAD's label: MCAD adds it to a
    workload's `spec.template` only (addLabelsToPodTemplateField)."""
    item = next(i for i in wrapper["spec"]["resources"]["GenericItems"] if "completionstatus" in i)
    node: Any = item["generictemplate"]
    for seg in path:
        node = node[seg]
    return path == ("spec", "template") or node["metadata"]["labels"].get(MCAD_LABEL) == \
        wrapper["metadata"]["name"]


def mcad_status(wrapper: dict[str, Any], workload: dict[str, Any], pods: dict[str, int]
                ) -> dict[str, Any]:
    """The AppWrapper status MCAD writes: pod counts (omitted when 0, `omitempty`) and the
    state getAppWrapperCompletionStatus derives."""
    item = next(i for i in wrapper["spec"]["resources"]["GenericItems"] if "completionstatus" in i)
    status: dict[str, Any] = {"state": "Running"}
    for field, phase in (("pending", "Pending"), ("running", "Running"),
                         ("Succeeded", "Succeeded"), ("failed", "Failed")):
        if pods.get(phase):
            status[field] = pods[phase]
    if mcad_item_completed(item, workload):
        status["state"] = ("Completed" if not pods.get("Pending") and not pods.get("Running")
                           else "RunningHoldCompletion")
    return status


def mcad_requeues(wrapper: dict[str, Any], pods: dict[str, int]) -> bool:
    """PreemptQueueJobs: running + succeeded below minAvailable (after the requeuing time)."""
    least = wrapper["spec"].get("schedulingSpec", {}).get("minAvailable", 0)
    return pods.get("Running", 0) + pods.get("Succeeded", 0) < least


def step_outcome(wrapper: dict[str, Any], status: dict[str, Any]) -> str:
    """What the workflow step waiting on `wrapper` concludes (tests/argo_conditions.py)."""
    success, failure = CONDITIONS[f"{wrapper['apiVersion']}/{wrapper['kind']}"]
    return argo_conditions.outcome(success, failure, {"status": status})


MCAD_ROWS = [("torch", "job", job_status), ("torch", "pytorchjob", pytorchjob_status),
             ("shell", "job", job_status), ("workqueue", "job", job_status)]


@pytest.mark.parametrize(("archetype", "backend", "status_of"), MCAD_ROWS)
def test_mcad_completes_and_the_step_tells_success_from_failure(archetype: str, backend: str,
                                                                status_of: Any) -> None:
    (wrapper,) = objects_of(archetype, "mcad", backend)
    item = next(i for i in wrapper["spec"]["resources"]["GenericItems"] if "completionstatus" in i)
    workload = item["generictemplate"]
    paths = [("spec", "template")] if workload["kind"] == "Job" else [
        ("spec", "pytorchReplicaSpecs", role, "template")
        for role in workload["spec"]["pytorchReplicaSpecs"]]
    assert all(mcad_counted(wrapper, p) for p in paths)  # every pod is counted
    pods = sum(c["replicas"] for c in item["custompodresources"])

    running = mcad_status(wrapper, status_of("running"), {"Running": pods})
    assert running["state"] == "Running" and step_outcome(wrapper, running) == "waiting"
    assert not mcad_requeues(wrapper, {"Running": pods})

    done = mcad_status(wrapper, status_of("succeeded"), {"Succeeded": pods})
    assert done["state"] == "Completed" and step_outcome(wrapper, done) == "succeeded"

    failed = mcad_status(wrapper, status_of("failed"), {"Failed": 1, "Succeeded": pods - 1})
    assert failed["state"] == "Completed" and step_outcome(wrapper, failed) == "failed"


def test_mcad_job_conditions_of_old_and_new_kubernetes() -> None:
    (wrapper,) = objects_of("shell", "mcad")
    item = wrapper["spec"]["resources"]["GenericItems"][-1]
    assert item["completionstatus"] == "Complete,Failed"
    for new in (False, True):
        assert mcad_item_completed(item, job_status("succeeded", new_conditions=new))
        assert mcad_item_completed(item, job_status("failed", new_conditions=new))
    # an interim condition alone does not complete it ("failuretarget" holds no "failed")
    assert not mcad_item_completed(item, {"conditions": [{"type": "FailureTarget",
                                                          "status": "True"}]})
    assert not mcad_item_completed(item, {"conditions": [{"type": "Suspended",
                                                          "status": "False"}]})


@pytest.mark.parametrize(("archetype", "requeues"), [("shell", False), ("workqueue", False),
                                                     ("torch", True)])
def test_mcad_requeues_only_what_may_run_again(archetype: str, requeues: bool) -> None:
    """A failed pod below minAvailable makes MCAD delete and dispatch everything again."""
    (wrapper,) = objects_of(archetype, "mcad")
    assert mcad_requeues(wrapper, {"Failed": 1}) is requeues


def test_mcad_refuses_ray() -> None:
    """A RayJob has no status.conditions: MCAD could never complete it (CF440)."""
    item = {"completionstatus": "Complete,Failed"}
    assert not any(mcad_item_completed(item, rayjob_status(o))
                   for o in ("succeeded", "failed", "deployment-failed"))
    _, diags = emit("ray", "mcad")
    assert [d.code.value for d in diags.items] == ["CF440"]


# ------------------------------------------------------------------ Kueue and none

def kueue_finished(workload: dict[str, Any], status: dict[str, Any]) -> tuple[bool, bool]:
    """(finished, success) as Kueue's Finished reads each kind (kueue v0.19.2)."""
    kind = workload["kind"]
    if kind == "RayJob":  # jobs/rayjob Finished
        finished = status.get("jobDeploymentStatus") in ("Complete", "Failed")
        return finished, status.get("jobStatus") == "SUCCEEDED"
    final = {"Job": ("Complete", "Failed"), "PyTorchJob": ("Succeeded", "Failed")}[kind]
    for c in status.get("conditions", []):  # jobs/job and kubeflowjob Finished
        if c["type"] in final and c["status"] == "True":
            return True, c["type"] != "Failed"
    return False, False


STATUS_OF = {"RayJob": rayjob_status, "Job": job_status, "PyTorchJob": pytorchjob_status}


@pytest.mark.parametrize("queueing", ["kueue", "none"])
@pytest.mark.parametrize(("archetype", "backend"), [
    ("ray", "job"), ("torch", "job"), ("torch", "pytorchjob"), ("shell", "job"),
    ("workqueue", "job")])
def test_the_workload_reports_its_own_end(queueing: str, archetype: str, backend: str) -> None:
    objects = objects_of(archetype, queueing, backend)
    workload = objects[-1]
    assert workload["metadata"]["labels"].get(QUEUE_LABEL) == ("q" if queueing == "kueue"
                                                               else None)
    status_of = STATUS_OF[workload["kind"]]
    assert kueue_finished(workload, status_of("running")) == (False, False)
    assert kueue_finished(workload, status_of("succeeded")) == (True, True)
    assert kueue_finished(workload, status_of("failed"))[1] is False
    if workload["kind"] == "RayJob":
        assert workload["spec"]["shutdownAfterJobFinishes"] is True  # Kueue-ray-webhook
        assert kueue_finished(workload, rayjob_status("deployment-failed")) == (True, False)


def podgroups_and_end(objects: list[dict[str, Any]]) -> tuple[int, str]:
    """How many PodGroups the Run creates (wrapped or not) and the object that reports its end."""
    top = objects[-1]
    inner = [c["template"] for c in top["spec"]["components"]] if top["kind"] == "AppWrapper" \
        and "components" in top["spec"] else [
        i["generictemplate"] for i in top["spec"].get("resources", {}).get("GenericItems", [])]
    every = [*objects, *inner]
    return sum(o["kind"] == "PodGroup" for o in every), f"{top['apiVersion']}/{top['kind']}"


@pytest.mark.parametrize("queueing", ["appwrapper", "mcad", "kueue", "none"])
@pytest.mark.parametrize("archetype", ["ray", "torch", "shell", "workqueue"])
def test_the_gang_setting_changes_no_signal(archetype: str, queueing: str) -> None:
    """Only the PodGroup comes and goes (never for a workqueue: its pods are independent);
    the object that reports the Run's end is the same."""
    if (archetype, queueing) == ("ray", "mcad"):  # refused whatever the gang setting
        for g in ("coscheduler", "none"):
            assert [d.code.value for d in emit(archetype, queueing, gang=g)[1].items] == ["CF440"]
        return
    gang, plain = (podgroups_and_end(objects_of(archetype, queueing, gang=g))
                   for g in ("coscheduler", "none"))
    assert gang[1] == plain[1]
    assert (gang[0], plain[0]) == ((0 if archetype == "workqueue" else 1), 0)
