"""Every pod of every golden meets the Pod Security Standards: `baseline` as rendered (with
RuntimeDefault seccomp and ALL capabilities dropped everywhere), `restricted` when compiled with
`--pod-security restricted`; pods inside AppWrappers, RayJobs (head, workers, submitter),
PyTorchJobs and Workflows' embedded manifests included. The checker (tests/pod_security.py)
is tested first against pods that break each control."""

from __future__ import annotations

import copy
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, run_cli
from tests.pod_security import violations
from tests.properties import checks
from tests.properties.output import containers, pod_specs

CASES = sorted([*REPO.glob("tests/golden/*/input"), *REPO.glob("archetypes/*/example/input")])
#: Goldens whose input the restricted level refuses, and the diagnostic that says why.
REFUSED = {"tests/golden/datasets-native": "CF461"}

GOOD: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "volumes": [{"name": "w", "emptyDir": {}}],
    "containers": [{"name": "main", "image": "x", "securityContext": {
        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
}


def _case_id(case: Path) -> str:
    return str(case.parent.relative_to(REPO))


def _args(case: Path) -> list[str]:
    args_file = case.parent / "args"
    return shlex.split(args_file.read_text()) if args_file.exists() else []


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    pod = copy.deepcopy(GOOD)
    node: Any = pod
    for seg in path[:-1]:
        node = node[seg]
    node[path[-1]] = value
    return pod


@pytest.mark.parametrize(("path", "value", "level", "control"), [
    (("hostNetwork",), True, "baseline", "Host Namespaces"),
    (("containers", 0, "securityContext", "privileged"), True, "baseline", "Privileged"),
    (("containers", 0, "securityContext", "capabilities", "add"), ["SYS_ADMIN"], "baseline",
     "Capabilities"),
    (("volumes",), [{"name": "h", "hostPath": {"path": "/"}}], "baseline", "HostPath"),
    (("containers", 0, "ports"), [{"containerPort": 80, "hostPort": 80}], "baseline",
     "Host Ports"),
    (("securityContext", "seccompProfile"), {"type": "Unconfined"}, "baseline", "Seccomp"),
    (("securityContext", "sysctls"), [{"name": "kernel.msgmax", "value": "1"}], "baseline",
     "Sysctls"),
    (("containers", 0, "securityContext", "procMount"), "Unmasked", "baseline", "/proc"),
    (("securityContext", "seLinuxOptions"), {"user": "root"}, "baseline", "SELinux"),
    (("volumes",), [{"name": "n", "nfs": {"server": "s", "path": "/"}}], "restricted",
     "Volume Types"),
    (("containers", 0, "securityContext", "allowPrivilegeEscalation"), True, "restricted",
     "Privilege Escalation"),
    (("securityContext", "runAsNonRoot"), False, "restricted", "Running as Non-root"),
    (("securityContext", "runAsUser"), 0, "restricted", "Running as Non-root user"),
    (("securityContext", "seccompProfile"), None, "restricted", "Seccomp"),
    (("containers", 0, "securityContext", "capabilities"), {"drop": ["NET_RAW"]}, "restricted",
     "Capabilities"),
])
def test_the_checker_finds_each_control(path: tuple[Any, ...], value: Any, level: str,
                                        control: str) -> None:
    assert violations(GOOD, "restricted") == []
    found = violations(_with(path, value), level)  # type: ignore[arg-type]
    assert any(v.startswith(control) for v in found), found
    if level == "restricted":  # a restricted-only control does not fail baseline
        assert violations(_with(path, value), "baseline") == []


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_golden_pod_meets_baseline(case: Path) -> None:
    objects = checks.parse((case.parent / "expected.yaml").read_text())
    specs = [spec for _, spec in pod_specs(objects)]
    assert specs
    for spec in specs:
        assert violations(spec, "baseline") == []
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in containers(spec):
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_golden_pod_meets_restricted_when_asked(case: Path) -> None:
    out = run_cli("compile", "input", *_args(case), "--pod-security", "restricted",
                  cwd=case.parent)
    refused = REFUSED.get(_case_id(case))
    if refused is not None:
        assert out.exit_code == 1 and f"error[{refused}]" in out.stderr, out.stderr
        return
    assert out.exit_code == 0, out.stderr
    specs = [spec for _, spec in pod_specs(checks.parse(out.stdout))]
    assert specs
    for spec in specs:
        assert violations(spec, "restricted") == []
        pod_user = spec["securityContext"].get("runAsUser")
        for container in containers(spec):  # the compiler's images run as root: a user id
            if container["name"] in ("clone", "fluent-bit"):
                assert (pod_user or container["securityContext"].get("runAsUser")), container


def test_the_submitter_pod_is_kuberays_shape_with_our_settings() -> None:
    """KubeRay uses `submitterPodTemplate` as given (common/job.go, GetSubmitterTemplate), so it
    must be a valid Job pod: `restartPolicy: Never`, the head's image, and a container
    without a command (KubeRay fills `ray job submit`: configureSubmitterContainer)."""
    case = REPO / "tests" / "golden" / "ray-policies"
    objects = checks.parse((case / "expected.yaml").read_text())
    jobs = [obj for obj in checks.created(objects) if obj["kind"] == "RayJob"]
    assert jobs
    for job in jobs:
        template = job["spec"]["submitterPodTemplate"]
        spec = template["spec"]
        head = job["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]
        assert spec["restartPolicy"] == "Never"
        assert spec["automountServiceAccountToken"] is False
        assert spec.get("imagePullSecrets") == head["spec"].get("imagePullSecrets")
        assert template["metadata"]["labels"]["codeflare.dev/run"] == \
            head["metadata"]["labels"]["codeflare.dev/run"]
        (container,) = spec["containers"]
        assert container["image"] == head["spec"]["containers"][0]["image"]
        assert "command" not in container and "args" not in container


def test_restricted_refuses_the_opt_outs_it_forbids(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        "apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
        "  api: shell\n  image: python:3.12\n  command: echo hi\n  securityContext:\n"
        "    runAsUser: 0\n    runAsNonRoot: false\n    allowPrivilegeEscalation: true\n"
        "---\napiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: r}\n"
        "spec: {application: a}\n")
    out = run_cli("compile", "app.yaml", "--pod-security", "restricted", cwd=tmp_path)
    assert out.exit_code == 1 and out.stdout == ""
    assert out.stderr.count("error[CF460]") == 3, out.stderr
    assert "app.yaml:9:16: error[CF460]: 'runAsUser: 0' (root)" in out.stderr
    baseline = run_cli("compile", "app.yaml", "--queueing", "none", cwd=tmp_path)
    assert baseline.exit_code == 0, baseline.stderr
    (spec,) = [spec for _, spec in pod_specs(checks.parse(baseline.stdout))]
    assert spec["securityContext"] == {"runAsUser": 0, "runAsNonRoot": False,
                                       "seccompProfile": {"type": "RuntimeDefault"}}
    assert spec["containers"][0]["securityContext"]["allowPrivilegeEscalation"] is True
    assert violations(spec, "baseline") == []
