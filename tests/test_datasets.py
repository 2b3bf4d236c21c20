"""Datasets and code: each error with its exact place, and the backend choices."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers import blocks, compile_files, header_and_help, run_cli
from tests.test_diagnostics import APP, RUN

S3 = """\
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: %s}
spec:
  s3: {endpoint: https://s3.example.com, bucket: data, secretRef: {name: creds}}
---
"""
PVC = """\
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: %s}
spec: {pvc: {claimName: %s}}
---
"""


def with_inputs(inputs: str) -> str:
    return APP + "  inputs:\n" + inputs


def test_no_variant_for_the_size(tmp_path: Path) -> None:
    app = with_inputs("    - sizes: {lg: big, xs: small}\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN + "  size: md\n",
                                   "data.yaml": PVC % ("big", "b") + PVC % ("small", "s")})
    assert blocks(out) == [
        "./app.yaml:10:7: error[CF403]: input has no DataSet for size 'md' (Run 'nightly')\n"
        " 10 |     - sizes: {lg: big, xs: small}\n"
        "    |       ^^^^^\n"
        "  help: add 'md: <DataSet>' under sizes; it has lg, xs"
    ]


def test_two_inputs_on_one_mount_path(tmp_path: Path) -> None:
    app = with_inputs("    - dataset: a\n      mountPath: /data\n"
                      "    - dataset: b\n      mountPath: /data\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN,
                                   "data.yaml": PVC % ("a", "a") + PVC % ("b", "b")})
    (block,) = blocks(out)
    lines = block.splitlines()
    assert lines[0] == ("./app.yaml:12:7: error[CF404]: DataSets 'a' and 'b' are both mounted "
                        "at /data")
    assert lines[3] == "  note: ./app.yaml:10:7: 'a' is mounted here"
    assert lines[-1] == "  help: give one of them another mountPath"


def test_dataset_name_that_cannot_prefix_env(tmp_path: Path) -> None:
    app = with_inputs("    - dataset: 3d-scans\n      useAs: env\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN, "data.yaml": S3 % "3d-scans"})
    assert header_and_help(out) == (
        ("./app.yaml:10:7: error[CF405]: DataSet '3d-scans' cannot prefix "
         "environment variables ('3D_SCANS_…' is not a valid name)"),
        "  help: rename the DataSet to start with a letter, or use useAs: mount")


def test_env_needs_an_s3_dataset(tmp_path: Path) -> None:
    app = with_inputs("    - dataset: claims\n      useAs: env\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN,
                                   "data.yaml": PVC % ("claims", "c")})
    assert blocks(out)[0].splitlines()[0] == (
        "./app.yaml:10:7: error[CF409]: DataSet 'claims' is not s3: only s3 DataSets can be "
        "read as environment")


def test_s3_cannot_be_mounted_natively(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": with_inputs("    - dataset: bucket\n"),
                                   "run.yaml": RUN, "data.yaml": S3 % "bucket"},
                        "--datasets", "native")
    assert header_and_help(out) == (
        ("./app.yaml:10:7: error[CF406]: s3 DataSet 'bucket' cannot be mounted "
         "natively"),
        ("  help: read it as environment (useAs: env), or use --datasets "
         "datashim"))


def test_datashim_mounts_only_at_its_own_path(tmp_path: Path) -> None:
    app = with_inputs("    - dataset: bucket\n      mountPath: /data\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN, "data.yaml": S3 % "bucket"})
    assert blocks(out)[0].splitlines()[0] == (
        "./app.yaml:10:7: error[CF406]: Datashim mounts DataSet 'bucket' at "
        "/mnt/datasets/bucket, not /data")


def test_unknown_dataset_in_a_size_variant(tmp_path: Path) -> None:
    app = with_inputs("    - sizes: {xs: smal}\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN,
                                   "data.yaml": PVC % ("small", "s")})
    assert header_and_help(out) == (
        ("./app.yaml:10:19: error[CF301]: Application 'trainer' reads DataSet "
         "'smal', which does not exist in namespace 'default'"),
        "  help: did you mean 'small'?")


def test_bad_repository_url(tmp_path: Path) -> None:
    app = APP + "  repo: git@github.com:org/repo.git\n"
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN})
    assert header_and_help(out) == (
        ("./app.yaml:9:9: error[CF407]: 'git@github.com:org/repo.git' is not a "
         "repository URL this compiler can clone"),
        ("  help: write https://host/org/repo, optionally followed by "
         "/tree/<branch>/<subfolder>"))


def test_code_file_outside_the_working_directory(tmp_path: Path) -> None:
    app = APP + "  code:\n    - {name: ../etc/passwd, source: x}\n"
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN})
    assert blocks(out)[0].splitlines()[0] == (
        "./app.yaml:10:14: error[CF408]: code file name '../etc/passwd' is not a relative path "
        "inside the working directory")


def test_run_input_replaces_the_applications_for_the_same_dataset(tmp_path: Path) -> None:
    app = with_inputs("    - dataset: bucket\n")
    run = RUN + "  inputs:\n    - dataset: bucket\n      useAs: env\n"
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": run, "data.yaml": S3 % "bucket"},
                        "--queueing", "none", "--gang", "none")
    assert out.exit_code == 0, out.stderr
    objects = list(yaml.safe_load_all(out.stdout))
    labels = objects[1]["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["metadata"][
        "labels"]
    assert (labels["dataset.0.id"], labels["dataset.0.useas"]) == ("bucket", "configmap")
    assert "dataset.1.id" not in labels


def test_legacy_datashim_group(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": with_inputs("    - dataset: bucket\n"),
                                   "run.yaml": RUN, "data.yaml": S3 % "bucket"},
                        "--datashim-group", "com.ie.ibm.hpsys")  # validated by the bundled CRD
    assert out.exit_code == 0, out.stderr
    dataset = next(yaml.safe_load_all(out.stdout))
    assert (dataset["apiVersion"], dataset["kind"]) == ("com.ie.ibm.hpsys/v1alpha1", "Dataset")
    assert dataset["spec"]["local"]["secret-name"] == "creds"


def test_datasets_are_emitted_once_however_many_runs_read_them(tmp_path: Path) -> None:
    runs = RUN + "---\n" + RUN.replace("nightly", "weekly")
    out = compile_files(tmp_path, {"app.yaml": with_inputs("    - dataset: bucket\n"),
                                   "run.yaml": runs, "data.yaml": S3 % "bucket"})
    kinds = [o["kind"] for o in yaml.safe_load_all(out.stdout)]
    assert kinds == ["Dataset", "PodGroup", "RayJob", "PodGroup", "RayJob"]


def test_s3_credentials_are_referenced_not_inlined() -> None:
    out = run_cli("compile", str(Path(__file__).parent / "golden" / "datasets-native" / "input"),
                  "--datasets", "native", "--queueing", "none", "--gang", "none")
    assert out.exit_code == 0
    (rayjob,) = yaml.safe_load_all(out.stdout)
    head = rayjob["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    env = {e["name"]: e for e in head["containers"][0]["env"]}
    assert env["IMAGENET_FULL_ACCESS_KEY_ID"] == {"name": "IMAGENET_FULL_ACCESS_KEY_ID",
        "valueFrom": {"secretKeyRef": {"name": "cos-creds", "key": "accessKeyID"}}}
    assert "value" not in env["IMAGENET_FULL_SECRET_ACCESS_KEY"]
    assert env["IMAGENET_FULL_BUCKET"]["value"] == "imagenet"


def test_a_dataset_both_mounted_and_read_as_environment_keeps_both(tmp_path: Path) -> None:
    """Datashim splits `useas` on `.` and refuses one Dataset under two indexes
    (mutatingwebhook.go, DatasetInputFromPod): one index, `mount.configmap`."""
    app = with_inputs("    - dataset: bucket\n    - dataset: bucket\n      useAs: env\n")
    files = {"app.yaml": app, "run.yaml": RUN, "data.yaml": S3 % "bucket"}
    out = compile_files(tmp_path, files, "--queueing", "none", "--gang", "none")
    assert out.exit_code == 0, out.stderr
    objects = list(yaml.safe_load_all(out.stdout))
    assert [o["kind"] for o in objects] == ["Dataset", "RayJob"]
    labels = objects[1]["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["metadata"][
        "labels"]
    assert {k: v for k, v in labels.items() if k.startswith("dataset.")} == {
        "dataset.0.id": "bucket", "dataset.0.useas": "mount.configmap"}
    native = compile_files(tmp_path, files, "--queueing", "none", "--gang", "none",
                           "--datasets", "native")
    assert "cannot be mounted natively" in native.stderr  # the mount is not dropped either


def test_datashim_prefix_is_part_of_the_bucket() -> None:
    """Datashim cuts `bucket` at its first `/` into bucket and prefix and never reads
    `folder` (datasetinternal_controller.go, processLocalDatasetCOS)."""
    out = run_cli("compile", str(Path(__file__).parent / "golden" / "datasets-datashim" / "input"))
    assert out.exit_code == 0, out.stderr
    cos = [o["spec"]["local"] for o in yaml.safe_load_all(out.stdout)
           if o["kind"] == "Dataset" and o["spec"]["local"]["type"] == "COS"]
    assert all("folder" not in local for local in cos)
    assert sorted(local["bucket"] for local in cos) == ["imagenet-sample", "imagenet/train"]
