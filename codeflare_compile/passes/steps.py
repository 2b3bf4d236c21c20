"""Workflow steps: each step of a `workflow` Application becomes a plan of its own.

A step names another Application (not a workflow: nesting is not supported) and may override its
`options` and the Run's `size`; it is then sized, given its datasets and code, and lowered like a
Run of that Application, named `<run>-<step>`. The steps' `dependsOn` must name steps of the
same workflow and form no cycle.
"""

from __future__ import annotations

from dataclasses import replace

from codeflare_compile.api import Application
from codeflare_compile.api.application import Step
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.graphs import find_cycle
from codeflare_compile.ir import Program, Resource, RunPlan, StepRef
from codeflare_compile.namefit import fit_name
from codeflare_compile.passes.plans import plan_for, uses_invalid
from codeflare_compile.problems.references import unknown_step_application
from codeflare_compile.problems.workflow import (
    duplicate_step,
    nested_workflow,
    no_effect_on_workflow,
    pod_setting_on_workflow,
    step_cycle,
    unknown_step,
)


def expand_steps(plan: RunPlan, program: Program, diags: Diagnostics) -> list[RunPlan]:
    """The plans of the workflow's steps, in declared order; none when the DAG is invalid."""
    steps = plan.app.model.spec.steps or []
    if not _valid(plan.app, steps, diags):
        return []
    _warn_no_effect(plan, diags)
    children = []
    for i, step, app in step_applications(plan.app, program, diags):
        path = ("spec", "steps", i)
        child = plan_for(plan.run, app, program, diags,
                         name=fit_name(f"{plan.name}-{step.name}"), options=step.options,
                         options_span=plan.app.span(*path, "options") if step.options else None,
                         size=step.size)
        if child is not None:
            size_span = plan.app.span(*path, "size") if step.size else None
            children.append(replace(child, step=StepRef(
                plan.name, step.name, tuple(step.depends_on), size_span)))
    return children


#: Fields of a workflow Run that no step takes, and where to set them instead.
_NO_EFFECT_ON_WORKFLOW = {
    "options": "set options on the step (spec.steps[].options of Application '{flow}') or on "
               "the step's Application",
    "workers": "steps are sized by their size: set size on the step (spec.steps[].size of "
               "Application '{flow}'), or set workers in a Run of the step's Application",
}


def _warn_no_effect(plan: RunPlan, diags: Diagnostics) -> None:
    """A workflow has no pods of its own: Run fields that only its own pods would use are
    ignored, and said to be."""
    for field, help_text in _NO_EFFECT_ON_WORKFLOW.items():
        if plan.run.has(("spec", field)):
            diags.add(no_effect_on_workflow(field, plan.run.name,
                                            help_text.format(flow=plan.app.name),
                                            plan.run.key_span("spec", field)))


def check_workflow(flow: Resource[Application], program: Program,
                   diags: Diagnostics) -> list[Resource[Application]]:
    """A workflow Application checked on its own (no Run uses it): its DAG and the
    Applications its steps run, which are returned."""
    if not _valid(flow, flow.model.spec.steps or [], diags):
        return []
    return [app for _, _, app in step_applications(flow, program, diags)]


def step_applications(flow: Resource[Application], program: Program, diags: Diagnostics
                      ) -> list[tuple[int, Step, Resource[Application]]]:
    """Each step with the Application it runs; a missing or workflow Application is reported."""
    out = []
    for i, step in enumerate(flow.model.spec.steps or []):
        app = program.applications.get((flow.namespace or "", step.application))
        path = ("spec", "steps", i)
        if app is None:
            if uses_invalid(program, "Application", flow.namespace or "", step.application,
                            f"step '{step.name}'", flow.span(*path, "application"), diags):
                continue
            known = [n for (ns, n) in program.applications if ns == flow.namespace]
            diags.add(unknown_step_application(step.name, step.application, flow.namespace,
                                               known, flow.span(*path, "application")))
            continue
        if app.model.spec.api == "workflow":
            diags.add(nested_workflow(step.name, step.application,
                                      flow.span(*path, "application")))
            continue
        out.append((i, step, app))
    return out


#: Application fields that describe pods: a workflow has none of its own, its steps do.
POD_FIELDS = ("image", "command", "options", "repo", "code", "requirements", "env", "inputs",
              "expose", "minSize", "securityContext")


def _valid(flow: Resource[Application], steps: list[Step], diags: Diagnostics) -> bool:
    ok = True
    for field in POD_FIELDS:
        if flow.has(("spec", field)):
            diags.add(pod_setting_on_workflow(field, flow.key_span("spec", field)))
            ok = False
    first: dict[str, int] = {}
    for i, step in enumerate(steps):
        if step.name in first:
            diags.add(duplicate_step(step.name, flow.span("spec", "steps", i, "name"),
                                     flow.span("spec", "steps", first[step.name], "name")))
            ok = False
        first.setdefault(step.name, i)
    for i, step in enumerate(steps):
        for j, dep in enumerate(step.depends_on):
            if dep not in first:
                diags.add(unknown_step(step.name, dep, first,
                                       flow.span("spec", "steps", i, "dependsOn", j)))
                ok = False
    if ok:
        cycle = find_cycle({s.name: list(s.depends_on) for s in steps})
        if cycle:
            index = first[cycle[0]]
            diags.add(step_cycle(cycle, flow.key_span("spec", "steps", index, "dependsOn")))
            ok = False
    return ok
