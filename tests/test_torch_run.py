"""Execution tests: the rendered container commands, run for real on this machine.

torch: the command of a rendered torch Run (backend `job`, 2 workers) runs as two concurrent
processes, one per Job index, the way two pods of the Indexed Job would run it; they must meet
at the rendezvous and form one process group of world size 2.
shell: the command of a rendered shell Run runs for 3 indexes with options full of shell
metacharacters; each process must get its index and the arguments as the shell parses them.
clone: the `repo` init container's command clones a local repository and leaves a tree any uid
can write to.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import run_cli

BIN = Path(sys.executable).parent  # python3 and torchrun of this environment come first on PATH

TRAIN = """\
import os, sys
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
total = torch.ones(1)
dist.all_reduce(total)  # a real collective: both ranks must take part
out = sys.argv[sys.argv.index("--out") + 1]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, f"rank-{dist.get_rank()}.json"), "w") as f:
    f.write(__import__("json").dumps({"rank": dist.get_rank(), "world": dist.get_world_size(),
                                      "sum": int(total.item()), "tag": sys.argv[-1]}))
dist.destroy_process_group()
"""

SHOW = """\
import json, os, sys
index = os.environ["JOB_COMPLETION_INDEX"]
with open(f"args-{index}.json", "w") as f:
    json.dump({"argv": sys.argv[1:], "index": index, "codeflare": os.environ["CODEFLARE_INDEX"]},
              f)
