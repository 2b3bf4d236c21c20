"""Regressions found by the property tests (tests/properties): errors in a definition no Run
uses went unreported, two Runs could render objects of the same name, and two Runs of the same
name in two namespaces rendered one of them twice."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers import Outcome, blocks, compile_files, run_cli, workflow_yaml

STEP_APP = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: step-app}
spec: {api: shell, image: {name: missing-image}, command: x, repo: "https://github.com/org"}
"""
FLOW = workflow_yaml("flow", "{name: a, application: step-app, dependsOn: [b]}",
                     "{name: b, application: step-app, dependsOn: [a]}", indent="  ")


def check(tmp_path: Path, text: str) -> Outcome:
    return compile_files(tmp_path, {"defs.yaml": text}, paths=None, command="check")


def headers(out: Outcome) -> list[str]:
    return [block.splitlines()[0] for block in blocks(out)]


def test_definitions_no_run_uses_are_checked(tmp_path: Path) -> None:
    """`check` on a folder of definitions (the pre-commit hook on a change without Runs) finds
    a workflow's cycle, a missing Image and a bad repository before a Run meets them."""
    out = check(tmp_path, FLOW + "---\n" + STEP_APP)
    assert out.exit_code == 1
    assert headers(out) == [
        "defs.yaml:7:38: error[CF423]: the steps depend on each other in a cycle: a → b → a",
        "defs.yaml:13:34: error[CF301]: Application 'step-app' refers to Image "
        "'missing-image', which does not exist in namespace 'default'",
        "defs.yaml:13:68: error[CF407]: 'https://github.com/org' is not a repository URL this "
        "compiler can clone",
    ]


def test_unused_workflow_steps_and_pod_fields_are_checked(tmp_path: Path) -> None:
    flow = FLOW.replace("dependsOn: [b]", "dependsOn: []").replace(
        "application: step-app, dependsOn: [a]", "application: nowhere") + "  image: x:1\n"
    out = check(tmp_path, flow)
    assert headers(out) == [
        "defs.yaml:9:3: error[CF512]: 'image' has no effect on a workflow Application"]
    out = check(tmp_path, flow.replace("  image: x:1\n", ""))
    assert headers(out) == [
        "defs.yaml:7:28: error[CF301]: step 'a' runs Application 'step-app', which does not "
        "exist in namespace 'default'",
        "defs.yaml:8:28: error[CF301]: step 'b' runs Application 'nowhere', which does not "
        "exist in namespace 'default'"]


def test_unused_application_inputs_are_checked(tmp_path: Path) -> None:
    out = check(tmp_path, """\
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: d1}
spec: {pvc: {claimName: c}}
---
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: d2}
spec: {nfs: {server: nfs.example.com, path: /x}}
---
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: d3}
spec: {nfs: {server: nfs.example.com, path: /y}}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: a}
spec:
  api: shell
  image: "python:3.12"
  command: x
  inputs:
  - {dataset: d1, mountPath: /data/same}
  - {sizes: {xs: d2, lg: d1}, mountPath: /data/same}
  - {dataset: d3, useAs: env}
""")
    assert headers(out) == [
        "defs.yaml:25:5: error[CF404]: DataSets 'd1' and 'd2' are both mounted at /data/same",
        "defs.yaml:26:5: error[CF409]: DataSet 'd3' is not s3: only s3 DataSets can be read as "
        "environment",
    ]


def test_a_run_named_like_a_workflow_step_is_an_error(tmp_path: Path) -> None:
    """A workflow Run `nightly` with a step `train` renders `nightly-train` objects; a Run
    named `nightly-train` would render the same names, and one apply would replace the other."""
    (tmp_path / "jobs.yaml").write_text("""\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: trainer}
spec: {api: shell, image: "python:3.12", command: "python3 train.py"}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: pipeline}
spec:
  api: workflow
  steps:
  - {name: train, application: trainer}
---
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: nightly}
spec: {application: pipeline}
---
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: nightly-train}
spec: {application: trainer}
""")
    out = run_cli("compile", "jobs.yaml", cwd=tmp_path)
    assert (out.exit_code, out.stdout) == (1, "")
    assert out.stderr.strip().split("\n\n")[0] == (
        "jobs.yaml:21:12: error[CF304]: the objects of step 'train' of Run 'nightly' are named "
        "'nightly-train', as are those of Run 'nightly-train' in namespace 'default'\n"
        " 21 | metadata: {name: nightly-train}\n"
        "    |            ^^^^\n"
        "  note: jobs.yaml:16:12: Run 'nightly' runs step 'train'\n"
        " 16 | metadata: {name: nightly}\n"
        "    |            ^^^^\n"
        "  help: rename the Run or the step")


def test_runs_of_one_name_in_two_namespaces_each_get_their_objects(tmp_path: Path) -> None:
    """The lowered Runs were kept by name only: `ml/nightly` and `team-a/nightly` both came
    out as whichever was lowered last (and the other Run's objects were lost)."""
    docs = []
    for ns, word in (("ml", "one"), ("team-a", "two")):
        docs += [
            {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Application",
             "metadata": {"name": "app", "namespace": ns},
             "spec": {"api": "shell", "image": "python:3.12", "command": f"echo {word}"}},
            {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Application",
             "metadata": {"name": "flow", "namespace": ns},
             "spec": {"api": "workflow", "steps": [{"name": f"step-{word}",
                                                    "application": "app"}]}},
            {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Run",
             "metadata": {"name": "nightly", "namespace": ns}, "spec": {"application": "app"}},
            {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Run",
             "metadata": {"name": "weekly", "namespace": ns}, "spec": {"application": "flow"}},
        ]
    (tmp_path / "jobs.yaml").write_text(yaml.safe_dump_all(docs))
    out = run_cli("compile", "jobs.yaml", "--queueing", "none", "--gang", "none", cwd=tmp_path)
    assert out.exit_code == 0, out.stderr
    objects = list(yaml.safe_load_all(out.stdout))
    jobs = {o["metadata"]["namespace"]: o for o in objects if o["kind"] == "Job"}
    assert {ns: job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
            for ns, job in jobs.items()} == {"ml": "set -e\necho one",
                                            "team-a": "set -e\necho two"}
    flows = {o["metadata"]["namespace"]: o for o in objects if o["kind"] == "Workflow"}
    assert {ns: [t["name"] for t in flow["spec"]["templates"][1:]]
            for ns, flow in flows.items()} == {"ml": ["step-one"], "team-a": ["step-two"]}
