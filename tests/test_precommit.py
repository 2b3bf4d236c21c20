"""The shipped pre-commit hooks (.pre-commit-hooks.yaml), run by the real pre-commit.

`pre-commit try-repo` installs this repository into a virtualenv of its own, the way users'
hooks are installed, and runs the hooks in a temporary git repository holding example inputs.
try-repo only sees what is committed (plus modified tracked files), so the hooks run from a
snapshot of the working tree committed into a repository of its own. Each try-repo builds its
environment from scratch (a virtualenv with this project and its dependencies installed): this
module runs two, side by side.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codeflare_compile.emit.outdir import MARKER
from tests.helpers import REPO, run_cli

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e "
                    "'.[test]'): the hooks cannot be tried")
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")
EXAMPLE = REPO / "examples" / "ray-mnist"
IDENTITY = ["-c", "user.name=codeflare-compile tests", "-c", "user.email=tests@example.invalid",
            "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(cwd: Path, *args: str) -> str:
    assert GIT is not None
    proc = subprocess.run([GIT, *IDENTITY, *args], cwd=cwd, capture_output=True, text=True,
                          check=True)
    return proc.stdout


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's working tree (tracked and untracked, less what .gitignore ignores),
    committed into a repository of its own, as a user's `rev` would be."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in sorted(set(filter(None, listed.split("\0")))):
        source = REPO / rel
        if source.is_file():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / rel)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file()
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot of the working tree")
    return snapshot


def user_repo(repo: Path, *, broken: bool) -> None:
    """A user's repository: jobs, unrelated YAML, and a committed rendered/ folder.

    Not broken: rendered/ has gone stale (rendered before the Run got its new options, and it
    still holds the file of a Run since deleted). Broken: rendered/ is up to date with the jobs
    as they were before a mistake was committed in the Run.
    """
    git(repo, "init", "-q")
    (repo / "jobs").mkdir()
    for name in ("application.yaml", "run.yaml", "sizes.yaml"):
        shutil.copy(EXAMPLE / name, repo / "jobs" / name)
    (repo / "deploy").mkdir()
    (repo / "deploy" / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n")
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs: {test: {runs-on: ubuntu-latest, steps: [{run: make}]}}\n")
    if broken:
        assert run_cli("compile", "jobs", "--out-dir", "rendered", cwd=repo).exit_code == 0
        run = repo / "jobs" / "run.yaml"
        run.write_text(run.read_text().replace("size: md", "size: mdd"))
    else:
        (repo / "old").mkdir()
        for name in ("application.yaml", "sizes.yaml"):
            shutil.copy(EXAMPLE / name, repo / "old" / name)
        (repo / "old" / "run.yaml").write_text(
            (EXAMPLE / "run.yaml").read_text().replace("--batch-size 256", "--batch-size 128"))
        assert run_cli("compile", "old", "--out-dir", "rendered", cwd=repo).exit_code == 0
        shutil.rmtree(repo / "old")
        (repo / "rendered" / "ml-team" / "deleted-run.yaml").write_text(f"{MARKER}\n---\n{{}}\n")
    (repo / "rendered" / "README.md").write_text("Rendered by codeflare-compile.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "jobs and rendered manifests")


@pytest.fixture(scope="module")
def outcomes(hook_repo: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, tuple[Path, int, str]]:
    """`pre-commit try-repo <this repo> --all-files` (every hook, with its default args) in both
    user repositories at once: each builds its own environment, so they run side by side."""
    started = {}
    for name in ("stale", "broken"):
        repo = tmp_path_factory.mktemp(f"user-repo-{name}")
        user_repo(repo, broken=name == "broken")
        log = repo.parent / f"{repo.name}.log"
        env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
               "PRE_COMMIT_COLOR": "never"}
        handle = log.open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--all-files",
             "--verbose", "--color", "never"],
            cwd=repo, env=env, stdout=handle, stderr=subprocess.STDOUT, text=True)
        started[name] = (repo, proc, log, handle)
    results = {}
    for name, (repo, proc, log, handle) in started.items():
        code = proc.wait(timeout=900)
        handle.close()
        results[name] = (repo, code, log.read_text())
    return results


def hook_lines(output: str) -> dict[str, str]:
    """`name....Passed` lines of pre-commit's report: hook name → Passed/Failed."""
    found = {}
    for line in output.splitlines():
        for status in ("Passed", "Failed"):
            if line.endswith(status) and "..." in line:
                found[line.split("...", 1)[0].rstrip(".")] = status
    return found


def test_hooks_check_and_rerender_a_stale_folder(
        outcomes: dict[str, tuple[Path, int, str]]) -> None:
    repo, code, output = outcomes["stale"]
    assert code == 1, output
    # check: the jobs pass; the Deployment, the workflow and rendered/ are not its business
    # render: the stale file is rewritten, the deleted Run's file removed, the README kept
    assert hook_lines(output) == {"codeflare-compile check": "Passed",
                                  "codeflare-compile render": "Failed"}, output
    assert "rendered/ml-team/mnist-nightly.yaml: written" in output
    assert "rendered/ml-team/deleted-run.yaml: removed" in output
    assert "re-rendered; review and commit the changes" in output
    status = git(repo, "status", "--porcelain")
    assert sorted(status.splitlines()) == [" D rendered/ml-team/deleted-run.yaml",
                                           " M rendered/ml-team/mnist-nightly.yaml"]
    assert "--batch-size 256" in (repo / "rendered/ml-team/mnist-nightly.yaml").read_text()
    assert (repo / "rendered" / "README.md").exists()
    up_to_date = run_cli("compile", "jobs", "--out-dir", "rendered", "--check", cwd=repo)
    assert (up_to_date.exit_code, up_to_date.stderr) == (0, "")


def test_hooks_report_input_errors_and_leave_rendered_alone(
        outcomes: dict[str, tuple[Path, int, str]]) -> None:
    repo, code, output = outcomes["broken"]
    assert code == 1, output
    assert hook_lines(output) == {"codeflare-compile check": "Failed",
                                  "codeflare-compile render": "Failed"}, output
    assert "jobs/run.yaml:9:9: error[CF203]: invalid value 'mdd' for 'spec.size'" in output
    assert "./jobs/run.yaml:9:9: error[CF203]" in output  # the render hook's, from `.`
    assert git(repo, "status", "--porcelain") == ""  # rendered/ untouched
