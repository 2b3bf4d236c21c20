"""Indexed `batch/v1` Jobs, the workload of the torch (`job` backend) and shell archetypes.

An Indexed Job runs `completions` pods numbered 0…N-1; Kubernetes gives each pod the hostname
`<job>-<index>` and the environment variable `JOB_COMPLETION_INDEX`, and keeps the index in the
pod annotation `batch.kubernetes.io/job-completion-index`.
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.ir import PodSet, RunPlan
from codeflare_compile.kubeversion import KubeVersion, before
from codeflare_compile.lower import pods
from codeflare_compile.lower.names import unit_name

#: Pod hostnames `<job>-<index>` are DNS-1123 labels (≤ 63 characters). Kubernetes allows an
#: Indexed Job at most 100000 completions, so an index has at most 5 digits: 63 - len("-99999").
INDEXED_JOB_NAME_LIMIT = 57
COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
#: `podFailurePolicy` is alpha and off in Kubernetes 1.25 (the JobPodFailurePolicy feature gate;
#: beta and on from 1.26): an API server without the gate drops the field without a word, so it
#: is left out there rather than emitted for nothing (docs/targets.md).
POD_FAILURE_POLICY_SINCE = KubeVersion(1, 26)
#: Where the pod template sits in a Job; AppWrapper infers replicas = min(parallelism, completions).
TEMPLATE_PATH = ("spec", "template")


def job_name(plan: RunPlan, letter_first: bool = False) -> str:
    """The Job's name: the Run's with its content hash, fitted so that every pod hostname
    stays a valid label."""
    return unit_name(plan, plan.name, INDEXED_JOB_NAME_LIMIT, letter_first=letter_first)


def pod_count(plan: RunPlan) -> int:
    """`workers` pods, at least one (a Run with 0 workers still runs its command once)."""
    return max(1, plan.pod.workers)


def indexed_job(plan: RunPlan, name: str, template: dict[str, Any], *, backoff_limit: int,
                failure_rules: list[dict[str, Any]], kube_version: KubeVersion | None
                ) -> dict[str, Any]:
    """An Indexed Job of `pod_count(plan)` pods, all running at once (parallelism = completions).

    `template`'s pod spec must have `restartPolicy: Never` (a pod failure policy requires it);
    the failure rules apply from Kubernetes 1.26 (`POD_FAILURE_POLICY_SINCE`).
    """
    count = pod_count(plan)
    spec: dict[str, Any] = {
        "completionMode": "Indexed",
        "completions": count,
        "parallelism": count,
        "backoffLimit": backoff_limit,
    }
    if failure_rules and not before(kube_version, POD_FAILURE_POLICY_SINCE):
        spec["podFailurePolicy"] = {"rules": failure_rules}
    deadline = plan.deadline_seconds
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    spec["template"] = template
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": pods.metadata(plan, name, "job"),
        "spec": spec,
    }


def job_pod_set(plan: RunPlan, main: str) -> PodSet:
    """The Job's pods, whose container `main` runs the program."""
    return PodSet(TEMPLATE_PATH, pod_count(plan), main)
