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

#: The lowering of every archetype with pods of its own (a workflow's steps are lowered by these,
#: the Workflow itself by lower/workflow.py).
LOWERINGS: dict[str, Lowering] = {
    "ray": lower_ray,
    "shell": lower_shell,
    "torch": lower_torch,
    "workqueue": lower_workqueue,
}
