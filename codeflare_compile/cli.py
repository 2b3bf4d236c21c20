"""The command line: parse flags, run the pipeline, print objects on stdout, diagnostics on stderr.

Heavy imports (pydantic models, YAML, validators) happen inside the commands so that `--help`
and the start-up of every command stay cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn, Optional

import typer

from codeflare_compile.choices import (
    DatasetsBackend,
    DatashimGroup,
    ExplainFormat,
    Gang,
    Logging,
    OutputFormat,
    Queueing,
    TorchBackend,
)

if TYPE_CHECKING:
    from codeflare_compile.ir import Overrides
    from codeflare_compile.pipeline import Compilation, Finish

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
#: `report.DiagnosticsFormat`, repeated here so that starting the program does not import it.
DiagnosticsFormat = Literal["text", "json", "github", "sarif"]
COMMANDS = ("compile", "check", "explain", "schema", "fn", "argocd")
#: Options of the program itself: `codeflare-compile --version` does not mean `compile --version`.
ROOT_OPTIONS = frozenset({"--version", "--install-completion", "--show-completion"})

app = typer.Typer(
    name="codeflare-compile",
    help="Compile CodeFlare Platform job resources into Kubernetes manifests, offline.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


Paths = Annotated[list[str], typer.Argument(help="Input files or folders (*.yaml, *.yml).",
                                            show_default=False)]
Includes = Annotated[list[str], typer.Option(
    "-I", "--include", help="Files or folders that supply Applications, DataSets, Images and "
    "policies; their Runs are not compiled.")]
Namespace = Annotated[Optional[str], typer.Option(  # noqa: UP045 (typer needs Optional)
    help="Namespace for resources that set none (default: the Platform's, else 'default').")]
QueueingOpt = Annotated[Optional[Queueing], typer.Option(  # noqa: UP045
    "--queueing", help="Override the Platform's queueing.")]
GangOpt = Annotated[Optional[Gang], typer.Option(  # noqa: UP045
    "--gang", help="Override the Platform's gang scheduling.")]
DatasetsOpt = Annotated[Optional[DatasetsBackend], typer.Option(  # noqa: UP045
    "--datasets", help="Override the Platform's datasets backend.")]
TorchBackendOpt = Annotated[Optional[TorchBackend], typer.Option(  # noqa: UP045
    "--torch-backend", help="How torch Runs are lowered: an Indexed Job (no operator) or a "
    "Kubeflow PyTorchJob.")]
DatashimGroupOpt = Annotated[Optional[DatashimGroup], typer.Option(  # noqa: UP045
    "--datashim-group", help="API group of Datashim Datasets (com.ie.ibm.hpsys for Datashim "
    "0.3 and older).")]
LoggingOpt = Annotated[Optional[Logging], typer.Option(  # noqa: UP045
    "--logging", help="Override the Platform's logging.")]
KubeVersion = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--kube-version", help="Kubernetes version X.Y whose schemas validate the output.")]
Crds = Annotated[list[Path], typer.Option(
    "--crds", help="CRD files or folders: custom resources in the output are validated "
    "against them.")]
WarningsAsErrors = Annotated[bool, typer.Option(
    "--warnings-as-errors", help="Exit 1 on warnings too (an unpinned image, an ignored queue).")]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]
DiagnosticsOpt = Annotated[DiagnosticsFormat, typer.Option(
    "--diagnostics", help="How diagnostics are written on stderr: text (coloured on a "
    "terminal unless NO_COLOR is set), json (one object per line), github (workflow commands "
    "that annotate pull requests) or sarif (a SARIF 2.1.0 log).")]
Jobs = Annotated[int, typer.Option(
    "-j", "--jobs", help="Lower, validate and render Runs in N processes (for thousands of "
    "Runs); the output is the same for every N.")]
SkipUnrelated = Annotated[bool, typer.Option(
    "--skip-unrelated", help="Skip input files that do not mention codeflare.dev (for hooks "
    "and CI jobs given every YAML file).")]


def _overrides(namespace: str | None, queueing: Queueing | None, gang: Gang | None,
               datasets: DatasetsBackend | None, datashim_group: DatashimGroup | None,
               torch_backend: TorchBackend | None, logging: Logging | None,
               kube_version: str | None) -> Overrides:
    from codeflare_compile.ir import Overrides

    return Overrides(queueing=queueing, gang=gang, datasets=datasets,
                     datashim_group=datashim_group, torch_backend=torch_backend, logging=logging,
                     kube_version=kube_version, namespace=namespace)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"codeflare-compile: {message}", err=True)
    raise typer.Exit(code)


def _run(paths: list[str], includes: list[str], overrides: Overrides, crds: list[Path],
         allow_empty: bool, debug: bool, *, diagnostics: DiagnosticsFormat = "text",
         skip_unrelated: bool = False, strict: bool = False, render: bool = False,
         jobs: int = 1) -> Compilation:
    """Compile and validate (with `render`, into YAML text); print diagnostics; exit non-zero
    on any error."""
    result = _compile(paths, includes, overrides, allow_empty, debug, skip_unrelated,
                      finish=_finish(crds, render), jobs=jobs)
    _report(result, diagnostics, strict=strict)
    _validate(result)
    return result


def _finish(crds: list[Path], render: bool) -> Finish:
    """Validation against the bundled schemas and `crds`; a CRD path that cannot be read is a
    usage error."""
    from codeflare_compile.pipeline import Finish

    if not crds:
        return Finish(validate=True, render=render)
    from codeflare_compile import validate

    try:
        return Finish(validate=True, crds=validate.load_crds(crds), render=render)
    except validate.CrdLoadError as exc:
        _fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        _fail(f"cannot read CRDs: {exc}", EXIT_USAGE)


def _select(paths: list[str], skip_unrelated: bool) -> list[str]:
    """The input files: folders expanded, files written by --out-dir left out (they are output,
    never input), and with --skip-unrelated files that do not mention codeflare.dev."""
    from codeflare_compile.emit.outdir import is_generated
    from codeflare_compile.source import discover

    selected = []
    for file in discover(paths):
        if is_generated(file):
            continue
        if skip_unrelated:
            try:
                with open(file, "rb") as handle:
                    if b"codeflare.dev" not in handle.read():
                        continue
            except OSError:
                pass  # the loader reports it
        selected.append(file)
    return selected


def _compile(paths: list[str], includes: list[str], overrides: Overrides, allow_empty: bool,
             debug: bool, skip_unrelated: bool = False, finish: Finish | None = None,
             jobs: int = 1) -> Compilation:
    """Select the inputs and run the pipeline; usage and internal errors exit here."""
    from codeflare_compile.source import InputError

    if overrides.namespace is not None:
        _check_namespace(overrides.namespace)
    try:
        from codeflare_compile.pipeline import Finish, compile_paths

        return compile_paths(_select(paths, skip_unrelated), _select(includes, skip_unrelated),
                             overrides, allow_empty=allow_empty, finish=finish or Finish(),
                             jobs=jobs)
    except InputError as exc:
        _fail(str(exc), EXIT_USAGE)
    except Exception as exc:  # a compiler bug: say so plainly, traceback only on request
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
              EXIT_INTERNAL)


def _report(result: Compilation, fmt: DiagnosticsFormat = "text", *, strict: bool = False
            ) -> None:
    """Write the diagnostics on stderr in `fmt`; exit 1 when one of them is an error (or, with
    `strict`, a warning)."""
    from codeflare_compile.diagnostics import Severity
    from codeflare_compile.report import render, use_color

    diagnostics = result.diagnostics.sorted()
    if diagnostics or fmt == "sarif":  # a SARIF log is written even when it has no result
        sys.stderr.write(render(diagnostics, result.sources.lines, fmt,
                                color=fmt == "text" and use_color(sys.stderr)))
    if any(d.severity is Severity.ERROR or strict for d in diagnostics):
        raise typer.Exit(EXIT_INPUT)


def _check_namespace(namespace: str) -> None:
    from codeflare_compile.api.common import is_dns_label

    if not is_dns_label(namespace):
        _fail(f"--namespace '{namespace}' is not a valid namespace name", EXIT_USAGE)


def _validate(result: Compilation) -> None:
    """Output that could not be validated is a usage error (exit 2); output that fails
    validation is a compiler bug (exit 3); either way nothing is printed on stdout."""
    if result.validation_error is not None:
        _fail(result.validation_error, EXIT_USAGE)
    failures = result.failures
    if failures:
        lines = [f"  {f.subject}: {f.path}: {f.message}" for f in failures]
        _fail("internal error: the output failed validation (this is a bug in "
              "codeflare-compile; please report it with the input):\n" + "\n".join(lines),
              EXIT_INTERNAL)


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


@app.command("compile")
def compile_command(
    paths: Paths,
    include: Includes = [],  # noqa: B006 (typer reads list defaults)
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "-o", "--output", help="Write to FILE (atomically) instead of stdout.")] = None,
    format: Annotated[OutputFormat, typer.Option(
        help="Output format: a YAML stream or a JSON List.")] = "yaml",
    namespace: Namespace = None,
    queueing: QueueingOpt = None,
    gang: GangOpt = None,
    datasets: DatasetsOpt = None,
    datashim_group: DatashimGroupOpt = None,
    torch_backend: TorchBackendOpt = None,
    logging: LoggingOpt = None,
    kube_version: KubeVersion = None,
    crds: Crds = [],  # noqa: B006
    allow_empty: Annotated[bool, typer.Option(help="Succeed even when no object is produced.")
                           ] = False,
    out_dir: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--out-dir", help="Write one file per Run (<namespace>/<run>.yaml, shared objects in "
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
) -> None:
    """Compile every Run in PATH into manifests (the default command)."""
    _check_output_flags(output, out_dir, format, check=check, diff=diff,
                        fail_on_change=fail_on_change)
    overrides = _overrides(namespace, queueing, gang, datasets, datashim_group, torch_backend,
                           logging, kube_version)
    _check_jobs(jobs)
    result = _run(paths, include, overrides, crds, allow_empty, debug, diagnostics=diagnostics,
                  skip_unrelated=skip_unrelated, strict=warnings_as_errors,
                  render=format == "yaml", jobs=jobs)
    if out_dir is not None:
        _write_out_dir(result, out_dir, check=check or diff, diff=diff,
                       fail_on_change=fail_on_change)
        return
    from codeflare_compile.emit.yaml import dump_json_list

    chunks = [dump_json_list(result.objects)] if format == "json" else _yaml_chunks(result)
    if output is None:
        sys.stdout.writelines(chunks)
        return
    from codeflare_compile.emit.files import write_atomic

    try:
        write_atomic(output, chunks)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)


def _check_jobs(jobs: int) -> None:
    if jobs < 1:
        _fail(f"--jobs {jobs}: give 1 or more processes", EXIT_USAGE)


def _yaml_chunks(result: Compilation) -> list[str]:
    """The YAML stream of a rendered compilation, in pieces: shared objects, then each Run."""
    from codeflare_compile.emit.yaml import dump_yaml_stream

    shared = [dump_yaml_stream(result.shared)] if result.shared else []
    return shared + [run.text for run in result.runs]


def _check_output_flags(output: Path | None, out_dir: Path | None, format: str, *, check: bool,
                        diff: bool, fail_on_change: bool) -> None:
    """Combinations of output flags that make no sense are usage errors, before any work."""
    if output is not None and out_dir is not None:
        _fail("-o/--output and --out-dir cannot be used together", EXIT_USAGE)
    if out_dir is None:
        for flag, given in (("--check", check), ("--diff", diff),
                            ("--fail-on-change", fail_on_change)):
            if given:
                _fail(f"{flag} needs --out-dir", EXIT_USAGE)
        return
    if format != "yaml":
        _fail("--out-dir writes YAML files; --format json applies to stdout and -o only",
              EXIT_USAGE)
    if fail_on_change and (check or diff):
        _fail("--fail-on-change writes the folder; --check and --diff never do", EXIT_USAGE)
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out-dir {out_dir}: not a folder", EXIT_USAGE)


def _write_out_dir(result: Compilation, out_dir: Path, *, check: bool, diff: bool,
                   fail_on_change: bool) -> None:
    """Bring DIR up to date (or, with --check, say how it differs); see emit/outdir.py."""
    from codeflare_compile.emit.outdir import (
        OutDirError,
        RunFile,
        apply,
        layout,
        plan,
        unified_diff,
    )

    runs = [RunFile(run.plan.namespace, run.plan.name, run.text) for run in result.runs]
    shown = str(out_dir)
    try:
        state = plan(out_dir, layout(runs, result.shared))
    except OutDirError as exc:
        _fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        _fail(f"cannot read {shown}: {exc.strerror or exc}", EXIT_USAGE)
    if state.conflicts:
        _fail(f"{shown} holds files codeflare-compile did not generate where its output goes "
              "(their first line is not the marker): "
              + ", ".join(f"{shown}/{rel}" for rel in state.conflicts)
              + "; move them away or delete them", EXIT_USAGE)
    if check:
        if diff:
            sys.stdout.write(unified_diff(state, shown))
        if not state.up_to_date:
            counts = {kind: sum(1 for _, k in state.changes if k == kind)
                      for kind in ("stale", "missing", "extra")}
            lines = [f"{shown}/{rel}: {_CHANGE_TEXT[kind]}" for rel, kind in state.changes]
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
            typer.echo("\n".join(lines), err=True)
            _fail(f"{shown} is out of date ({summary}); run the same command without --check "
                  "or --diff to update it", EXIT_INPUT)
        return
    try:
        changed = apply(state)
    except OutDirError as exc:
        _fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        where = exc.filename or shown
        _fail(f"cannot write to {where}: {exc.strerror or exc} (nothing was changed)", EXIT_USAGE)
    if fail_on_change and changed:
        typer.echo("\n".join(f"{shown}/{rel}: {what}" for rel, what in changed), err=True)
        _fail(f"{shown} was out of date and has been re-rendered; review and commit the "
              "changes", EXIT_INPUT)


_CHANGE_TEXT = {
    "stale": "stale (differs from what codeflare-compile produces)",
    "missing": "missing",
    "extra": "extra (generated earlier, no longer produced)",
}


@app.command("check")
def check_command(
    paths: Paths,
    include: Includes = [],  # noqa: B006
    namespace: Namespace = None,
    queueing: QueueingOpt = None,
    gang: GangOpt = None,
    datasets: DatasetsOpt = None,
    datashim_group: DatashimGroupOpt = None,
    torch_backend: TorchBackendOpt = None,
    logging: LoggingOpt = None,
    kube_version: KubeVersion = None,
    crds: Crds = [],  # noqa: B006
    diagnostics: DiagnosticsOpt = "text",
    skip_unrelated: SkipUnrelated = False,
    warnings_as_errors: WarningsAsErrors = False,
    jobs: Jobs = 1,
    debug: Debug = False,
) -> None:
    """Diagnose and compile in memory, validating the output; print nothing on success.

    Made for pre-commit and CI: give it the changed files and, with -I, the folders their
    references resolve in. Files written by --out-dir are never read as input.
    """
    overrides = _overrides(namespace, queueing, gang, datasets, datashim_group, torch_backend,
                           logging, kube_version)
    _check_jobs(jobs)
    _run(paths, include, overrides, crds, allow_empty=True, debug=debug, diagnostics=diagnostics,
         skip_unrelated=skip_unrelated, strict=warnings_as_errors, jobs=jobs)


@app.command("explain")
def explain_command(
    paths: Paths,
    include: Includes = [],  # noqa: B006
    run: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--run", help="Explain only the Run with this name.")] = None,
    format: Annotated[ExplainFormat, typer.Option(
        help="A report for people, or JSON for machines.")] = "text",
    namespace: Namespace = None,
    queueing: QueueingOpt = None,
    gang: GangOpt = None,
    datasets: DatasetsOpt = None,
    datashim_group: DatashimGroupOpt = None,
    torch_backend: TorchBackendOpt = None,
    logging: LoggingOpt = None,
    kube_version: KubeVersion = None,
    debug: Debug = False,
) -> None:
    """Why each size, resource, dataset, image and target was chosen, and where it came from."""
    overrides = _overrides(namespace, queueing, gang, datasets, datashim_group, torch_backend,
                           logging, kube_version)
    result = _compile(paths, include, overrides, allow_empty=True, debug=debug)
    _report(result)
    from codeflare_compile.diagnostics import suggestion
    from codeflare_compile.explain import explain, render_json, render_text

    records = explain(result, run)
    if run is not None and not records:
        names = [r.plan.name for r in result.runs]
        _fail(f"no Run named '{run}': {suggestion(run, names, 'Run')}", EXIT_USAGE)
    sys.stdout.write(render_json(records) if format == "json" else render_text(records))


@app.command("schema")
def schema_command(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder to write the schemas to.")
                       ] = Path("schemas"),
) -> None:
    """Write draft-07 JSON Schemas of the input API (for yaml-language-server and editors)."""
    from codeflare_compile.emit.files import write_atomic
    from codeflare_compile.schema import schemas

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in schemas().items():
            write_atomic(out_dir / name, text)
    except OSError as exc:
        _fail(f"cannot write schemas to {out_dir}: {exc.strerror or exc}", EXIT_USAGE)


@app.command("fn")
def fn_command(
    include: Includes = [],  # noqa: B006
    crds: Crds = [],  # noqa: B006
    debug: Debug = False,
) -> None:
    """KRM function: read a ResourceList on stdin, write it back with codeflare.dev items
    rendered (for kustomize and kpt; see docs/integrations/krm.md)."""
    import tempfile

    from codeflare_compile import krm
    from codeflare_compile.settings import SettingsError

    try:
        request = krm.parse(sys.stdin.read())
    except krm.FnInputError as exc:
        _fail(str(exc), EXIT_USAGE)
    with tempfile.TemporaryDirectory(prefix="codeflare-fn-") as folder:
        try:
            prepared = krm.prepare(request, Path(folder))
        except (krm.FnInputError, SettingsError) as exc:
            _fail(str(exc), EXIT_USAGE)
        except OSError as exc:
            _fail(f"cannot write a temporary file: {exc.strerror or exc}", EXIT_USAGE)
        result = _compile(prepared.paths, include, prepared.overrides, allow_empty=True,
                          debug=debug, finish=_finish(crds, render=False))
        if not result.diagnostics.has_errors:
            _validate(result)
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


def _argocd(allow_empty: bool, debug: bool, render: bool) -> Compilation:
    """Compile the Application's inputs with its parameters and its cluster's capabilities."""
    import os

    from codeflare_compile import argocd
    from codeflare_compile.settings import SettingsError

    try:
        settings = argocd.from_environment(os.environ)
    except SettingsError as exc:
        _fail(str(exc), EXIT_USAGE)
    for note in settings.notes:
        typer.echo(f"codeflare-compile: note: {note}", err=True)
    finish = _finish([], render)
    result = _compile(settings.paths, settings.includes, settings.overrides, allow_empty, debug,
                      finish=finish)
    if result.program is not None:
        chosen = argocd.cluster_overrides(settings, result.program)
        if chosen != settings.overrides:
            result = _compile(settings.paths, settings.includes, chosen, allow_empty, debug,
                              finish=finish)
        if result.program is not None:
            for warning in argocd.warnings(settings, result.program.target.queueing):
                typer.echo(f"codeflare-compile: warning: {warning}", err=True)
    _report(result)
    _validate(result)
    return result


@argocd_app.command("init")
def argocd_init(debug: Debug = False) -> None:
    """The plugin's init step: check the inputs as `generate` will compile them."""
    _argocd(allow_empty=True, debug=debug, render=False)


@argocd_app.command("generate")
def argocd_generate(debug: Debug = False) -> None:
    """The plugin's generate step: the rendered objects on stdout, never an empty stream."""
    sys.stdout.writelines(_yaml_chunks(_argocd(allow_empty=False, debug=debug, render=True)))


def main() -> None:
    """Entry point: `compile` is the default command, as in `codeflare-compile run.yaml`."""
    args = sys.argv[1:]
    first = next((a for a in args if not a.startswith("-")), None)
    if args and first not in COMMANDS and not {"-h", "--help"} & set(args) \
            and args[0] not in ROOT_OPTIONS:
        args = ["compile", *args]
    app(args=args, prog_name="codeflare-compile")
