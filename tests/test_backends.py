"""The backends registry: each queueing target and gang scheduler is one module declaring what it
needs, and what the compiler emits, validates, detects, waits for and explains follows those
declarations."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from codeflare_compile import fuzz
from codeflare_compile.argocd import AppSettings, detect_queueing, warnings
from codeflare_compile.backends import GANGS, QUEUEINGS, collect, detection_order
from codeflare_compile.backends.declare import QueueingTarget
from codeflare_compile.backends.queueing.kueue import QUEUE_LABEL
from codeflare_compile.explain import explain
from codeflare_compile.ir import Overrides
from codeflare_compile.pipeline import compile_paths
from codeflare_compile.validate.kinds import gvk_of, wrapped_objects
from tests.helpers import workflow_yaml


def _job(name: str, api: str, image: str, command: str) -> str:
    """An Application and a Run of it with its name, in flow style."""
    return (f"apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\n"
            f"spec: {{api: {api}, image: {image}, command: {command}}}\n---\n"
            f"apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {{name: {name}}}\n"
            f"spec: {{application: {name}, size: sm, queue: team}}\n")


SHELL = _job("hello", "shell", "python:3.12-slim", "echo hello")
RAY = _job("tune", "ray", "rayproject/ray:2.40.0", "python3 tune.py")
WORKFLOW = (_job("fetch", "shell", "python:3.12-slim", "python3 fetch.py").split("---\n")[0]
            + "---\n" + workflow_yaml("flow", "{name: fetch, application: fetch}") + "---\n"
            "apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: nightly}\n"
            "spec: {application: flow, size: sm}\n")


def _compile(tmp_path: Path, text: str, **settings: Any) -> Any:
    (tmp_path / "in.yaml").write_text(text)
    result = compile_paths([str(tmp_path)], [], Overrides(**settings))
    assert not result.diagnostics.has_errors, result.diagnostics.items
    return result


# ------------------------------------------------------------------------------ the registry


def _package(tmp_path: Path, name: str, modules: dict[str, str]) -> Any:
    """A package of backend modules, each declaring the queueing target it is given."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for module, declared in modules.items():
        (folder / f"{module}.py").write_text(
            "from codeflare_compile.backends.declare import QueueingTarget\n"
            f"BACKEND = QueueingTarget(name={declared!r}, api=None, detect_rank=None, "
            "wrapper=None)\n")
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_every_choice_has_its_module_and_every_module_its_choice(tmp_path: Path) -> None:
    package = _package(tmp_path, "targets_one", {"alpha": "alpha", "beta": "beta"})
    found = collect(package, ("beta", "alpha"), QueueingTarget)
    assert list(found) == ["beta", "alpha"]  # in the order of the choice
    with pytest.raises(ImportError, match="'gamma'"):
        collect(package, ("alpha", "beta", "gamma"), QueueingTarget)
    with pytest.raises(ImportError, match="'beta'"):
        collect(package, ("alpha",), QueueingTarget)


def test_a_module_declares_the_backend_it_is_named_after(tmp_path: Path) -> None:
    package = _package(tmp_path, "targets_two", {"alpha": "beta"})
    with pytest.raises(ImportError, match="alpha: BACKEND is not the QueueingTarget 'alpha'"):
        collect(package, ("alpha",), QueueingTarget)


# --------------------------------------------------------------------- what each target emits


@pytest.mark.parametrize("queueing", QUEUEINGS)
def test_each_target_emits_what_it_declares(tmp_path: Path, queueing: str) -> None:
    """A wrapping target emits its wrapper, which the validator opens to find the Job; the
    others emit the Job itself, labelled with the queue when they queue through Kueue."""
    backend = QUEUEINGS[queueing]
    objects = _compile(tmp_path, SHELL, queueing=queueing, gang="none").objects
    if backend.wraps("shell"):
        (wrapper,) = objects
        assert backend.wrapper is not None
        assert (wrapper["apiVersion"], wrapper["kind"]) == \
            (backend.wrapper.api_version, backend.wrapper.kind)
        queued = wrapper
        objects = [w.template for w in wrapped_objects(gvk_of(wrapper), wrapper)]
    (job,) = [o for o in objects if o["kind"] == "Job"]
    if not backend.wraps("shell"):
        queued = job
    assert (queued["metadata"]["labels"].get(QUEUE_LABEL) == "team") == backend.through_kueue


@pytest.mark.parametrize("queueing", [q for q, b in QUEUEINGS.items() if b.kueue_direct])
def test_an_archetype_queued_by_kueue_directly_is_not_wrapped(tmp_path: Path,
                                                              queueing: str) -> None:
    assert "ray" in QUEUEINGS[queueing].kueue_direct
    result = _compile(tmp_path, RAY, queueing=queueing, gang="none")
    (rayjob,) = result.objects
    assert rayjob["kind"] == "RayJob" and rayjob["metadata"]["labels"][QUEUE_LABEL] == "team"
    (record,) = explain(result)
    assert record["target"]["queuedByKueueDirectly"] is True


