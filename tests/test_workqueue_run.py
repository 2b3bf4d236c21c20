"""Execution test: the rendered workqueue pod command, run for real for every index.

A workqueue Run is compiled; from the output we take the container command, the task
ConfigMaps and the code ConfigMap, and lay them out on this machine the way the kubelet would:
every task ConfigMap's keys as files in one folder (the projected volume), the code files in a
working directory. The only change to the command is the folder it reads tasks from: the mount
path `/etc/codeflare/tasks` becomes the temporary folder that stands in for the volume. Then the
command runs once per index with `JOB_COMPLETION_INDEX` set, as the Job controller sets it, and a
tiny program records its index, its last argument and `CODEFLARE_TASK`: every task must be
processed exactly once, by its own index, arriving intact as one argument and in the environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from codeflare_compile.emit.yaml import dump_yaml_stream
from codeflare_compile.ir import Overrides
from codeflare_compile.lower.workqueue import TASK_DIR
from tests.helpers import run_cli
from tests.lowering import lower_plan, planned

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BIN = Path(sys.executable).parent  # this environment's python3 comes first on PATH

RECORD = """\
import json, os, sys
line = json.dumps({"index": os.environ["CODEFLARE_TASK_INDEX"], "argv": sys.argv[1:],
                   "task": os.environ["CODEFLARE_TASK"]})
with open(os.environ["RECORD_FILE"], "a") as f:
    f.write(line + "\\n")
"""

#: Task strings that would break any pasting into shell text.
ADVERSARIAL = [
    "plain",
    "two  spaces and a\ttab",
    "it's \"double\" and 'single'",
    "$HOME ${PATH} $(touch pwned) `touch pwned2`",
    "a; touch pwned3 && echo | cat > pwned4",
    "*",
    "--option-like",
    "",
    "  leading and trailing  ",
    "line one\nline two\n\n",
    "back\\slash \\n not a newline",
    "ünïcödé ✓ 🚀",
    "<tag attr='1'>&amp;</tag>",
    "x" * 1000,
]


#: Fails (exit 7) until it has been run the number of times its task names, then records.
FLAKY = """\
import os, sys
from pathlib import Path
tries = Path(os.environ["RECORD_FILE"] + "." + os.environ["CODEFLARE_TASK_INDEX"])
count = len(tries.read_text()) + 1 if tries.exists() else 1
tries.write_text("x" * count)
if count < int(sys.argv[-1]):
    sys.exit(7)
