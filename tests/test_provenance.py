"""Provenance without churn: `# Source:` comments name each Run's input file on stdout, in `-o`
files and in `--out-dir` files, never inside the objects; a workflow's step objects carry the
workflow Run's name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from codeflare_compile.emit.outdir import MARKER
from codeflare_compile.emit.yaml import source_comment
from codeflare_compile.lower.pods import WORKFLOW_LABEL
from tests.helpers import REPO, run_cli
from tests.properties.output import mappings

TWO_FILES = REPO / "tests" / "golden" / "workqueue-decimal"
WORKFLOW = REPO / "archetypes" / "workflow" / "example"


def _runs(text: str) -> list[str]:
    return [d["metadata"]["labels"]["codeflare.dev/run"] for d in yaml.safe_load_all(text)
            if d and d["kind"] != "Dataset"]


def test_each_runs_documents_follow_a_source_line(tmp_path: Path) -> None:
    shutil.copytree(TWO_FILES / "input", tmp_path / "jobs")
    (tmp_path / "jobs" / "more.yaml").write_text(
        (tmp_path / "jobs" / "decimal.yaml").read_text().split("\n---\n", 1)[1]
        .replace("name: bias-scan-fine", "name: bias-scan-again"))
    out = run_cli("compile", "jobs", cwd=tmp_path)
    assert out.exit_code == 0, out.stderr
    chunks = dict(c.split("\n", 1) for c in out.stdout.split("# Source: ")[1:])
    assert {source: set(_runs(text)) for source, text in chunks.items()} == {
        "jobs/decimal.yaml": {"bias-scan-fine"}, "jobs/more.yaml": {"bias-scan-again"}}
    written = run_cli("compile", "jobs", "-o", "out.yaml", cwd=tmp_path)
    assert written.exit_code == 0, written.stderr
    assert (tmp_path / "out.yaml").read_text() == f"{MARKER}\n{out.stdout}"  # -o: the marker


def test_out_dir_files_name_their_source_in_the_header(tmp_path: Path) -> None:
    out = run_cli("compile", str(WORKFLOW / "input"), "--out-dir", str(tmp_path / "rendered"))
    assert out.exit_code == 0, out.stderr
    (run_file,) = (tmp_path / "rendered").glob("*/nightly.yaml")
    lines = run_file.read_text().splitlines()
    assert lines[0] == MARKER
    assert lines[1] == f"# Source: {WORKFLOW / 'input' / 'run.yaml'}"
    assert lines[2] == "---"


def test_the_path_never_reaches_the_objects(tmp_path: Path) -> None:
    moved = tmp_path / "a" / "deeply" / "moved"
    shutil.copytree(WORKFLOW / "input", moved)
    (moved / "run.yaml").rename(moved / "renamed.yaml")
    before = run_cli("compile", str(WORKFLOW / "input"), "--format", "json")
    after = run_cli("compile", str(moved), "--format", "json")
    assert before.exit_code == after.exit_code == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert "moved" not in after.stdout and "renamed" not in after.stdout


def test_a_path_that_would_break_the_line_is_quoted() -> None:
    assert source_comment("jobs/a.yaml") == "# Source: jobs/a.yaml\n"
    assert source_comment("./jobs/../jobs/a.yaml") == "# Source: jobs/a.yaml\n"  # `.` or `jobs`
    for odd in ("jobs/a\nkind: Secret.yaml", "jobs/a\u2028b.yaml", "jobs/a\x85b.yaml"):
        line = source_comment(odd)
        assert line.count("\n") == 1 and line.endswith("\n")
        assert json.loads(line.removeprefix("# Source: ")) == odd
        assert yaml.safe_load(line + "a: 1\n") == {"a": 1}


def _pod_templates(obj: Any) -> list[dict[str, Any]]:
    """Every pod template (a mapping with metadata and a spec holding containers) in `obj`."""
    return [m for m in mappings(obj) if "containers" in m.get("spec", {}) and "metadata" in m]


def test_step_objects_and_pods_carry_the_workflow_runs_name() -> None:
    out = run_cli("compile", str(WORKFLOW / "input"))
    assert out.exit_code == 0, out.stderr
    (workflow,) = [d for d in yaml.safe_load_all(out.stdout) if d["kind"] == "Workflow"]
    run = workflow["metadata"]["labels"]["codeflare.dev/run"]
    templates = workflow["spec"]["templates"][1:]
    manifests = [yaml.safe_load(t["resource"]["manifest"]) for t in templates if "resource" in t]
    containers = [t for t in templates if "container" in t]
    assert manifests
    for manifest in manifests:
        assert manifest["metadata"]["labels"][WORKFLOW_LABEL] == run
        for inner in _pod_templates(manifest):
            assert inner["metadata"]["labels"][WORKFLOW_LABEL] == run
    for container in containers:
        assert container["metadata"]["labels"][WORKFLOW_LABEL] == run
