"""`-j N`: Runs lowered, validated and rendered in N processes give the same output, the same
diagnostics and the same exit code as one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli, workflow_yaml

DEFINITIONS = """\
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: corpus}
spec: {s3: {endpoint: "https://s3.example.com", bucket: corpus, secretRef: {name: s3-creds}}}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: train}
spec: {api: ray, image: "rayproject/ray:2.52.0", command: python3 train.py,
       inputs: [{dataset: corpus}]}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: ddp}
spec: {api: torch, image: "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
       command: python3 ddp.py}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: etl}
spec: {api: shell, image: "python:3.12-slim", command: python3 etl.py}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: sweep}
spec: {api: workqueue, image: "python:3.12-slim", command: python3 score.py,
       tasks: {sweep: {min: 1, max: 5, step: 1}}}
---
""" + workflow_yaml("nightly", "{name: etl, application: etl}",
                    "{name: train, application: ddp, dependsOn: [etl]}")
APPLICATIONS = ("train", "ddp", "etl", "sweep", "nightly")


def write_batch(folder: Path, runs: int, broken: tuple[int, ...] = ()) -> Path:
    """`runs` Runs over every archetype, in two files; the Runs in `broken` name an
    Application that does not exist."""
    folder.mkdir()
    (folder / "definitions.yaml").write_text(DEFINITIONS)
    docs = [
        "apiVersion: codeflare.dev/v1alpha1\nkind: Run\n"
        f"metadata: {{name: run-{i:03d}}}\n"
        f"spec: {{application: {'missing' if i in broken else APPLICATIONS[i % 5]}}}\n"
        for i in range(runs)
    ]
    half = runs // 2
    (folder / "runs-a.yaml").write_text("---\n".join(docs[:half]))
    (folder / "runs-b.yaml").write_text("---\n".join(docs[half:]))
    return folder


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_output_is_the_same_for_every_number_of_jobs(tmp_path: Path, jobs: str) -> None:
    inputs = str(write_batch(tmp_path / "in", 23))
    alone = run_cli("compile", inputs)
    assert alone.exit_code == 0, alone.stderr
    assert alone.stdout.count("\n---\n") > 23 and "kind: Dataset" in alone.stdout
    many = run_cli("compile", inputs, "-j", jobs)
    assert (many.exit_code, many.stdout, many.stderr) == (0, alone.stdout, alone.stderr)
    json_alone = run_cli("compile", inputs, "--format", "json")
    assert run_cli("compile", inputs, "--format", "json", "-j", jobs).stdout == json_alone.stdout


def test_diagnostics_are_the_same_for_every_number_of_jobs(tmp_path: Path) -> None:
    inputs = str(write_batch(tmp_path / "in", 12, broken=(3, 10)))
    alone = run_cli("compile", inputs)
    assert alone.exit_code == 1 and alone.stdout == ""
    assert alone.stderr.count("error[CF301]") == 2, alone.stderr
    many = run_cli("compile", inputs, "-j", "2")
    assert (many.exit_code, many.stdout, many.stderr) == (1, "", alone.stderr)
    assert run_cli("check", inputs, "-j", "2").stderr == run_cli("check", inputs).stderr


def test_out_dir_is_the_same_for_every_number_of_jobs(tmp_path: Path) -> None:
    inputs = str(write_batch(tmp_path / "in", 11))
    one, two = tmp_path / "one", tmp_path / "two"
    assert run_cli("compile", inputs, "--out-dir", str(one)).exit_code == 0
    assert run_cli("compile", inputs, "--out-dir", str(two), "-j", "2").exit_code == 0
    files = sorted(p.relative_to(one) for p in one.rglob("*.yaml"))
    assert len(files) == 11 + 1  # a file per Run, and the namespace's shared Dataset
    assert files == sorted(p.relative_to(two) for p in two.rglob("*.yaml"))
    assert all((one / f).read_text() == (two / f).read_text() for f in files)


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    outcome = run_cli("compile", str(write_batch(tmp_path / "in", 2)), "-j", "0")
    assert outcome.exit_code == 2 and "--jobs 0" in outcome.stderr
