"""What the commands do, apart from parsing their flags: compile, report, validate, write.

Kept free of typer so that the common invocation, `codeflare-compile PATH...` with no option,
starts without the command-line library (see `entry.py`); `cli.py` maps flags onto these
functions.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn

if TYPE_CHECKING:
    from codeflare_compile.choices import OutputFormat
    from codeflare_compile.emit.outdir import RunFile
    from codeflare_compile.pipeline import Compilation, Emission, Keep
    from codeflare_compile.settings import Overrides
    from codeflare_compile.source import Stdin

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
#: `report.DiagnosticsFormat`, repeated here so that starting the program does not import it.
DiagnosticsFormat = Literal["text", "json", "github", "sarif"]
#: The target settings' flags by setting name (settings.SETTINGS); None: not given.
Settings = Mapping[str, "str | None"]


def compile_main(
    paths: list[str], include: list[str] | None = None, output: Path | None = None,
    format: OutputFormat = "yaml", settings: Settings | None = None,
    crds: list[Path] | None = None, allow_empty: bool = False,
    out_dir: Path | None = None, check: bool = False, diff: bool = False,
    fail_on_change: bool = False, diagnostics: DiagnosticsFormat = "text",
    skip_unrelated: bool = False, warnings_as_errors: bool = False, jobs: int = 1,
    debug: bool = False, stdin_filename: str | None = None,
) -> None:
    """`compile`: every Run in `paths` into manifests (see cli.compile_command); `settings`
    are the target settings' flags by name (settings.SETTINGS)."""
    include, crds = include or [], crds or []
    check_output_flags(output, out_dir, format, check=check, diff=diff,
                       fail_on_change=fail_on_change)
    overrides = overrides_from(settings or {})
    check_jobs(jobs)
    result = run(paths, include, overrides, crds, allow_empty, debug, diagnostics=diagnostics,
                 skip_unrelated=skip_unrelated, strict=warnings_as_errors,
                 keep="yaml" if format == "yaml" else "objects", jobs=jobs,
                 stdin_filename=stdin_filename, out_dir=out_dir,
                 note_skipped=diagnostics == "text")
    if out_dir is not None:
        write_out_dir(result, out_dir, check=check or diff, diff=diff,
                      fail_on_change=fail_on_change)
        return
    from codeflare_compile.emit.yaml import dump_json_list
    from codeflare_compile.public_api import yaml_chunks

    chunks = [dump_json_list(result.objects)] if format == "json" else yaml_chunks(result)
    if format == "yaml" and (output is not None or _stdout_is_a_file()):
        from codeflare_compile.emit.outdir import MARKER

        chunks = [f"{MARKER}\n", *chunks]  # never read back as input (see `select`)
    if output is None:
        sys.stdout.writelines(chunks)
        return
    from codeflare_compile.emit.files import write_atomic

    try:
        write_atomic(output, chunks)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)


def check_main(
    paths: list[str], include: list[str] | None = None, settings: Settings | None = None,
    crds: list[Path] | None = None,
    diagnostics: DiagnosticsFormat = "text", skip_unrelated: bool = False,
    warnings_as_errors: bool = False, jobs: int = 1, debug: bool = False,
    stdin_filename: str | None = None,
) -> None:
    """`check`: compile and validate in memory, print nothing on success."""
    include, crds = include or [], crds or []
    overrides = overrides_from(settings or {})
    check_jobs(jobs)
    run(paths, include, overrides, crds, allow_empty=True, debug=debug, diagnostics=diagnostics,
        skip_unrelated=skip_unrelated, strict=warnings_as_errors, jobs=jobs,
        stdin_filename=stdin_filename)


def overrides_from(settings: Settings) -> Overrides:
    """The settings' flags as `Overrides`; a value that cannot be used is a usage error."""
    from codeflare_compile.settings import SettingsError, parse

    try:
        return parse(settings, lambda setting: setting.flag)
    except SettingsError as exc:
        fail(str(exc), EXIT_USAGE)


def internal_error(exc: BaseException) -> str:
    """What a compiler bug is reported as, without `--debug`."""
    return f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)"


def fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"codeflare-compile: {message}\n")
    raise SystemExit(code)


def run(paths: list[str], includes: list[str], overrides: Overrides, crds: list[Path],
        allow_empty: bool, debug: bool, *, diagnostics: DiagnosticsFormat = "text",
        skip_unrelated: bool = False, strict: bool = False, keep: Keep = "none",
        jobs: int = 1, stdin_filename: str | None = None, out_dir: Path | None = None,
        note_skipped: bool = False) -> Compilation:
    """Compile and validate, keeping `keep` of each Run (see `Emission`); print diagnostics;
    exit non-zero on any error."""
    result = compile_inputs(paths, includes, overrides, allow_empty, debug, skip_unrelated,
                            emission=emission_for(crds, keep), jobs=jobs,
                            stdin_filename=stdin_filename, out_dir=out_dir,
                            note_skipped=note_skipped)
    report(result, diagnostics, strict=strict)
    check_validation(result)
    return result


