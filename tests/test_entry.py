"""`codeflare-compile PATH...` without options skips typer: it must behave exactly as the same
command parsed by typer, and the commands' defaults must be the flags' defaults."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codeflare_compile import cli, commands, entry
from codeflare_compile.settings import BY_NAME
from tests.helpers import REPO

EXAMPLE = str(REPO / "examples" / "ray-mnist")


def defaults(function: Any) -> dict[str, Any]:
    """The defaults of every parameter but the target settings' (the commands take them as one
    `settings`, typer as one option each, all from settings.SETTINGS)."""
    return {name: ([] if p.default is None and name in ("include", "crds") else p.default)
            for name, p in inspect.signature(function).parameters.items()
            if name not in ("paths", "settings", *BY_NAME)}


@pytest.mark.parametrize(("command", "main"), [(cli.compile_command, commands.compile_main),
                                               (cli.check_command, commands.check_main)])
def test_the_commands_take_the_flags_defaults(command: Any, main: Any) -> None:
    assert defaults(command) == defaults(main)


@pytest.mark.parametrize(("args", "plain"), [
    (["run.yaml"], True), (["a", "b"], True), (["compile", "a"], True), (["check", "a"], True),
    (["compile"], False), (["-o", "x", "a"], False), (["a", "--debug"], False),
    (["explain", "a"], False), (["schema"], False), ([], False), (["--version"], False),
])
def test_what_skips_typer(args: list[str], plain: bool) -> None:
    assert entry._only_paths(args) is plain


def run(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "codeflare_compile", *args],
                          capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def test_typer_is_not_imported_on_the_plain_path() -> None:
    code = ("import sys; from codeflare_compile import entry; sys.argv = ['x', sys.argv[1]]; "
            "entry.main(); assert 'typer' not in sys.modules, 'typer imported'")
    proc = subprocess.run([sys.executable, "-c", code, EXAMPLE], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "kind: RayJob" in proc.stdout


@pytest.mark.parametrize("case", ["valid", "invalid", "missing"])
@pytest.mark.parametrize("command", ["compile", "check"])
def test_the_plain_path_behaves_as_typer(tmp_path: Path, case: str, command: str) -> None:
    if case == "valid":
        inputs = EXAMPLE
    elif case == "invalid":
        inputs = str(tmp_path / "bad.yaml")
        Path(inputs).write_text("apiVersion: codeflare.dev/v1alpha1\nkind: Run\n"
                                "metadata: {name: r}\nspec: {application: nowhere}\n")
    else:
        inputs = str(tmp_path / "absent.yaml")
    plain = run(command, inputs)
    # the same command with a default-valued option, so typer parses it
    parsed = run(command, inputs, "--diagnostics", "text")
    assert plain == parsed
    assert plain[0] == {"valid": 0, "invalid": 1, "missing": 2}[case]
    if command == "compile" and case == "valid":
        assert plain[1].startswith("# Source: ") and run(inputs) == plain
