"""`explain`: the decisions for a Run whose size is raised by minSize, whose GPU one side refuses,
and whose sizing policy was selected by namespace."""

from __future__ import annotations

import json
import re
from pathlib import Path

from codeflare_compile.explain import explain, render_json, render_text
from codeflare_compile.ir import Overrides
from codeflare_compile.pipeline import compile_paths
from tests.helpers import REPO, run_cli

CASE = REPO / "tests" / "golden" / "ray-policies" / "input"
RUN = "finetune-cpu-head-only"


def records() -> list[dict[str, object]]:
    result = compile_paths([str(CASE)], [], Overrides())
    assert not result.diagnostics.has_errors
    return explain(result, RUN)


def test_text_report() -> None:
    text = render_text(records())
    where = str(CASE)
    unit = re.search(rf"RayJob team-a/({RUN}-[0-9a-f]{{10}})\n", text)
    assert unit is not None, "the unit's name is the Run's with its content hash"
    assert text == (
        f"Run team-a/{RUN} ({where}/runs.yaml:18:3)\n"
        f"  application  finetune ({where}/apps.yaml:13:3), archetype ray\n"
        "  size         asked for xs (Platform defaultSize), raised to md by minSize\n"
        f"  sized by     team-a-gpus ({where}/platform.yaml:29:3)\n"
        f"  passed over  cluster-wide ({where}/platform.yaml:19:3): priority 50 is not lower "
        "than 5\n"
        "  per pod      cpu 4, memory 24Gi, gpu 0\n"
        "  gpu rule     Application supportsGpu=true, Run supportsGpu=false, size gives 2 → 0\n"
        "  workers      0 (from Run spec.workers)\n"
        "  ray head     cpu 4, memory 24Gi, gpu 0 (as a worker)\n"
        "  image        quay.io/ml/ray-gpu@sha256:0d5a6fd2a1b0f7e5d2c4b3a291f0e8d7c6b5a4938271605"
        f"f4e3d2c1b0a998877 (from Image 'ray-gpu' ({where}/apps.yaml:4:3), pinned by digest)\n"
        "  pull secrets quay-ml, registry-creds\n"
        "  priority     low → PriorityClass batch-low\n"
        "  queueing     appwrapper (the RayJob is queued by Kueue directly: an AppWrapper would "
        "never see it succeed)\n"
        "  gang         coscheduler (schedulerName scheduler-plugins-scheduler)\n"
        "  objects\n"
        f"    PodGroup team-a/{unit[1]}\n"
        f"    RayJob team-a/{unit[1]}\n"
    )


def test_json_report() -> None:
    (record,) = json.loads(render_json(records()))
    size = record["size"]
    assert (size["requested"], size["requestedFrom"], size["minSize"], size["size"]) == \
        ("xs", "Platform defaultSize", "md", "md")
    assert size["configuration"] == "team-a-gpus"
    assert [p["name"] for p in size["passedOver"]] == ["cluster-wide"]
    assert size["gpuRule"] == {"application": True, "run": False, "sizeGpu": 2, "result": 0}
    assert (size["workers"], size["workersFrom"]) == (0, "Run spec.workers")
    assert size["rayHead"] == {"cpu": "4", "memory": "24Gi", "gpu": 0, "from": "as a worker"}
    assert record["priority"] == {"level": "low", "priorityClassName": "batch-low"}
    assert record["image"]["pinnedByDigest"] is True


def test_namespace_selection_is_explained() -> None:
    result = compile_paths([str(CASE)], [], Overrides())
    (record,) = explain(result, "a-very-long-run-name-that-does-not-fit-the-rayjob-length-limit")
    size = record["size"]
    assert size["configuration"] == "cluster-wide"
    assert size["passedOver"][0]["reason"] == "applies only to namespaces team-a"


def test_every_run_when_none_is_named() -> None:
    result = compile_paths([str(CASE)], [], Overrides())
    assert [r["run"]["name"] for r in explain(result)] == [
        "finetune-cpu-head-only", "finetune-gpu",
        "a-very-long-run-name-that-does-not-fit-the-rayjob-length-limit"]


