"""The Python API: compile files, folders or in-memory texts, with the target settings as
keyword arguments (docs/python-api.md).

The command line runs on what is here (input selection, settings, the YAML stream), so a
`Result`'s `to_yaml()` is what `codeflare-compile` prints for the same inputs and settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from codeflare_compile.settings import BY_NAME, Overrides, parse

if TYPE_CHECKING:
    from codeflare_compile.pipeline import Compilation

PathLike = str | os.PathLike[str]


class Diagnostic(NamedTuple):
    """A problem in the inputs, where the text renderer shows it: `path:line:column`
    (1-based); `path`, `line` and `column` are None for a problem of the whole compilation."""

    code: str  # "CF301"
    severity: Literal["error", "warning"]
    message: str
    path: str | None
    line: int | None
    column: int | None
    help: str | None


class Result:
    """The outcome of a compilation: the diagnostics, and the objects when there is no error."""

    def __init__(self, compilation: Compilation) -> None:
        self._compilation = compilation
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            Diagnostic(d.code.value, d.severity.value, d.message,
                       d.span.file if d.span else None, d.span.line if d.span else None,
                       d.span.col if d.span else None, d.help)
            for d in compilation.diagnostics.sorted())

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return all(d.severity != "error" for d in self.diagnostics)

    @property
    def objects(self) -> list[dict[str, Any]]:
        """The emitted objects in output order, as plain data; none when there is an error."""
        return self._compilation.objects if self.ok else []

    def to_yaml(self) -> str:
        """The YAML stream `codeflare-compile` prints on stdout (empty when there is an error)."""
        return "".join(yaml_chunks(self._compilation)) if self.ok else ""

    def __repr__(self) -> str:
        return (f"<Result ok={self.ok} diagnostics={len(self.diagnostics)} "
                f"objects={len(self.objects)}>")


def compile(paths: Sequence[PathLike], includes: Sequence[PathLike] = (),
            **settings: str | None) -> Result:
    """Compile every Run in `paths` (YAML files, or folders of them), with the definitions in
    `includes`; `settings` are the target settings (`queueing="kueue"`, …). An unknown setting
    raises TypeError, a value it cannot take ValueError; a path that cannot be read raises
    `InputError`; problems in the inputs are diagnostics."""
    return _compile("compile", paths, includes, settings, None)


def compile_texts(texts: Mapping[str, str], includes: Sequence[PathLike] = (),
                  **settings: str | None) -> Result:
    """As `compile`, for YAML texts by the name diagnostics give them (`{"run.yaml": text}`),
    in their order."""
    return _compile("compile_texts", [], includes, settings, texts)


def _compile(function: str, paths: Sequence[PathLike], includes: Sequence[PathLike],
             settings: Mapping[str, str | None], texts: Mapping[str, str] | None) -> Result:
    from codeflare_compile.pipeline import Emission, compile_paths

    overrides = overrides_of(function, settings)
    result = compile_paths(select([os.fspath(p) for p in paths]),
                           select([os.fspath(p) for p in includes]), overrides,
                           emission=Emission(validate=True), texts=texts)
    raise_unusable(result)
    return Result(result)


def overrides_of(function: str, settings: Mapping[str, Any]) -> Overrides:
    """Keyword arguments as `Overrides`: TypeError for an unknown name, ValueError for a value
    a setting cannot take."""
    from codeflare_compile.diagnostics import did_you_mean

    for name in settings:
        if name not in BY_NAME:
            close = did_you_mean(name, BY_NAME)
            raise TypeError(f"{function}() got an unexpected keyword argument '{name}'"
                            + (f"; did you mean '{close}'?" if close else ""))
    return parse(settings, lambda setting: setting.name)


class OutputValidationError(RuntimeError):
    """The output failed validation: a bug in codeflare-compile."""


def raise_unusable(result: Compilation) -> None:
    """Output that could not be validated (a Kubernetes version without bundled schemas, a bad
    CRD file) raises ValueError; output that fails validation is a compiler bug:
    `OutputValidationError`."""
    if result.validation_error is not None:
        raise ValueError(result.validation_error)
    failures = result.failures
    if failures:
        lines = [f"  {f.subject}: {f.path}: {f.message}" for f in failures]
        raise OutputValidationError(
            "the output failed validation (this is a bug in codeflare-compile; please report "
            "it with the input):\n" + "\n".join(lines))


def select(paths: list[str], skip_unrelated: bool = False, skipped: list[str] | None = None
           ) -> list[str]:
    """The input files: folders expanded, files the compiler wrote (their first line is the
    marker: --out-dir, -o, redirected stdout) left out and added to `skipped`, and with
    `skip_unrelated` files that do not mention codeflare.dev."""
    from codeflare_compile.emit.outdir import is_generated
    from codeflare_compile.source import STDIN, discover

    selected = []
    for file in discover(paths):
        if file == STDIN:
            selected.append(file)
            continue
        if is_generated(file):
            if skipped is not None:
                skipped.append(file)
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


def yaml_chunks(result: Compilation) -> list[str]:
    """The YAML stream of a compilation, in pieces: shared objects, then each Run's, after a
    `# Source:` comment naming its input file (never inside the objects: a moved file must not
    change what is applied). The Runs' texts are handed on as they are, never joined to their
    comments: a copy would double what a large batch holds."""
    from codeflare_compile.emit.yaml import dump_yaml_stream, source_comment

    chunks = [dump_yaml_stream(result.shared)] if result.shared else []
    for run in result.runs:
        chunks += (source_comment(run.plan.run.doc.file),
                   run.text or dump_yaml_stream(run.objects))
    return chunks
