"""Resolve references: each Run to its Application, images to Images, inputs to DataSets.

Produces one `RunPlan` per Run, in a stable order (namespace, name), with the Application's
settings merged under the Run's (options replace, env merges, labels merge). Applications no
Run uses are checked all the same (references, workflow steps, code), so that `check` finds
the errors in a definition before a Run meets them. Two plans whose objects would share a name
(a Run named like another Run's workflow step, `<run>-<step>`) are an error.
"""

from __future__ import annotations

from codeflare_compile.api import Application, Run
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Key, Program, Resource, RunPlan
from codeflare_compile.passes.code import source_of
from codeflare_compile.passes.datasets import check_application_inputs
from codeflare_compile.passes.plans import (
    check_application,
    check_inputs,
    plan_for,
    uses_invalid,
)
from codeflare_compile.passes.steps import check_workflow, expand_steps
from codeflare_compile.problems.references import step_objects_named_alike, unknown_application


def resolve(program: Program, diags: Diagnostics) -> list[RunPlan]:
    plans: list[RunPlan] = []
    used: set[Key] = set()
    for key in sorted(program.runs):
        run = program.runs[key]
        app = _application(run, program, diags)
        if app is None:
            continue
        used.add(_key(app))
        check_inputs(run, run.model.spec.inputs, ("spec", "inputs"), program, diags)
        plan = plan_for(run, app, program, diags)
        if plan is None:
            continue
        plans.append(plan)
        if plan.archetype == "workflow":
            steps = expand_steps(plan, program, diags)
            used.update(_key(step.app) for step in steps)
            plans += steps
    _check_unused(program, used, diags)
    _check_names(plans, diags)
    return plans


def _key(app: Resource[Application]) -> Key:
    return app.namespace or "", app.name


def _check_unused(program: Program, used: set[Key], diags: Diagnostics) -> None:
    """Applications no Run uses (directly or as a workflow step) get the checks a Run's would."""
    for key in sorted(program.applications):
        if key in used:
            continue
        app = program.applications[key]
        if app.model.spec.api == "workflow":
            check_workflow(app, program, diags)
            continue
        check_application(app, program, diags)
        check_application_inputs(app, program, diags)
        if app.model.spec.repo is not None or app.model.spec.code:
            source_of(app, diags)


def _check_names(plans: list[RunPlan], diags: Diagnostics) -> None:
    """Every plan names its objects after itself: two plans of one name would collide."""
    first: dict[tuple[str, str], RunPlan] = {}
    for plan in plans:
        if plan.archetype == "workflow":
            continue  # its objects are named after the Run, which has a unique name
        other = first.setdefault((plan.namespace, plan.name), plan)
        if other is plan:
            continue
        step, alone = (plan, other) if plan.step is not None else (other, plan)
        assert step.step is not None
        also = (f"Run '{alone.name}'" if alone.step is None else
                f"step '{alone.step.name}' of Run '{alone.step.workflow}'")
        diags.add(step_objects_named_alike(step.step.name, step.step.workflow, step.name, also,
                                           plan.namespace, alone.run.key_span("metadata", "name"),
                                           step.run.key_span("metadata", "name")))


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
    if uses_invalid(program, "Application", namespace, name, f"Run '{run.name}'",
                    run.span(*path), diags):
        return None
    available = [n for (ns, n) in program.applications if ns == namespace]
    elsewhere = sorted(f"{ns}/{n}" for (ns, n) in program.applications if n == name)
    diags.add(unknown_application(run.name, name, namespace, available, elsewhere,
                                  run.model.metadata.namespace is not None, run.span(*path)))
    return None
