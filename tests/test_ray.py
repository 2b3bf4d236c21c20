"""Ray lowering and the cross-cutting passes on its output, checked field by field."""

from __future__ import annotations

from codeflare_compile.crosscut.queueing import pod_set_path
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Overrides
from tests.build_inputs import app, program, run, sizes
from tests.lowering import lower_plan, lowered, planned

ENV = ("  requirements: [numpy==2.1.0]\n  env:\n    PLAIN: 'yes'\n"
       "    TOKEN: {secretKeyRef: {name: creds, key: token}}\n")


def test_head_and_workers_get_the_size() -> None:
    low = lowered(app() + run(extra="  size: sm\n"))
    cluster = low.workload["spec"]["rayClusterSpec"]
    head = cluster["headGroupSpec"]["template"]["spec"]["containers"][0]
    (group,) = cluster["workerGroupSpecs"]
    assert head["resources"] == {"requests": {"cpu": "1", "memory": "8Gi"},
                                 "limits": {"cpu": "1", "memory": "8Gi"}}
    assert group["template"]["spec"]["containers"][0]["resources"] == head["resources"]
    assert (group["replicas"], group["minReplicas"], group["maxReplicas"]) == (2, 2, 2)
    assert [(p.replicas) for p in low.pod_sets] == [1, 2]


def test_zero_workers_is_head_only() -> None:
    low = lowered(app() + run(extra="  workers: 0\n"))
    assert "workerGroupSpecs" not in low.workload["spec"]["rayClusterSpec"]
    assert len(low.pod_sets) == 1


def test_entrypoint_runtime_env_and_secret_env() -> None:
    low = lowered(app(extra=ENV + "  options: --a 1\n") + run(extra="  options: --b 2\n"))
    spec = low.workload["spec"]
    assert spec["entrypoint"] == "python3 main.py --b 2"
    assert spec["runtimeEnvYAML"] == "pip:\n- numpy==2.1.0\nenv_vars:\n  PLAIN: 'yes'\n"
    assert spec["shutdownAfterJobFinishes"] is True
    head = spec["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert head["env"] == [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {
        "name": "creds", "key": "token"}}}]


def test_run_env_merges_over_application_env() -> None:
    low = lowered(app(extra=ENV) + run(extra="  env: {PLAIN: 'no', EXTRA: x}\n"))
    assert "PLAIN: 'no'\n  EXTRA: x\n" in low.workload["spec"]["runtimeEnvYAML"]


def test_gang_labels_every_pod_and_counts_members() -> None:
    low = lowered(app() + run(extra="  size: md\n"), through="gang")
    pod_group, rayjob = low.objects
    assert pod_group["spec"] == {"minMember": 5, "minResources": {"cpu": "10", "memory": "80Gi"}}
    for template in low.pod_templates():
        assert template["metadata"]["labels"]["scheduling.x-k8s.io/pod-group"] == "r"
        assert template["spec"]["schedulerName"] == "scheduler-plugins-scheduler"
    assert rayjob is low.workload


