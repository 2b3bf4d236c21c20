"""Torch archetype → distributed PyTorch launched by `torchrun` (SPEC §3, targets §7 and §8).

Two backends, chosen by the target's `torch_backend`:

- `job` (default; needs no operator): an Indexed `batch/v1` Job of `workers` pods (at least 1)
  plus a headless Service of the same name. Each pod runs one torchrun node with
  `--nnodes <workers> --nproc_per_node <gpus or 1> --node_rank $JOB_COMPLETION_INDEX` and a c10d
  rendezvous hosted by pod 0 (`--rdzv_conf is_host=1` on index 0, `0` elsewhere), reachable as
  `<job>-0.<service>:29500` (Indexed Job pods get the hostname `<job>-<index>`, and the pod
  `subdomain` makes that name resolve through the Service).
  One failing rank fails the whole Job: `backoffLimit: 0` and a pod failure policy that fails the
  Job on any non-zero exit of the training container (a gang cannot go on without a rank).
- `pytorchjob`: a Kubeflow `PyTorchJob` (`kubeflow.org/v1`) with one Master and `workers - 1`
  Workers; the training operator injects the `PET_*` environment torchrun reads, so the command
  is plain `torchrun <script> <options>`.

The Application's `command` becomes what follows torchrun's flags: `python3 train.py --x` (or
`python`/`python3.N`) → `train.py --x`; `python3 -m pkg` → `-m pkg`; a bare `train.py` stays as
it is. Any other command line (another program, python options such as `-u`, variable
assignments, compound commands) runs unchanged as every rank's process:
`--no-python /bin/sh -c '<command> <options>'`.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from codeflare_compile.ir import Lowered, PodSet, RunPlan, Target
from codeflare_compile.kubeversion import KubeVersion, before
from codeflare_compile.lower import jobs, pods
from codeflare_compile.lower.names import unit_name
from codeflare_compile.shelltext import append_words

RDZV_PORT = 29500
#: Pod 0 hosts the c10d store, decided by its index. Left to itself, torchrun guesses whether
#: it is the host by matching the endpoint's name against its own hostname and addresses through
#: DNS (torch/distributed/elastic/rendezvous/c10d_rendezvous_backend.py, _create_tcp_store;
#: utils.py, _matches_machine_hostname); `<job>-0.<service>` is not the pod's hostname, and
#: until the headless Service's DNS record exists pod 0 does not recognise itself, hosts
#: nothing, and every rank fails to connect (pytorch/elastic#165, pytorch#80772). With
#: `is_host` given, torchrun follows it and never falls back.
HOST_BY_INDEX = "is_host=$(($JOB_COMPLETION_INDEX==0))"
CONTAINER = "pytorch"  # the training operator requires this name; the Job backend uses it too
JOB_ROLE = "torch-worker"
SERVICE_ROLE = "rendezvous"
MASTER_ROLE, WORKER_ROLE = "pytorch-master", "pytorch-worker"
#: The operator names pods and Services `<job>-worker-<index>` (DNS-1035 labels, ≤ 63): room for
#: `-worker-` and a 5-digit index.
PYTORCHJOB_NAME_LIMIT = 50
MASTER_PATH = ("spec", "pytorchReplicaSpecs", "Master", "template")
WORKER_PATH = ("spec", "pytorchReplicaSpecs", "Worker", "template")

_PYTHON = re.compile(r"python(3(\.\d+)?)?")
_CONTROL = frozenset(";&|\n")


def lower_torch(plan: RunPlan, target: Target) -> Lowered:
    if target.torch_backend == "pytorchjob":
        return _pytorchjob(plan)
    return _indexed_job(plan, target)


def nproc_per_node(plan: RunPlan) -> int:
    """One process per GPU; one process on a CPU-only pod."""
    return plan.pod.gpu if plan.pod.gpu > 0 else 1


def launch_target(command: str, options: str | None) -> str:
    """What torchrun runs, as shell text: the script (or `-m module`) and its arguments.

    The user's own text is kept as written (it is shell text: `$VAR` expands in the pod); only
    the compiler's additions are quoted.
    """
    line = append_words(command, options) if options else command
    match = re.match(r"\s*(\S+)\s*(.*)", command, re.DOTALL)
    if match is None or _compound(line):
        return _as_process(line)
    program, rest = match.groups()
    if _PYTHON.fullmatch(program):
        module = re.match(r"-m\s+(\S.*)", rest, re.DOTALL)
        if module:
            target = f"-m {module.group(1)}"
        elif rest and not rest.startswith("-"):
            target = rest
        else:  # interpreter options (`-u`, `-X …`) torchrun cannot pass on
            return _as_process(line)
    elif program.endswith(".py"):
        target = command.strip()
    else:
        return _as_process(line)
    return append_words(target, options) if options else target


def _as_process(line: str) -> str:
    """Every rank runs the user's command line itself, under a shell, not under python."""
    return f"--no-python /bin/sh -c {shlex.quote(line)}"


