"""The command line: parse flags, run the pipeline, print objects on stdout, diagnostics on stderr.

Heavy imports (pydantic models, YAML, validators) happen inside the commands so that `--help`
and the start-up of every command stay cheap.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from codeflare_compile import commands
from codeflare_compile.choices import ExplainFormat, OutputFormat
from codeflare_compile.commands import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    DiagnosticsFormat,
    check_validation,
    compile_inputs,
    emission_for,
    fail,
    overrides_from,
    read_stdin,
    report,
)
from codeflare_compile.settings import SETTINGS

if TYPE_CHECKING:
    from codeflare_compile.pipeline import Compilation, Keep


class _Command(TyperCommand):
    """A command whose usage line reads as man pages and click's own do: `[OPTIONS] PATH...`
    (typer writes `{PATH}...`)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces


class _Program(TyperGroup):
    """Usage errors in the style of every other error of the program: one line on stderr,
    `codeflare-compile: <what is wrong> (see '<command> --help')`, exit 2 — not click's usage
    block, nor rich's box."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False  # errors come back here instead of being printed
        try:
            code = super().main(*args, **kwargs)
        except Exception as exc:
            if type(exc).__name__ == "Abort":  # end of input at a prompt
                raise SystemExit(EXIT_INPUT) from None
            if not isinstance(getattr(exc, "exit_code", None), int) or \
                    not hasattr(exc, "format_message"):  # not click's (typer vendors click)
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help, as click shows it
                exc.show()  # type: ignore[attr-defined]
                raise SystemExit(exc.exit_code) from None  # type: ignore[attr-defined]
            ctx = getattr(exc, "ctx", None)
            see = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            fail(usage_message(exc.format_message()) + see, exc.exit_code)  # type: ignore[attr-defined]
        raise SystemExit(code if isinstance(code, int) else EXIT_OK)


def usage_message(text: str) -> str:
    """click's message as a clause: `Invalid value for '--jobs': Value error, 'x' is …` →
    `invalid value for '--jobs': 'x' is …` (without pydantic's "Value error, " either), and
    did-you-mean for a choice that is close to one."""
    import re

    from codeflare_compile.diagnostics import did_you_mean

    text = text.replace("Value error, ", "").strip().rstrip(".")
    choice = re.search(r"'([^']*)' is not one of ('[^']*'(?:, '[^']*')*)", text)
    close = did_you_mean(choice[1], re.findall(r"'([^']*)'", choice[2])) if choice else None
    if close is not None:
        text += f"; did you mean '{close}'?"
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


app = typer.Typer(
    cls=_Program,
    name="codeflare-compile",
    help="Compile CodeFlare Platform job resources into Kubernetes manifests, offline.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


#: Described in each command's help text (`PATH...`), as click-based tools do.
Paths = Annotated[list[str], typer.Argument(metavar="PATH", hidden=True, show_default=False)]
StdinFilename = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--stdin-filename", metavar="NAME", help="The name diagnostics give to standard input "
    "(PATH -); default <stdin>.")]
Includes = Annotated[list[str], typer.Option(
    "-I", "--include", metavar="PATH",
    help="Files or folders that supply Applications, DataSets, Images and "
    "policies; their Runs are not compiled.")]
Crds = Annotated[list[Path], typer.Option(
    "--crds", metavar="PATH",
    help="CRD files or folders (your cluster's): custom resources of the kinds they "
    "define are validated against them instead of the bundled upstream CRDs.")]
WarningsAsErrors = Annotated[bool, typer.Option(
    "--warnings-as-errors", help="Exit 1 on warnings too (an unpinned image, an ignored queue).")]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]
DiagnosticsOpt = Annotated[DiagnosticsFormat, typer.Option(
    "--diagnostics", metavar="[text|json|github|sarif]",
    help="How diagnostics are written on stderr: text (coloured on a "
    "terminal unless NO_COLOR is set), json (one object per line), github (workflow commands "
    "that annotate pull requests) or sarif (a SARIF 2.1.0 log).")]
Jobs = Annotated[int, typer.Option(
    "-j", "--jobs", metavar="N",
    help="Lower, validate and render Runs in N processes (for thousands of "
    "Runs); the output is the same for every N.")]
SkipUnrelated = Annotated[bool, typer.Option(
    "--skip-unrelated", help="Skip input files that do not mention codeflare.dev (for hooks "
    "and CI jobs given every YAML file).")]


#: Where a command takes the target settings' flags (see `_with_settings`).
Settings = dict[str, Optional[str]]  # noqa: UP045


def _with_settings(command: Callable[..., None]) -> Callable[..., None]:
    """The command with one option per target setting (settings.SETTINGS) where its
    `settings` parameter is; typer reads the options from the signature, the command gets
    their values as `settings`, by name."""
    signature = inspect.signature(command, eval_str=True)
    options = [inspect.Parameter(
        setting.name, inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[Optional[Literal[setting.choices] if setting.choices  # noqa: UP045
                                      else str],
                             typer.Option(setting.flag, metavar=setting.shown,
                                          help=setting.help)])
        for setting in SETTINGS]
    parameters = []
    for parameter in signature.parameters.values():
        if parameter.name == "settings":
            parameters += options
        else:
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(command)
    def with_settings(**values: Any) -> None:
        settings = {s.name: values.pop(s.name) for s in SETTINGS}
        command(**values, settings=settings)

    with_settings.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters)
    with_settings.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_settings


def _version(value: bool) -> None:
    if value:
        from codeflare_compile import __version__

        typer.echo(f"codeflare-compile {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _program(
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", callback=_version, is_eager=True)
                       ] = False,
) -> None:
    """Compile CodeFlare Platform job resources into Kubernetes manifests, offline."""


@app.command("compile", cls=_Command)
@_with_settings
def compile_command(
    paths: Paths,
    include: Includes = [],  # noqa: B006 (typer reads list defaults)
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "-o", "--output", metavar="FILE",
        help="Write to FILE (atomically) instead of stdout.")] = None,
    format: Annotated[OutputFormat, typer.Option(
        "--format", metavar="[yaml|json]",
        help="Output format: a YAML stream or a JSON List.")] = "yaml",
    settings: Settings = {},  # noqa: B006 (never used: _with_settings gives it)
    crds: Crds = [],  # noqa: B006
    allow_empty: Annotated[bool, typer.Option("--allow-empty",
    help="Succeed even when no object is produced.")
                           ] = False,
    out_dir: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--out-dir", metavar="DIR",
        help="Write one file per Run (<namespace>/<run>.yaml, shared objects in "
        "<namespace>/_shared.yaml) and remove the generated files no longer produced.")
                       ] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="With --out-dir: write nothing; exit 1 listing each stale, missing or "
        "extra file.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="With --out-dir: as --check, and print a unified diff on stdout.")
                    ] = False,
    fail_on_change: Annotated[bool, typer.Option(
        "--fail-on-change", help="With --out-dir: exit 1 after writing when a file changed "
        "(for pre-commit hooks that re-render).")] = False,
    diagnostics: DiagnosticsOpt = "text",
    skip_unrelated: SkipUnrelated = False,
    warnings_as_errors: WarningsAsErrors = False,
    jobs: Jobs = 1,
    debug: Debug = False,
    stdin_filename: StdinFilename = None,
) -> None:
    """Compile every Run in the given files and folders into manifests (the default command).

    PATH is a YAML file or a folder of them (*.yaml, *.yml); - reads one YAML stream from
    standard input.
    """
    commands.compile_main(paths=paths, include=include, output=output, format=format,
                          settings=settings, crds=crds,
                          allow_empty=allow_empty, out_dir=out_dir, check=check, diff=diff,
                          fail_on_change=fail_on_change, diagnostics=diagnostics,
                          skip_unrelated=skip_unrelated, warnings_as_errors=warnings_as_errors,
                          jobs=jobs, debug=debug, stdin_filename=stdin_filename)


@app.command("check", cls=_Command)
@_with_settings
def check_command(
    paths: Paths,
    include: Includes = [],  # noqa: B006
    settings: Settings = {},  # noqa: B006 (never used: _with_settings gives it)
    crds: Crds = [],  # noqa: B006
    diagnostics: DiagnosticsOpt = "text",
    skip_unrelated: SkipUnrelated = False,
    warnings_as_errors: WarningsAsErrors = False,
    jobs: Jobs = 1,
    debug: Debug = False,
    stdin_filename: StdinFilename = None,
) -> None:
    """Diagnose and compile in memory, validating the output; print nothing on success.

    PATH is a YAML file or a folder of them (*.yaml, *.yml); - reads one YAML stream from
    standard input.

    Made for pre-commit and CI: give it the changed files and, with -I, the folders their
    references resolve in. Files the compiler wrote (--out-dir, -o, stdout redirected to a
    file: their first line is its marker) are never read as input.
    """
    commands.check_main(paths=paths, include=include, settings=settings,
                        crds=crds, diagnostics=diagnostics, skip_unrelated=skip_unrelated,
                        warnings_as_errors=warnings_as_errors, jobs=jobs, debug=debug,
                        stdin_filename=stdin_filename)


@app.command("explain", cls=_Command)
@_with_settings
def explain_command(
    paths: Paths,
    include: Includes = [],  # noqa: B006
    run: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--run", metavar="NAME", help="Explain only the Run with this name.")] = None,
    format: Annotated[ExplainFormat, typer.Option(
        "--format", metavar="[text|json]",
        help="A report for people, or JSON for machines.")] = "text",
    settings: Settings = {},  # noqa: B006 (never used: _with_settings gives it)
    debug: Debug = False,
    stdin_filename: StdinFilename = None,
) -> None:
    """Why each size, resource, dataset, image and target was chosen, and where it came from.

    PATH is a YAML file or a folder of them (*.yaml, *.yml); - reads one YAML stream from
    standard input. A workflow Run is explained with each of its steps.
    """
    result = compile_inputs(paths, include, overrides_from(settings), allow_empty=True, debug=debug,
                            stdin_filename=stdin_filename)
    report(result)
    from codeflare_compile.diagnostics import suggestion
    from codeflare_compile.explain import explain, render_json, render_text

    records = explain(result, run)
    if run is not None and not records:
        names = [p.name for p in result.plans]
        fail(f"no Run named '{run}': {suggestion(run, names, 'Run')}", EXIT_USAGE)
    sys.stdout.write(render_json(records) if format == "json" else render_text(records))


@app.command("schema")
def schema_command(
    out_dir: Annotated[Path, typer.Option(
        "--out-dir", metavar="DIR", help="Folder to write the schemas to.")
                       ] = Path("schemas"),
    debug: Debug = False,  # read by entry.main, which reports errors for every command
) -> None:
    """Write draft-07 JSON Schemas of the input API (for yaml-language-server and editors)."""
    from codeflare_compile.emit.files import write_atomic
    from codeflare_compile.schema import schemas

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in schemas().items():
            write_atomic(out_dir / name, text)
    except OSError as exc:
        fail(f"cannot write schemas to {out_dir}: {exc.strerror or exc}", EXIT_USAGE)


@app.command("fn")
def fn_command(
    include: Includes = [],  # noqa: B006
    crds: Crds = [],  # noqa: B006
    debug: Debug = False,
) -> None:
    """KRM function: read a ResourceList on stdin, write it back with codeflare.dev items
    rendered (for kustomize and kpt; see docs/integrations/krm.md)."""
    from codeflare_compile import krm
    from codeflare_compile.settings import SettingsError

    raw = read_stdin(None).data
    try:
        request = krm.parse(raw.decode("utf-8"))
        prepared = krm.prepare(request)
    except UnicodeDecodeError as exc:
        fail(f"standard input is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
             f"{exc.start})", EXIT_USAGE)
    except (krm.FnInputError, SettingsError) as exc:
        fail(str(exc), EXIT_USAGE)
    result = compile_inputs([], include, prepared.overrides, allow_empty=True, debug=debug,
                            emission=emission_for(crds, "objects"), texts=prepared.texts)
    if not result.diagnostics.has_errors:
        check_validation(result)
    output, stderr, failed = krm.respond(request, prepared, result)
    sys.stdout.write(output)
    sys.stderr.write(stderr)
    if failed:
        raise typer.Exit(EXIT_INPUT)


argocd_app = typer.Typer(
    name="argocd", no_args_is_help=True,
    help="Argo CD Config Management Plugin steps, run by the sidecar in the Application's "
    "source folder (see integrations/argocd/plugin.yaml).")
app.add_typer(argocd_app, name="argocd")


def _argocd(allow_empty: bool, debug: bool, keep: Keep) -> Compilation:
    """Compile the Application's inputs with its parameters over the Platform, over what its
    cluster serves."""
    import os

    from codeflare_compile import argocd
    from codeflare_compile.settings import SettingsError

    try:
        settings = argocd.from_environment(os.environ)
    except SettingsError as exc:
        fail(str(exc), EXIT_USAGE)
    for note in settings.notes:
        typer.echo(f"codeflare-compile: note: {note}", err=True)
    result = compile_inputs(settings.paths, settings.includes, settings.overrides,
                            allow_empty, debug, emission=emission_for([], keep),
                            fallbacks=argocd.cluster_defaults(settings))
    for warning in argocd.warnings(settings, result.program.target.queueing):
        typer.echo(f"codeflare-compile: warning: {warning}", err=True)
    report(result)
    check_validation(result)
    return result


@argocd_app.command("init")
def argocd_init(debug: Debug = False) -> None:
    """The plugin's init step: check the inputs as `generate` will compile them."""
    _argocd(allow_empty=True, debug=debug, keep="none")


@argocd_app.command("generate")
def argocd_generate(debug: Debug = False) -> None:
    """The plugin's generate step: the rendered objects on stdout, never an empty stream."""
    from codeflare_compile.public_api import yaml_chunks

    sys.stdout.writelines(yaml_chunks(_argocd(allow_empty=False, debug=debug, keep="yaml")))
