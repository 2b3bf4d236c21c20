"""Resolve references: each Run to its Application, images to Images, inputs to DataSets.

Produces one `RunPlan` per Run, in a stable order (namespace, name), with the Application's
settings merged under the Run's (options replace, env merges, labels merge).
"""

from __future__ import annotations

from codeflare_compile.api import Application, Run
from codeflare_compile.api.application import ImageRef
from codeflare_compile.api.common import Input
from codeflare_compile.diagnostics import Code, Diagnostics, Note, Span, suggestion
from codeflare_compile.ir import Program, Resource, RunPlan


def resolve(program: Program, diags: Diagnostics) -> list[RunPlan]:
    plans = []
    for key in sorted(program.runs):
        run = program.runs[key]
        app = _application(run, program, diags)
        if app is None:
            continue
        image, pull_secrets = _image(app, program, diags)
        _check_inputs(app, app.model.spec.inputs, ("spec", "inputs"), program, diags)
        _check_inputs(run, run.model.spec.inputs, ("spec", "inputs"), program, diags)
        if image is None:
            continue
        spec, app_spec = run.model.spec, app.model.spec
        assert run.namespace is not None
        plans.append(RunPlan(
            run=run,
            app=app,
            namespace=run.namespace,
            name=run.name,
            archetype=app_spec.api,
            image=image,
            command=app_spec.command or "",
            options=spec.options if spec.options is not None else app_spec.options,
            env={**app_spec.env, **spec.env},
            requirements=tuple(app_spec.requirements),
            labels={**app.model.metadata.labels, **run.model.metadata.labels},
            annotations={**app.model.metadata.annotations, **run.model.metadata.annotations},
            image_pull_secrets=tuple(
                dict.fromkeys(pull_secrets + program.target.image_pull_secrets)),
        ))
    return plans


def _application(run: Resource[Run], program: Program,
                 diags: Diagnostics) -> Resource[Application] | None:
    ref = run.model.spec.application
    name, namespace = (ref, run.namespace) if isinstance(ref, str) else \
        (ref.name, ref.namespace or run.namespace)
    assert namespace is not None
    app = program.applications.get((namespace, name))
    if app is not None:
        return app
    path = ("spec", "application") if isinstance(ref, str) else ("spec", "application", "name")
    available = [n for (ns, n) in program.applications if ns == namespace]
    elsewhere = sorted(f"{ns}/{n}" for (ns, n) in program.applications if n == name)
    help_text = suggestion(name, available, f"Application in namespace '{namespace}'")
    if elsewhere:
        help_text = f"an Application '{name}' exists as {', '.join(elsewhere)}: set " \
                    "application: {name, namespace}"
    diags.error(Code.UNKNOWN_REFERENCE,
                f"Run '{run.name}' refers to Application '{name}', which does not exist in "
                f"namespace '{namespace}'", run.span(*path), help=help_text)
    return None


def _image(app: Resource[Application], program: Program,
           diags: Diagnostics) -> tuple[str | None, tuple[str, ...]]:
    """The image reference (pinned to its digest when the Image has one) and its pull secrets."""
    image = app.model.spec.image
    if image is None:  # a workflow: its steps carry the images
        return "", ()
    if not isinstance(image, ImageRef):
        _warn_unpinned(image, app.span("spec", "image"), diags)
        return image, ()
    assert app.namespace is not None
    found = program.images.get((app.namespace, image.name))
    if found is None:
        available = [n for (ns, n) in program.images if ns == app.namespace]
        diags.error(Code.UNKNOWN_REFERENCE,
                    f"Application '{app.name}' refers to Image '{image.name}', which does not "
                    f"exist in namespace '{app.namespace}'",
                    app.span("spec", "image", "name"),
                    help=suggestion(image.name, available, f"Image in '{app.namespace}'"))
        return None, ()
    spec = found.model.spec
    ref = spec.image
    if not spec.digest:
        _warn_unpinned(ref, found.span("spec", "image"), diags)
    if spec.digest:
        repo = ref.rsplit("@", 1)[0]
        if ":" in repo.rsplit("/", 1)[-1]:
            repo = repo.rsplit(":", 1)[0]
        ref = f"{repo}@{spec.digest}"
    return ref, tuple(spec.pull_secrets)


def _warn_unpinned(ref: str, span: Span, diags: Diagnostics) -> None:
    """`:latest` and tagless images change under the Run: say so (a warning, not an error)."""
    if "@sha256:" in ref:
        return
    last = ref.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    if tag is None or tag == "latest":
        diags.warning(Code.UNPINNED_IMAGE,
                      f"image '{ref}' is {'tagless' if tag is None else 'tagged latest'}: "
                      "every pull may get another image", span,
                      help="use a fixed tag, or an Image with a digest")


def _check_inputs(owner: Resource[Application] | Resource[Run], inputs: list[Input],
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
            notes = [Note(ds.key_span("metadata", "name"), f"DataSet '{ds.name}' is here")
                     for (ns, n), ds in sorted(program.datasets.items()) if n == name]
            diags.error(Code.UNKNOWN_REFERENCE,
                        f"{owner.kind} '{owner.name}' reads DataSet '{name}', which does not "
                        f"exist in namespace '{owner.namespace}'", owner.span(*ref_path),
                        help=suggestion(name, available, f"DataSet in '{owner.namespace}'"),
                        notes=notes)
