"""How every command ends when something goes wrong: no traceback without --debug; I/O failures
exit 2 with one line; internal errors exit 3; usage errors in one style; a mistyped command is
named; help that reads well at 80 columns."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codeflare_compile import entry
from tests.helpers import REPO

SHELL = str(REPO / "tests" / "golden" / "shell-plain" / "input")
COMMANDS = ("compile", "check", "explain", "schema", "fn", "argocd")


def main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
         stdin: bytes = b"") -> tuple[Any, str, str]:
    """`codeflare-compile ARGS` in-process, through the real entry point."""
    monkeypatch.setattr(sys, "argv", ["codeflare-compile", *args])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    with pytest.raises(SystemExit) as ended:
        entry.main()
    out, err = capsys.readouterr()
    return ended.value.code, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    return err.rstrip("\n")


@pytest.mark.parametrize(("args", "target"), [
    (("compile", SHELL), "codeflare_compile.public_api.yaml_chunks"),
    ((SHELL,), "codeflare_compile.public_api.yaml_chunks"),  # the path without typer
    (("check", SHELL), "codeflare_compile.commands.check_validation"),
    (("explain", SHELL), "codeflare_compile.explain.render_text"),
    (("schema", "--out-dir", "{tmp}"), "codeflare_compile.schema.schemas"),
    (("fn",), "codeflare_compile.krm.parse"),
    (("argocd", "generate"), "codeflare_compile.argocd.from_environment"),
])
def test_an_internal_error_is_one_line_and_exit_3(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        args: tuple[str, ...], target: str) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(target, broken)
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    code, _, err = main(monkeypatch, capsys, *args)
    assert code == 3
    assert one_line(err) == ("codeflare-compile: internal error: RuntimeError: a bug (rerun "
                             "with --debug for details)")
    with pytest.raises(RuntimeError, match="a bug"):
        main(monkeypatch, capsys, *args, "--debug") if args[0] != "argocd" else \
            main(monkeypatch, capsys, "argocd", "generate", "--debug")


def test_a_full_disk_on_stdout(monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    """`codeflare-compile run.yaml > /dev/full` printed a traceback and exited 1."""
    for args in ((SHELL,), ("explain", SHELL), ("compile", SHELL, "--format", "json")):
        with open("/dev/full", "w") as full:
            monkeypatch.setattr(sys, "argv", ["codeflare-compile", *args])
            monkeypatch.setattr(sys, "stdout", full)
            with pytest.raises(SystemExit) as ended:
                entry.main()
            monkeypatch.undo()
        assert ended.value.code == 2
        assert one_line(capsys.readouterr().err) == (
            "codeflare-compile: cannot write to standard output: No space left on device")


def test_a_closed_stdout() -> None:
    """Started with stdout closed (`>&-`): one line, exit 2; `check` writes nothing and passes."""
    shell = [sys.executable, "-c", "import sys; sys.stdout = None; "
             "from codeflare_compile.entry import main; sys.argv[0] = 'x'; main()"]
    done = subprocess.run([*shell, SHELL], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (
        2, "codeflare-compile: cannot write to standard output: it is closed\n")
    quiet = subprocess.run([*shell, "check", SHELL], capture_output=True, text=True, check=False)
    assert (quiet.returncode, quiet.stderr) == (0, "")


def test_fn_with_input_that_is_not_utf8(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`printf 'x: "\\xff"' | codeflare-compile fn` printed a UnicodeEncodeError traceback."""
    code, out, err = main(monkeypatch, capsys, "fn", stdin=b'x: "\xff"\n')
    assert (code, out) == (2, "")
    assert one_line(err) == ("codeflare-compile: standard input is not UTF-8 text (byte 0xff at "
                             "offset 4)")


@pytest.mark.parametrize(("args", "message"), [
    (("x.yaml", "--queueing", "foo"), "invalid value for '--queueing': 'foo' is not one of "
     "'appwrapper', 'mcad', 'kueue', 'none' (see 'codeflare-compile compile --help')"),
    (("check", "x", "-j", "many"), "invalid value for '-j' / '--jobs': "),
    (("x.yaml", "--gang", "cosheduler"), "invalid value for '--gang': 'cosheduler' is not one of "
     "'coscheduler', 'none'; did you mean 'coscheduler'? (see 'codeflare-compile compile "
     "--help')"),
    (("explain",), "missing argument 'PATH' (see 'codeflare-compile explain --help')"),
    (("compile", "--nope", "x"), "no such option: --nope"),
    (("argocd", "nope"), "no such command 'nope' (see 'codeflare-compile argocd --help')"),
    (("x.yaml", "--kube-version", "foo"), "--kube-version: 'foo' is not a Kubernetes version"),
    (("x.yaml", "--jobs", "0"), "--jobs 0: give 1 or more processes"),
    (("x.yaml", "--check"), "--check needs --out-dir"),
])
def test_usage_errors_have_one_style(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str],
                                     args: tuple[str, ...], message: str) -> None:
    """The parser's errors used to be a usage block and a box; the program's a plain line."""
    code, out, err = main(monkeypatch, capsys, *args)
    assert (code, out) == (2, "")
    assert one_line(err).startswith(f"codeflare-compile: {message}")


def test_a_mistyped_command_is_named(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`codeflare-compile explian x` said `explian: no such file or folder`."""
    monkeypatch.chdir(tmp_path)
    for args in (("explian", "x"), ("chekc", "--debug", "x")):
        code, _, err = main(monkeypatch, capsys, *args)
        assert code == 2
        wanted = {"explian": "explain", "chekc": "check"}[args[0]]
        assert one_line(err) == (f"codeflare-compile: '{args[0]}' is not a command, nor a file "
                                 f"or folder; did you mean the command '{wanted}'? (see "
                                 "'codeflare-compile --help')")
    (tmp_path / "explian").mkdir()  # a folder of that name is an input, as it always was
    code, _, err = main(monkeypatch, capsys, "explian")
    assert code == 1 and "no Run found" in err


@pytest.mark.parametrize("command", ["", *COMMANDS, "argocd generate"])
def test_help_fits_80_columns_with_conventional_metavars(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = main(monkeypatch, capsys, *command.split(), "--help")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80, out
    for typer_style in ("<bool>", "<list[", "<str>", "<int>", "<path>", "{paths}", "{PATH",
                        "╭", "--no-"):
        assert typer_style not in out, (typer_style, out)
    if command in ("compile", "check", "explain"):
        assert out.startswith(f"Usage: codeflare-compile {command} [OPTIONS] PATH...\n")
        assert "-I, --include PATH" in out and "--namespace NAME" in out
        assert "--stdin-filename NAME" in out
    if command == "compile":
        assert "--out-dir DIR" in out and "-o, --output FILE" in out and "-j, --jobs N" in out


def test_pytest_shows_why_tests_are_skipped() -> None:
    import tomllib

    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]
    assert "-rs" in options["ini_options"]["addopts"].split()
