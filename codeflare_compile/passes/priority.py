"""Priority: the Run's `priority` becomes a PriorityClass name through the Platform's mapping."""

from __future__ import annotations

from dataclasses import replace

from codeflare_compile.diagnostics import Code, Diagnostics, Note
from codeflare_compile.ir import Program, RunPlan


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
            notes = [Note(platform.key_span("spec"), "the Platform is here")] if platform else []
            diags.error(Code.UNKNOWN_REFERENCE,
                        f"priority '{level}' needs a PriorityClass, and "
                        + (f"the Platform in {platform.doc.file} maps none to '{level}'"
                           if platform else "no Platform maps priorities to PriorityClasses"),
                        plan.run.span("spec", "priority"),
                        help=f"add spec.priorityClasses.{level}: <PriorityClass name> to the "
                             "Platform" if platform else
                        "add a Platform with spec.priorityClasses: {" + level + ": "
                        "<PriorityClass name>} to the inputs (or -I it), or remove priority",
                        notes=notes)
            continue
        out.append(replace(plan, priority_class=name))
    return out
