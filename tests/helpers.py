"""Shared test helpers: writing inputs and running the CLI on them in-process, reading its
diagnostics, and locating the shared CRDs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from codeflare_compile.cli import app

REPO = Path(__file__).resolve().parents[1]
SHARED_CRDS = REPO.parent / "shared" / "crds"


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> Outcome:
    """Run `codeflare-compile ARGS` in-process; the first argument is the command."""
    import os

    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def workflow_yaml(name: str, *steps: str, indent: str = "    ") -> str:
    """A workflow Application's document, its steps one flow mapping a line
    (`{name: a, application: b}`), each list item indented by `indent`."""
    return ("apiVersion: codeflare.dev/v1alpha1\nkind: Application\n"
            f"metadata: {{name: {name}}}\nspec:\n  api: workflow\n  steps:\n"
            + "".join(f"{indent}- {step}\n" for step in steps))


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> list[str]:
    """Write `files` (relative path → text or bytes) under `folder`, making the folders on the
    way; the relative paths, sorted."""
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return sorted(files)


def compile_files(folder: Path, files: Mapping[str, str | bytes], *flags: str,
                  paths: Sequence[str] | None = (".",), command: str = "compile") -> Outcome:
    """Write `files` under `folder`, then run `codeflare-compile COMMAND PATHS FLAGS` there.

    PATHS is the folder itself unless given (diagnostics then name `./app.yaml`); None names
    the files just written (diagnostics name `app.yaml`)."""
    written = write_files(folder, files)
    return run_cli(command, *(written if paths is None else paths), *flags, cwd=folder)


def blocks(outcome: Outcome) -> list[str]:
    """The diagnostics, one text block each, without the closing count."""
    return outcome.stderr.strip().split("\n\n")[:-1]


def header_and_help(outcome: Outcome) -> tuple[str, str]:
    """The first line of the first diagnostic and its last (the help line)."""
    lines = blocks(outcome)[0].splitlines()
    return lines[0], lines[-1]


def without_sources(text: str) -> str:
    """Rendered YAML without its `# Source:` comments, which name the input paths as given:
    for comparing the output of the same inputs read through different paths."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith("# Source: "))
