"""Shell archetype → an Indexed `batch/v1` Job running `command options` (SPEC §3).

`workers` pods (at least 1) run at once (completions = parallelism), each the same command line
under `/bin/sh -c`, told apart by their index: `JOB_COMPLETION_INDEX` (set by Kubernetes) and
`CODEFLARE_INDEX` (from the pod's completion-index annotation), both 0…workers-1.

Retries: `backoffLimit: 0`, so a command that fails is not run again behind the user's back (a
shell command need not be safe to repeat, and the Run reports the failure as it happened); a pod
the cluster disrupts (preemption, eviction, node drain: the `DisruptionTarget` condition) is
ignored by the pod failure policy and recreated, since the command did not fail. No queueing
controller runs the Job again either (`rerun`: an AppWrapper's `retryLimit: 0`, no MCAD
requeueing).
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.ir import Lowered, RunPlan, Target
from codeflare_compile.lower import jobs, pods

ROLE = "shell"
INDEX_ENV = "CODEFLARE_INDEX"


def lower_shell(plan: RunPlan, target: Target) -> Lowered:
    index = {"name": INDEX_ENV, "valueFrom": {"fieldRef": {
        "fieldPath": f"metadata.annotations['{jobs.COMPLETION_INDEX_ANNOTATION}']"}}}
    env = [e for e in pods.env(plan) if e["name"] != INDEX_ENV]  # the index wins over user env
    container = pods.container(plan, ROLE, command=pods.shell_command(plan, plan.entrypoint),
                               env=[*env, index])
    template = pods.pod_template(plan, ROLE,
                                 pods.pod_spec(plan, [container], restartPolicy="Never"))
    job = jobs.indexed_job(plan, jobs.job_name(plan), template, backoff_limit=0,
                           failure_rules=_failure_rules(), kube_version=target.kube_version)
    return Lowered(plan, job, [jobs.job_pod_set(plan, ROLE)], [job], rerun=False)


def _failure_rules() -> list[dict[str, Any]]:
    """A pod the cluster disrupted is recreated without counting as a failure."""
    return [{"action": "Ignore",
             "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]