def _compound(line: str) -> bool:
    """Whether the line holds shell control operators (`;`, `&&`, `|`, a newline…) outside
    quotes: then it is not one program and its arguments, and must run under its own shell."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace = " \t\r"
    try:
        return any(token and set(token) <= _CONTROL for token in lexer)
    except ValueError:  # unbalanced quotes: let the shell report it
        return True


# ------------------------------------------------------------------- backend: Indexed Job


def _indexed_job(plan: RunPlan, target: Target) -> Lowered:
    name = jobs.job_name(plan, letter_first=True)  # shared with the Service (DNS-1035)
    count = jobs.pod_count(plan)
    endpoint = f"{name}-0.{name}:{RDZV_PORT}"
    flags = [
        "--nnodes", str(count),
        "--nproc_per_node", str(nproc_per_node(plan)),
        "--node_rank", "$JOB_COMPLETION_INDEX",
        "--rdzv_backend", "c10d",
        "--rdzv_endpoint", endpoint,
        "--rdzv_id", plan.name,
        "--rdzv_conf", HOST_BY_INDEX,
    ]
    quoted = " ".join(f if "$" in f else shlex.quote(f) for f in flags)
    line = f"torchrun {quoted} {launch_target(plan.command, plan.options)}"
    template = _template(plan, JOB_ROLE, line, ports=[{"name": "c10d",
                                                        "containerPort": RDZV_PORT}],
                         restartPolicy="Never", subdomain=name)
    rule: dict[str, Any] = {
        "action": "FailJob",
        "onExitCodes": {"containerName": CONTAINER, "operator": "NotIn", "values": [0]},
    }
    if before(target.kube_version, KubeVersion(1, 29)):
        rule["onPodConditions"] = []  # required before 1.29, even beside onExitCodes
    job = jobs.indexed_job(plan, name, template, backoff_limit=0, failure_rules=[rule],
                           kube_version=target.kube_version)
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(plan, name, SERVICE_ROLE),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": {pods.RUN_LABEL: plan.name, "app.kubernetes.io/component": JOB_ROLE},
            "ports": [{"name": "c10d", "port": RDZV_PORT, "targetPort": RDZV_PORT}],
        },
    }
    # The Service first: the rendezvous name resolves as soon as pod 0 is up.
    return Lowered(plan, job, [jobs.job_pod_set(plan, CONTAINER)], [service, job])


# ------------------------------------------------------------------- backend: PyTorchJob


def _pytorchjob(plan: RunPlan) -> Lowered:
    count = jobs.pod_count(plan)
    line = f"torchrun {launch_target(plan.command, plan.options)}"
    replicas: dict[str, Any] = {"Master": _replica(1, _template(plan, MASTER_ROLE, line))}
    pod_sets = [PodSet(MASTER_PATH, 1, CONTAINER)]
    if count > 1:
        replicas["Worker"] = _replica(count - 1, _template(plan, WORKER_ROLE, line))
        pod_sets.append(PodSet(WORKER_PATH, count - 1, CONTAINER))
    run_policy: dict[str, Any] = {"backoffLimit": 0}
    deadline = plan.deadline_seconds
    if deadline is not None:
        run_policy["activeDeadlineSeconds"] = deadline
    name = unit_name(plan, plan.name, PYTORCHJOB_NAME_LIMIT, letter_first=True)
    workload = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": pods.metadata(plan, name, "pytorchjob"),
        "spec": {
            "nprocPerNode": str(nproc_per_node(plan)),
            "runPolicy": run_policy,
            "pytorchReplicaSpecs": replicas,
        },
    }
    return Lowered(plan, workload, pod_sets, [workload])


def _replica(count: int, template: dict[str, Any]) -> dict[str, Any]:
    return {"replicas": count, "restartPolicy": "Never", "template": template}


def _template(plan: RunPlan, role: str, line: str, ports: list[dict[str, Any]] | None = None,
              **fields: Any) -> dict[str, Any]:
    container = pods.container(plan, CONTAINER, command=pods.shell_command(plan, line),
                               env=pods.env(plan), ports=ports)
    container["volumeMounts"] = [dict(pods.SHM_MOUNT)]
    spec = pods.pod_spec(plan, [container], **fields, volumes=[pods.shm_volume()])
    return pods.pod_template(plan, role, spec)
