"""The compiler's stages, written down once.

load → build the typed IR → policy passes → one lowering per archetype → cross-cutting passes
→ order. Validation and emission follow in `cli` (they need the command-line's choices).
Every stage is a plain function; problems go to one `Diagnostics`, so one run reports them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from codeflare_compile.build import build
from codeflare_compile.diagnostics import Code, Diagnostics
from codeflare_compile.ir import Lowered, Overrides, Program, RunPlan, Target
from codeflare_compile.lower import LOWERINGS, unsupported
from codeflare_compile.lower.workflow import lower_workflow
from codeflare_compile.passes.code import CREDENTIALS_IN_URL, code
from codeflare_compile.passes.datasets import datasets
from codeflare_compile.passes.priority import priority
from codeflare_compile.passes.resolve import resolve
from codeflare_compile.passes.sizing import sizing
from codeflare_compile.passes.tasks import tasks
from codeflare_compile.source import Sources, load
from codeflare_compile.target import code as code_target
from codeflare_compile.target import datasets as datasets_target
from codeflare_compile.target.gang import gang
from codeflare_compile.target.logging import logging
from codeflare_compile.target.queueing import queueing

PolicyPass = Callable[[list[RunPlan], Program, Diagnostics], list[RunPlan]]

#: Policy passes in order: each takes the resolved Runs and returns them with a decision taken.
POLICY_PASSES: tuple[PolicyPass, ...] = (sizing, datasets, code, priority, tasks)


@dataclass(frozen=True)
class RunOutput:
    """The objects one Run produced, in emission order."""

    plan: RunPlan
    objects: list[dict[str, Any]]


@dataclass
class Compilation:
    """Everything a command may want to show: the inputs, the decisions, the objects."""

    sources: Sources
    diagnostics: Diagnostics
    program: Program | None = None
    plans: list[RunPlan] = field(default_factory=list)
    runs: list[RunOutput] = field(default_factory=list)
    #: Objects several Runs share (Datashim Datasets), once each, in a stable order.
    shared: list[dict[str, Any]] = field(default_factory=list)

    @property
    def objects(self) -> list[dict[str, Any]]:
        """Everything to emit: the shared objects first, then each Run's."""
        return [*self.shared, *(obj for run in self.runs for obj in run.objects)]


def compile_paths(paths: Sequence[str], includes: Sequence[str], overrides: Overrides,
                  allow_empty: bool = False) -> Compilation:
    diags = Diagnostics()
    sources = load(paths, includes, diags)
    result = Compilation(sources, diags)
    program = build(sources.documents, overrides, diags)
    result.program = program
    plans = resolve(program, diags)
    for policy in POLICY_PASSES:
        plans = policy(plans, program, diags)
    result.plans = plans
    shared: dict[tuple[str, ...], dict[str, Any]] = {}
    # keyed by (namespace, name): Runs in two namespaces may share a name
    steps: dict[tuple[str, str], list[tuple[RunPlan, Lowered]]] = {}
    done: dict[tuple[str, str], Lowered] = {}
    for plan in plans:  # every Run and workflow step, through its whole chain of passes
        if plan.archetype == "workflow":
            continue
        lowered = lower_run(plan, program.target, diags)
        if lowered is None:
            continue
        if plan.step is not None:
            steps.setdefault((plan.namespace, plan.step.workflow), []).append((plan, lowered))
        else:
            done[plan.namespace, plan.name] = lowered
    for plan in plans:  # then the workflows, from their lowered steps, and the output in order
        if plan.step is not None:
            continue
        if plan.archetype == "workflow":
            lowered_steps = steps.get((plan.namespace, plan.name), [])
            if len(lowered_steps) != len(plan.app.model.spec.steps or []):
                continue  # a step failed: reported already
            done[plan.namespace, plan.name] = lower_workflow(plan, program.target, lowered_steps)
        if (plan.namespace, plan.name) not in done:
            continue
        lowered = done[plan.namespace, plan.name]
        result.runs.append(RunOutput(plan, lowered.objects))
        for obj in lowered.shared:
            shared.setdefault(_identity(obj), obj)
    result.shared = [shared[key] for key in sorted(shared)]
    if not result.runs and not allow_empty and not diags.has_errors:
        diags.error(Code.EMPTY_OUTPUT,
                    "no Run found: the output would be empty" if not program.runs
                    else "the output is empty", None,
                    help="pass the files or folders holding your Runs (-I paths only supply "
                         "definitions), or --allow-empty")
    _redact(sources, diags)
    return result


def _redact(sources: Sources, diags: Diagnostics) -> None:
    """Credentials written where they do not belong (inline in a DataSet, in a repository URL)
    are refused; the excerpt of the diagnostic must not print them into a CI log."""
    for d in diags.items:
        lines = sources.lines.get(d.span.file) if d.span else None
        if d.span is None or lines is None or not 1 <= d.span.line <= len(lines):
            continue
        line = lines[d.span.line - 1]
        if d.code is Code.INLINE_CREDENTIALS:  # the span is the key: hide what follows it
            key_end = line.find(":", d.span.col - 1)
            if key_end >= 0:
                lines[d.span.line - 1] = line[:key_end + 1] + " <redacted>"
        elif d.code is Code.BAD_REPO and d.message == CREDENTIALS_IN_URL:
            lines[d.span.line - 1] = re.sub(r"//[^/\s@]*@", "//<redacted>@", line)


def _identity(obj: dict[str, Any]) -> tuple[str, ...]:
    meta = obj["metadata"]
    return (obj["kind"], meta.get("namespace", ""), meta["name"], obj["apiVersion"])


def lower_run(plan: RunPlan, target: Target, diags: Diagnostics) -> Lowered | None:
    """One Run (or workflow step) lowered by its archetype, then every cross-cutting pass."""
    lowered = lower(plan, target, diags)
    if lowered is None:
        return None
    lowered = code_target.code(lowered, target)
    lowered = datasets_target.datasets(lowered, target, diags)
    lowered = logging(lowered, target, diags)
    lowered = gang(lowered, target)
    return queueing(lowered, target, diags)


def lower(plan: RunPlan, target: Target, diags: Diagnostics) -> Lowered | None:
    """The archetype's lowering, or a diagnostic for what this version cannot lower."""
    missing = unsupported(plan)
    for path, what in missing:
        diags.error(Code.UNSUPPORTED, f"{what} is not supported by this version of "
                    "codeflare-compile", plan.app.key_span(*path),
                    help="see docs/status.md for what is supported")
    if missing:
        return None
    return LOWERINGS[plan.archetype](plan, target)

