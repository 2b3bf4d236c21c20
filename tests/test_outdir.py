"""`compile --out-dir`: the layout, the marker, --check/--diff, atomicity, ownership."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from codeflare_compile.emit import outdir
from codeflare_compile.emit.outdir import MARKER
from tests.helpers import REPO, run_cli

EXAMPLE = REPO / "examples" / "ray-mnist"
DATASETS = REPO / "tests" / "golden" / "datasets-datashim" / "input"


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under `root`: a file's content and modification time (a folder's
    own time changes when a temporary file comes and goes in it, so only its presence counts)."""
    found: dict[str, tuple[bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        found[rel] = (b"", 0) if path.is_dir() else (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def render(tmp_path: Path, *args: str) -> tuple[Path, int, str, str]:
    out = tmp_path / "rendered"
    result = run_cli("compile", *args, "--out-dir", str(out))
    return out, result.exit_code, result.stdout, result.stderr


def test_one_file_per_run_and_shared_objects_apart(tmp_path: Path) -> None:
    out, code, stdout, stderr = render(tmp_path, str(DATASETS))
    assert (code, stdout, stderr) == (0, "", "")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["default/_shared.yaml", "default/classify-full.yaml",
                     "default/classify-smoke.yaml"]
    stream = list(yaml.safe_load_all(run_cli("compile", str(DATASETS)).stdout))
    shared = list(yaml.safe_load_all((out / "default" / "_shared.yaml").read_text()))
    assert {o["kind"] for o in shared} == {"Dataset"}
    for name in ("classify-full", "classify-smoke"):
        objects = list(yaml.safe_load_all((out / "default" / f"{name}.yaml").read_text()))
        assert {o["metadata"]["labels"]["codeflare.dev/run"] for o in objects} == {name}
    # together the files hold exactly the stdout stream: shared objects first, then each Run's
    rendered = shared + [o for name in ("classify-full", "classify-smoke") for o in
                         yaml.safe_load_all((out / "default" / f"{name}.yaml").read_text())]
    assert rendered == stream


def test_every_file_starts_with_the_marker_and_is_the_yaml_stream(tmp_path: Path) -> None:
    out, code, _, _ = render(tmp_path, str(EXAMPLE))
    assert code == 0
    text = (out / "ml-team" / "mnist-nightly.yaml").read_text()
    assert text == f"{MARKER}\n" + run_cli("compile", str(EXAMPLE)).stdout
    assert outdir.is_generated(out / "ml-team" / "mnist-nightly.yaml")
    assert oct((out / "ml-team" / "mnist-nightly.yaml").stat().st_mode & 0o777) != "0o600"


def test_rerender_changes_nothing_and_keeps_mtimes(tmp_path: Path) -> None:
    out, _, _, _ = render(tmp_path, str(DATASETS))
    before = snapshot(out)
    _, code, _, _ = render(tmp_path, str(DATASETS))
    assert code == 0
    assert snapshot(out) == before
    assert run_cli("compile", str(DATASETS), "--out-dir", str(out), "--check").exit_code == 0


def test_removed_run_file_is_deleted_but_user_files_are_kept(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(DATASETS, inputs)
    out, _, _, _ = render(tmp_path, str(inputs))
    (out / "README.md").write_text("mine\n")
    (out / "default" / "notes.yaml").write_text("# my notes, not generated\nx: 1\n")
    (out / "kustomization.yaml").write_text("resources: []\n")
    jobs = inputs / "jobs.yaml"
    docs = jobs.read_text().split("\n---\n")
    kept = [d for d in docs if "name: classify-smoke" not in d]
    assert len(kept) == len(docs) - 1
    jobs.write_text("\n---\n".join(kept))
    _, code, _, stderr = render(tmp_path, str(inputs))
    assert code == 0, stderr
    assert not (out / "default" / "classify-smoke.yaml").exists()
    assert (out / "default" / "classify-full.yaml").exists()
    assert (out / "README.md").read_text() == "mine\n"
    assert (out / "default" / "notes.yaml").exists()
    assert (out / "kustomization.yaml").exists()


def test_emptied_namespace_folder_is_removed(tmp_path: Path) -> None:
    out, _, _, _ = render(tmp_path, str(EXAMPLE))
    assert (out / "ml-team").is_dir()
    (tmp_path / "other").mkdir()
    app = (EXAMPLE / "application.yaml").read_text().replace("ml-team", "research")
    run = (EXAMPLE / "run.yaml").read_text().replace("ml-team", "research")
    (tmp_path / "other" / "app.yaml").write_text(app)
    (tmp_path / "other" / "run.yaml").write_text(run)
    _, code, _, stderr = render(tmp_path, str(tmp_path / "other"))
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["research"]


def test_check_lists_modified_missing_and_extra_files_and_changes_nothing(
        tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(DATASETS, inputs)
    out, _, _, _ = render(tmp_path, str(inputs))
    full = out / "default" / "classify-full.yaml"
    full.write_text(full.read_text().replace("classify-full", "edited"))
    (out / "default" / "classify-smoke.yaml").unlink()
    (out / "default" / "old-run.yaml").write_text(f"{MARKER}\n---\nkind: ConfigMap\n")
    (out / "default" / "user.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    before = snapshot(out)
    result = run_cli("compile", str(inputs), "--out-dir", str(out), "--check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{out}/default/classify-full.yaml: stale (differs from what codeflare-compile produces)",
        f"{out}/default/classify-smoke.yaml: missing",
        f"{out}/default/old-run.yaml: extra (generated earlier, no longer produced)",
        f"codeflare-compile: {out} is out of date (1 stale, 1 missing, 1 extra); run the same "
        "command without --check or --diff to update it",
    ]
    assert snapshot(out) == before
    # without --check the same command repairs exactly those three files
    assert run_cli("compile", str(inputs), "--out-dir", str(out)).exit_code == 0
    assert run_cli("compile", str(inputs), "--out-dir", str(out), "--check").exit_code == 0
    assert not (out / "default" / "old-run.yaml").exists()
    assert (out / "default" / "user.yaml").exists()


def test_check_on_a_missing_folder_reports_every_file(tmp_path: Path) -> None:
    result = run_cli("compile", str(DATASETS), "--out-dir", str(tmp_path / "none"), "--check")
    assert result.exit_code == 1
    assert result.stderr.count(": missing") == 3
    assert not (tmp_path / "none").exists()


def test_diff_is_a_unified_diff_that_git_applies(tmp_path: Path) -> None:
    import subprocess

    out, _, _, _ = render(tmp_path, str(EXAMPLE))
    target = out / "ml-team" / "mnist-nightly.yaml"
    good = target.read_text()
    target.write_text(good.replace("replicas: 3", "replicas: 5"))
    (out / "ml-team" / "gone.yaml").write_text(f"{MARKER}\n---\nkind: Old\n")
    before = snapshot(out)
    result = run_cli("compile", str(EXAMPLE), "--out-dir", "rendered", "--diff", cwd=tmp_path)
    assert result.exit_code == 1
    assert snapshot(out) == before
    diff = result.stdout
    assert "--- a/rendered/ml-team/mnist-nightly.yaml\n+++ b/rendered/ml-team/mnist-nightly.yaml" \
        in diff
    assert "-      replicas: 5\n+      replicas: 3\n" in diff
    assert "--- a/rendered/ml-team/gone.yaml\n+++ /dev/null\n" in diff
    # the diff is what --check means: applying it brings the folder up to date
    subprocess.run(["git", "apply", "-"], input=diff, text=True, cwd=tmp_path, check=True)
    assert target.read_text() == good
    assert not (out / "ml-team" / "gone.yaml").exists()


def test_failed_compile_leaves_the_folder_exactly_as_it_was(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(DATASETS, inputs)
    out, _, _, _ = render(tmp_path, str(inputs))
    (out / "default" / "classify-smoke.yaml").write_text(f"{MARKER}\nstale\n")
    before = snapshot(out)
    jobs = inputs / "jobs.yaml"
    jobs.write_text(jobs.read_text().replace("application: classify", "application: clasify"))
    result = run_cli("compile", str(inputs), "--out-dir", str(out))
    assert result.exit_code == 1
    assert "error[CF301]" in result.stderr
    assert snapshot(out) == before


def test_failed_compile_does_not_create_the_folder(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("kind: [\n")
    result = run_cli("compile", str(tmp_path / "bad.yaml"), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


def test_failure_while_staging_leaves_the_folder_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk on the second file: the first temporary is removed, nothing is renamed."""
    inputs = tmp_path / "in"
    shutil.copytree(DATASETS, inputs)
    out, _, _, _ = render(tmp_path, str(inputs))
    for path in out.rglob("*.yaml"):
        path.write_text(f"{MARKER}\nold\n")
    before = snapshot(out)
    real_fsync, calls = os.fsync, []

    def full_disk(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(outdir.os, "fsync", full_disk)
    result = run_cli("compile", str(inputs), "--out-dir", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith("codeflare-compile: cannot write to ")
    assert "No space left on device (nothing was changed)" in result.stderr
    assert snapshot(out) == before  # no temporary left behind either


def test_failure_while_creating_folders_removes_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkstemp = outdir.tempfile.mkstemp

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(outdir.tempfile, "mkstemp", refuse)
    result = run_cli("compile", str(EXAMPLE), "--out-dir", str(tmp_path / "new" / "out"))
    assert result.exit_code == 2
    assert "Permission denied" in result.stderr
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(outdir.tempfile, "mkstemp", real_mkstemp)


def test_a_users_file_where_output_goes_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    (out / "ml-team").mkdir(parents=True)
    mine = out / "ml-team" / "mnist-nightly.yaml"
    mine.write_text("# hand-written\n")
    for extra in ((), ("--check",)):
        result = run_cli("compile", str(EXAMPLE), "--out-dir", str(out), *extra)
        assert result.exit_code == 2
        assert "did not generate" in result.stderr
        assert f"{out}/ml-team/mnist-nightly.yaml" in result.stderr
        assert mine.read_text() == "# hand-written\n"


def test_fail_on_change_reports_what_it_rewrote(tmp_path: Path) -> None:
    first = run_cli("compile", str(EXAMPLE), "--out-dir", "rendered", "--fail-on-change",
                    cwd=tmp_path)
    assert first.exit_code == 1
    assert first.stderr.splitlines() == [
        "rendered/ml-team/mnist-nightly.yaml: written",
        "codeflare-compile: rendered was out of date and has been re-rendered; review and "
        "commit the changes"]
    assert (tmp_path / "rendered" / "ml-team" / "mnist-nightly.yaml").exists()
    again = run_cli("compile", str(EXAMPLE), "--out-dir", "rendered", "--fail-on-change",
                    cwd=tmp_path)
    assert (again.exit_code, again.stderr) == (0, "")


@pytest.mark.parametrize(("args", "message"), [
    (("-o", "x.yaml", "--out-dir", "d"), "-o/--output and --out-dir cannot be used together"),
    (("--check",), "--check needs --out-dir"),
    (("--diff",), "--diff needs --out-dir"),
    (("--fail-on-change",), "--fail-on-change needs --out-dir"),
    (("--out-dir", "d", "--format", "json"), "--out-dir writes YAML files"),
    (("--out-dir", "d", "--check", "--fail-on-change"), "--fail-on-change writes the folder"),
])
def test_output_flag_combinations_are_usage_errors(tmp_path: Path, args: tuple[str, ...],
                                                   message: str) -> None:
    result = run_cli("compile", str(EXAMPLE), *args, cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"codeflare-compile: {message}")
    assert list(tmp_path.iterdir()) == []


def test_out_dir_that_is_a_file_or_below_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x\n")
    result = run_cli("compile", str(EXAMPLE), "--out-dir", str(tmp_path / "file"))
    assert result.exit_code == 2
    assert result.stderr == f"codeflare-compile: --out-dir {tmp_path / 'file'}: not a folder\n"
    below = run_cli("compile", str(EXAMPLE), "--out-dir", str(tmp_path / "file" / "sub"))
    assert below.exit_code == 2
    assert below.stderr.startswith("codeflare-compile: cannot write to ")
    assert "Not a directory" in below.stderr
    assert (tmp_path / "file").read_text() == "x\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_folder_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = run_cli("compile", str(EXAMPLE), "--out-dir", str(out))
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2
    assert "Permission denied" in result.stderr


def test_rendered_files_are_never_read_as_input(tmp_path: Path) -> None:
    """`codeflare-compile . --out-dir rendered` twice: the second run skips its own output."""
    for name in ("application.yaml", "run.yaml", "sizes.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    assert run_cli("compile", ".", "--out-dir", "rendered", cwd=tmp_path).exit_code == 0
    again = run_cli("compile", ".", "--out-dir", "rendered", "--check", cwd=tmp_path)
    assert (again.exit_code, again.stderr) == (0, "")
    check = run_cli("check", "rendered/ml-team/mnist-nightly.yaml", cwd=tmp_path)
    assert (check.exit_code, check.stderr) == (0, "")


def test_skip_unrelated_ignores_other_yaml(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n"
                                          "metadata: {name: web}\n")
    for name in ("application.yaml", "run.yaml", "sizes.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    plain = run_cli("check", ".", cwd=tmp_path)
    assert plain.exit_code == 1
    assert "deploy.yaml:1:13: error[CF104]: unknown apiVersion 'apps/v1'" in plain.stderr
    skipping = run_cli("check", ".", "--skip-unrelated", cwd=tmp_path)
    assert (skipping.exit_code, skipping.stderr) == (0, "")
    # a misspelt apiVersion still mentions codeflare.dev, so it is still checked
    (tmp_path / "typo.yaml").write_text((EXAMPLE / "run.yaml").read_text().replace(
        "codeflare.dev/v1alpha1", "codeflare.dev/v1alpha").replace("mnist-nightly", "typo"))
    typo = run_cli("check", ".", "--skip-unrelated", cwd=tmp_path)
    assert typo.exit_code == 1
    assert "error[CF104]: unknown apiVersion 'codeflare.dev/v1alpha'" in typo.stderr


def test_failure_between_renames_says_the_folder_is_half_updated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(DATASETS, inputs)
    out, _, _, _ = render(tmp_path, str(inputs))
    for path in out.rglob("*.yaml"):
        path.write_text(f"{MARKER}\nold\n")
    real_replace, calls = os.replace, []

    def fail_second(src: str, dst: object) -> None:
        calls.append(src)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(outdir.os, "replace", fail_second)
    result = run_cli("compile", str(inputs), "--out-dir", str(out))
    assert result.exit_code == 2
    assert f"cannot finish updating {out}: Input/output error; 1 file(s) were already " \
        "updated" in result.stderr
    texts = sorted(p.read_text().split("\n", 2)[1] for p in out.rglob("*.yaml"))
    assert texts == ["---", "old", "old"]  # one new file, two old ones, each whole
    assert not [p for p in out.rglob(".*.tmp")]  # no temporary left behind
    monkeypatch.setattr(outdir.os, "replace", real_replace)
    assert run_cli("compile", str(inputs), "--out-dir", str(out)).exit_code == 0
    assert run_cli("compile", str(inputs), "--out-dir", str(out), "--check").exit_code == 0


def test_output_written_to_a_file_is_never_read_back(tmp_path: Path) -> None:
    """`codeflare-compile . -o out.yaml` worked once; the next run read out.yaml back as input
    and failed with CF104 for every object. -o output and stdout redirected to a file now start
    with the marker, and marked inputs are skipped with a note."""
    import subprocess
    import sys

    for source in EXAMPLE.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text())
    compile_ = [sys.executable, "-m", "codeflare_compile"]
    first = run_cli("compile", ".", "-o", "out.yaml", cwd=tmp_path)
    assert (first.exit_code, first.stderr) == (0, "")
    streamed = run_cli("compile", ".", cwd=tmp_path).stdout
    assert (tmp_path / "out.yaml").read_text() == f"{MARKER}\n{streamed}"
    note = ("codeflare-compile: note: skipped 1 file codeflare-compile wrote (the first line is "
            "its marker): ./out.yaml\n")
    again = run_cli("compile", ".", "-o", "out.yaml", cwd=tmp_path)
    assert (again.exit_code, again.stderr) == (0, note)
    check = run_cli("check", ".", cwd=tmp_path)  # silent on success, for hooks
    assert (check.exit_code, check.stderr) == (0, "")
    quiet = run_cli("compile", ".", "-o", "out.yaml", "--diagnostics", "json", cwd=tmp_path)
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    with open(tmp_path / "redirected.yaml", "w") as stdout:  # `> redirected.yaml`
        done = subprocess.run([*compile_, "."], cwd=tmp_path, stdout=stdout, check=False,
                              capture_output=False)
    assert done.returncode == 0
    assert (tmp_path / "redirected.yaml").read_text() == f"{MARKER}\n{streamed}"
    piped = subprocess.run([*compile_, "."], cwd=tmp_path, capture_output=True, text=True,
                           check=False)  # a pipe: no marker
    assert (piped.returncode, piped.stdout) == (0, streamed)
    assert piped.stderr == note.replace("1 file", "2 files").replace(
        "./out.yaml", "./out.yaml, ./redirected.yaml")


def _ns_folders(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.is_dir()]


def test_never_writes_reads_or_deletes_through_a_symbolic_link(tmp_path: Path) -> None:
    """A pull request can commit `out/<namespace> -> /elsewhere` or a linked file carrying the
    marker: the out-dir never writes, reads for ownership, or deletes through them."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    assert run_cli("compile", str(EXAMPLE), "--out-dir", str(out)).exit_code == 0
    (ns,) = _ns_folders(out)
    elsewhere.mkdir()
    victim = elsewhere / "victim.yaml"
    victim.write_text(f"{MARKER}\nkeep: me\n")
    (out / "linked.yaml").symlink_to(victim)  # looks generated, but lives elsewhere
    shutil.rmtree(ns)
    ns.symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("compile", str(EXAMPLE), "--out-dir", str(out))
    assert result.exit_code == 2, result.stderr
    assert "did not generate" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["victim.yaml"]
    assert victim.read_text() == f"{MARKER}\nkeep: me\n"
    ns.unlink()
    result = run_cli("compile", str(EXAMPLE), "--out-dir", str(out))
    assert result.exit_code == 0, result.stderr
    assert (out / "linked.yaml").is_symlink() and victim.exists()  # not ours: not deleted


def test_stale_temporaries_are_reported_and_removed(tmp_path: Path) -> None:
    """An interrupted run (SIGKILL, power loss) leaves `.<file>.yaml.<random>.tmp`: --check
    reports it, and the next write removes it."""
    out = tmp_path / "out"
    assert run_cli("compile", str(EXAMPLE), "--out-dir", str(out)).exit_code == 0
    (ns,) = _ns_folders(out)
    left = ns / ".run.yaml.k2j4x9.tmp"
    left.write_text("half of a file")
    check = run_cli("compile", str(EXAMPLE), "--out-dir", str(out), "--check")
    assert check.exit_code == 1
    assert f"{ns.name}/.run.yaml.k2j4x9.tmp: a temporary file" in check.stderr
    assert "(1 temporary)" in check.stderr
    assert left.exists()  # --check writes nothing
    assert run_cli("compile", str(EXAMPLE), "--out-dir", str(out)).exit_code == 0
    assert not left.exists()
    assert run_cli("compile", str(EXAMPLE), "--out-dir", str(out), "--check").exit_code == 0


def test_a_second_compile_into_the_same_folder_fails_clearly(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a concurrent compile holds it
        result = run_cli("compile", str(EXAMPLE), "--out-dir", str(out))
    finally:
        os.close(fd)
    assert result.exit_code == 2
    assert "another codeflare-compile is writing this folder" in result.stderr
    assert list(out.iterdir()) == []
    assert run_cli("compile", str(EXAMPLE), "--out-dir", str(out)).exit_code == 0


def test_sigterm_while_writing_leaves_no_temporary(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """CI cancellation sends SIGTERM: the staged temporaries are removed and nothing of the
    old folder changes."""
    import signal

    out = tmp_path / "out"
    assert run_cli("compile", str(EXAMPLE), "--out-dir", str(out)).exit_code == 0
    (ns,) = _ns_folders(out)
    for path in ns.iterdir():
        path.write_text(f"{MARKER}\nold: true\n")  # stale: all of them get rewritten
    before = snapshot(out)
    real_mkstemp = outdir.tempfile.mkstemp

    def mkstemp_then_terminate(*args: object, **kwargs: object) -> tuple[int, str]:
        made = real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]
        os.kill(os.getpid(), signal.SIGTERM)
        return made  # type: ignore[no-any-return]

    monkeypatch.setattr(outdir.tempfile, "mkstemp", mkstemp_then_terminate)
    result = run_cli("compile", str(EXAMPLE), "--out-dir", str(out))
    assert result.exit_code == 128 + signal.SIGTERM
    assert snapshot(out) == before
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


PIECES = (f"{MARKER}\n", "# Source: a.yaml\n", "kind: Job\nmetadata: {name: a}\n")
WHOLE = "".join(PIECES)


@pytest.mark.parametrize("text, holds", [
    (WHOLE, True),
    (WHOLE[:-1], False),  # one character short
    (WHOLE + "\n", False),  # one character more
    (WHOLE.replace("a.yaml", "b.yaml"), False),  # same length, differs inside a piece
    (WHOLE.replace("\n# Source", "#\nSource"), False),  # same characters, moved across pieces
    ("", False),
])
def test_a_file_is_compared_with_its_pieces_unjoined(text: str, holds: bool) -> None:
    """Files are kept as pieces (a joined copy would double a large batch's memory); comparing
    a file on disk with them must be exactly comparing with the joined text."""
    assert outdir._holds(text, PIECES) is holds
    assert (text == WHOLE) is holds
