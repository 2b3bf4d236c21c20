"""Problems with a workflow Application and its steps (CF420 to CF423, CF511, CF512)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Note, Span, suggestion


def pod_setting_on_workflow(field: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.POD_SETTING_ON_WORKFLOW, f"'{field}' has no effect on a workflow "
                      "Application", span, "set it on the Applications its steps run")


def no_effect_on_workflow(field: str, run: str, help: str, span: Span) -> Diagnostic:
    """`help`: where the field is set instead."""
    return Diagnostic(Code.NO_EFFECT_ON_WORKFLOW, f"'{field}' has no effect on workflow Run "
                      f"'{run}': its steps do not take it", span, help)


def nested_workflow(step: str, application: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.NESTED_WORKFLOW, f"step '{step}' runs '{application}', which is "
                      "itself a workflow", span,
                      "nested workflows are not supported: list its steps here instead")


def duplicate_step(step: str, span: Span, first: Span) -> Diagnostic:
    return Diagnostic(Code.DUPLICATE_STEP, f"step '{step}' is defined twice", span,
                      "rename one of them", (Note(first, "first defined here"),))


def unknown_step(step: str, dependency: str, steps: Collection[str], span: Span
                 ) -> Diagnostic:
    return Diagnostic(Code.UNKNOWN_STEP, f"step '{step}' depends on '{dependency}', which is "
                      "not a step of this workflow", span, suggestion(dependency, steps, "step"))


def step_cycle(cycle: Sequence[str], span: Span) -> Diagnostic:
    return Diagnostic(Code.STEP_CYCLE, "the steps depend on each other in a cycle: "
                      f"{' → '.join([*cycle, cycle[0]])}", span,
                      "remove one of these dependencies")
