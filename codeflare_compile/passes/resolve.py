"""Resolve references: each Run to its Application, images to Images, inputs to DataSets.

Produces one `RunPlan` per Run, in a stable order (namespace, name), with the Application's
settings merged under the Run's (options replace, env merges, labels merge).
"""

from __future__ import annotations

from codeflare_compile.api import Application, Run
from codeflare_compile.diagnostics import Code, Diagnostics, suggestion
from codeflare_compile.ir import Program, Resource, RunPlan
from codeflare_compile.passes.plans import check_inputs, plan_for
from codeflare_compile.passes.steps import expand_steps


def resolve(program: Program, diags: Diagnostics) -> list[RunPlan]:
    plans: list[RunPlan] = []
    for key in sorted(program.runs):
        run = program.runs[key]
        app = _application(run, program, diags)
        if app is None:
            continue
        check_inputs(run, run.model.spec.inputs, ("spec", "inputs"), program, diags)
        plan = plan_for(run, app, program, diags)
        if plan is None:
            continue
        plans.append(plan)
        if plan.archetype == "workflow":
            plans += expand_steps(plan, program, diags)
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