def emission_for(crds: list[Path], keep: Keep) -> Emission:
    """Validation against the bundled schemas and `crds`; a CRD path that cannot be read is a
    usage error."""
    from codeflare_compile.pipeline import Emission

    if not crds:
        return Emission(validate=True, keep=keep)
    from codeflare_compile import validate

    try:
        return Emission(validate=True, crds=validate.load_crds(crds), keep=keep)
    except validate.CrdLoadError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        fail(f"cannot read CRDs: {exc}", EXIT_USAGE)


def compile_inputs(paths: list[str], includes: list[str], overrides: Overrides, allow_empty: bool,
                   debug: bool, skip_unrelated: bool = False, emission: Emission | None = None,
                   jobs: int = 1, stdin_filename: str | None = None,
                   out_dir: Path | None = None, note_skipped: bool = True,
                   texts: Mapping[str, str] | None = None,
                   fallbacks: Overrides | None = None) -> Compilation:
    """Select the inputs and compile them (as the Python API does, with `texts` in memory and
    `fallbacks` under the Platform); usage and internal errors exit here. With `note_skipped`,
    a note names the inputs left out because the compiler wrote them (but for those in
    `out_dir`, which this run rewrites anyway)."""
    from codeflare_compile.source import MAX_FILE_BYTES, STDIN, InputError

    if STDIN in includes:
        fail("-I -: standard input can be a PATH, not an -I path", EXIT_USAGE)
    stdin = read_stdin(stdin_filename, MAX_FILE_BYTES) if STDIN in paths else None
    try:
        from codeflare_compile.pipeline import Emission, compile_paths
        from codeflare_compile.public_api import select
        from codeflare_compile.settings import Overrides

        skipped: list[str] = []
        files = select(paths, skip_unrelated, skipped), select(includes, skip_unrelated, skipped)
        if out_dir is not None:
            skipped = [f for f in skipped if not Path(f).resolve().is_relative_to(
                out_dir.resolve())]
        if skipped and note_skipped:
            named = ", ".join(skipped[:3]) + (f" and {len(skipped) - 3} more"
                                              if len(skipped) > 3 else "")
            sys.stderr.write(f"codeflare-compile: note: skipped {len(skipped)} file"
                             f"{'s' if len(skipped) > 1 else ''} codeflare-compile wrote (the "
                             f"first line is its marker): {named}\n")
        return compile_paths(*files, overrides, allow_empty=allow_empty,
                             emission=emission or Emission(), jobs=jobs, stdin=stdin, texts=texts,
                             fallbacks=fallbacks or Overrides())
    except InputError as exc:
        fail(str(exc), EXIT_USAGE)
    except Exception as exc:  # a compiler bug: say so plainly, traceback only on request
        if debug:
            raise
        fail(internal_error(exc), EXIT_INTERNAL)


def read_stdin(name: str | None, limit: int | None = None) -> Stdin:
    """Standard input as bytes (the first `limit` + 1 of them, when given: enough to tell it is
    too long), for the loader to report text that is not UTF-8 as it does for a file."""
    from codeflare_compile.source import Stdin

    stream = sys.stdin
    if stream is None:
        fail("cannot read standard input: it is closed", EXIT_USAGE)
    size = -1 if limit is None else limit + 1
    try:
        binary = getattr(stream, "buffer", None)
        data = binary.read(size) if binary is not None else \
            stream.read(size).encode("utf-8", "surrogateescape")
    except OSError as exc:
        fail(f"cannot read standard input: {exc.strerror or exc}", EXIT_USAGE)
    return Stdin(name or "<stdin>", data)


def report(result: Compilation, fmt: DiagnosticsFormat = "text", *, strict: bool = False
           ) -> None:
    """Write the diagnostics on stderr in `fmt`; exit 1 when one of them is an error (or, with
    `strict`, a warning)."""
    from codeflare_compile.codes import Severity

    diagnostics = result.diagnostics.sorted()
    if diagnostics or fmt == "sarif":  # a SARIF log is written even when it has no result
        from codeflare_compile.report import render, use_color  # clean runs never need it

        sys.stderr.write(render(diagnostics, result.sources.lines, fmt,
                                color=fmt == "text" and use_color(sys.stderr)))
    if any(d.severity is Severity.ERROR or strict for d in diagnostics):
        raise SystemExit(EXIT_INPUT)


