"""Workflow lowering: the DAG follows dependsOn, steps are lowered and queued as alone, RBAC is
least privilege, and each error in the steps is reported where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from codeflare_compile import validate
from codeflare_compile.graphs import find_cycle, topological
from codeflare_compile.ir import Overrides
from codeflare_compile.pipeline import compile_paths
from tests.helpers import REPO, blocks, compile_files
from tests.test_diagnostics import WORKFLOW

CASE = REPO / "archetypes" / "workflow" / "example" / "input"
DECLARED = {"prepare": [], "train": ["prepare"], "evaluate": ["prepare"],
            "report": ["train", "evaluate"]}


def rendered(overrides: Overrides | None = None) -> list[dict[str, Any]]:
    result = compile_paths([str(CASE)], [], overrides or Overrides())
    assert not result.diagnostics.has_errors, result.diagnostics.items
    return result.objects


def workflow_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (workflow,) = [o for o in objects if o["kind"] == "Workflow"]
    return workflow


def test_dag_edges_are_the_declared_dependencies() -> None:
    for overrides in (Overrides(), Overrides(queueing="none", gang="none")):
        tasks = workflow_of(rendered(overrides))["spec"]["templates"][0]["dag"]["tasks"]
        main = {t["name"]: [d for d in t.get("dependencies", []) if d in DECLARED]
                for t in tasks if t["name"] in DECLARED}
        assert main == DECLARED


def test_topological_order_is_stable() -> None:
    tasks = workflow_of(rendered())["spec"]["templates"][0]["dag"]["tasks"]
    assert [t["name"] for t in tasks if t["name"] in DECLARED] == [
        "prepare", "evaluate", "train", "report"]
    shuffled = {k: DECLARED[k] for k in ("report", "train", "prepare", "evaluate")}
    assert topological(shuffled) == topological(DECLARED)


def test_steps_are_wrapped_but_the_workflow_is_not() -> None:
    objects = rendered()
    assert [o["kind"] for o in objects] == ["ServiceAccount", "Role", "RoleBinding", "Workflow"]
    templates = workflow_of(objects)["spec"]["templates"][1:]
    manifests = {t["name"]: yaml.safe_load(t["resource"]["manifest"]) for t in templates}
    # the Ray step's RayJob is queued by Kueue directly: an AppWrapper never sees it succeed
    assert {n: m["kind"] for n, m in manifests.items()} == {
        "prepare": "AppWrapper", "evaluate--podgroup-0": "PodGroup", "evaluate": "RayJob",
        "train": "AppWrapper", "report": "AppWrapper"}
    digest = workflow_of(objects)["metadata"]["name"].removeprefix("nightly-")
    assert manifests["train"]["metadata"]["name"] == f"nightly-train-{digest}"  # the unit's hash
    train_job = manifests["train"]["spec"]["components"][-1]["template"]
    assert train_job["spec"]["completions"] == 2  # the step's size (sm), not the Run's (xs)
    assert {t["resource"].get("successCondition") for t in templates} == {
        "status.phase == Succeeded", "status.jobStatus == SUCCEEDED", None}


def test_unwrapped_steps_get_conditions_for_their_kind() -> None:
    workflow = workflow_of(rendered(Overrides(queueing="none", gang="none")))
    by_name = {t["name"]: t for t in workflow["spec"]["templates"]}
    assert by_name["evaluate"]["resource"]["successCondition"] == "status.jobStatus == SUCCEEDED"
    assert by_name["train"]["resource"]["successCondition"] == "status.completionTime"
    assert by_name["train"]["resource"]["failureCondition"].startswith(
        "status.conditions.0.type == Failed,")
    # a single-pod shell step too: the user's command never runs in the pod holding the token
    assert "container" not in by_name["report"]
    assert by_name["report"]["resource"]["successCondition"] == "status.completionTime"
    service = next(t for t in workflow["spec"]["templates"] if t["name"].startswith("train--"))
    assert "successCondition" not in service["resource"]


def test_role_allows_exactly_what_the_workflow_creates() -> None:
    objects = rendered(Overrides(queueing="none", gang="none"))
    (role,) = [o for o in objects if o["kind"] == "Role"]
    created = {(g, r) for rule in role["rules"] if rule["verbs"] == ["create"]
               for g in rule["apiGroups"] for r in rule["resources"]}
    assert created == {("batch", "jobs"), ("", "services"), ("ray.io", "rayjobs")}
    assert {"resourceNames", "apiGroups", "resources", "verbs"} == set(role["rules"][-2])
    assert role["rules"][-2]["resources"] == ["workflows/finalizers"]


def test_platform_service_account_replaces_rbac(tmp_path: Path) -> None:
    platform = ("apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: p}\n"
                "spec: {workflowServiceAccount: argo-runner}\n")
    (tmp_path / "platform.yaml").write_text(platform)
    result = compile_paths([str(CASE), str(tmp_path)], [], Overrides())
    assert [o["kind"] for o in result.objects] == ["Workflow"]
    assert result.objects[0]["spec"]["serviceAccountName"] == "argo-runner"


def test_manifests_are_validated() -> None:
    workflow = workflow_of(rendered())
    broken = yaml.safe_load(workflow["spec"]["templates"][1]["resource"]["manifest"])
    broken["spec"]["components"][1]["template"]["spec"]["completions"] = "two"
    workflow["spec"]["templates"][1]["resource"]["manifest"] = yaml.safe_dump(broken)
    failures = validate.validate_objects([workflow], kube_version="1.33", crds=None)
    assert [f.path for f in failures] == [
        "spec.templates[1].resource.manifest.spec.components[1].template.spec.completions"]


def test_find_cycle_names_it() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c"]
    assert find_cycle({"a": ["a"]}) == ["a"]
    assert find_cycle(DECLARED) is None


APPS = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: step-app}
spec: {api: shell, image: busybox:1.36, command: echo hi}
---
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: go}
spec: {application: flow}
"""