@pytest.mark.parametrize("queueing", QUEUEINGS)
def test_a_workflow_step_waits_as_its_target_declares(tmp_path: Path, queueing: str) -> None:
    """The step's resource template waits on the wrapper with the wrapper's own conditions."""
    objects = _compile(tmp_path, WORKFLOW, queueing=queueing, gang="none").objects
    (workflow,) = [o for o in objects if o["kind"] == "Workflow"]
    (step,) = [t["resource"] for t in workflow["spec"]["templates"] if t["name"] == "fetch"]
    wrapper = QUEUEINGS[queueing].wrapper
    if wrapper is None:
        assert step["successCondition"] == "status.completionTime"  # the Job's own
    else:
        assert wrapper.kind in step["manifest"] and wrapper.api_version in step["manifest"]
        assert (step["successCondition"], step["failureCondition"]) == wrapper.conditions


@pytest.mark.parametrize("gang", GANGS)
def test_each_gang_scheduler_emits_what_it_declares(tmp_path: Path, gang: str) -> None:
    backend = GANGS[gang]
    objects = _compile(tmp_path, SHELL, queueing="none", gang=gang).objects
    groups = [o["apiVersion"] for o in objects if o["kind"] == "PodGroup"]
    assert groups == ([backend.api] if backend.api else [])
    (job,) = [o for o in objects if o["kind"] == "Job"]
    named = "schedulerName" in job["spec"]["template"]["spec"]
    assert named == backend.uses_scheduler_name


def test_a_target_without_its_task_budget_takes_the_unwrapped_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget is the target's: without one, a workqueue's tasks may spread (8 MiB)."""
    big = "x" * 100_000
    text = (SHELL.replace("api: shell", "api: workqueue")
            .replace("command: echo hello}", "command: echo, tasks: [" +
                     ", ".join([big] * 12) + "]}"))
    (tmp_path / "in.yaml").write_text(text)
    refused = compile_paths([str(tmp_path)], [], Overrides(queueing="appwrapper"))
    assert [d.code.value for d in refused.diagnostics.items if d.severity.value == "error"] \
        == ["CF412"]
    monkeypatch.setitem(QUEUEINGS, "appwrapper",
                        QUEUEINGS["appwrapper"]._replace(task_budget=None))
    assert not compile_paths([str(tmp_path)], [], Overrides(queueing="appwrapper")
                             ).diagnostics.has_errors


# ------------------------------------------------------------- who else reads the registry


def test_argocd_detects_each_target_by_the_api_it_declares() -> None:
    ranked = detection_order()
    served = [f"{api}/v1" if api.count("/") == 0 else api for _, api in ranked]
    for index, (queueing, _) in enumerate(ranked):
        assert detect_queueing(served[index:]) == queueing
    assert detect_queueing(["v1", "batch/v1"]) == "none"
    assert [q for q, b in QUEUEINGS.items() if b.api is None] == ["none"]


@pytest.mark.parametrize("queueing", QUEUEINGS)
def test_argocd_warns_when_the_cluster_lacks_a_targets_api(queueing: str) -> None:
    settings = AppSettings(paths=["."], includes=[], overrides=Overrides(),
                           api_versions=["v1"], cluster_kube_version=None)
    api = QUEUEINGS[queueing].api
    assert warnings(settings, queueing) == (
        [f"queueing '{queueing}' needs {api}, which the destination cluster does not serve"]
        if api else [])


def test_the_fuzzer_tries_every_target_and_scheduler() -> None:
    assert set(fuzz.TARGETS["queueing"]) == {None, *QUEUEINGS}
    assert set(fuzz.TARGETS["gang"]) == {None, *GANGS}


@pytest.mark.parametrize("queueing", [q for q, b in QUEUEINGS.items() if b.wrapper])
def test_explain_unwraps_a_workflows_manifests(tmp_path: Path, queueing: str) -> None:
    """A Workflow shows what each resource template creates, and what a wrapper carries."""
    result = _compile(tmp_path, WORKFLOW, queueing=queueing, gang="coscheduler")
    (record,) = explain(result)
    lines = [line.rsplit("-", 1)[0] for line in record["objects"]]
    wrapper = QUEUEINGS[queueing].wrapper
    assert wrapper is not None
    start = lines.index("Workflow default/nightly")
    assert lines[start + 1:start + 5] == [
        "  template fetch creates",
        f"    {wrapper.kind} default/nightly-fetch",
        "      PodGroup default/nightly-fetch",
        "      Job default/nightly-fetch",
    ]
    (step,) = record["steps"]
    assert [line.rsplit("-", 1)[0] for line in step["objects"]] == \
        [line[2:] for line in lines[start + 1:start + 5]]
