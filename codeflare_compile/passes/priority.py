"""Priority: the Run's `priority` becomes a PriorityClass name through the Platform's mapping."""

from __future__ import annotations

from dataclasses import replace

from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Program, RunPlan
from codeflare_compile.problems.policy import no_priority_class


def priority(plans: list[RunPlan], program: Program, diags: Diagnostics) -> list[RunPlan]:
    out = []
    for plan in plans:
        level = plan.priority_level
        if level is None:
            out.append(plan)
            continue
        name = program.target.priority_classes.get(level)
        if name is None:
            platform = program.platform
            diags.add(no_priority_class(level, plan.run.span("spec", "priority"),
                                        platform.key_span("spec") if platform else None))
            continue
        out.append(replace(plan, priority_class=name))
    return out
