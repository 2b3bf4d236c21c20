"""Tee-shirt sizing: size name → per-pod cpu/memory/gpu and a pod count (SPEC §2).

size = Run `size`, else the Platform's `defaultSize`, else `xs`; raised to the Application's
`minSize`. The configuration is the applicable RunSizeConfiguration with the lowest priority
(applicable: no `namespaces`, or the Run's namespace among them); the built-in table when none
applies. workers = Run `workers`, else the size's; gpu only when both `supportsGpu` are true.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from codeflare_compile.api import RunSizeConfiguration
from codeflare_compile.api.common import SIZES
from codeflare_compile.api.sizing import DEFAULT_SIZES, PhysicalSize
from codeflare_compile.diagnostics import Diagnostics, Span
from codeflare_compile.ir import PodSize, Program, Resource, RunPlan, SizeDecision
from codeflare_compile.problems.policy import (
    ambiguous_size_policy,
    gpu_refused_by_application,
    gpu_refused_by_size,
    size_not_configured,
)

DEFAULT_SIZE = "xs"
BUILT_IN = "built-in default"


def sizing(plans: list[RunPlan], program: Program, diags: Diagnostics) -> list[RunPlan]:
    return [p for plan in plans if (p := size_run(plan, program, diags)) is not None]


def applicable(program: Program, namespace: str) -> list[Resource[RunSizeConfiguration]]:
    """The configurations that apply in a namespace, best (lowest priority) first."""
    found = [c for c in program.size_configs.values()
             if c.model.spec.namespaces is None or namespace in c.model.spec.namespaces]
    return sorted(found, key=lambda c: (c.model.spec.priority, c.name))


def size_run(plan: RunPlan, program: Program, diags: Diagnostics) -> RunPlan | None:
    run, app = plan.run.model.spec, plan.app.model.spec
    if plan.archetype == "workflow":  # no pods of its own: its steps are sized one by one
        return replace(plan, size=plan.size_request or program.target.default_size or
                       DEFAULT_SIZE)
    requested, requested_from = (
        plan.size_request, "workflow step size" if plan.step and plan.size_request != run.size
        else "Run spec.size") if plan.size_request else (
        (program.target.default_size, "Platform defaultSize") if program.target.default_size
        else (DEFAULT_SIZE, "default"))
    size = requested
    if app.min_size and SIZES.index(app.min_size) > SIZES.index(size):
        size = app.min_size
    configs = applicable(program, plan.namespace)
    table: Mapping[Any, PhysicalSize] = DEFAULT_SIZES
    chosen = configs[0] if configs else None
    if chosen is not None:
        ties = [c for c in configs[1:] if c.model.spec.priority == chosen.model.spec.priority]
        if ties:
            diags.add(ambiguous_size_policy(chosen.name, ties[0].name, plan.namespace,
                                            chosen.model.spec.priority,
                                            chosen.span("spec", "priority"),
                                            ties[0].span("spec", "priority")))
            return None
        table = chosen.model.spec.config
    physical = table.get(size)
    if physical is None:
        assert chosen is not None  # the built-in table has every size
        raised = size != requested
        if raised:
            where = plan.app.span("spec", "minSize")
        elif plan.step and plan.step.size_span:
            where = plan.step.size_span
        else:
            where = plan.run.span("spec", "size") if run.size else plan.run.key_span("spec")
        diags.add(size_not_configured(size, chosen.name, _ordered(table), plan.namespace, where,
                                      chosen.key_span("spec", "config")))
        return None
    gpu = physical.gpu if app.supports_gpu and run.supports_gpu else 0
    if run.supports_gpu and gpu == 0:
        _gpu_refused(plan, size, chosen, diags)
    workers = plan.workers_request if plan.workers_request is not None else physical.workers
    head = (_head(physical, app.supports_gpu and run.supports_gpu)
            if plan.archetype == "ray" else None)
    decision = SizeDecision(
        requested=requested, requested_from=requested_from, min_size=app.min_size, size=size,
        config=chosen.name if chosen else BUILT_IN,
        config_span=chosen.key_span("metadata", "name") if chosen else None,
        passed_over=_passed_over(program, plan.namespace, chosen),
        app_supports_gpu=app.supports_gpu, run_supports_gpu=run.supports_gpu,
        size_gpu=physical.gpu,
        workers_from="Run spec.workers" if plan.workers_request is not None else "size",
        head_from="size head" if head is not None else "as a worker")
    return replace(plan, size=size, decision=decision,
                   pod=PodSize(physical.cpu, physical.memory, gpu, workers, head))


def _head(physical: PhysicalSize, gpu_allowed: bool) -> PodSize | None:
    """The Ray head's own size, its fields left out taken from the workers'; GPUs under the
    same rule as the workers' (both supportsGpu)."""
    own = physical.head
    if own is None:
        return None
    gpu = own.gpu if own.gpu is not None else physical.gpu
    return PodSize(own.cpu or physical.cpu, own.memory or physical.memory,
                   gpu if gpu_allowed else 0, 1)


def _gpu_refused(plan: RunPlan, size: str, chosen: Resource[RunSizeConfiguration] | None,
                 diags: Diagnostics) -> None:
    """A Run that asks for GPUs and gets none: say which side refused (a warning, so that
    --warnings-as-errors stops it)."""
    where = plan.run.span("spec", "supportsGpu")
    if not plan.app.model.spec.supports_gpu:
        if plan.step is not None:
            return  # a workflow Run's supportsGpu is for the steps whose Application allows it
        app_gpu = ("spec", "supportsGpu")
        sets_it = plan.app.has(app_gpu)
        diags.add(gpu_refused_by_application(
            plan.run.name, plan.app.name, where,
            plan.app.span(*app_gpu) if sets_it else plan.app.key_span("metadata", "name"),
            sets_it))
        return
    diags.add(gpu_refused_by_size(plan.run.name, size, chosen.name if chosen else None, where,
                                  chosen.key_span("spec", "config") if chosen else None))


def _passed_over(program: Program, namespace: str,
                 chosen: Resource[RunSizeConfiguration] | None
                 ) -> tuple[tuple[str, Span, str], ...]:
    out = []
    for name in sorted(program.size_configs):
        config = program.size_configs[name]
        if config is chosen:
            continue
        spec = config.model.spec
        if spec.namespaces is not None and namespace not in spec.namespaces:
            reason = f"applies only to namespaces {', '.join(spec.namespaces)}"
        else:
            assert chosen is not None
            reason = (f"priority {spec.priority} is not lower than "
                      f"{chosen.model.spec.priority}")
        out.append((name, config.key_span("metadata", "name"), reason))
    return tuple(out)


def _ordered(table: Mapping[str, PhysicalSize]) -> list[str]:
    return [s for s in SIZES if s in table]
