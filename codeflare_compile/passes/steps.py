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
from codeflare_compile.diagnostics import Code, Diagnostics, Note, suggestion
from codeflare_compile.graphs import find_cycle
from codeflare_compile.ir import Program, Resource, RunPlan, StepRef
from codeflare_compile.namefit import fit_name
from codeflare_compile.passes.plans import plan_for, uses_invalid


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
            diags.warning(Code.NO_EFFECT_ON_WORKFLOW,
                          f"'{field}' has no effect on workflow Run '{plan.run.name}': its "
                          "steps do not take it", plan.run.key_span("spec", field),
                          help=help_text.format(flow=plan.app.name))


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
            diags.error(Code.UNKNOWN_REFERENCE,
                        f"step '{step.name}' runs Application '{step.application}', which does "
                        f"not exist in namespace '{flow.namespace}'",
                        flow.span(*path, "application"),
                        help=suggestion(step.application, known, "Application"))
            continue
        if app.model.spec.api == "workflow":
            diags.error(Code.NESTED_WORKFLOW,
                        f"step '{step.name}' runs '{step.application}', which is itself a "
                        "workflow", flow.span(*path, "application"),
                        help="nested workflows are not supported: list its steps here instead")
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
            diags.error(Code.UNSUPPORTED, f"'{field}' has no effect on a workflow Application",
                        flow.key_span("spec", field),
                        help="set it on the Applications its steps run")
            ok = False
    first: dict[str, int] = {}
    for i, step in enumerate(steps):
        if step.name in first:
            diags.error(Code.DUPLICATE_STEP, f"step '{step.name}' is defined twice",
                        flow.span("spec", "steps", i, "name"), help="rename one of them",
                        notes=[Note(flow.span("spec", "steps", first[step.name], "name"),
                                    "first defined here")])
            ok = False
        first.setdefault(step.name, i)
    for i, step in enumerate(steps):
        for j, dep in enumerate(step.depends_on):
            if dep not in first:
                diags.error(Code.UNKNOWN_STEP,
                            f"step '{step.name}' depends on '{dep}', which is not a step of "
                            "this workflow", flow.span("spec", "steps", i, "dependsOn", j),
                            help=suggestion(dep, first, "step"))
                ok = False
    if ok:
        cycle = find_cycle({s.name: list(s.depends_on) for s in steps})
        if cycle:
            index = first[cycle[0]]
            diags.error(Code.STEP_CYCLE, f"the steps depend on each other in a cycle: "
                        f"{' → '.join([*cycle, cycle[0]])}",
                        flow.key_span("spec", "steps", index, "dependsOn"),
                        help="remove one of these dependencies")
            ok = False
    return ok
