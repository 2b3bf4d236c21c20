"""Building one `RunPlan`: a Run with an Application, its image resolved and settings merged.

Used for every Run and, for a workflow, for each of its steps (the step's Application, options
and size). The Application's settings are merged under the Run's: options replace, env and
labels merge. The Run's deadline, queue and priority hold for each step of a workflow Run.
"""

from __future__ import annotations

from typing import NamedTuple

from codeflare_compile.api import Application, Image, Run
from codeflare_compile.api.application import ImageRef
from codeflare_compile.api.common import Input
from codeflare_compile.api.durations import seconds
from codeflare_compile.diagnostics import Diagnostics, Span
from codeflare_compile.ir import Program, Resource, RunPlan
from codeflare_compile.problems.output import command_line_split
from codeflare_compile.problems.policy import unpinned_image
from codeflare_compile.problems.references import (
    unknown_dataset,
    unknown_image,
    uses_invalid_resource,
)
from codeflare_compile.shelltext import strip_end, swallow_problem


def plan_for(run: Resource[Run], app: Resource[Application], program: Program,
             diags: Diagnostics, *, name: str | None = None, options: str | None = None,
             options_span: Span | None = None, size: str | None = None) -> RunPlan | None:
    """The Run's plan for one Application: itself, or one step of its workflow (`name`,
    `options` (written at `options_span`) and `size` then come from the step)."""
    image = _image(app, program, diags)
    check_inputs(app, app.model.spec.inputs, ("spec", "inputs"), program, diags)
    if image.reference is None:
        return None
    spec, app_spec = run.model.spec, app.model.spec
    assert run.namespace is not None
    step = name is not None
    if options is None:
        from_run = not step and spec.options is not None
        options = spec.options if from_run else app_spec.options
        options_span = run.span("spec", "options") if from_run else app.span("spec", "options")
    command, options = _command_line(app, options, options_span, diags)
    return RunPlan(
        run=run,
        app=app,
        namespace=run.namespace,
        name=name or run.name,
        archetype=app_spec.api,
        image=image.reference,
        image_from=image.source,
        command=command,
        options=options,
        env={**app_spec.env, **spec.env},
        requirements=tuple(app_spec.requirements),
        labels={**app.model.metadata.labels, **run.model.metadata.labels},
        annotations={**app.model.metadata.annotations, **run.model.metadata.annotations},
        image_pull_secrets=tuple(
            dict.fromkeys(image.pull_secrets + program.target.image_pull_secrets)),
        security_context=app_spec.security_context,
        deadline_seconds=seconds(spec.timeout) if spec.timeout else None,
        queue=spec.queue,
        priority_level=spec.priority,
        expose=tuple(app_spec.expose),
        size_request=size or spec.size,
        workers_request=None if step else spec.workers,
        steps=tuple(s.name for s in app_spec.steps or ()),
    )


def _command_line(app: Resource[Application], options: str | None, options_span: Span | None,
                  diags: Diagnostics) -> tuple[str, str | None]:
    """The command and options without the blanks and newlines YAML leaves at their ends
    (`command: |` ends in a newline, which would put the options on a line of their own);
    a text that would swallow or split what the compiler appends to it is refused (CF430):
    the options follow the command, a workqueue's task follows both."""
    command = strip_end(app.model.spec.command or "")
    options = strip_end(options) if options is not None else None
    workqueue = app.model.spec.api == "workqueue"
    checks = [(command, app.span("spec", "command"), "`command`", bool(options) or workqueue)]
    if options and options_span is not None:
        checks.append((options, options_span, "`options`", workqueue))
    for text, span, what, appended in checks:
        problem = swallow_problem(text) if appended else None
        if problem is not None:
            after = ["the options"] if what == "`command`" and options else []
            follows = " and ".join(after + ["the task"] * workqueue)
            diags.add(command_line_split(what, problem, follows, span))
    return command, options or None


def check_application(app: Resource[Application], program: Program,
                      diags: Diagnostics) -> None:
    """What `plan_for` checks of an Application, for one that no Run uses: its image and the
    DataSets its inputs name."""
    _image(app, program, diags)
    check_inputs(app, app.model.spec.inputs, ("spec", "inputs"), program, diags)


class _Image(NamedTuple):
    """An Application's image: the reference (None: it cannot be resolved), its pull secrets
    and the Image resource it came from (None: written in the Application)."""

    reference: str | None
    pull_secrets: tuple[str, ...] = ()
    source: Resource[Image] | None = None


def _image(app: Resource[Application], program: Program, diags: Diagnostics) -> _Image:
    """The image reference (pinned to its digest when the Image has one) and its pull secrets."""
    image = app.model.spec.image
    if image is None:  # a workflow: its steps carry the images
        return _Image("")
    if not isinstance(image, ImageRef):
        _warn_unpinned(image, app.span("spec", "image"), diags)
        return _Image(image)
    assert app.namespace is not None
    found = program.images.get((app.namespace, image.name))
    if found is None:
        span = app.span("spec", "image", "name")
        if uses_invalid(program, "Image", app.namespace, image.name,
                        f"Application '{app.name}'", span, diags):
            return _Image(None)
        available = [n for (ns, n) in program.images if ns == app.namespace]
        diags.add(unknown_image(app.name, image.name, app.namespace, available, span))
        return _Image(None)
    spec = found.model.spec
    ref = spec.image
    if not spec.digest:
        _warn_unpinned(ref, found.span("spec", "image"), diags)
    if spec.digest:
        repo = ref.rsplit("@", 1)[0]
        if ":" in repo.rsplit("/", 1)[-1]:
            repo = repo.rsplit(":", 1)[0]
        ref = f"{repo}@{spec.digest}"
    return _Image(ref, tuple(spec.pull_secrets), found)


def uses_invalid(program: Program, kind: str, namespace: str, name: str, user: str,
                 span: Span, diags: Diagnostics) -> bool:
    """Whether the referenced resource exists but failed validation; says so (its own errors
    were reported where it is written) instead of calling it missing."""
    where = program.invalid.get((kind, namespace, name))
    if where is None:
        return False
    diags.add(uses_invalid_resource(user, kind, name, span, where))
    return True


def _warn_unpinned(ref: str, span: Span, diags: Diagnostics) -> None:
    """`:latest` and tagless images change under the Run: say so (a warning, not an error)."""
    if "@sha256:" in ref:
        return
    last = ref.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    if tag is None or tag == "latest":
        diags.add(unpinned_image(ref, tag is None, span))


def check_inputs(owner: Resource[Application] | Resource[Run], inputs: list[Input],
                  path: tuple[str, ...], program: Program, diags: Diagnostics) -> None:
    """Every DataSet an input names must exist in the owner's namespace."""
    available = [n for (ns, n) in program.datasets if ns == owner.namespace]
    for i, item in enumerate(inputs):
        refs: list[tuple[tuple[str | int, ...], str]] = [
            ((*path, i, "dataset"), item.dataset)] if item.dataset else [
            ((*path, i, "sizes", size), name) for size, name in (item.sizes or {}).items()]
        for ref_path, name in refs:
            if (owner.namespace, name) in program.datasets:
                continue
            assert owner.namespace is not None
            if uses_invalid(program, "DataSet", owner.namespace, name,
                            f"{owner.kind} '{owner.name}'", owner.span(*ref_path), diags):
                continue
            elsewhere = [ds.key_span("metadata", "name")
                         for (ns, n), ds in sorted(program.datasets.items()) if n == name]
            diags.add(unknown_dataset(f"{owner.kind} '{owner.name}'", name, owner.namespace,
                                      available, owner.span(*ref_path), elsewhere))
