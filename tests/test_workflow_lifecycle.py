"""Workflow steps end when their object does, and the workflow's account may do what it does.

The success and failure conditions of every step are evaluated as Argo's executor evaluates
them (tests/argo_conditions.py) against status objects shaped as the Kubernetes Job controller
writes them (kubernetes pkg/controller/job/job_controller.go): `failedIndexes` is "" from the
first sync of a Job with `backoffLimitPerIndex` (trackJobStatusAndRemoveFinalizers); a finished
Job gets `Failed` or `Complete` (enactJobFinished, with `completionTime` only for `Complete`),
and from Kubernetes 1.31 the interim `FailureTarget` / `SuccessCriteriaMet` first
(newFailureCondition / newSuccessCondition when delayTerminalCondition); a Job Kueue suspended
and resumed keeps a `Suspended` condition with status False (ensureJobConditionStatus).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeflare_compile.ir import Overrides
from codeflare_compile.lower.workflow import wrapped
from codeflare_compile.pipeline import compile_paths
from tests import argo_conditions as argo
from tests.helpers import REPO, SHARED_CRDS, workflow_yaml

EXAMPLE = REPO / "archetypes" / "workflow" / "example" / "input"
PIPELINE = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: fetch}
spec: {api: shell, image: python:3.12-slim, command: python3 fetch.py}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: thumbs}
spec: {api: workqueue, image: python:3.12-slim, command: python3 thumbs.py, tasks: [a, b, c]}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: train}
spec: {api: torch, image: pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime, command: python3 t.py}
---
""" + workflow_yaml("flow", "{name: fetch, application: fetch}",
                    "{name: thumbs, application: thumbs, dependsOn: [fetch]}",
                    "{name: train, application: train, dependsOn: [thumbs]}") + """\
---
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: nightly}
spec: {application: flow, size: sm}
"""
QUEUEINGS = ("appwrapper", "mcad", "kueue", "none")


def _started(**status: Any) -> dict[str, Any]:
    return {"startTime": "2026-01-01T00:00:00Z", "uncountedTerminatedPods": {}, **status}


def _condition(kind: str, status: str = "True") -> dict[str, Any]:
    return {"type": kind, "status": status, "lastProbeTime": "2026-01-01T01:00:00Z",
            "lastTransitionTime": "2026-01-01T01:00:00Z"}


RESUMED = _condition("Suspended", "False")  # a Job Kueue admitted: suspended, then resumed
#: (Job status, what the step must conclude), at each phase, for both condition orders.
JOB_PHASES: dict[str, tuple[dict[str, Any] | None, argo.Outcome]] = {
    "created, not yet synced": (None, "waiting"),
    "running": (_started(active=2, ready=2, terminating=0, failedIndexes=""), "waiting"),
    "one index failed and retried": (
        _started(active=2, ready=1, failed=1, terminating=0, failedIndexes=""), "waiting"),
    "index failed for good, others running": (
        _started(active=1, failed=3, completedIndexes="0", failedIndexes="1"), "waiting"),
    "succeeded (<= 1.30)": (_started(
        succeeded=3, completedIndexes="0-2", failedIndexes="", conditions=[_condition("Complete")],
        completionTime="2026-01-01T01:00:00Z"), "succeeded"),
    "success criteria met, pods terminating (>= 1.31)": (_started(
        active=0, succeeded=3, terminating=1, completedIndexes="0-2", failedIndexes="",
        conditions=[_condition("SuccessCriteriaMet")]), "waiting"),
    "succeeded (>= 1.31)": (_started(
        succeeded=3, terminating=0, completedIndexes="0-2", failedIndexes="",
        conditions=[_condition("SuccessCriteriaMet"), _condition("Complete")],
        completionTime="2026-01-01T01:00:00Z"), "succeeded"),
    "succeeded after Kueue resumed it (>= 1.31)": (_started(
        succeeded=3, completedIndexes="0-2", failedIndexes="",
        conditions=[RESUMED, _condition("SuccessCriteriaMet"), _condition("Complete")],
        completionTime="2026-01-01T01:00:00Z"), "succeeded"),
    "failed (<= 1.30)": (_started(
        failed=3, succeeded=2, completedIndexes="0,2", failedIndexes="1",
        conditions=[_condition("Failed")]), "failed"),
    "failure target, pods terminating (>= 1.31)": (_started(
        failed=3, terminating=1, failedIndexes="1", conditions=[_condition("FailureTarget")]),
        "waiting"),
    "failed (>= 1.31)": (_started(
        failed=3, terminating=0, failedIndexes="1",
        conditions=[_condition("FailureTarget"), _condition("Failed")]), "failed"),
    "failed after Kueue resumed it (>= 1.31)": (_started(
        failed=1, failedIndexes="1",
        conditions=[RESUMED, _condition("FailureTarget"), _condition("Failed")]), "failed"),
    "failed at the deadline (<= 1.30)": (_started(
        failed=2, conditions=[RESUMED, _condition("Failed")]), "failed"),
}


