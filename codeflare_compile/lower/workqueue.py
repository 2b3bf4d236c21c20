"""WorkQueue archetype → the tasks in ConfigMaps + an Indexed `batch/v1` Job (SPEC §3).

Pod `i` of the Job runs task `i`: `completions` = the number of tasks, `parallelism` = the
Run's workers (at least 1, at most the number of tasks), so `workers` pods work through the
queue at once and Kubernetes starts the next index whenever one finishes.

- **The tasks** (expanded and checked by `passes/tasks.py`) are ConfigMap data under the keys
  `task-00000`, `task-00001`, … (zero-padded: lexical order is index order; taskmap.py). They
  fill `<run>-tasks-0`, then `<run>-tasks-1`, … each kept under the 1 MiB ConfigMap limit; the
  ConfigMaps are immutable (the kubelet then stops watching them, which matters with many pods).
- **How a pod finds its task**: one projected volume combines every chunk into one folder,
  `/etc/codeflare/tasks` (keys are unique across chunks), so pod `i` reads
  `/etc/codeflare/tasks/task-<i, 5 digits>` whichever chunk holds it.
- **The command**: `command options "$CODEFLARE_TASK"`: the task is the last argument, one
  word whatever it contains (spaces, quotes, `$`, `;`, newlines), because it is passed as a
  quoted variable and never pasted into shell text. Before the command runs, the pod reads its
  task file exactly (trailing newlines kept) into `CODEFLARE_TASK`, and exports its index as
  `CODEFLARE_TASK_INDEX` (from `JOB_COMPLETION_INDEX`, which Kubernetes sets).
- **Retries**: each task is retried on its own, up to `RETRIES_PER_TASK` times
  (`backoffLimitPerIndex`); one task failing for good does not stop the others. The Job stops
  early only when more than a tenth of the tasks (at least one) have failed for good
  (`maxFailedIndexes`), which means the program, not a task, is broken. Pods the cluster
  disrupts (preemption, eviction, drain) are recreated without counting as a failure.
- **Inside an AppWrapper (`appwrapper`, `mcad`)** a task is retried in its own pod instead: the
  pod runs the task up to `1 + RETRIES_PER_TASK` times and fails only when the task has failed
  for good (`backoffLimitPerIndex: 0`). The wrappers count pods: an AppWrapper succeeds only when
  none has failed, and MCAD's failed-pod count is what tells a failed Run from a successful one,
  so a retried task must not leave a failed pod behind (docs/targets.md). No wrapper runs the
  Job again from the start (`rerun`).
"""

from __future__ import annotations

import math
import shlex
from typing import Any

from codeflare_compile.ir import Lowered, PodSet, RunPlan, Target
from codeflare_compile.lower import jobs, pods
from codeflare_compile.lower.names import immutable_name
from codeflare_compile.shelltext import append_words
from codeflare_compile.taskmap import KEY_DIGITS, KEY_PREFIX, chunks

ROLE = "workqueue"
TASKS_ROLE = "tasks"
TASK_DIR = "/etc/codeflare/tasks"
TASK_VOLUME = "codeflare-tasks"
TASK_ENV = "CODEFLARE_TASK"
INDEX_ENV = "CODEFLARE_TASK_INDEX"
#: Each task may be tried this many more times after its first failure.
RETRIES_PER_TASK = 2
#: Queueing targets that count the Job's pods to decide the Run's outcome: tasks retry in place.
POD_COUNTING = frozenset({"appwrapper", "mcad"})
#: An AppWrapper treats a failed pod (a task failed for good) as a failed workload after a grace
#: period; the other tasks should still run, and the Job's failed-index bound decide: the Job's
#: own Failed condition fails the AppWrapper at once (appwrapper_controller.go, getComponentStatus),
#: so the grace period is as long as its operator allows (24h by default).
WRAPPER_ANNOTATIONS = {"failureGracePeriodDuration": "24h"}


