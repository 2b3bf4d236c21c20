"""Shared test helpers: running the CLI in-process and locating the shared CRDs."""

from __future__ import annotations

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


def without_sources(text: str) -> str:
    """Rendered YAML without its `# Source:` comments, which name the input paths as given:
    for comparing the output of the same inputs read through different paths."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith("# Source: "))