def _stdout_is_a_file() -> bool:
    """Whether stdout is redirected to a regular file (not a terminal, a pipe or a socket)."""
    import os
    import stat

    try:
        return stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):  # no descriptor: captured, or closed
        return False


def check_validation(result: Compilation) -> None:
    """Output that could not be validated is a usage error (exit 2); output that fails
    validation is a compiler bug (exit 3); either way nothing is printed on stdout."""
    from codeflare_compile.public_api import OutputValidationError, raise_unusable

    try:
        raise_unusable(result)
    except OutputValidationError as exc:
        fail(f"internal error: {exc}", EXIT_INTERNAL)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)


def check_jobs(jobs: int) -> None:
    if jobs < 1:
        fail(f"--jobs {jobs}: give 1 or more processes", EXIT_USAGE)


def check_output_flags(output: Path | None, out_dir: Path | None, format: str, *, check: bool,
                       diff: bool, fail_on_change: bool) -> None:
    """Combinations of output flags that make no sense are usage errors, before any work."""
    if output is not None and out_dir is not None:
        fail("-o/--output and --out-dir cannot be used together", EXIT_USAGE)
    if out_dir is None:
        for flag, given in (("--check", check), ("--diff", diff),
                            ("--fail-on-change", fail_on_change)):
            if given:
                fail(f"{flag} needs --out-dir", EXIT_USAGE)
        return
    if format != "yaml":
        fail("--out-dir writes YAML files; --format json applies to stdout and -o only",
             EXIT_USAGE)
    if fail_on_change and (check or diff):
        fail("--fail-on-change writes the folder; --check and --diff never do", EXIT_USAGE)
    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out-dir {out_dir}: not a folder", EXIT_USAGE)


def write_out_dir(result: Compilation, out_dir: Path, *, check: bool, diff: bool,
                  fail_on_change: bool) -> None:
    """Bring DIR up to date (or, with --check, say how it differs); see emit/outdir.py."""
    from codeflare_compile.emit.outdir import OutDirError, RunFile, locked

    runs = [RunFile(run.plan.namespace, run.plan.name, run.text, run.plan.run.doc.file)
            for run in result.runs]
    shown = str(out_dir)
    if check:
        _sync_out_dir(out_dir, runs, result, check=True, diff=diff, fail_on_change=False)
        return
    try:
        with locked(out_dir):
            _sync_out_dir(out_dir, runs, result, check=False, diff=False,
                          fail_on_change=fail_on_change)
    except OutDirError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        fail(f"cannot write to {exc.filename or shown}: {exc.strerror or exc} "
             "(nothing was changed)", EXIT_USAGE)


def _sync_out_dir(out_dir: Path, runs: list[RunFile], result: Compilation, *, check: bool,
                  diff: bool, fail_on_change: bool) -> None:
    from codeflare_compile.emit.outdir import OutDirError, apply, layout, plan, unified_diff

    shown = str(out_dir)
    try:
        state = plan(out_dir, layout(runs, result.shared))
    except OutDirError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        fail(f"cannot read {shown}: {exc.strerror or exc}", EXIT_USAGE)
    if state.conflicts:
        fail(f"{shown} holds files codeflare-compile did not generate where its output goes "
             "(their first line is not the marker): "
             + ", ".join(f"{shown}/{rel}" for rel in state.conflicts)
             + "; move them away or delete them", EXIT_USAGE)
    if check:
        if diff:
            sys.stdout.write(unified_diff(state, shown))
        if not state.up_to_date:
            counts = {kind: sum(1 for _, k in state.changes if k == kind)
                      for kind in ("stale", "missing", "extra", "temporary")}
            lines = [f"{shown}/{rel}: {_CHANGE_TEXT[kind]}" for rel, kind in state.changes]
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
            sys.stderr.write("\n".join(lines) + "\n")
            fail(f"{shown} is out of date ({summary}); run the same command without --check "
                 "or --diff to update it", EXIT_INPUT)
        return
    try:
        changed = apply(state)
    except OutDirError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        where = exc.filename or shown
        fail(f"cannot write to {where}: {exc.strerror or exc} (nothing was changed)", EXIT_USAGE)
    if fail_on_change and changed:
        sys.stderr.write("".join(f"{shown}/{rel}: {what}\n" for rel, what in changed))
        fail(f"{shown} was out of date and has been re-rendered; review and commit the "
             "changes", EXIT_INPUT)


_CHANGE_TEXT = {
    "stale": "stale (differs from what codeflare-compile produces)",
    "missing": "missing",
    "extra": "extra (generated earlier, no longer produced)",
    "temporary": "a temporary file an interrupted run left behind (removed on the next write)",
}
