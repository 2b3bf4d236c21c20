"""The program's entry point, which routes the arguments and ends every command the same way.

`codeflare-compile PATH...` (and `compile PATH...` or `check PATH...`) with no option is what CI
and GitOps pipelines run on every commit, so it goes straight to the command's function, with
the same defaults the flags have (a test holds them equal), and never imports the command-line
library. Everything else — any option, the other commands, `--help`, shell completion — goes
through typer in `cli.py`, where `compile` is the default command.

However a command ends, no traceback is shown unless `--debug` is given: Ctrl-C exits 130; a
reader of stdout that goes away (`| head`) exits 1 quietly; stdout that cannot be written (a
full disk, a closed descriptor) exits 2 with one line saying so; anything unexpected is an
internal error, exit 3.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

from codeflare_compile.commands import EXIT_INPUT, EXIT_INTERNAL, EXIT_USAGE, internal_error

COMMANDS = ("compile", "check", "explain", "schema", "fn", "argocd")
#: Options of the program itself: `codeflare-compile --version` does not mean `compile --version`.
ROOT_OPTIONS = frozenset({"--version", "--install-completion", "--show-completion"})
#: Set by the shell completion script; typer answers it.
COMPLETION_VARIABLE = "_CODEFLARE_COMPILE_COMPLETE"
EXIT_INTERRUPTED = 130


def main() -> None:
    args = sys.argv[1:]
    if sys.stdout is None:  # started with stdout closed (`>&-`): fail when writing, not before
        sys.stdout = _Closed()
    try:
        try:
            _route(args)
        except SystemExit as exit_:
            code: Any = exit_.code
        else:
            code = 0
        sys.stdout.flush()  # here, where a failure can still be reported
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        _discard_stdout()
        code = EXIT_INPUT
    except OSError as exc:
        if "--debug" in args:
            raise
        _discard_stdout()
        code = _say(f"cannot write to standard output: {exc.strerror or exc}"
                    if exc.filename is None else f"{exc.filename}: {exc.strerror or exc}",
                    EXIT_USAGE)
    except Exception as exc:  # a compiler bug: say so plainly, traceback only on request
        if "--debug" in args:
            raise
        code = _say(internal_error(exc), EXIT_INTERNAL)
    raise SystemExit(code)


def _say(message: str, code: int) -> int:
    sys.stderr.write(f"codeflare-compile: {message}\n")
    return code


def _discard_stdout() -> None:
    """What is left in stdout's buffer goes nowhere, so that flushing it at exit does not fail
    a second time."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Closed(io.TextIOBase):
    """Standard output when the program was started without one: writing to it fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "it is closed")


def _route(args: list[str]) -> None:
    if _only_paths(args):
        _suggest_command(args[0])
        _run_plain(args)
        return
    first = next((a for a in args if not a.startswith("-") or a == "-"), None)
    if args and first not in COMMANDS and not {"-h", "--help"} & set(args) \
            and args[0] not in ROOT_OPTIONS:
        if first is not None and first == args[0]:
            _suggest_command(first)
        args = ["compile", *args]
    from codeflare_compile.cli import app

    app(args=args, prog_name="codeflare-compile")


def _only_paths(args: list[str]) -> bool:
    """PATH..., `compile PATH...` or `check PATH...`, without any option."""
    if not args or COMPLETION_VARIABLE in os.environ or any(a.startswith("-") for a in args):
        return False
    if args[0] in ("compile", "check"):
        return len(args) > 1
    return args[0] not in COMMANDS


def _suggest_command(word: str) -> None:
    """A first argument that is no file but is close to a command's name was meant as the
    command (`explian x`): a usage error that says which."""
    if os.path.lexists(word) or word in COMMANDS:
        return
    from codeflare_compile.diagnostics import did_you_mean

    close = did_you_mean(word, COMMANDS)
    if close is not None:
        raise SystemExit(_say(f"'{word}' is not a command, nor a file or folder; did you mean "
                              f"the command '{close}'? (see 'codeflare-compile --help')",
                              EXIT_USAGE))


def _run_plain(args: list[str]) -> None:
    """The command without typer."""
    from codeflare_compile.commands import check_main, compile_main

    if args[0] == "check":
        check_main(args[1:])
    else:
        compile_main(args[1:] if args[0] == "compile" else args)
