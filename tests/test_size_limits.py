"""Kubernetes' size limits are input errors (CF431) at the input that made the object large,
never exit 3 and never silent. Each limit at its edge: exactly at it compiles, one byte over
is the diagnostic with the measured and the allowed size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codeflare_compile.emitted import MAX_ANNOTATIONS_BYTES, MAX_CONFIG_MAP_BYTES, MAX_OBJECT_BYTES
from tests.helpers import Outcome, run_cli

APP = "apiVersion: codeflare.dev/v1alpha1\nkind: Application\n"
RUN = "apiVersion: codeflare.dev/v1alpha1\nkind: Run\n"


def _json_bytes(obj: Any) -> int:
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())


def _compile(tmp_path: Path, text: str, *args: str) -> Outcome:
    (tmp_path / "in.yaml").write_text(text)
    return run_cli("compile", "in.yaml", *args, cwd=tmp_path)


def _objects(tmp_path: Path, text: str, *args: str) -> list[dict[str, Any]]:
    out = _compile(tmp_path, text, *args, "--format", "json")
    assert out.exit_code == 0, out.stderr
    items: list[dict[str, Any]] = json.loads(out.stdout)["items"]
    return items


def _wrapped_workqueue(code_bytes: int) -> str:
    """A workqueue whose 900 KB of tasks and one code file share one AppWrapper."""
    tasks = json.dumps([f"{i:04d}" + "t" * 895 for i in range(1000)])
    return (f"{APP}metadata: {{name: app}}\nspec:\n  api: workqueue\n  image: python:3.12-slim\n"
            f"  command: python3 main.py\n  tasks: {tasks}\n  code:\n  - name: main.py\n"
            f"    source: {'a' * code_bytes}\n---\n{RUN}metadata: {{name: run}}\n"
            "spec: {application: app}\n")


def test_an_appwrapper_at_the_etcd_limit_compiles_and_one_byte_more_is_refused(
        tmp_path: Path) -> None:
    args = ("--queueing", "appwrapper")
    (wrapper,) = [o for o in _objects(tmp_path, _wrapped_workqueue(100_000), *args)
                  if o["kind"] == "AppWrapper"]
    edge = 100_000 + MAX_OBJECT_BYTES - _json_bytes(wrapper)
    (wrapper,) = [o for o in _objects(tmp_path, _wrapped_workqueue(edge), *args)
                  if o["kind"] == "AppWrapper"]
    assert _json_bytes(wrapper) == MAX_OBJECT_BYTES
    out = _compile(tmp_path, _wrapped_workqueue(edge + 1), *args)
    assert (out.exit_code, out.stdout) == (1, "")
    assert "in.yaml:8:10: error[CF431]: AppWrapper 'run-" in out.stderr
    assert (f"takes {MAX_OBJECT_BYTES + 1:,} bytes (899,000 of them tasks), more than the "
            f"{MAX_OBJECT_BYTES:,} (1.5 MiB) etcd stores in one object") in out.stderr
    assert "help: queue with --queueing kueue or none" in out.stderr


def test_a_workflow_of_three_workqueues_over_the_etcd_limit_is_refused(tmp_path: Path) -> None:
    """Each step's 900 KB of tasks fits its own AppWrapper; the Workflow carrying all three
    (2.7 MB) does not."""
    tasks = json.dumps([f"{i:04d}" + "t" * 895 for i in range(1000)])
    steps = "[{name: a, application: wq}, {name: b, application: wq, dependsOn: [a]}, " \
            "{name: c, application: wq, dependsOn: [b]}]"
    out = _compile(tmp_path, (
        f"{APP}metadata: {{name: wq}}\nspec: {{api: workqueue, image: python:3.12-slim, "
        f"command: python3 main.py, tasks: {tasks}}}\n---\n{APP}metadata: {{name: flow}}\n"
        f"spec: {{api: workflow, steps: {steps}}}\n---\n{RUN}metadata: {{name: f}}\n"
        "spec: {application: flow}\n"))
    assert (out.exit_code, out.stdout) == (1, "")
    assert "error[CF431]: Workflow 'f-" in out.stderr
    assert "(2,697,000 of them tasks), more than the 1,572,864 (1.5 MiB)" in out.stderr
    assert "help: split the workflow's steps over several workflow Runs" in out.stderr


def _code_file(content_bytes: int) -> str:
    return (f"{APP}metadata: {{name: app}}\nspec:\n  api: shell\n  image: python:3.12-slim\n"
            f"  command: python3 main.py\n  code:\n  - name: main.py\n"
            f"    source: {'a' * content_bytes}\n---\n{RUN}metadata: {{name: run}}\n"
            "spec: {application: app}\n")


def test_a_code_config_map_at_1_mib_compiles_and_one_byte_more_is_refused(
        tmp_path: Path) -> None:
    edge = MAX_CONFIG_MAP_BYTES  # the values count, not the keys (ValidateConfigMap)
    objects = _objects(tmp_path, _code_file(edge), "--queueing", "none")
    (config_map,) = [o for o in objects if o["kind"] == "ConfigMap"]
    assert sum(len(v) for v in config_map["data"].values()) == MAX_CONFIG_MAP_BYTES
    out = _compile(tmp_path, _code_file(edge + 1), "--queueing", "none")
    assert (out.exit_code, out.stdout) == (1, "")
    assert "in.yaml:9:3: error[CF431]: ConfigMap 'run-code-" in out.stderr
    assert (f"holds {MAX_CONFIG_MAP_BYTES + 1:,} bytes of data, more than the "
            f"{MAX_CONFIG_MAP_BYTES:,} (1 MiB) Kubernetes allows in a ConfigMap") in out.stderr
    assert "help: move the code files to a `repo`" in out.stderr


def _annotated(app_bytes: int, run_bytes: int) -> str:
    return (f"{APP}metadata:\n  name: app\n  annotations: {{example.com/a: {'a' * app_bytes}}}\n"
            "spec: {api: shell, image: python:3.12-slim, command: python3 main.py}\n---\n"
            f"{RUN}metadata:\n  name: run\n  annotations: {{example.com/b: {'b' * run_bytes}}}\n"
            "spec: {application: app}\n")


def test_merged_annotations_at_256_kib_compile_and_one_byte_more_is_refused(
        tmp_path: Path) -> None:
    """200 KB on the Application and 200 KB on the Run were exit 3; now the edge is exact."""
    objects = _objects(tmp_path, _annotated(150_000, 1000), "--queueing", "none")
    largest = max(sum(len(k) + len(v) for k, v in o["metadata"].get("annotations", {}).items())
                  for o in objects)
    edge = 1000 + MAX_ANNOTATIONS_BYTES - largest
    _objects(tmp_path, _annotated(150_000, edge), "--queueing", "none")
    out = _compile(tmp_path, _annotated(150_000, edge + 1), "--queueing", "none")
    assert (out.exit_code, out.stdout) == (1, "")
    assert "in.yaml:12:3: error[CF431]: the annotations of PodGroup 'run-" in out.stderr
    assert (f"take {MAX_ANNOTATIONS_BYTES + 1:,} bytes after merging the Application's, the Run's "
            f"and the compiler's, more than the {MAX_ANNOTATIONS_BYTES:,} (256 KiB) Kubernetes "
            "allows") in out.stderr
    assert "the Application's annotations are merged in" in out.stderr
    out = _compile(tmp_path, _annotated(200_000, 200_000), "--queueing", "none")
    assert out.exit_code == 1
    assert "error[CF431]" in out.stderr
