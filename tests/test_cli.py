"""The command line as users run it: default command, flags, output files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from codeflare_compile.emit.outdir import MARKER
from tests.helpers import REPO, run_cli, without_sources

EXAMPLE = REPO / "examples" / "ray-mnist"
POLICIES = REPO / "tests" / "golden" / "ray-policies" / "input"


def test_compile_is_the_default_command() -> None:
    """`codeflare-compile PATH` in a real process, as the README's first command runs it."""
    proc = subprocess.run([sys.executable, "-m", "codeflare_compile", str(EXAMPLE)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    # the default queueing is appwrapper, which leaves a RayJob to Kueue (docs/targets.md)
    assert [o["kind"] for o in yaml.safe_load_all(proc.stdout)] == ["PodGroup", "RayJob"]


def test_json_format_is_a_list() -> None:
    out = run_cli("compile", str(EXAMPLE), "--format", "json", "--queueing", "none")
    assert out.exit_code == 0, out.stderr
    listing = json.loads(out.stdout)
    assert (listing["apiVersion"], listing["kind"]) == ("v1", "List")
    assert [i["kind"] for i in listing["items"]] == ["PodGroup", "RayJob"]


def test_json_and_yaml_carry_the_same_objects() -> None:
    as_yaml = list(yaml.safe_load_all(run_cli("compile", str(EXAMPLE)).stdout))
    as_json = json.loads(run_cli("compile", str(EXAMPLE), "--format", "json").stdout)["items"]
    assert as_yaml == as_json


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    out = run_cli("compile", str(EXAMPLE), "-o", str(target))
    assert (out.exit_code, out.stdout) == (0, "")
    assert target.read_text() == f"{MARKER}\n" + run_cli("compile", str(EXAMPLE)).stdout
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]  # no temporary left behind


def test_failed_compile_leaves_the_output_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("previous\n")
    (tmp_path / "bad.yaml").write_text("kind: [\n")
    out = run_cli("compile", str(tmp_path / "bad.yaml"), "-o", str(target))
    assert out.exit_code == 1
    assert target.read_text() == "previous\n"


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    out = run_cli("compile", str(EXAMPLE), "-o", str(tmp_path / "missing" / "out.yaml"))
    assert out.exit_code == 2
    assert out.stderr.startswith("codeflare-compile: cannot write")


def test_include_paths_supply_definitions_but_not_runs(tmp_path: Path) -> None:
    (tmp_path / "run.yaml").write_text((EXAMPLE / "run.yaml").read_text())
    defs = tmp_path / "defs"
    defs.mkdir()
    for name in ("application.yaml", "sizes.yaml"):
        (defs / name).write_text((EXAMPLE / name).read_text())
    (defs / "other-run.yaml").write_text(
        (EXAMPLE / "run.yaml").read_text().replace("mnist-nightly", "not-compiled"))
    out = run_cli("compile", "run.yaml", "-I", "defs", cwd=tmp_path)
    assert out.exit_code == 0, out.stderr
    assert without_sources(out.stdout) == without_sources(run_cli("compile", str(EXAMPLE)).stdout)
    without = run_cli("compile", "run.yaml", cwd=tmp_path)
    assert without.exit_code == 1
    assert "error[CF301]" in without.stderr


def test_namespace_flag_places_unnamespaced_resources() -> None:
    out = run_cli("compile", str(REPO / "tests" / "golden" / "ray-appwrapper" / "input"),
                  "--namespace", "research")
    assert {o["metadata"]["namespace"] for o in yaml.safe_load_all(out.stdout)} == {"research"}
    bad = run_cli("compile", str(EXAMPLE), "--namespace", "Not_Valid")
    assert bad.exit_code == 2


def test_flags_override_the_platform() -> None:
    out = run_cli("compile", str(POLICIES), "--queueing", "kueue", "--gang", "none")
    assert out.exit_code == 0, out.stderr
    assert {o["kind"] for o in yaml.safe_load_all(out.stdout)} == {"RayJob"}


def test_kube_version_is_checked() -> None:
    assert run_cli("compile", str(EXAMPLE), "--kube-version", "1.31").exit_code == 0
    out = run_cli("compile", str(EXAMPLE), "--kube-version", "1.9")
    assert out.exit_code == 2
    assert "1.9" in out.stderr


def test_check_is_silent_on_success_and_loud_on_errors(tmp_path: Path) -> None:
    ok = run_cli("check", str(EXAMPLE))
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "")
    (tmp_path / "app.yaml").write_text(
        (EXAMPLE / "application.yaml").read_text().replace("api: ray", "api: ary"))
    bad = run_cli("check", str(tmp_path))
    assert bad.exit_code == 1
    assert bad.stdout == ""
    assert "app.yaml:10:8: error[CF203]: invalid value 'ary' for 'spec.api'" in bad.stderr


def test_check_accepts_definitions_without_runs(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text((EXAMPLE / "application.yaml").read_text())
    assert run_cli("check", str(tmp_path)).exit_code == 0


def test_help_lists_the_commands() -> None:
    proc = subprocess.run([sys.executable, "-m", "codeflare_compile", "--help"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    for command in ("compile", "check", "schema"):
        assert command in proc.stdout


def test_version() -> None:
    from codeflare_compile import __version__

    for args in (["--version"], ["--version", "jobs/"]):
        proc = subprocess.run([sys.executable, "-m", "codeflare_compile", *args],
                              capture_output=True, text=True, check=False)
        assert (proc.returncode, proc.stdout, proc.stderr) == \
            (0, f"codeflare-compile {__version__}\n", "")


def test_help_lists_the_integration_commands() -> None:
    proc = subprocess.run([sys.executable, "-m", "codeflare_compile", "--help"],
                          capture_output=True, text=True, check=False)
    for command in ("fn", "argocd", "--install-completion", "--show-completion", "--version"):
        assert command in proc.stdout


def complete(words: str, cword: int) -> list[str]:
    """What bash completion offers, asked the way the installed completion script asks."""
    import os

    env = {**os.environ, "_CODEFLARE_COMPILE_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(cword)}
    proc = subprocess.run([sys.executable, "-c", "from codeflare_compile.entry import main; "
                           "import sys; sys.argv[0] = 'codeflare-compile'; main()"],
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_shell_completion_offers_commands_flags_and_values() -> None:
    assert complete("codeflare-compile ch", 1) == ["check"]
    assert "--out-dir" in complete("codeflare-compile compile --out", 2)
    assert complete("codeflare-compile compile --queueing ", 3) == \
        ["appwrapper", "mcad", "kueue", "none"]
    assert complete("codeflare-compile check --diagnostics ", 3) == \
        ["text", "json", "github", "sarif"]
    script = subprocess.run([sys.executable, "-m", "codeflare_compile", "--show-completion",
                             "bash"], capture_output=True, text=True, check=False)
    assert script.returncode == 0
    assert "_CODEFLARE_COMPILE_COMPLETE=complete_bash" in script.stdout


def test_diagnostics_format_lists_agree() -> None:
    import typing

    from codeflare_compile import cli, report

    assert typing.get_args(cli.DiagnosticsFormat) == typing.get_args(report.DiagnosticsFormat)
