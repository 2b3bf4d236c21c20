"""The program's entry point, which routes the arguments.

`codeflare-compile PATH...` (and `compile PATH...` or `check PATH...`) with no option is what CI
and GitOps pipelines run on every commit, so it goes straight to the command's function, with
the same defaults the flags have (a test holds them equal), and never imports the command-line
library. Everything else — any option, the other commands, `--help`, shell completion — goes
through typer in `cli.py`, where `compile` is the default command.
"""

from __future__ import annotations

import os
import sys

COMMANDS = ("compile", "check", "explain", "schema", "fn", "argocd")
#: Options of the program itself: `codeflare-compile --version` does not mean `compile --version`.
ROOT_OPTIONS = frozenset({"--version", "--install-completion", "--show-completion"})
#: Set by the shell completion script; typer answers it.
COMPLETION_VARIABLE = "_CODEFLARE_COMPILE_COMPLETE"


def main() -> None:
    args = sys.argv[1:]
    if _only_paths(args):
        _run_plain(args)
        return
    first = next((a for a in args if not a.startswith("-")), None)
    if args and first not in COMMANDS and not {"-h", "--help"} & set(args) \
            and args[0] not in ROOT_OPTIONS:
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


def _run_plain(args: list[str]) -> None:
    """The command, ending as under typer: exit 130 on Ctrl-C, and exit 1 without a traceback
    when the reader of stdout goes away (`codeflare-compile run.yaml | head`)."""
    from codeflare_compile.commands import check_main, compile_main

    try:
        if args[0] == "check":
            check_main(args[1:])
        else:
            compile_main(args[1:] if args[0] == "compile" else args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        raise SystemExit(1) from None
