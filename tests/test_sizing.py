"""The sizing pass: SPEC §2's rules, one at a time."""

from __future__ import annotations

import pytest

from codeflare_compile.ir import PodSize
from codeflare_compile.passes.sizing import sizing
from tests.build_inputs import app, plans, run, sizes

SMALL = ("{xs: {workers: 1, cpu: 250m, memory: 1Gi, gpu: 1}, "
         "md: {workers: 5, cpu: 3, memory: 9Gi, gpu: 2}}")


def size_of(text: str) -> tuple[str, PodSize, str]:
    prog, resolved, diags = plans(text)
    sized = sizing(resolved, prog, diags)
    assert not diags.has_errors, diags.items
    (plan,) = sized
    assert plan.decision is not None
    return plan.size, plan.pod, plan.decision.config


@pytest.mark.parametrize(("size", "expected"), [
    ("xxs", PodSize("500m", "1536Mi", 0, 1)),
    ("xs", PodSize("1", "4Gi", 0, 1)),
    ("sm", PodSize("1", "8Gi", 0, 2)),
    ("md", PodSize("2", "16Gi", 0, 4)),
    ("lg", PodSize("4", "32Gi", 0, 8)),
    ("xl", PodSize("4", "48Gi", 0, 20)),
    ("xxl", PodSize("8", "64Gi", 0, 40)),
])
def test_built_in_table(size: str, expected: PodSize) -> None:
    assert size_of(app() + run(extra=f"  size: {size}\n")) == (size, expected, "built-in default")


def test_default_size_is_xs() -> None:
    assert size_of(app() + run())[0] == "xs"


def test_platform_default_size() -> None:
    platform = "apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: p}\n" \
               "spec: {defaultSize: lg}\n---\n"
    assert size_of(platform + app() + run())[0] == "lg"


def test_min_size_raises_but_never_lowers() -> None:
    assert size_of(app(extra="  minSize: md\n") + run(extra="  size: xs\n"))[0] == "md"
    assert size_of(app(extra="  minSize: xs\n") + run(extra="  size: lg\n"))[0] == "lg"


@pytest.mark.parametrize(("app_gpu", "run_gpu", "gpu"), [
    (True, True, 1), (True, False, 0), (False, True, 0), (False, False, 0)])
def test_gpu_needs_both_sides(app_gpu: bool, run_gpu: bool, gpu: int) -> None:
    text = app(extra=f"  supportsGpu: {str(app_gpu).lower()}\n") + \
        run(extra=f"  supportsGpu: {str(run_gpu).lower()}\n")
    assert size_of(text)[1].gpu == gpu


def test_run_workers_override_the_size() -> None:
    assert size_of(app() + run(extra="  size: md\n  workers: 0\n"))[1].workers == 0
    assert size_of(app() + run(extra="  size: md\n  workers: 7\n"))[1].workers == 7


def test_lowest_priority_wins_among_applicable() -> None:
    text = app() + run(extra="  size: md\n") + sizes("high-number", SMALL, priority=9) + \
        sizes("low-number", SMALL.replace("9Gi", "10Gi"), priority=3)
    assert size_of(text)[1:] == (PodSize("3", "10Gi", 0, 5), "low-number")


def test_configuration_for_other_namespaces_does_not_apply() -> None:
    text = app() + run(extra="  size: md\n") + \
        sizes("elsewhere", SMALL, priority=1, namespaces="[team-b]")
    assert size_of(text)[2] == "built-in default"
    text = app(namespace="team-b") + run(namespace="team-b", extra="  size: md\n") + \
        sizes("elsewhere", SMALL, priority=1, namespaces="[team-b]")
    assert size_of(text)[2] == "elsewhere"


def test_priority_defaults_to_one_and_beats_an_explicit_two() -> None:
    text = app() + run() + sizes("implicit", SMALL) + \
        sizes("two", SMALL.replace("250m", "750m"), priority=2)
    assert size_of(text)[1].cpu == "250m"


def test_missing_size_in_chosen_configuration_is_an_error() -> None:
    prog, resolved, diags = plans(app() + run(extra="  size: xxl\n") + sizes("c", SMALL))
    assert sizing(resolved, prog, diags) == []
    (error,) = diags.items
    assert error.code.value == "CF401"
    assert error.notes[0].span.line > error.span.line if error.span else False
