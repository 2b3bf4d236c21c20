"""Ray archetype → one `RayJob` (ray.io/v1) with an embedded cluster (SPEC §3, targets §2).

The head and every worker get the Run's per-pod size; `workers` worker pods in one group of
fixed size (replicas = minReplicas = maxReplicas); no worker group when workers is 0.
"""

from __future__ import annotations

import shlex
from typing import Any

from codeflare_compile.emit.yaml import dump_yaml
from codeflare_compile.ir import Lowered, PodSet, PodSize, RunPlan, Target
from codeflare_compile.lower import pods
from codeflare_compile.lower.names import unit_name

#: KubeRay: RayJob names are DNS-1035 labels of at most 47 characters.
RAYJOB_NAME_LIMIT = 47
HEAD_PORTS = ({"name": "gcs", "containerPort": 6379}, {"name": "dashboard", "containerPort": 8265},
              {"name": "client", "containerPort": 10001})
PRE_STOP = {"preStop": {"exec": {"command": ["/bin/sh", "-c", "ray stop"]}}}
WORKER_GROUP = "workers"
#: Ray writes every process's log under the session folder; the sidecar tails the head's.
RAY_LOGS = ("/tmp/ray", "/tmp/ray/session_latest/logs/*")
#: KubeRay's name and sizes for the submitter container (common/job.go,
#: GetDefaultSubmitterContainer); `ray job submit` only sends the job and follows its logs.
SUBMITTER = "ray-job-submitter"
SUBMITTER_REQUESTS = {"cpu": "500m", "memory": "200Mi"}
SUBMITTER_LIMITS = {"cpu": "1", "memory": "1Gi"}
HEAD_PATH = ("spec", "rayClusterSpec", "headGroupSpec", "template")
#: The pods' roles, which name their containers too.
HEAD, WORKER = "ray-head", "ray-worker"
WORKER_PATH = ("spec", "rayClusterSpec", "workerGroupSpecs", 0, "template")


def lower_ray(plan: RunPlan, target: Target) -> Lowered:
    head = _template(plan, HEAD, ports=list(HEAD_PORTS), size=plan.pod.head)
    cluster: dict[str, Any] = {
        "headGroupSpec": {"rayStartParams": {"dashboard-host": "0.0.0.0"}, "template": head},
    }
    pod_sets = [PodSet(HEAD_PATH, 1, HEAD, logs=RAY_LOGS, batch=False)]
    if plan.pod.workers > 0:
        cluster["workerGroupSpecs"] = [{
            "groupName": WORKER_GROUP,
            "replicas": plan.pod.workers,
            "minReplicas": plan.pod.workers,
            "maxReplicas": plan.pod.workers,
            "rayStartParams": {},
            "template": _template(plan, WORKER),
        }]
        pod_sets.append(PodSet(WORKER_PATH, plan.pod.workers, WORKER, logs=None, batch=False,
                               serves=False))
    entrypoint = plan.entrypoint
    if plan.code is not None:  # the job manager starts the driver elsewhere: go to the code
        entrypoint = f"cd {shlex.quote(plan.code.workdir)} && {entrypoint}"
    spec: dict[str, Any] = {"entrypoint": entrypoint}
    runtime_env = _runtime_env(plan)
    if runtime_env:
        spec["runtimeEnvYAML"] = runtime_env
    spec["shutdownAfterJobFinishes"] = True
    deadline = plan.deadline_seconds
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    spec["rayClusterSpec"] = cluster
    spec["submitterPodTemplate"] = _submitter(plan)
    name = unit_name(plan, plan.name, RAYJOB_NAME_LIMIT, letter_first=True)
    workload = {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": pods.metadata(plan, name, "rayjob"),
        "spec": spec,
    }
    return Lowered(plan, workload, pod_sets, [workload])


def _template(plan: RunPlan, role: str, ports: list[dict[str, Any]] | None = None,
              size: PodSize | None = None) -> dict[str, Any]:
    env = pods.secret_env(plan)
    if plan.code is not None:  # tasks on any node import the Run's modules from its code
        env.append({"name": "PYTHONPATH", "value": plan.code.workdir})
    container = pods.container(plan, role, ports=ports, env=env, size=size)
    container["lifecycle"] = PRE_STOP
    container["volumeMounts"] = [dict(pods.SHM_MOUNT)]  # the object store lives in /dev/shm
    return pods.pod_template(plan, role, pods.pod_spec(plan, [container],
                                                       volumes=[pods.shm_volume()]))


def _submitter(plan: RunPlan) -> dict[str, Any]:
    """The pod that runs `ray job submit`. KubeRay's default one (common/job.go,
    GetSubmitterTemplate: the head's image, no pull secrets, no security settings, the
    namespace's default ServiceAccount token) cannot pull a private image, does not meet Pod
    Security `restricted`, and hands a token to a pod that only talks to Ray's dashboard. KubeRay
    uses this template as given (the Job it makes needs `restartPolicy: Never`), adds only its
    labels, and fills the command and the dashboard address when the container has no
    command (rayjob_controller.go, getSubmitterTemplate and configureSubmitterContainer)."""
    container: dict[str, Any] = {
        "name": SUBMITTER, "image": plan.image,
        "resources": {"requests": dict(SUBMITTER_REQUESTS), "limits": dict(SUBMITTER_LIMITS)},
        "securityContext": pods.container_security(),
    }
    return pods.pod_template(plan, "ray-submitter",
                             pods.pod_spec(plan, [container], restartPolicy="Never"))


def _runtime_env(plan: RunPlan) -> str | None:
    """pip requirements and plain environment for the job; Secret-backed env stays on pods."""
    runtime: dict[str, Any] = {}
    if plan.requirements:
        runtime["pip"] = list(plan.requirements)
    env = pods.plain_env(plan)
    if env:
        runtime["env_vars"] = env
    return dump_yaml(runtime) if runtime else None