def lower_workqueue(plan: RunPlan, target: Target) -> Lowered:
    if not plan.tasks:
        raise ValueError(f"workqueue Run '{plan.name}' reached lowering without tasks")
    config_maps = [_config_map(plan, target, i, data)
                   for i, data in enumerate(chunks(plan.tasks))]
    env = [e for e in pods.env(plan) if e["name"] not in (TASK_ENV, INDEX_ENV)]
    in_place = target.queueing in POD_COUNTING
    line = task_line(plan, retries=RETRIES_PER_TASK if in_place else 0)
    container = pods.container(plan, ROLE, command=pods.shell_command(plan, line), env=env)
    container["volumeMounts"] = [{"name": TASK_VOLUME, "mountPath": TASK_DIR,
                                  "readOnly": True}]
    volume = {"name": TASK_VOLUME, "projected": {"sources": [
        {"configMap": {"name": c["metadata"]["name"]}} for c in config_maps]}}
    template = pods.pod_template(plan, ROLE, pods.pod_spec(
        plan, [container], restartPolicy="Never", volumes=[volume]))
    job = jobs.indexed_job(plan, jobs.job_name(plan), template, backoff_limit=0,
                           failure_rules=_failure_rules(), kube_version=target.kube_version)
    count = len(plan.tasks)
    workers = parallelism(plan)
    spec = job["spec"]
    job["spec"] = {
        "completionMode": spec["completionMode"],
        "completions": count,
        "parallelism": workers,
        "backoffLimitPerIndex": 0 if in_place else RETRIES_PER_TASK,
        "maxFailedIndexes": max_failed_indexes(count),
        **{key: value for key, value in spec.items()
           if key not in ("completionMode", "completions", "parallelism", "backoffLimit")},
    }
    # AppWrapper infers a Job's pods as min(parallelism, completions): that is `workers`.
    return Lowered(plan, job, [PodSet(jobs.TEMPLATE_PATH, workers, ROLE)], [*config_maps, job],
                   gang=False, rerun=False, wrapper_annotations=dict(WRAPPER_ANNOTATIONS))


def parallelism(plan: RunPlan) -> int:
    """The pods working at once: the Run's workers, at least 1, at most one per task."""
    return min(jobs.pod_count(plan), len(plan.tasks))


def max_failed_indexes(count: int) -> int:
    """The Job stops early once more than a tenth of its tasks (at least one) have failed."""
    return max(1, math.ceil(count / 10))


def task_line(plan: RunPlan, retries: int = 0) -> str:
    """Shell text: read this pod's task, then run `command options "$CODEFLARE_TASK"`.

    `$(cat … && printf x)` and stripping the `x` keep trailing newlines that command
    substitution would drop; a missing file fails the pod (`set -e` sees cat's status).
    With `retries`, the command runs in a shell of its own (its own `set -e`) up to
    `1 + retries` times, and the pod exits with the last attempt's status.
    """
    path = f'{TASK_DIR}/{KEY_PREFIX}$(printf \'%0{KEY_DIGITS}d\' "${INDEX_ENV}")'
    command = append_words(plan.entrypoint, f'"${TASK_ENV}"')
    lines = [
        f'{INDEX_ENV}="${{JOB_COMPLETION_INDEX:?is not set: run as a pod of an Indexed Job}}"',
        f'{TASK_ENV}="$(cat "{path}" && printf x)"',
        f'{TASK_ENV}="${{{TASK_ENV}%x}}"',
        f"export {INDEX_ENV} {TASK_ENV}",
    ]
    if not retries:
        return "\n".join([*lines, command])
    return "\n".join([
        *lines,
        "attempt=1",
        f"until /bin/sh -ec {shlex.quote(command)}; do",
        "  status=$?",
        f'  if [ "$attempt" -gt {retries} ]; then exit "$status"; fi',
        f'  echo "task ${INDEX_ENV} failed (exit $status): try $((attempt + 1)) of '
        f'{retries + 1}" >&2',
        "  attempt=$((attempt + 1))",
        "done",
    ])


def _config_map(plan: RunPlan, target: Target, index: int, data: dict[str, str]
                ) -> dict[str, Any]:
    config_map: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": pods.metadata(plan, "", TASKS_ROLE),
        "immutable": True,
        "data": data,
    }
    config_map["metadata"]["name"] = immutable_name(plan, target, f"{plan.name}-tasks-{index}",
                                                    config_map)
    return config_map


def _failure_rules() -> list[dict[str, Any]]:
    """A pod the cluster disrupted is recreated without counting against its task."""
    return [{"action": "Ignore",
             "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]
