"""`expose`: one ClusterIP Service per Run, at the top level, that routes to exactly the pods
running the Run's program, whatever the archetype, backend and queueing target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import codeflare_compile
from tests.helpers import compile_files, header_and_help, workflow_yaml
from tests.properties.output import created, pod_templates

IMAGES = {"ray": "rayproject/ray:2.52.0", "torch": "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime"}
#: (archetype, torch backend) with the components of the pods that run the program: a RayJob's
#: entrypoint runs on the head; every pod of the others runs it.
SERVING = {
    ("ray", "job"): {"ray-head"},
    ("shell", "job"): {"shell"},
    ("torch", "job"): {"torch-worker"},
    ("torch", "pytorchjob"): {"pytorch-master", "pytorch-worker"},
    ("workqueue", "job"): {"workqueue"},
}


def _inputs(archetype: str, expose: str = "[8000, 6006]") -> str:
    extra = "  tasks: [a, b]\n" if archetype == "workqueue" else ""
    return (f"apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {{name: app}}\n"
            f"spec:\n  api: {archetype}\n  image: {IMAGES.get(archetype, 'python:3.12-slim')}\n"
            f"  command: python3 main.py\n  expose: {expose}\n{extra}---\n"
            "apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: r}\n"
            "spec: {application: app, workers: 2}\n")


def _selected(objects: list[dict[str, Any]], selector: dict[str, str]) -> list[str]:
    """The components of the pod templates (wrapped and Workflow-made ones included) whose
    pods the selector picks, one entry per template."""
    return sorted(t["metadata"]["labels"]["app.kubernetes.io/component"]
                  for _, t in pod_templates(objects)
                  if selector.items() <= t["metadata"].get("labels", {}).items())


def _exposing(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in created(objects) if o["kind"] == "Service"
            and o["metadata"]["labels"]["app.kubernetes.io/component"] == "expose"]


#: Every archetype and backend under every queueing target that can run it (MCAD cannot see a
#: RayJob finish: CF440).
TARGETS = [(archetype, backend, queueing) for archetype, backend in sorted(SERVING)
           for queueing in ("appwrapper", "kueue", "mcad", "none")
           if (archetype, queueing) != ("ray", "mcad")]


@pytest.mark.parametrize(("archetype", "backend", "queueing"), TARGETS)
def test_the_service_routes_to_the_pods_that_run_the_program(archetype: str, backend: str,
                                                             queueing: str) -> None:
    result = codeflare_compile.compile_texts({"in.yaml": _inputs(archetype)},
                                             queueing=queueing, torch_backend=backend)
    assert result.ok, result.diagnostics
    (service,) = _exposing(result.objects)
    assert any(service is top for top in result.objects), "never wrapped"
    assert service["metadata"]["name"] == "r"
    assert service["spec"]["type"] == "ClusterIP"
    assert "argocd.argoproj.io/sync-wave" not in service["metadata"].get("annotations", {}), \
        "no dependency of the workload: applied in its wave"
    assert service["spec"]["ports"] == [
        {"name": "port-8000", "port": 8000, "targetPort": 8000, "protocol": "TCP"},
        {"name": "port-6006", "port": 6006, "targetPort": 6006, "protocol": "TCP"}]
    selected = _selected(result.objects, service["spec"]["selector"])
    assert set(selected) == SERVING[archetype, backend]
    every = _selected(result.objects, {"codeflare.dev/run": "r"})
    assert len(every) > len(selected) or archetype != "ray", "Ray workers and submitter left out"


def test_no_service_without_expose() -> None:
    result = codeflare_compile.compile_texts({"in.yaml": _inputs("shell", "[]")})
    assert result.ok
    assert _exposing(result.objects) == []
    assert not any("codeflare.dev/exposed" in t["metadata"]["labels"]
                   for _, t in pod_templates(result.objects))


def test_a_steps_service_stands_beside_the_workflow() -> None:
    """A workflow creates its steps' objects anew with every execution (`kubectl create`); the
    Service keeps one name, so it is applied beside the Workflow, not created by it."""
    text = (_inputs("shell").split("---\n")[0] + "---\n"
            + workflow_yaml("flow", "{name: serve, application: app}") + "---\n"
            "apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: nightly}\n"
            "spec: {application: flow}\n")
    result = codeflare_compile.compile_texts({"in.yaml": text})
    assert result.ok, result.diagnostics
    (service,) = _exposing(result.objects)
    assert any(service is top for top in result.objects)
    assert service["metadata"]["name"] == "nightly-serve"
    assert "argocd.argoproj.io/sync-wave" not in service["metadata"].get("annotations", {})
    assert _selected(result.objects, service["spec"]["selector"]) == ["shell"]
    (workflow,) = [o for o in result.objects if o["kind"] == "Workflow"]
    assert "kind: Service" not in str(workflow["spec"]["templates"])


@pytest.mark.parametrize(("expose", "where", "message", "help_"), [
    ("[8080, 8080]", "8:11", "port 8080 is listed twice", "list each port once"),
    ("[0]", "8:12", "greater than or equal to 1", "use a value in the allowed range"),
    ("[65536]", "8:12", "less than or equal to 65535", "use a value in the allowed range"),
])
def test_ports_are_checked(tmp_path: Path, expose: str, where: str, message: str,
                           help_: str) -> None:
    out = compile_files(tmp_path, {"in.yaml": _inputs("shell", expose)})
    assert out.exit_code == 1
    header, help_line = header_and_help(out)
    assert header.startswith(f"./in.yaml:{where}: error[")
    assert message in header
    assert help_line == f"  help: {help_}"
