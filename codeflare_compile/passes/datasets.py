"""Dataset resolution: which DataSets a Run reads, and how.

The Run's inputs are merged over the Application's (a Run input naming the same DataSet replaces
the Application's); an input with `sizes` takes the variant for the Run's size. Problems that do
not depend on the backend are found here: no variant for the size, two inputs on one mount path,
a DataSet name that cannot prefix environment variables.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from codeflare_compile.api.common import SIZES, Input
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Program, ResolvedInput, Resource, RunPlan
from codeflare_compile.podlayout import dataset_mount_path, env_prefix
from codeflare_compile.problems.policy import (
    env_needs_s3,
    mount_path_clash,
    no_env_name,
    no_variant_for_size,
)

_ENV_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def datasets(plans: list[RunPlan], program: Program, diags: Diagnostics) -> list[RunPlan]:
    out = []
    for plan in plans:
        inputs = _resolve(plan, program, diags)
        if inputs is not None:
            out.append(replace(plan, inputs=inputs))
    return out


def check_application_inputs(app: Resource[Any], program: Program,
                             diags: Diagnostics) -> None:
    """An Application's inputs checked on their own (no Run uses it), for every size a Run
    could have: mount paths that clash, environment only from s3 DataSets with usable names."""
    for size in SIZES:
        _choose([(app, app.model.spec.inputs)], size, None, program, diags)


def _resolve(plan: RunPlan, program: Program,
             diags: Diagnostics) -> tuple[ResolvedInput, ...] | None:
    owners: list[tuple[Resource[Any], list[Input]]] = [
        (plan.app, plan.app.model.spec.inputs),
        (plan.run, plan.run.model.spec.inputs),
    ]
    return _choose(owners, plan.size, plan, program, diags)


def _choose(owners: list[tuple[Resource[Any], list[Input]]], size: str, plan: RunPlan | None,
            program: Program, diags: Diagnostics) -> tuple[ResolvedInput, ...] | None:
    """The inputs for a Run of `size` (`plan` None: an Application alone, whose `sizes`
    inputs without that size are skipped, since no Run asks for it)."""
    chosen: dict[str, list[ResolvedInput]] = {}  # DataSet name → its uses (mount, env)
    failed = False
    for owner, inputs in owners:
        uses: dict[str, list[ResolvedInput]] = {}
        for i, item in enumerate(inputs):
            if plan is None and item.sizes is not None and size not in item.sizes:
                continue
            found = _one(plan, size, owner, i, item, program, diags)
            if found is None:
                failed = True
                continue
            same = uses.setdefault(found.dataset.name, [])
            same[:] = [u for u in same if u.use_as != found.use_as]  # one entry per use
            same.append(found)
        for name, entries in uses.items():
            chosen.pop(name, None)  # the Run's entries replace the Application's, and move last
            chosen[name] = entries
    by_path: dict[str, ResolvedInput] = {}
    for found in (entry for entries in chosen.values() for entry in entries):
        first = by_path.setdefault(found.mount_path, found)
        if first is not found and found.use_as == "mount" and first.use_as == "mount":
            diags.add(mount_path_clash(first.dataset.name, found.dataset.name,
                                       found.mount_path, found.span, first.span))
            failed = True
        if found.use_as == "env" and found.dataset.model.spec.s3 is None:
            diags.add(env_needs_s3(found.dataset.name, found.span))
            failed = True
        elif found.use_as == "env" and not _ENV_PREFIX.match(env_prefix(found.dataset.name)):
            diags.add(no_env_name(found.dataset.name, env_prefix(found.dataset.name),
                                  found.span))
            failed = True
    return None if failed else tuple(e for entries in chosen.values() for e in entries)


def _one(plan: RunPlan | None, size: str, owner: Resource[Any], i: int, item: Input,
         program: Program, diags: Diagnostics) -> ResolvedInput | None:
    span = owner.span("spec", "inputs", i)
    if item.dataset is not None:
        name = item.dataset
    else:
        sizes = item.sizes or {}
        if size not in sizes:
            assert plan is not None
            diags.add(no_variant_for_size(size, plan.name, list(sizes),
                                          owner.key_span("spec", "inputs", i, "sizes")))
            return None
        name = sizes[size]
    namespace = owner.namespace or (plan.namespace if plan is not None else "")
    dataset = program.datasets.get((namespace, name))
    if dataset is None:
        return None  # reported by the resolve pass
    mount_path = item.mount_path or dataset_mount_path(name)
    return ResolvedInput(dataset, item.use_as, mount_path, span)