def step_errors(tmp_path: Path, steps: str) -> list[str]:
    out = compile_files(tmp_path, {"flow.yaml": WORKFLOW + steps, "apps.yaml": APPS})
    assert out.exit_code == 1
    return blocks(out)


def test_step_with_a_missing_application(tmp_path: Path) -> None:
    (block,) = step_errors(tmp_path, "    - {name: a, application: step-ap}\n")
    lines = block.splitlines()
    assert lines[0] == ("./flow.yaml:8:30: error[CF301]: step 'a' runs Application 'step-ap', "
                        "which does not exist in namespace 'default'")
    assert lines[-1] == "  help: did you mean 'step-app'?"


def test_dependency_on_a_missing_step(tmp_path: Path) -> None:
    (block,) = step_errors(tmp_path, "    - {name: first, application: step-app}\n"
                                     "    - {name: b, application: step-app, dependsOn: [frist]}\n")
    lines = block.splitlines()
    assert lines[0] == ("./flow.yaml:9:52: error[CF422]: step 'b' depends on 'frist', which is "
                        "not a step of this workflow")
    assert lines[-1] == "  help: did you mean 'first'?"


def test_cycle_is_named(tmp_path: Path) -> None:
    (block,) = step_errors(tmp_path, "    - {name: a, application: step-app, dependsOn: [c]}\n"
                                     "    - {name: b, application: step-app, dependsOn: [a]}\n"
                                     "    - {name: c, application: step-app, dependsOn: [b]}\n")
    assert block.splitlines()[0] == ("./flow.yaml:8:40: error[CF423]: the steps depend on each "
                                     "other in a cycle: a → c → b → a")


def test_duplicate_step_names(tmp_path: Path) -> None:
    (block,) = step_errors(tmp_path, "    - {name: a, application: step-app}\n"
                                     "    - {name: a, application: step-app}\n")
    lines = block.splitlines()
    assert lines[0] == "./flow.yaml:9:14: error[CF420]: step 'a' is defined twice"
    assert lines[3] == "  note: ./flow.yaml:8:14: first defined here"


def test_nested_workflow(tmp_path: Path) -> None:
    (block,) = step_errors(tmp_path, "    - {name: a, application: flow}\n")
    assert block.splitlines()[0] == ("./flow.yaml:8:30: error[CF421]: step 'a' runs 'flow', "
                                     "which is itself a workflow")


def test_pod_fields_on_a_workflow(tmp_path: Path) -> None:
    (block,) = step_errors(tmp_path, "    - {name: a, application: step-app}\n"
                                     "  image: busybox:1.36\n")
    assert block.splitlines()[0] == ("./flow.yaml:9:3: error[CF512]: 'image' has no effect on "
                                     "a workflow Application")
