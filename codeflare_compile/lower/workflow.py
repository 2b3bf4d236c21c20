"""Workflow archetype → an Argo `Workflow` (argoproj.io/v1alpha1) whose DAG follows `dependsOn`.

Each step has already been lowered like a Run of its own Application, queueing and gang
scheduling included; here its objects become `resource` templates (`action: create`, owned by
the Workflow) — the step's main object with success and failure conditions that fit its kind,
the others (PodGroup, Service, ConfigMaps) as tasks it depends on. The Workflow itself is never
wrapped.

Every step is a resource template, a single-pod shell step too: the user's code then runs in a
pod of its own with no service-account token, while only Argo's executor holds the workflow's
token (whose Role may create Jobs, that is any pod). A `container` template would run the
user's command in the pod that holds the token: Argo mounts the workflow's account into every
container of a step pod unless the template names an executor account, and an executor account
needs a long-lived token Secret (workflow/controller/workflowpod.go, setupServiceAccount).
Argo locks down the pods of resource templates itself: its executor container there runs with
`common.MinimalCtrSC()` (non-root uid 8737, no capability, RuntimeDefault seccomp;
workflowpod.go, newExecContainer), which meets Pod Security `restricted`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from codeflare_compile.backends import wrappers
from codeflare_compile.emit.yaml import dump_embedded
from codeflare_compile.graphs import topological
from codeflare_compile.ir import Lowered, RunPlan, Target
from codeflare_compile.lower import pods
from codeflare_compile.lower.names import unit_name
from codeflare_compile.namefit import fit_name

ENTRYPOINT = "main"


def failed_condition(condition_types: int) -> str:
    """A failure condition that holds once a `Failed` condition is in `status.conditions`.

    Argo reads a condition as a label selector over gjson paths (argo-workflows
    workflow/executor/resource.go, WaitResource: `labels.Parse`), whose keys must be label keys:
    a list cannot be searched (`conditions.#(type==Failed)` does not parse), so the condition
    names every position `Failed` can hold when each of `condition_types` types is in the list
    at most once; any one matching fails the step.
    """
    return ",".join(f"status.conditions.{i}.type == Failed" for i in range(condition_types))


#: The condition types a Job can carry; the Job controller adds each at most once and then
#: updates it in place (kubernetes pkg/controller/job/job_controller.go,
#: ensureJobConditionStatus).
JOB_CONDITION_TYPES = ("Suspended", "FailureTarget", "Failed", "SuccessCriteriaMet", "Complete")
#: Those of a PyTorchJob: the training operator replaces a condition of the same type and
#: appends it, and changes nothing once `Failed` is there (kubeflow/training-operator
#: pkg/util/status.go, setCondition, filterOutCondition; pkg/apis/kubeflow.org/v1/common_types.go).
PYTORCHJOB_CONDITION_TYPES = ("Created", "Running", "Restarting", "Succeeded", "Suspended",
                              "Failed")
#: How Argo tells a created object finished: (success, failure) label-selector conditions.
#: Several failure requirements fail the step when any one matches. A queueing target's wrapper
#: declares its own (backends/queueing/).
CONDITIONS: dict[str, tuple[str, str]] = {
    **{w.key: w.conditions for w in wrappers() if w.conditions is not None},
    "ray.io/v1/RayJob": ("status.jobStatus == SUCCEEDED",
                         "status.jobStatus == FAILED,status.jobDeploymentStatus == Failed"),
    # The job succeeds when its Master does; it fails when any replica type has a failed pod
    # under restartPolicy Never, a Worker included, while the Master may still be running
    # (pkg/controller.v1/pytorch/pytorchjob_controller.go, UpdateJobStatus): its `Failed`
    # condition says so, `replicaStatuses.Master.failed` does not.
    "kubeflow.org/v1/PyTorchJob": ("status.replicaStatuses.Master.succeeded == 1",
                                   failed_condition(len(PYTORCHJOB_CONDITION_TYPES))),
}
#: A Job has succeeded once it has a completion time: the Job controller sets it together with
#: the `Complete` condition and for no other outcome (job_controller.go, enactJobFinished).
JOB_SUCCESS = "status.completionTime"
#: A Job has failed for good once it has the `Failed` condition (always with status True).
#: Neither `status.failed` (a retried pod, a pod the failure policy ignores) nor
#: `status.failedIndexes` (written as "" from the first sync with `backoffLimitPerIndex`:
#: job_controller.go, trackJobStatusAndRemoveFinalizers) says the Job itself has failed;
#: Kubernetes ≥ 1.31 puts `FailureTarget` before `Failed` and `SuccessCriteriaMet` before
#: `Complete`, and a Job Kueue admitted has `Suspended` first.
JOB_FAILURE = failed_condition(len(JOB_CONDITION_TYPES))


def lower_workflow(plan: RunPlan, target: Target, steps: list[tuple[RunPlan, Lowered]],
                   embed: Callable[[dict[str, Any]], Any] = dump_embedded) -> Lowered:
    """The Workflow; `embed` turns a step's object into its resource template's `manifest`
    (YAML text; while the Run's content hash is taken, the object itself is as good and cheaper:
    pipeline._lower_group)."""
    name = unit_name(plan, plan.name)
    templates: list[dict[str, Any]] = []
    tasks: dict[str, list[dict[str, Any]]] = {}  # step → its tasks, the main one last
    created: list[tuple[dict[str, Any], bool]] = []  # (object, whether a step waits on it)
    standalone: list[dict[str, Any]] = []  # steps' objects applied beside the Workflow
    graph = {}
    for step_plan, lowered in steps:
        assert step_plan.step is not None
        step = step_plan.step
        graph[step.name] = list(step.depends_on)
        main = lowered.workload if lowered.workload in lowered.objects else lowered.objects[0]
        step_tasks: list[dict[str, Any]] = []
        for obj in lowered.objects:
            if lowered.stands_alone(obj):
                standalone.append(obj)
                continue
            created.append((obj, obj is main))
            if obj is main:
                continue
            aux = f"{step.name}--{obj['kind'].lower()}-{len(step_tasks)}"
            templates.append(_resource_template(aux, embed(obj), conditions=None))
            step_tasks.append(_task(aux, list(step.depends_on)))
        templates.append(_resource_template(step.name, embed(main), _conditions(main)))
        step_tasks.append(_task(step.name, [*(t["name"] for t in step_tasks),
                                            *step.depends_on]))
        tasks[step.name] = step_tasks
    ordered = [task for s in topological(graph) for task in tasks[s]]
    dag = {"name": ENTRYPOINT, "dag": {"tasks": ordered}}
    spec: dict[str, Any] = {"entrypoint": ENTRYPOINT}
    objects: list[dict[str, Any]] = []
    if target.workflow_service_account:
        spec["serviceAccountName"] = target.workflow_service_account
    else:
        account = fit_name(f"{plan.name}-workflow", 253)
        spec["serviceAccountName"] = account
        objects += _rbac(plan, account, _rules(name, created))
    deadline = plan.deadline_seconds
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    spec["templates"] = [dag, *templates]
    workflow = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": pods.metadata(plan, name, "workflow"),
        "spec": spec,
    }
    return Lowered(plan, workflow, [], [*objects, *standalone, workflow],
                   [obj for _, lowered in steps for obj in lowered.shared],
                   standalone=standalone)


def _task(name: str, dependencies: list[str]) -> dict[str, Any]:
    task: dict[str, Any] = {"name": name, "template": name}
    if dependencies:
        task["dependencies"] = dependencies
    return task


def _conditions(obj: dict[str, Any]) -> tuple[str, str]:
    key = f"{obj['apiVersion']}/{obj['kind']}"
    if key == "batch/v1/Job":
        return JOB_SUCCESS, JOB_FAILURE
    return CONDITIONS[key]


def _resource_template(name: str, manifest: Any,
                       conditions: tuple[str, str] | None) -> dict[str, Any]:
    resource: dict[str, Any] = {"action": "create", "setOwnerReference": True,
                                "manifest": manifest}
    if conditions is not None:
        resource["successCondition"], resource["failureCondition"] = conditions
    return {"name": name, "resource": resource}


def _resource_of(obj: dict[str, Any]) -> tuple[str, str]:
    """(API group, plural resource) of an object the workflow creates."""
    group = obj["apiVersion"].rpartition("/")[0]
    return group, f"{obj['kind'].lower()}s"


def wrapped(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects a wrapper creates as if its creator did: a wrapper whose admission checks
    the creator's rights to every carried kind (`Wrapper.checks_creator`)."""
    for wrapper in wrappers():
        if wrapper.checks_creator and wrapper.key == f"{obj['apiVersion']}/{obj['kind']}":
            return [cast(dict[str, Any], inner) for _, inner in wrapper.carried(obj)]
    return []


