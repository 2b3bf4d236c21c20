"""One lowering per archetype: a pure function from a `RunPlan` to the Run's objects."""

from __future__ import annotations

from collections.abc import Callable

from codeflare_compile.ir import Lowered, RunPlan, Target
from codeflare_compile.lower.ray import lower_ray
from codeflare_compile.lower.shell import lower_shell
from codeflare_compile.lower.torch import lower_torch
from codeflare_compile.lower.workqueue import lower_workqueue

#: A lowering sees one resolved Run and the target (some archetypes have several backends).
Lowering = Callable[[RunPlan, Target], Lowered]

#: The archetypes this version lowers; others are reported as not supported yet.
LOWERINGS: dict[str, Lowering] = {
    "ray": lower_ray,
    "shell": lower_shell,
    "torch": lower_torch,
    "workqueue": lower_workqueue,
}


def unsupported(plan: RunPlan) -> list[tuple[tuple[str, ...], str]]:
    """Settings of a Run this version cannot lower yet, as (path in the Application, what)."""
    found: list[tuple[tuple[str, ...], str]] = []
    if plan.expose:
        found.append((("spec", "expose"), "'expose'"))
    return found
