"""Shell lowering: an Indexed Job running the command line, checked field by field."""

from __future__ import annotations

from codeflare_compile.ir import Overrides
from codeflare_compile.kubeversion import parse
from tests.build_inputs import app, run
from tests.lowering import lowered

INDEX_ENV = {"name": "CODEFLARE_INDEX", "valueFrom": {"fieldRef": {
    "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}


def shell_app(extra: str = "") -> str:
    return app(extra=extra).replace("api: ray", "api: shell").replace(
        "command: python3 main.py", "command: ./go.sh --a")


def test_indexed_job_of_workers_pods() -> None:
    low = lowered(shell_app() + run(extra="  workers: 3\n"))
    job = low.workload
    assert low.objects == [job]
    assert (job["apiVersion"], job["kind"], job["metadata"]["name"]) == ("batch/v1", "Job", "r")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert (spec["completions"], spec["parallelism"]) == (3, 3)
    assert [(p.path, p.replicas) for p in low.pod_sets] == [(("spec", "template"), 3)]


def test_zero_workers_runs_once() -> None:
    low = lowered(shell_app() + run(extra="  workers: 0\n"))
    assert (low.workload["spec"]["completions"], low.workload["spec"]["parallelism"]) == (1, 1)
    assert low.pod_sets[0].replicas == 1


def test_runs_command_and_options_as_written() -> None:
    low = lowered(shell_app(extra="  options: --b 1\n  requirements: [pyyaml==6.0.2]\n")
                  + run(extra="  options: --msg \"it's $HOME\"; echo ok\n"))
    (container,) = low.workload["spec"]["template"]["spec"]["containers"]
    assert container["command"] == [
        "/bin/sh", "-c",
        "set -e\npython3 -m pip install --no-cache-dir --user pyyaml==6.0.2\n"
        "./go.sh --a --msg \"it's $HOME\"; echo ok"]


def test_index_in_the_environment() -> None:
    env = "  env:\n    A: '1'\n    CODEFLARE_INDEX: mine\n"
    low = lowered(shell_app(extra=env) + run())
    (container,) = low.workload["spec"]["template"]["spec"]["containers"]
    # the user's CODEFLARE_INDEX is replaced by the real one
    assert container["env"] == [{"name": "A", "value": "1"}, INDEX_ENV]


def test_failure_policy_and_deadline() -> None:
    low = lowered(shell_app() + run(extra="  workers: 2\n  timeout: 90s\n"))
    spec = low.workload["spec"]
    assert spec["backoffLimit"] == 0
    assert spec["podFailurePolicy"] == {"rules": [{
        "action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]}
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert spec["activeDeadlineSeconds"] == 90


def test_resources_and_labels() -> None:
    low = lowered(shell_app() + run(extra="  size: sm\n"))
    template = low.workload["spec"]["template"]
    resources = template["spec"]["containers"][0]["resources"]
    assert resources == {"requests": {"cpu": "1", "memory": "8Gi"},
                         "limits": {"cpu": "1", "memory": "8Gi"}}  # no GPU: the Run did not ask
    labels = template["metadata"]["labels"]
    assert (labels["codeflare.dev/archetype"], labels["app.kubernetes.io/component"]) == (
        "shell", "shell")


def test_name_leaves_room_for_pod_hostnames() -> None:
    low = lowered(shell_app() + run(name="s" * 63))
    name = low.workload["metadata"]["name"]
    assert len(name) <= 57 and len(f"{name}-99999") <= 63


def test_gang_and_appwrapper() -> None:
    low = lowered(shell_app() + run(extra="  workers: 3\n"), through="queueing")
    (wrapper,) = low.objects
    podgroup, job = wrapper["spec"]["components"]
    assert podgroup["template"]["spec"] == {"minMember": 3,
                                          "minResources": {"cpu": "3", "memory": "12Gi"}}
    assert job["podSets"] == [{"path": "template.spec.template", "replicas": 3}]


def test_no_pod_failure_policy_where_kubernetes_would_drop_it() -> None:
    """JobPodFailurePolicy is alpha and off in 1.25, on from 1.26 (kubernetes/website
    feature-gates/JobPodFailurePolicy.md); the API server drops the field where the gate is off
    (kubernetes pkg/registry/batch/job/strategy.go, PrepareForCreate)."""
    for version, kept in (("1.25", False), ("v1.25.16", False), ("1.26", True), (None, True)):
        parsed = parse(version) if version else None
        low = lowered(shell_app() + run(), Overrides(kube_version=parsed))
        assert ("podFailurePolicy" in low.workload["spec"]) is kept, version
        assert low.workload["spec"]["backoffLimit"] == 0