def _job(status: dict[str, Any] | None) -> dict[str, Any]:
    """A Job as the executor GETs it: no `status` key at all before the first sync."""
    job: dict[str, Any] = {"apiVersion": "batch/v1", "kind": "Job",
                           "metadata": {"name": "j", "namespace": "default"},
                           "spec": {"completions": 3, "completionMode": "Indexed"}}
    if status is not None:
        job["status"] = status
    return job


def _objects(tmp_path: Path, queueing: str) -> list[dict[str, Any]]:
    (tmp_path / "flow.yaml").write_text(PIPELINE)
    result = compile_paths([str(tmp_path)], [], Overrides(queueing=queueing, gang="none"))
    assert not result.diagnostics.has_errors, result.diagnostics.items
    return result.objects


def _resource_templates(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    (workflow,) = [o for o in objects if o["kind"] == "Workflow"]
    return [t for t in workflow["spec"]["templates"] if "resource" in t]


def _waits(objects: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], str, str]]:
    """Each waiting template: (its object, success condition, failure condition)."""
    return {t["name"]: (yaml.safe_load(t["resource"]["manifest"]),
                        t["resource"]["successCondition"], t["resource"]["failureCondition"])
            for t in _resource_templates(objects) if "successCondition" in t["resource"]}


@pytest.mark.parametrize("phase", list(JOB_PHASES))
def test_job_steps_end_exactly_when_the_job_does(tmp_path: Path, phase: str) -> None:
    status, expected = JOB_PHASES[phase]
    waits = _waits(_objects(tmp_path, "none"))
    jobs = {name: wait for name, wait in waits.items() if wait[0]["kind"] == "Job"}
    assert set(jobs) == {"fetch", "thumbs", "train"}  # shell, workqueue and torch (Job backend)
    for name, (_, success, failure) in jobs.items():
        assert argo.outcome(success, failure, _job(status)) == expected, (name, success, failure)


@pytest.mark.parametrize(("condition", "phase"), [
    ("status.failedIndexes", "running"),                  # the existence test of before
    ("status.failed > 0", "one index failed and retried"),  # the first failed pod, retried
])
def test_conditions_on_counters_fire_before_the_job_fails(condition: str, phase: str) -> None:
    """Why the Job conditions read `Failed`: the obvious ones fire on a Job that is fine."""
    status, expected = JOB_PHASES[phase]
    assert expected == "waiting"
    assert argo.outcome("status.completionTime", condition, _job(status)) == "failed"


@pytest.mark.parametrize("queueing", QUEUEINGS)
def test_every_condition_parses_as_argo_parses_it(tmp_path: Path, queueing: str) -> None:
    for objects in (_objects(tmp_path, queueing),
                    compile_paths([str(EXAMPLE)], [], Overrides(queueing=queueing)).objects):
        for name, (_, success, failure) in _waits(objects).items():
            assert argo.parse(success), name
            assert argo.parse(failure), name


def test_the_evaluator_reads_selectors_as_kubernetes_does() -> None:
    """Cases from apimachinery pkg/labels/selector.go (Parse, Requirement.Matches)."""
    with pytest.raises(argo.ConditionError):  # a gjson query is not a label key
        argo.parse('status.conditions.#(type=="Failed").status == True')
    with pytest.raises(argo.ConditionError):  # quotes are not part of the syntax
        argo.parse('status.failedIndexes != ""')
    with pytest.raises(argo.ConditionError):  # `>` takes an integer
        argo.parse("status.failed > x")
    (empty,) = argo.parse("status.failedIndexes !=")  # an empty value is allowed
    assert empty.values == ("",)
    assert empty.matches({}) and not empty.matches({"status": {"failedIndexes": ""}})
    assert [r.key for r in argo.parse("b == 1,a")] == ["a", "b"]  # sorted by key
    (gt,) = argo.parse("status.failed > 0")
    assert not gt.matches({"status": {}}) and gt.matches({"status": {"failed": 2}})
    (state,) = argo.parse("status.conditions.1.type in (Failed,Complete)")
    assert state.matches({"status": {"conditions": [{"type": "X"}, {"type": "Complete"}]}})
    assert not state.matches({"status": {"conditions": [{"type": "Complete"}]}})


def _pytorchjob(conditions: list[str], **replicas: dict[str, int]) -> dict[str, Any]:
    """A PyTorchJob's status as the training operator writes it (v1.9.0,
    pytorchjob_controller.go UpdateJobStatus; pkg/util/status.go setCondition: a new condition
    is appended, `Running` turns False once the job succeeded or failed)."""
    finished = {"Succeeded", "Failed"} & set(conditions)
    status: dict[str, Any] = {"replicaStatuses": {
        role: {"selector": f"role={role.lower()}", **counts} for role, counts in replicas.items()}}
    status["conditions"] = [
        {"type": c, "status": "False" if c == "Running" and finished else "True",
         "reason": f"PyTorchJob{c}"} for c in conditions]
    if finished:
        status["completionTime"] = "2026-01-01T01:00:00Z"
    return {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "status": status}


