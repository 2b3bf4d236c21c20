"""The command line: parse flags, run the pipeline, print objects on stdout, diagnostics on stderr.

Heavy imports (pydantic models, YAML, validators) happen inside the commands so that `--help`
and the start-up of every command stay cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from codeflare_compile.choices import (
    DatasetsBackend,
    DatashimGroup,
    Gang,
    Logging,
    OutputFormat,
    Queueing,
    TorchBackend,
)

if TYPE_CHECKING:
    from codeflare_compile.ir import Overrides
    from codeflare_compile.pipeline import Compilation

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
COMMANDS = ("compile", "check", "schema")

app = typer.Typer(
    name="codeflare-compile",
    help="Compile CodeFlare Platform job resources into Kubernetes manifests, offline.",
    add_completion=False,
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
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]


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
         allow_empty: bool, debug: bool) -> Compilation:
    """Compile and validate; print diagnostics; exit non-zero on any error."""
    from codeflare_compile.diagnostics import Severity
    from codeflare_compile.report import render_all
    from codeflare_compile.source import InputError

    if overrides.namespace is not None:
        _check_namespace(overrides.namespace)
    try:
        from codeflare_compile.pipeline import compile_paths

        result = compile_paths(paths, includes, overrides, allow_empty=allow_empty)
    except InputError as exc:
        _fail(str(exc), EXIT_USAGE)
    except Exception as exc:  # a compiler bug: say so plainly, traceback only on request
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
              EXIT_INTERNAL)
    diagnostics = result.diagnostics.sorted()
    if diagnostics:
        sys.stderr.write(render_all(diagnostics, result.sources.lines))
    if any(d.severity is Severity.ERROR for d in diagnostics):
        raise typer.Exit(EXIT_INPUT)
    _validate(result, crds, debug)
    return result


def _check_namespace(namespace: str) -> None:
    from codeflare_compile.api.common import is_dns_label

    if not is_dns_label(namespace):
        _fail(f"--namespace '{namespace}' is not a valid namespace name", EXIT_USAGE)


def _validate(result: Compilation, crds: list[Path], debug: bool) -> None:
    """Output that fails validation is a compiler bug: exit 3, print nothing on stdout."""
    from codeflare_compile import validate

    assert result.program is not None
    try:
        version = result.program.target.kube_version or validate.default_kube_version()
        crd_set = validate.load_crds(crds) if crds else None
        failures = validate.validate_objects(result.objects, kube_version=version, crds=crd_set)
    except (validate.UnsupportedKubeVersion, validate.CrdLoadError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        _fail(f"cannot read CRDs: {exc}", EXIT_USAGE)
    if failures:
        lines = [f"  {f.subject}: {f.path}: {f.message}" for f in failures]
        _fail("internal error: the output failed validation (this is a bug in "
              "codeflare-compile; please report it with the input):\n" + "\n".join(lines),
              EXIT_INTERNAL)


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
    debug: Debug = False,
) -> None:
    """Compile every Run in PATH into manifests (the default command)."""
    overrides = _overrides(namespace, queueing, gang, datasets, datashim_group, torch_backend,
                           logging, kube_version)
    result = _run(paths, include, overrides, crds, allow_empty, debug)
    from codeflare_compile.emit.yaml import dump_json_list, dump_yaml_stream

    text = dump_json_list(result.objects) if format == "json" else (
        dump_yaml_stream(result.objects) if result.objects else "")
    if output is None:
        sys.stdout.write(text)
        return
    from codeflare_compile.emit.files import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)


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
    debug: Debug = False,
) -> None:
    """Diagnose and compile in memory, validating the output; print nothing on success."""
    overrides = _overrides(namespace, queueing, gang, datasets, datashim_group, torch_backend,
                           logging, kube_version)
    _run(paths, include, overrides, crds, allow_empty=True, debug=debug)


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


def main() -> None:
    """Entry point: `compile` is the default command, as in `codeflare-compile run.yaml`."""
    args = sys.argv[1:]
    first = next((a for a in args if not a.startswith("-")), None)
    if args and first not in COMMANDS and not {"-h", "--help"} & set(args):
        args = ["compile", *args]
    app(args=args, prog_name="codeflare-compile")