""" + RECORD


def _documents(tasks: list[str], program: str = RECORD) -> str:
    app = {
        "apiVersion": "codeflare.dev/v1alpha1", "kind": "Application",
        "metadata": {"name": "recorder"},
        "spec": {"api": "workqueue", "image": "python:3.12-slim",
                 "command": "python3 record.py --mode", "options": "'fast lane'",
                 "code": [{"name": "record.py", "source": program}],
                 "env": {"CODEFLARE_TASK": "must be replaced"}},
    }
    run = {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Run", "metadata": {"name": "rec"},
           "spec": {"application": "recorder", "workers": 3, "tasks": tasks}}
    return str(yaml.safe_dump_all([app, run], allow_unicode=True, width=1 << 20))


def _render(tmp: Path, tasks: list[str], program: str = RECORD,
            queueing: str = "none") -> list[dict[str, Any]]:
    """The objects `codeflare-compile` prints for a Run of `tasks` (unwrapped)."""
    (tmp / "input").mkdir()
    (tmp / "input" / "wq.yaml").write_text(_documents(tasks, program), encoding="utf-8")
    outcome = run_cli("compile", "input", "--queueing", queueing, "--gang", "none", cwd=tmp)
    assert outcome.exit_code == 0, outcome.stderr
    objects = list(yaml.load_all(outcome.stdout, Loader=LOADER))
    return [c["template"] for o in objects for c in o["spec"]["components"]] \
        if queueing == "appwrapper" else objects


def _render_large(tasks: list[str]) -> list[dict[str, Any]]:
    """The same, in-process through every stage after parsing: a megabyte of tasks would spend
    seconds in the YAML loader, so the tasks are put on the resolved plan directly."""
    plan, prog = planned(_documents(["placeholder"]), Overrides(queueing="none", gang="none"))
    lowered = lower_plan(replace(plan, tasks=tuple(tasks)), prog, "queueing")
    return list(yaml.load_all(dump_yaml_stream(lowered.objects), Loader=LOADER))


def _lay_out(objects: list[dict[str, Any]], tmp: Path) -> tuple[dict[str, Any], Path, Path]:
    """The Job, and the folders standing in for the task volume and the working directory."""
    (job,) = [o for o in objects if o["kind"] == "Job"]
    pod = job["spec"]["template"]["spec"]
    maps = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ConfigMap"}
    (volume,) = [v for v in pod["volumes"] if "projected" in v]
    tasks_dir = tmp / "volume" / "tasks"
    tasks_dir.mkdir(parents=True)
    for source in volume["projected"]["sources"]:  # every chunk into one folder
        for key, value in maps[source["configMap"]["name"]]["data"].items():
            path = tasks_dir / key
            assert not path.exists(), f"{key} is in two ConfigMaps"
            path.write_bytes(value.encode())
    (container,) = pod["containers"]
    workdir = tmp / "workspace"
    workdir.mkdir()
    code_volume = {v["name"]: v for v in pod["volumes"]}["code"]["configMap"]["name"]
    for mount in container["volumeMounts"]:
        if mount["name"] == "code":
            (workdir / Path(mount["mountPath"]).name).write_text(
                maps[code_volume]["data"][mount["subPath"]])
    return job, tasks_dir, workdir


def _run_every_index(job: dict[str, Any], tasks_dir: Path, workdir: Path,
                     record: Path) -> list[subprocess.CompletedProcess[str]]:
    (container,) = job["spec"]["template"]["spec"]["containers"]
    shell, flag, script = container["command"]
    assert script.count(TASK_DIR) == 1
    command = [shell, flag, script.replace(TASK_DIR, str(tasks_dir))]  # the volume's stand-in
    results = []
    for index in range(job["spec"]["completions"]):
        env = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               "RECORD_FILE": str(record), "JOB_COMPLETION_INDEX": str(index)}
        env.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
        results.append(subprocess.run(command, cwd=workdir, env=env, capture_output=True,
                                      text=True, timeout=60))
    return results


def _records(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_every_task_runs_once_with_its_own_argument(tmp_path: Path) -> None:
    objects = _render(tmp_path, ADVERSARIAL)
    job, tasks_dir, workdir = _lay_out(objects, tmp_path)
    assert job["spec"]["completions"] == len(ADVERSARIAL)
    record = tmp_path / "record.jsonl"
    for result in _run_every_index(job, tasks_dir, workdir, record):
        assert result.returncode == 0, result.stdout + result.stderr
    records = _records(record)
    assert sorted(int(r["index"]) for r in records) == list(range(len(ADVERSARIAL)))  # once each
    for r in records:
        task = ADVERSARIAL[int(r["index"])]
        assert r["argv"] == ["--mode", "fast lane", task]  # options first, the task last
        assert r["task"] == task
    assert not list(workdir.glob("pwned*")) and not list(tmp_path.glob("pwned*"))


def test_tasks_split_over_config_maps_are_all_found(tmp_path: Path) -> None:
    tasks = [f"{i}:" + "é" * 60_000 for i in range(10)]  # 1.2 MB of UTF-8: two ConfigMaps
    objects = _render_large(tasks)
    job, tasks_dir, workdir = _lay_out(objects, tmp_path)
    chunks = [o for o in objects if o["kind"] == "ConfigMap" and "tasks" in o["metadata"]["name"]]
    assert len(chunks) == 2
    record = tmp_path / "record.jsonl"
    for result in _run_every_index(job, tasks_dir, workdir, record):
        assert result.returncode == 0, result.stdout + result.stderr
    records = sorted(_records(record), key=lambda r: int(r["index"]))
    assert [r["argv"][-1] for r in records] == tasks
    assert [r["task"] for r in records] == tasks


def test_a_missing_task_file_fails_the_pod(tmp_path: Path) -> None:
    objects = _render(tmp_path, ["only"])
    job, tasks_dir, workdir = _lay_out(objects, tmp_path)
    (tasks_dir / "task-00000").unlink()
    record = tmp_path / "record.jsonl"
    (result,) = _run_every_index(job, tasks_dir, workdir, record)
    assert result.returncode != 0
    assert "task-00000" in result.stderr
    assert not record.exists()  # the program never ran with an empty task


def test_in_an_appwrapper_a_task_retries_in_its_pod(tmp_path: Path) -> None:
    """Task `n` fails until its n-th try: with two retries, tasks 1 to 3 succeed in one pod
    each and task 4 fails that pod with the command's own exit status after three tries."""
    objects = _render(tmp_path, ["1", "3", "4"], program=FLAKY, queueing="appwrapper")
    job, tasks_dir, workdir = _lay_out(objects, tmp_path)
    assert job["spec"]["backoffLimitPerIndex"] == 0
    record = tmp_path / "record.jsonl"
    results = _run_every_index(job, tasks_dir, workdir, record)
    assert [r.returncode for r in results] == [0, 0, 7]
    assert [(tmp_path / f"record.jsonl.{i}").read_text() for i in range(3)] == ["x", "xxx", "xxx"]
    assert "task 2 failed (exit 7): try 3 of 3" in results[2].stderr
    assert sorted(r["task"] for r in _records(record)) == ["1", "3"]