PYTORCHJOB_PHASES: dict[str, tuple[dict[str, Any], argo.Outcome]] = {
    "created, not yet reconciled": ({"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob"},
                                    "waiting"),
    "pods created": (_pytorchjob(["Created"], Master={"active": 1}, Worker={"active": 1}),
                     "waiting"),
    "running": (_pytorchjob(["Created", "Running"], Master={"active": 1}, Worker={"active": 1}),
                "waiting"),
    "a worker failed, the master still runs": (_pytorchjob(
        ["Created", "Running", "Failed"], Master={"active": 1}, Worker={"failed": 1}), "failed"),
    "the master failed": (_pytorchjob(
        ["Created", "Running", "Failed"], Master={"failed": 1}, Worker={"active": 1}), "failed"),
    "succeeded": (_pytorchjob(
        ["Created", "Running", "Succeeded"], Master={"succeeded": 1}, Worker={"succeeded": 1}),
        "succeeded"),
}


@pytest.mark.parametrize("phase", list(PYTORCHJOB_PHASES))
def test_pytorchjob_steps_end_exactly_when_the_job_does(tmp_path: Path, phase: str) -> None:
    obj, expected = PYTORCHJOB_PHASES[phase]
    (tmp_path / "flow.yaml").write_text(PIPELINE)
    result = compile_paths([str(tmp_path)], [], Overrides(queueing="none", gang="none",
                                                         torch_backend="pytorchjob"))
    assert not result.diagnostics.has_errors, result.diagnostics.items
    manifest, success, failure = _waits(result.objects)["train"]
    assert manifest["kind"] == "PyTorchJob"
    assert argo.outcome(success, failure, obj) == expected


# ------------------------------------------------------------------- the workflow's Role


def _plurals() -> dict[tuple[str, str], str]:
    """(group, kind) → resource, from each CRD's own `spec.names` and the core API."""
    plurals = {("", "Service"): "services", ("", "ConfigMap"): "configmaps",
               ("batch", "Job"): "jobs"}
    for path in SHARED_CRDS.glob("*.yaml"):
        head = path.read_text()[:3000]  # group and names open every CRD file
        group = re.search(r"^  group: (\S+)$", head, re.MULTILINE)
        kind = re.search(r"^    kind: (\w+)$", head, re.MULTILINE)
        plural = re.search(r"^    plural: (\S+)$", head, re.MULTILINE)
        if group and kind and plural:
            plurals[(group[1], kind[1])] = plural[1]
    return plurals


def _granted(role: dict[str, Any]) -> set[tuple[str, str, str, str | None]]:
    return {(group, resource, verb, name)
            for rule in role["rules"] for group in rule["apiGroups"]
            for resource in rule["resources"] for verb in rule["verbs"]
            for name in rule.get("resourceNames", [None])}


@pytest.mark.parametrize("queueing", QUEUEINGS)
def test_the_role_grants_exactly_what_the_steps_create(tmp_path: Path, queueing: str) -> None:
    plurals = _plurals()
    for objects in (_objects(tmp_path, queueing),
                    compile_paths([str(EXAMPLE)], [], Overrides(queueing=queueing)).objects):
        (role,) = [o for o in objects if o["kind"] == "Role"]
        (workflow,) = [o for o in objects if o["kind"] == "Workflow"]
        expected: set[tuple[str, str, str, str | None]] = {
            ("argoproj.io", "workflowtaskresults", "create", None),
            ("argoproj.io", "workflowtaskresults", "patch", None),
            ("argoproj.io", "workflows/finalizers", "update", workflow["metadata"]["name"])}
        for template in _resource_templates(objects):
            obj = yaml.safe_load(template["resource"]["manifest"])
            group = obj["apiVersion"].rpartition("/")[0]
            resource = plurals[(group, obj["kind"])]
            expected.add((group, resource, "delete", obj["metadata"]["name"]))
            if "successCondition" in template["resource"]:
                expected.add((group, resource, "get", obj["metadata"]["name"]))
            for inner in [obj, *wrapped(obj)]:
                inner_group = inner["apiVersion"].rpartition("/")[0]
                expected.add((inner_group, plurals[(inner_group, inner["kind"])], "create", None))
        assert _granted(role) == expected, queueing


def test_wrapped_kinds_are_those_inside_appwrappers(tmp_path: Path) -> None:
    """The AppWrapper's webhook reviews `create` on every component kind; MCAD has none."""
    kinds = {(o["kind"], w["kind"]) for t in _resource_templates(_objects(tmp_path, "appwrapper"))
             for o in [yaml.safe_load(t["resource"]["manifest"])] for w in wrapped(o)}
    assert kinds == {("AppWrapper", "Job"), ("AppWrapper", "ConfigMap"),
                     ("AppWrapper", "Service")}
    mcad = [yaml.safe_load(t["resource"]["manifest"])
            for t in _resource_templates(_objects(tmp_path, "mcad"))]
    assert {o["kind"] for o in mcad} == {"AppWrapper"} and not any(wrapped(o) for o in mcad)