def test_appwrapper_queueing_leaves_the_rayjob_to_kueue() -> None:
    """An AppWrapper never sees a RayJob succeed (its cluster's pods are deleted, not
    succeeded): the RayJob carries the queue label itself, as with --queueing kueue."""
    plan, prog = planned(app() + run(extra="  size: sm\n  queue: q\n"))
    assert prog.target.queueing == "appwrapper"
    diags = Diagnostics()
    low = lower_plan(plan, prog, "queueing", diags)
    assert not diags.items
    podgroup, rayjob = low.objects
    assert (podgroup["kind"], rayjob) == ("PodGroup", low.workload)
    assert rayjob["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "q"
    assert rayjob["spec"]["shutdownAfterJobFinishes"] is True  # Kueue's webhook requires it


def test_mcad_refuses_a_rayjob_it_could_never_complete() -> None:
    diags = Diagnostics()
    lowered(app() + run(), Overrides(queueing="mcad"), "queueing", diags)
    (error,) = diags.items
    assert (error.code.value, error.severity.value) == ("CF440", "error")
    assert error.message.startswith("MCAD would never see this RayJob finish")


def test_ray_pods_get_a_memory_backed_dev_shm() -> None:
    low = lowered(app() + run(extra="  size: sm\n"))
    for template in low.pod_templates():
        spec = template["spec"]
        assert spec["volumes"] == [{"name": "dshm", "emptyDir": {"medium": "Memory"}}]
        assert spec["containers"][0]["volumeMounts"] == [{"name": "dshm",
                                                          "mountPath": "/dev/shm"}]


def test_kueue_puts_the_queue_on_the_workload() -> None:
    low = lowered(app() + run(extra="  queue: q\n"), Overrides(queueing="kueue", gang="none"),
                  "queueing")
    assert low.objects == [low.workload]
    assert low.workload["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "q"


def test_queue_without_a_queue_system_warns() -> None:
    diags = Diagnostics()
    lowered(app() + run(extra="  queue: q\n"), Overrides(queueing="none"), "queueing", diags)
    (warning,) = diags.items
    assert (warning.code.value, warning.severity.value) == ("CF502", "warning")


def test_pod_set_paths() -> None:
    assert pod_set_path(("spec", "a", 0, "template")) == "template.spec.a[0].template"


HEAD_SIZES = ("{md: {workers: 4, cpu: '8', memory: 32Gi, gpu: 1, "
              "head: {cpu: '2', memory: 8Gi, gpu: 0}}}")


def test_a_size_gives_the_head_its_own_resources() -> None:
    gpu = "  supportsGpu: true\n"
    low = lowered(sizes("policy", HEAD_SIZES) + app(extra=gpu)
                  + run(extra="  size: md\n" + gpu), through="gang")
    cluster = low.workload["spec"]["rayClusterSpec"]
    head = cluster["headGroupSpec"]["template"]["spec"]["containers"][0]["resources"]
    worker = cluster["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["resources"]
    assert head["limits"] == {"cpu": "2", "memory": "8Gi"}
    assert worker["limits"] == {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}
    (pod_group,) = [o for o in low.objects if o["kind"] == "PodGroup"]
    # 4 GPU workers take 4 GPUs, not 5: the head has none of its own
    assert pod_group["spec"] == {"minMember": 5, "minResources": {
        "cpu": "34", "memory": "136Gi", "nvidia.com/gpu": "4"}}


def test_head_fields_left_out_are_the_workers() -> None:
    config = "{sm: {workers: 2, cpu: 500m, memory: 1536Mi, gpu: 1, head: {gpu: 0}}}"
    low = lowered(sizes("policy", config) + app(extra="  supportsGpu: true\n")
                  + run(extra="  size: sm\n  supportsGpu: true\n"), through="gang")
    head = low.workload["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"][
        "containers"][0]["resources"]
    assert head["requests"] == {"cpu": "500m", "memory": "1536Mi"}
    (pod_group,) = [o for o in low.objects if o["kind"] == "PodGroup"]
    assert pod_group["spec"]["minResources"] == {"cpu": "1500m", "memory": "4608Mi",
                                                 "nvidia.com/gpu": "2"}


def test_head_gpus_follow_the_supports_gpu_rule() -> None:
    config = "{sm: {workers: 1, cpu: '1', memory: 1Gi, gpu: 0, head: {gpu: 2}}}"
    low = lowered(sizes("policy", config) + app() + run(extra="  size: sm\n"), through="gang")
    head = low.workload["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"][
        "containers"][0]["resources"]
    assert "nvidia.com/gpu" not in head["limits"]


def test_without_head_the_head_is_sized_like_a_worker() -> None:
    low = lowered(app(extra="  supportsGpu: true\n")
                  + run(extra="  size: md\n  supportsGpu: true\n"), through="gang")
    (pod_group,) = [o for o in low.objects if o["kind"] == "PodGroup"]
    assert pod_group["spec"] == {"minMember": 5, "minResources": {
        "cpu": "10", "memory": "80Gi", "nvidia.com/gpu": "5"}}


def test_head_quantities_are_checked() -> None:
    config = "{sm: {workers: 1, cpu: '1', memory: 1Gi, head: {memory: 64}}}"
    _, diags = program(sizes("policy", config) + app() + run())
    assert [(d.code.value, d.message) for d in diags.items] == [
        ("CF215", "memory '64' is 64 bytes, under 1Mi: a number without a unit counts bytes")]