"""


def _render(tmp: Path, documents: str, *args: str) -> list[dict[str, Any]]:
    (tmp / "input").mkdir()
    (tmp / "input" / "jobs.yaml").write_text(documents)
    outcome = run_cli("compile", "input", "--queueing", "none", "--gang", "none", *args,
                      cwd=tmp)
    assert outcome.exit_code == 0, outcome.stderr
    return list(yaml.safe_load_all(outcome.stdout))


def _job_container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (job,) = [o for o in objects if o["kind"] == "Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _environment(container: dict[str, Any], index: int) -> dict[str, str]:
    """This machine's environment plus the container's plain env and what Kubernetes sets."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    env["JOB_COMPLETION_INDEX"] = str(index)  # set by the Job controller in every pod
    env["CODEFLARE_INDEX"] = str(index)  # the downward API's completion-index annotation
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run_all(command: list[str], cwd: Path, envs: list[dict[str, str]], timeout: float
             ) -> list[subprocess.CompletedProcess[str]]:
    procs = [subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for env in envs]
    results = []
    try:
        for proc in procs:
            out, _ = proc.communicate(timeout=timeout)
            results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def test_torchrun_command_forms_one_process_group(tmp_path: Path) -> None:
    pytest.importorskip("torch", exc_type=ImportError,  # absent, or installed but broken
                        reason="torch is not importable: the rendered torchrun command cannot "
                               "be executed here")
    assert (BIN / "torchrun").exists(), f"torch is importable but {BIN}/torchrun is missing"
    objects = _render(tmp_path, """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: ddp}
spec:
  api: torch
  image: pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime
  command: python3 train.py --out "rank files"
---
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: ddp-local}
spec:
  application: ddp
  workers: 2
  options: --tag 'two ranks'
""")
    (service,) = [o for o in objects if o["kind"] == "Service"]
    (job,) = [o for o in objects if o["kind"] == "Job"]
    container = _job_container(objects)
    shell, flag, line = container["command"]
    assert (shell, flag) == ("/bin/sh", "-c")
    # Cluster DNS stands in here: pod 0's name `<job>-0.<service>` is what the pods resolve
    # through the headless Service; on this machine both "pods" are local, so the rendezvous
    # host becomes 127.0.0.1 (and the port a free one, in case 29500 is taken).
    endpoint = f"{job['metadata']['name']}-0.{service['metadata']['name']}:29500"
    assert f"--rdzv_endpoint {endpoint} " in line
    assert "--rdzv_conf is_host=$(($JOB_COMPLETION_INDEX==0)) " in line
    port = _free_port()
    line = line.replace(endpoint, f"127.0.0.1:{port}")
    (tmp_path / "train.py").write_text(TRAIN)

    # Pod 0 hosts the store because its index says so, not because torchrun guessed it from
    # hostnames (on this machine the guess says "host" to every rank: the endpoint is a
    # loopback address). Index 1 starts first and alone; it must not take the store's port.
    envs = [_environment(container, i) for i in range(2)]
    envs[1]["LOGLEVEL"] = "INFO"  # torchrun logs its rendezvous configuration
    log = tmp_path / "index-1.log"
    with log.open("w") as out:
        first = subprocess.Popen([shell, flag, line], cwd=tmp_path, env=envs[1], stdout=out,
                                 stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 60
            while "rdzv_configs" not in log.read_text() and time.monotonic() < deadline:
                assert first.poll() is None, log.read_text()
                time.sleep(0.2)
            assert "'is_host': '0'" in log.read_text()
            time.sleep(3)  # well past the point where a guessing rank would host the store
            assert first.poll() is None, log.read_text()
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            (second,) = _run_all([shell, flag, line], tmp_path, envs[:1], timeout=120)
            first.wait(timeout=120)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
    results = [second, subprocess.CompletedProcess(first.args, first.returncode,
                                                   log.read_text())]

    for result in results:
        assert result.returncode == 0, result.stdout
    seen = [json.loads((tmp_path / "rank files" / f"rank-{r}.json").read_text())
            for r in range(2)]
    assert seen == [{"rank": r, "world": 2, "sum": 2, "tag": "two ranks"} for r in range(2)]


ADVERSARIAL = (
    """--quote "it's here" --single 'say "hi"' --semi 'a; b' --dollar '$HOME'"""
    """ --spaces 'x   y' --backslash 'c:\\dir' --empty '' --index $CODEFLARE_INDEX"""
)


def test_shell_command_passes_index_and_arguments(tmp_path: Path) -> None:
    objects = _render(tmp_path, f"""\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {{name: show}}
spec:
  api: shell
  image: python:3.12-slim
  command: python3 show.py
---
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {{name: show-3}}
spec:
  application: show
  workers: 3
  options: {json.dumps(ADVERSARIAL)}
""")
    container = _job_container(objects)
    assert {"name": "CODEFLARE_INDEX", "valueFrom": {"fieldRef": {"fieldPath":
            "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}} \
        in container["env"]
    (tmp_path / "show.py").write_text(SHOW)

    results = _run_all(container["command"], tmp_path,
                       [_environment(container, i) for i in range(3)], timeout=30)

    for result in results:
        assert result.returncode == 0, result.stdout
    for index in range(3):
        seen = json.loads((tmp_path / f"args-{index}.json").read_text())
        # What sh makes of the options: quotes removed, nothing in single quotes expanded,
        # the unquoted $CODEFLARE_INDEX expanded to this process's index.
        expected = shlex.split(ADVERSARIAL.replace("$CODEFLARE_INDEX", str(index)))
        assert seen == {"argv": expected, "index": str(index), "codeflare": str(index)}
        assert seen["argv"][seen["argv"].index("--dollar") + 1] == "$HOME"
        assert seen["argv"][seen["argv"].index("--empty") + 1] == ""


def test_cloned_workspace_is_writable_by_another_user(tmp_path: Path) -> None:
    """The clone runs as the git image's user (root), the workload as its own (uid 1000 in
    rayproject/ray): the rendered clone command must leave a tree any uid can write to."""
    objects = _render(tmp_path, """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: cloned}
spec:
  api: shell
  image: rayproject/ray:2.52.0
  repo: https://github.com/example-org/jobs/tree/main/sub
  command: python3 main.py
---
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: cloned-1}
spec: {application: cloned}
""")
    (job,) = [o for o in objects if o["kind"] == "Job"]
    (clone,) = job["spec"]["template"]["spec"]["initContainers"]
    shell, flag, line = clone["command"]
    origin = tmp_path / "origin.git"
    (origin / "sub").mkdir(parents=True)
    (origin / "sub" / "main.py").write_text("print('hi')\n")
    git = ["git", "-C", str(origin), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    line = line.replace("https://github.com/example-org/jobs.git", f"file://{origin}")
    line = line.replace("/workspace/", f"{workspace}/")
    subprocess.run([shell, flag, line], check=True, capture_output=True,
                   env={**os.environ, "HOME": str(tmp_path)})
    paths = [p for p in (workspace / "src").rglob("*") if ".git" not in p.parts]
    assert (workspace / "src" / "sub" / "main.py") in paths
    for path in [workspace / "src", *paths]:
        assert path.stat().st_mode & 0o002, f"{path} is not writable by other users"
