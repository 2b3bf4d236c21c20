"""`command options` (and a workqueue's task) as every archetype runs them, executed here.

`command: |` and `options: |` end in a newline, which would put what follows on a line of its
own; options ending in a comment or a backslash would swallow the task. The rendered command
lines run on this machine (as tests/test_hostile.py runs them) with programs that log their
arguments.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from codeflare_compile.lower.workqueue import TASK_DIR
from tests.test_hostile import (
    _calls,
    _doc,
    _fake_programs,
    _render,
    _run_sh,
    _workqueue_job,
    compile_in,
)

TASKS = ["1e-3", "3e-4 # not a comment", "a\\"]


def _workqueue_argvs(tmp_path: Path, objects: list[dict[str, Any]]) -> list[list[str]]:
    """Run each pod's command with its task file in place; the argv each pod's program got."""
    tasks, job = _workqueue_job(tmp_path, objects)
    shell, flag, line = job["spec"]["template"]["spec"]["containers"][0]["command"]
    env = _fake_programs(tmp_path, "python3")
    for index in range(len(TASKS)):
        _run_sh([shell, flag, line.replace(TASK_DIR, str(tasks))], tmp_path,
                {**env, "JOB_COMPLETION_INDEX": str(index)})
    return [call["argv"] for call in _calls(tmp_path)]


def _argv(tmp_path: Path, api: str, command: str, options: str) -> list[str]:
    """The arguments the Run's program gets (torchrun's after its own flags)."""
    image = {"ray": "rayproject/ray:2.52.0", "torch": "pytorch/pytorch:2.5.1"}.get(
        api, "python:3.12-slim")
    objects = _render(tmp_path, [
        _doc("Application", "app", {"api": api, "image": image, "command": command}),
        _doc("Run", "run", {"application": "app", "options": options})])
    env = _fake_programs(tmp_path, "python3", "torchrun")
    if api == "ray":
        (job,) = [o for o in objects if o["kind"] == "RayJob"]
        done = subprocess.run(["/bin/sh", "-c", job["spec"]["entrypoint"]], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
    else:
        (job,) = [o for o in objects if o["kind"] == "Job"]
        container = job["spec"]["template"]["spec"]["containers"][0]
        _run_sh(container["command"], tmp_path, {**env, "JOB_COMPLETION_INDEX": "0"})
    (call,) = _calls(tmp_path)
    argv: list[str] = call["argv"]
    return argv[argv.index("main.py"):]


@pytest.mark.parametrize("api", ["shell", "torch", "ray"])
@pytest.mark.parametrize(("command", "options"), [
    ("python3 main.py --a 1\n", "--epochs 3\n"),
    ("python3 main.py --a 1\n\n", "--epochs 3 \t\n\n"),
    ("python3 main.py --a 1  # the entry point\n", "--epochs 3  # tuned\n"),
], ids=["block-scalars", "blank-lines", "comments"])
def test_options_follow_the_command(tmp_path: Path, api: str, command: str,
                                    options: str) -> None:
    assert _argv(tmp_path, api, command, options) == ["main.py", "--a", "1", "--epochs", "3"]


@pytest.mark.parametrize(("command", "options"), [
    ("python3 main.py --a 1\n", "--epochs 3\n"),
    ("python3 main.py --a 1 # entry\n", "--epochs 3  # tuned\n"),
    ("python3 main.py \\\n  --a 1\n", "--epochs \\\n 3 # a comment \\"),
], ids=["block-scalars", "comments", "continued-lines"])
def test_workqueue_task_is_the_last_argument(tmp_path: Path, command: str,
                                             options: str) -> None:
    objects = _render(tmp_path, [
        _doc("Application", "app", {"api": "workqueue", "image": "python:3.12-slim",
                                    "command": command, "tasks": TASKS}),
        _doc("Run", "run", {"application": "app", "options": options})])
    assert _workqueue_argvs(tmp_path, objects) == [
        ["main.py", "--a", "1", "--epochs", "3", task] for task in TASKS]


@pytest.mark.parametrize(("options", "problem"), [
    ("--epochs 3 \\", "ends with a backslash, which would escape what follows"),
    ("--epochs 3 \\\n", "ends with a backslash, which would escape what follows"),
    ("--name 'it", "has a single quote that is never closed"),
    ("--x; ", "ends with `;`, so what follows would be no argument of its command"),
    ("--out >", "ends with `>`, so what follows would be no argument of its command"),
], ids=["backslash", "backslash-newline", "open-quote", "semicolon", "redirection"])
def test_workqueue_options_that_would_swallow_the_task_are_refused(
        tmp_path: Path, options: str, problem: str) -> None:
    out = compile_in(tmp_path, {"jobs.yaml": (
        "apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: app}\n"
        "spec: {api: workqueue, image: python:3.12-slim, command: python3 main.py, "
        "tasks: [a]}\n---\napiVersion: codeflare.dev/v1alpha1\nkind: Run\n"
        f"metadata: {{name: run}}\nspec:\n  application: app\n  options: {json.dumps(options)}\n")})
    assert out.exit_code == 1
    assert out.stdout == ""
    assert (f"jobs.yaml:11:12: error[CF430]: `options` {problem}: the task appended to it "
            "would not reach its program as arguments") in out.stderr
    assert "help: end the text with its last argument" in out.stderr


def test_a_here_document_in_a_command_with_options_is_refused(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"jobs.yaml": (
        "apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: app}\n"
        "spec:\n  api: shell\n  image: python:3.12-slim\n  command: |\n    python3 - <<EOF\n"
        "    print(1)\n    EOF\n---\napiVersion: codeflare.dev/v1alpha1\nkind: Run\n"
        "metadata: {name: run}\nspec: {application: app, options: --x}\n")})
    assert out.exit_code == 1
    assert ("jobs.yaml:7:12: error[CF430]: `command` holds a here-document (`<<`), whose "
            "delimiter line would take what follows: the options appended to it would not "
            "reach its program as arguments") in out.stderr


def test_a_here_document_without_options_runs_as_written(tmp_path: Path) -> None:
    """Nothing is appended to a shell command without options: its script is the user's."""
    script = "python3 - <<EOF\nprint(1)\nEOF\n"
    objects = _render(tmp_path, [
        _doc("Application", "app", {"api": "shell", "image": "python:3.12-slim",
                                    "command": script}),
        _doc("Run", "run", {"application": "app"})])
    (job,) = [o for o in objects if o["kind"] == "Job"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"][2].endswith(
        script.rstrip("\n"))

