"""Torch lowering (both backends) and the cross-cutting passes on its output, field by field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from codeflare_compile.ir import Lowered, Overrides
from codeflare_compile.lower.torch import launch_target
from codeflare_compile.validate.rules import infer_podsets
from tests.build_inputs import app, run
from tests.lowering import lowered

PYTORCHJOB = Overrides(torch_backend="pytorchjob")
DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


def torch_app(extra: str = "", command: str = "python3 train.py --x 1") -> str:
    return app(extra=extra).replace("api: ray", "api: torch").replace(
        "command: python3 main.py", f"command: {command}")


def pod_spec(low: Lowered, index: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = low.pod_templates()[index]["spec"]
    return spec


def script(low: Lowered, index: int = 0) -> str:
    command = pod_spec(low, index)["containers"][0]["command"]
    assert command[:2] == ["/bin/sh", "-c"]
    text: str = command[2]
    return text


# ------------------------------------------------------------------------- backend: job


def test_indexed_job_runs_one_pod_per_worker() -> None:
    low = lowered(torch_app() + run(extra="  workers: 4\n"))
    job = low.workload
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert (spec["completions"], spec["parallelism"]) == (4, 4)
    assert [(p.path, p.replicas) for p in low.pod_sets] == [(("spec", "template"), 4)]
    service, workload = low.objects
    assert workload is job
    assert (service["kind"], service["metadata"]["name"]) == ("Service", "r")


def test_zero_workers_still_runs_one_pod() -> None:
    low = lowered(torch_app() + run(extra="  workers: 0\n"))
    assert (low.workload["spec"]["completions"], low.workload["spec"]["parallelism"]) == (1, 1)
    assert low.pod_sets[0].replicas == 1
    assert "--nnodes 1 " in script(low)


def test_torchrun_command_line() -> None:
    low = lowered(torch_app(extra="  options: --a 1\n")
                  + run(name="bert", extra="  workers: 3\n  options: --b 'x y'\n"))
    assert script(low) == (
        "set -e\n"
        "torchrun --nnodes 3 --nproc_per_node 1 --node_rank $JOB_COMPLETION_INDEX "
        "--rdzv_backend c10d --rdzv_endpoint bert-0.bert:29500 --rdzv_id bert "
        "--rdzv_conf is_host=$(($JOB_COMPLETION_INDEX==0)) train.py --x 1 --b 'x y'")


def test_rendezvous_endpoint_is_pod_zero_through_the_headless_service() -> None:
    low = lowered(torch_app() + run(name="ddp", extra="  workers: 2\n"))
    service, job = low.objects
    template = job["spec"]["template"]
    endpoint = re.search(r"--rdzv_endpoint (\S+)", script(low))
    assert endpoint is not None
    host, port = endpoint.group(1).split(":")
    # Indexed Job pods are named `<job>-<index>`, under the subdomain of the Service.
    assert host == f"{job['metadata']['name']}-0.{service['metadata']['name']}"
    assert template["spec"]["subdomain"] == service["metadata"]["name"]
    assert port == "29500"
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["publishNotReadyAddresses"] is True
    assert service["spec"]["ports"] == [{"name": "c10d", "port": 29500, "targetPort": 29500}]
    selector = service["spec"]["selector"]
    assert selector["codeflare.dev/run"] == "ddp"
    assert selector.items() <= template["metadata"]["labels"].items()
    assert not selector.items() <= service["metadata"]["labels"].items()
    container = template["spec"]["containers"][0]
    assert container["ports"] == [{"name": "c10d", "containerPort": 29500}]


def test_one_failing_rank_fails_the_job() -> None:
    low = lowered(torch_app() + run(extra="  workers: 4\n"))
    spec = low.workload["spec"]
    container = spec["template"]["spec"]["containers"][0]
    assert spec["backoffLimit"] == 0
    assert spec["podFailurePolicy"] == {"rules": [{
        "action": "FailJob",
        "onExitCodes": {"containerName": container["name"], "operator": "NotIn", "values": [0]},
    }]}
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_timeout_is_the_active_deadline() -> None:
    low = lowered(torch_app() + run(extra="  timeout: 1h30m\n"))
    assert low.workload["spec"]["activeDeadlineSeconds"] == 5400
    low = lowered(torch_app() + run())
    assert "activeDeadlineSeconds" not in low.workload["spec"]


def test_memory_backed_shm_and_env() -> None:
    env = "  env:\n    A: '1'\n    TOKEN: {secretKeyRef: {name: s, key: k}}\n"
    low = lowered(torch_app(extra=env) + run())
    spec = pod_spec(low)
    assert spec["volumes"] == [{"name": "dshm", "emptyDir": {"medium": "Memory"}}]
    container = spec["containers"][0]
    assert container["volumeMounts"] == [{"name": "dshm", "mountPath": "/dev/shm"}]
    assert container["env"] == [
        {"name": "A", "value": "1"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    ]


GPU_CASES = [  # (Application supportsGpu, Run supportsGpu, expected GPUs per pod)
    (True, True, 1),
    (True, False, 0),
    (False, True, 0),
]


@pytest.mark.parametrize(("app_gpu", "run_gpu", "gpus"), GPU_CASES)
@pytest.mark.parametrize("backend", [None, PYTORCHJOB])
def test_gpu_only_when_both_sides_support_it(app_gpu: bool, run_gpu: bool, gpus: int,
                                             backend: Overrides | None) -> None:
    text = (torch_app(extra=f"  supportsGpu: {str(app_gpu).lower()}\n")
            + run(extra=f"  size: md\n  supportsGpu: {str(run_gpu).lower()}\n"))
    low = lowered(text, backend)
    for spec in (pod_spec(low, i) for i in range(len(low.pod_sets))):
        limits = spec["containers"][0]["resources"]["limits"]
        assert limits.get("nvidia.com/gpu") == (str(gpus) if gpus else None)
    if backend is None:
        assert f"--nproc_per_node {max(gpus, 1)} " in script(low)
    else:
        assert low.workload["spec"]["nprocPerNode"] == str(max(gpus, 1))


def test_nproc_per_node_is_the_gpu_count() -> None:
    sizes = ("apiVersion: codeflare.dev/v1alpha1\nkind: RunSizeConfiguration\nmetadata:\n"
             "  name: s\nspec:\n  config: {xs: {workers: 2, cpu: '8', memory: 32Gi, gpu: 4}}\n"
             "---\n")
    low = lowered(sizes + torch_app(extra="  supportsGpu: true\n")
                  + run(extra="  supportsGpu: true\n"))
    assert "--nnodes 2 --nproc_per_node 4 " in script(low)


def test_names_leave_room_for_pod_hostnames() -> None:
    long = "a" * 63
    low = lowered(torch_app() + run(name=long))
    service, job = low.objects
    name = job["metadata"]["name"]
    assert len(name) <= 57 and len(f"{name}-99999") <= 63
    assert name == service["metadata"]["name"] == job["spec"]["template"]["spec"]["subdomain"]
    assert name.startswith("a" * 50) and DNS_1035.fullmatch(name)
    assert f"--rdzv_endpoint {name}-0.{name}:29500 --rdzv_id {long} " in script(low)


def test_a_service_name_starts_with_a_letter() -> None:
    low = lowered(torch_app() + run(name="7b-train"))
    service, job = low.objects
    assert service["metadata"]["name"] == job["metadata"]["name"] == "r-7b-train"
    assert service["spec"]["selector"]["codeflare.dev/run"] == "7b-train"


@pytest.mark.parametrize(("command", "options", "expected"), [
    ("python3 train.py --x", None, "train.py --x"),
    ("python train.py", "--lr 0.1", "train.py --lr 0.1"),
    ("python3.11 train.py", None, "train.py"),
    ("python3 -m pkg.main", "--a 'b c'", "-m pkg.main --a 'b c'"),
    ("train.py", "--out $HOME/x", "train.py --out $HOME/x"),
    ("python3 t.py", '--msg "a;b"', 't.py --msg "a;b"'),
    # not one python program: every rank runs the line under its own shell
    ("python3 -u train.py", None, "--no-python /bin/sh -c 'python3 -u train.py'"),
    ("bash run.sh", "--x", "--no-python /bin/sh -c 'bash run.sh --x'"),
    ("A=1 python3 t.py", None, "--no-python /bin/sh -c 'A=1 python3 t.py'"),
    ("cd src && python3 t.py", None, "--no-python /bin/sh -c 'cd src && python3 t.py'"),
    ("python3 t.py", "--x; echo", "--no-python /bin/sh -c 'python3 t.py --x; echo'"),
])
def test_launch_target(command: str, options: str | None, expected: str) -> None:
    assert launch_target(command, options) == expected


# ------------------------------------------------------------------ backend: pytorchjob


def test_pytorchjob_master_and_workers() -> None:
    low = lowered(torch_app() + run(extra="  workers: 4\n  timeout: 2h\n"), PYTORCHJOB)
    job = low.workload
    assert (job["apiVersion"], job["kind"]) == ("kubeflow.org/v1", "PyTorchJob")
    assert low.objects == [job]
    spec = job["spec"]
    assert spec["nprocPerNode"] == "1"
    assert spec["runPolicy"] == {"backoffLimit": 0, "activeDeadlineSeconds": 7200}
    replicas = spec["pytorchReplicaSpecs"]
    assert (replicas["Master"]["replicas"], replicas["Worker"]["replicas"]) == (1, 3)
    for replica in replicas.values():
        assert replica["restartPolicy"] == "Never"
        pod = replica["template"]["spec"]
        (container,) = pod["containers"]
        assert container["name"] == "pytorch"
        assert container["command"] == ["/bin/sh", "-c", "set -e\ntorchrun train.py --x 1"]
        assert pod["volumes"] == [{"name": "dshm", "emptyDir": {"medium": "Memory"}}]
    assert [(p.path, p.replicas) for p in low.pod_sets] == [
        (("spec", "pytorchReplicaSpecs", "Master", "template"), 1),
        (("spec", "pytorchReplicaSpecs", "Worker", "template"), 3),
    ]


@pytest.mark.parametrize("workers", [0, 1])
def test_pytorchjob_single_node_is_master_only(workers: int) -> None:
    low = lowered(torch_app() + run(extra=f"  workers: {workers}\n"), PYTORCHJOB)
    assert list(low.workload["spec"]["pytorchReplicaSpecs"]) == ["Master"]
    assert [p.replicas for p in low.pod_sets] == [1]
    assert "activeDeadlineSeconds" not in low.workload["spec"]["runPolicy"]


def test_pytorchjob_name_is_a_short_dns_1035_label() -> None:
    low = lowered(torch_app() + run(name="9" + "b" * 62), PYTORCHJOB)
    name = low.workload["metadata"]["name"]
    assert DNS_1035.fullmatch(name) and len(name) <= 50
    assert len(f"{name}-worker-99999") <= 63


# -------------------------------------------------------------- cross-cutting passes


def test_gang_and_appwrapper_on_the_indexed_job() -> None:
    low = lowered(torch_app() + run(extra="  workers: 4\n  queue: q\n"), through="queueing")
    (wrapper,) = low.objects
    assert wrapper["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "q"
    podgroup, service, job = wrapper["spec"]["components"]
    assert podgroup["template"]["spec"] == {"minMember": 4,
                                          "minResources": {"cpu": "4", "memory": "16Gi"}}
    assert "podSets" not in service and service["template"]["kind"] == "Service"
    # AppWrapper infers batch/v1 Job pod sets with replicas = min(parallelism, completions).
    spec = job["template"]["spec"]
    inferred = min(spec["parallelism"], spec["completions"])
    assert job["podSets"] == [{"path": "template.spec.template", "replicas": inferred}]
    assert [p["path"] for p in job["podSets"]] == infer_podsets(job["template"])
    pod = spec["template"]
    assert pod["metadata"]["labels"]["scheduling.x-k8s.io/pod-group"] == "r"
    assert pod["spec"]["schedulerName"] == "scheduler-plugins-scheduler"


def test_appwrapper_on_the_pytorchjob() -> None:
    low = lowered(torch_app() + run(extra="  workers: 3\n"), PYTORCHJOB, "queueing")
    (wrapper,) = low.objects
    podgroup, job = wrapper["spec"]["components"]
    assert podgroup["template"]["spec"] == {"minMember": 3,
                                          "minResources": {"cpu": "3", "memory": "12Gi"}}
    assert job["podSets"] == [
        {"path": "template.spec.pytorchReplicaSpecs.Master.template", "replicas": 1},
        {"path": "template.spec.pytorchReplicaSpecs.Worker.template", "replicas": 2},
    ]
    assert [p["path"] for p in job["podSets"]] == infer_podsets(job["template"])


def test_kueue_labels_the_job_not_the_service() -> None:
    low = lowered(torch_app() + run(extra="  queue: q\n"),
                  Overrides(queueing="kueue", gang="none"), "queueing")
    service, job = low.objects
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "q"
    assert "kueue.x-k8s.io/queue-name" not in service["metadata"]["labels"]