def test_explain_command_text_and_json() -> None:
    from tests.helpers import run_cli

    text = run_cli("explain", str(CASE), "--run", RUN)
    assert text.exit_code == 0, text.stderr
    assert text.stdout == render_text(records())
    as_json = run_cli("explain", str(CASE), "--run", RUN, "--format", "json")
    assert json.loads(as_json.stdout) == json.loads(render_json(records()))


def test_explain_an_unknown_run_suggests_one() -> None:
    from tests.helpers import run_cli

    out = run_cli("explain", str(CASE), "--run", "finetune-gp")
    assert out.exit_code == 2
    assert out.stderr == ("codeflare-compile: no Run named 'finetune-gp': did you mean "
                          "'finetune-gpu'?\n")


WORKFLOW = REPO / "archetypes" / "workflow" / "example" / "input"


def test_a_workflow_is_explained_with_its_steps() -> None:
    """`explain` on a workflow used to fail an assertion: the workflow Run has no size of its
    own; each step has, and is shown under the workflow."""
    from tests.helpers import run_cli

    out = run_cli("explain", str(WORKFLOW))
    assert out.exit_code == 0, out.stderr
    (record,) = json.loads(run_cli("explain", str(WORKFLOW), "--format", "json").stdout)
    assert (record["run"]["name"], record["size"], record["image"]) == ("nightly", None, None)
    assert [(s["step"]["name"], s["step"]["dependsOn"], s["size"]["size"]) for s in
            record["steps"]] == [("prepare", [], "xs"), ("train", ["prepare"], "sm"),
                                 ("evaluate", ["prepare"], "xs"),
                                 ("report", ["train", "evaluate"], "xxs")]
    train = record["steps"][1]
    digests = {m[0] for o in train["objects"] if (m := re.search(r"-[0-9a-f]{10}$", o))}
    assert len(digests) == 1, "every object the step creates carries the workflow's hash"
    (digest,) = digests
    assert [o.removesuffix(digest) for o in train["objects"]] == [
                                "template train creates", "  AppWrapper default/nightly-train",
                                "    PodGroup default/nightly-train",
                                "    Service default/nightly-train",
                                "    Job default/nightly-train"]
    assert "  step train (nightly-train, after prepare)\n" in out.stdout
    assert "    per pod      cpu 1, memory 8Gi, gpu 1\n" in out.stdout


def test_a_step_is_found_by_its_name() -> None:
    from tests.helpers import run_cli

    out = run_cli("explain", str(WORKFLOW), "--run", "nightly-report", "--format", "json")
    assert out.exit_code == 0, out.stderr
    (step,) = json.loads(out.stdout)
    assert step["step"] == {"name": "report", "dependsOn": ["train", "evaluate"]}


def test_every_example_and_golden_run_is_explained() -> None:
    """Every Run the compiler compiles in the repository can be explained."""
    cases = [*sorted((REPO / "tests" / "golden").glob("*/input")),
             *sorted((REPO / "archetypes").glob("*/example/input"))]
    for case in cases:
        result = compile_paths([str(case)], [], Overrides())
        assert not result.diagnostics.has_errors, case
        records = explain(result)
        assert [r["run"]["name"] for r in records] == [r.plan.name for r in result.runs], case
        render_text(records)
        for record in records:
            if record["application"]["archetype"] == "workflow":
                assert record["steps"] and all(s["size"] for s in record["steps"]), case
            else:
                assert record["size"] is not None, case


def test_a_head_sized_apart_is_explained(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(
        "apiVersion: codeflare.dev/v1alpha1\nkind: RunSizeConfiguration\nmetadata: {name: s}\n"
        "spec:\n  config:\n    md: {workers: 2, cpu: '4', memory: 8Gi, gpu: 1, "
        "head: {cpu: '1', gpu: 0}}\n---\n"
        "apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\n"
        "spec: {api: ray, image: 'img:1', command: run, supportsGpu: true}\n---\n"
        "apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: r}\n"
        "spec: {application: a, size: md, supportsGpu: true}\n")
    out = run_cli("explain", str(tmp_path))
    assert "  per pod      cpu 4, memory 8Gi, gpu 1\n" in out.stdout
    assert "  ray head     cpu 1, memory 8Gi, gpu 0 (size head)\n" in out.stdout
