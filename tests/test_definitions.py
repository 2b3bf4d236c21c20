"""Regressions found by the invalid-input property (tests/properties): errors in a definition no
Run uses went unreported, and two Runs could render objects of the same name."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Outcome, run_cli

STEP_APP = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: step-app}
spec: {api: shell, image: {name: missing-image}, command: x, repo: "https://github.com/org"}
"""
FLOW = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: flow}
spec:
  api: workflow
  steps:
  - {name: a, application: step-app, dependsOn: [b]}
  - {name: b, application: step-app, dependsOn: [a]}
"""


def check(tmp_path: Path, text: str) -> Outcome:
    (tmp_path / "defs.yaml").write_text(text)
    return run_cli("check", "defs.yaml", cwd=tmp_path)


def headers(out: Outcome) -> list[str]:
    return [b.splitlines()[0] for b in out.stderr.strip().split("\n\n")[:-1]]


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
        "defs.yaml:9:3: error[CF501]: 'image' has no effect on a workflow Application"]
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
        "defs.yaml:26:5: error[CF406]: DataSet 'd3' is not s3: only s3 DataSets can be read as "
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
        "jobs.yaml:21:12: error[CF302]: the objects of step 'train' of Run 'nightly' are named "
        "'nightly-train', as are those of Run 'nightly-train' in namespace 'default'\n"
        " 21 | metadata: {name: nightly-train}\n"
        "    |            ^^^^\n"
        "  note: jobs.yaml:16:12: Run 'nightly' runs step 'train'\n"
        " 16 | metadata: {name: nightly}\n"
        "    |            ^^^^\n"
        "  help: rename the Run or the step")