def _rules(workflow: str, created: list[tuple[dict[str, Any], bool]]) -> list[dict[str, Any]]:
    """Exactly what the workflow's account does, and why.

    - `create` on every kind a step creates (Argo's executor runs `kubectl create`:
      argo-workflows workflow/executor/resource.go, ExecResource) or has an AppWrapper create;
    - `delete` on each object it creates, by name: its templates set `setOwnerReference`, and
      where the OwnerReferencesPermissionEnforcement admission plugin is on (OpenShift) an object
      with an owner reference is admitted only from a creator who may delete it (kubernetes
      plugin/pkg/admission/gc/gc_admission.go, Admit; a create request carries the object's
      name: apiserver endpoints/handlers/create.go);
    - `get` on each object a step waits on (WaitResource reads it until a condition holds);
    - `update` on `workflows/finalizers` of this Workflow: the owner reference Argo adds is a
      controller reference with `blockOwnerDeletion: true` (workflow/controller/operator.go,
      executeResource: metav1.NewControllerRef), which that plugin admits only from a creator
      who may update the owner's finalizers (argoproj/argo-workflows#922);
    - `create` and `patch` on `workflowtaskresults`: the executor reports each step's outcome
      through one (docs/workflow-rbac.md, the minimum for an executor).
    """
    creatable: dict[str, set[str]] = {}
    names: dict[tuple[str, str], dict[str, set[str]]] = {}
    for obj, waited in created:
        for inner in [obj, *wrapped(obj)]:
            group, resource = _resource_of(inner)
            creatable.setdefault(group, set()).add(resource)
        verbs = names.setdefault(_resource_of(obj), {"delete": set(), "get": set()})
        verbs["delete"].add(obj["metadata"]["name"])
        if waited:
            verbs["get"].add(obj["metadata"]["name"])
    rules: list[dict[str, Any]] = [
        {"apiGroups": [group], "resources": sorted(resources), "verbs": ["create"]}
        for group, resources in sorted(creatable.items())]
    for (group, resource), by_verb in sorted(names.items()):
        by_names: dict[tuple[str, ...], list[str]] = {}
        for verb, named in sorted(by_verb.items()):
            if named:
                by_names.setdefault(tuple(sorted(named)), []).append(verb)
        rules += [{"apiGroups": [group], "resources": [resource], "resourceNames": list(named),
                   "verbs": verbs} for named, verbs in by_names.items()]
    rules.append({"apiGroups": ["argoproj.io"], "resources": ["workflows/finalizers"],
                  "resourceNames": [workflow], "verbs": ["update"]})
    rules.append({"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"],
                  "verbs": ["create", "patch"]})
    return rules


def _rbac(plan: RunPlan, account: str, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A ServiceAccount bound to a Role of `rules`."""
    subject = {"kind": "ServiceAccount", "name": account, "namespace": plan.namespace}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": pods.metadata(plan, account, "workflow-rbac"),
         "automountServiceAccountToken": True},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": pods.metadata(plan, account, "workflow-rbac"), "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": pods.metadata(plan, account, "workflow-rbac"),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": account},
         "subjects": [subject]},
    ]
