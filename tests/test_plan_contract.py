"""`RunPlan` is the whole contract: a lowering and the cross-cutting passes read the plan's fields,
never the Run's or the Application's input model behind it (those stay on the plan only to point
diagnostics at the input)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Overrides, RunPlan
from codeflare_compile.pipeline import back, front
from codeflare_compile.source import load
from tests.build_inputs import app, run
from tests.helpers import REPO
from tests.lowering import lower_plan, planned

PLATFORM = ("apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata:\n  name: p\nspec:\n"
            "  logging: fluentbit\n  datasets: native\n  podSecurity: restricted\n"
            "  priorityClasses: {high: urgent}\n---\n")
DATASET = ("apiVersion: codeflare.dev/v1alpha1\nkind: DataSet\nmetadata:\n  name: d\nspec:\n"
           "  pvc: {claimName: c}\n---\n")
APP = ("  code: [{name: main.py, source: 'print(1)'}]\n  inputs: [{dataset: d}]\n"
       "  securityContext: {runAsUser: 1000}\n  tasks: [a, b]\n")
RUN = "  workers: 2\n  timeout: 1h\n  priority: high\n  queue: q\n"


class _Sealed:
    """An input model that fails the test when anything of it is read."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the input model was read ('{name}'): put it on the RunPlan")


def _sealed(plan: RunPlan) -> RunPlan:
    return replace(plan, run=replace(plan.run, model=_Sealed()),
                   app=replace(plan.app, model=_Sealed()))


@pytest.mark.parametrize(("archetype", "overrides"), [
    ("ray", Overrides()),
    ("shell", Overrides()),
    ("torch", Overrides()),
    ("torch", Overrides(torch_backend="pytorchjob")),
    ("workqueue", Overrides()),
])
def test_lowering_and_cross_cutting_passes_read_only_the_plan(archetype: str,
                                                              overrides: Overrides) -> None:
    text = PLATFORM + DATASET + app(extra=APP if archetype == "workqueue" else
                                    APP.replace("  tasks: [a, b]\n", ""))
    plan, prog = planned(text.replace("api: ray", f"api: {archetype}") + run(extra=RUN),
                         overrides)
    assert (plan.deadline_seconds, plan.queue, plan.priority_level) == (3600, "q", "high")
    expected = lower_plan(plan, prog, through="queueing")
    low = lower_plan(_sealed(plan), prog, through="queueing")
    assert low.objects == expected.objects
    assert low.workload["spec"] == expected.workload["spec"]


def test_the_seal_holds() -> None:
    plan, _ = planned(app() + run())
    with pytest.raises(AssertionError, match="the input model was read"):
        _sealed(plan).run.model.spec  # noqa: B018


def test_a_workflow_is_lowered_from_its_plans_alone() -> None:
    """The pipeline lowers a workflow Run after its steps (pipeline._lower_plans) without
    opening the Run's or the Applications' input models, as the lowerings do."""
    folder = REPO / "archetypes" / "workflow" / "example" / "input"
    texts = {str(path): path.read_text() for path in sorted(folder.glob("*.yaml"))}
    diags = Diagnostics()
    sources = load([], [], diags, texts=texts)
    program = front(sources, diags, Overrides())
    assert not diags.has_errors
    expected = back(program, sources, Diagnostics()).objects
    assert any(obj["kind"] == "Workflow" for obj in expected)
    program.plans = [_sealed(plan) for plan in program.plans]
    assert back(program, sources, Diagnostics()).objects == expected
