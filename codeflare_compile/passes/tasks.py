"""Tasks: the work items of a `workqueue` Run, expanded and checked before lowering.

The tasks are the Run's `tasks`, else its Application's: a list of strings, or a sweep
`{min, max, step}` rendered as decimal text, inclusive of `max` when a step lands on it. Every
value is kept exact: numbers come from the YAML as written where the document still has them
(a quoted `"0.10"`), else from the shortest text of the loaded float (`0.1`, never
`0.1000000000000000055…`; a whole number such as `1e3` or `2.0` has no decimals), and are added
up as decimals. Every task of a sweep is written with the most decimals any of `min`, `max` and
`step` has (`1`, `2`, `0.5` → `1.0`, `1.5`, `2.0`).

The tasks must fit the cluster: at most 100,000 (the Indexed Job limit when per-index retries
are on), each small enough to be a program argument (128 KiB on Linux), ConfigMaps of at most
1 MiB (kept with a margin), and all of them inside the wrapper
when the Run is queued through an AppWrapper (an object of at most 1.5 MiB in etcd), or in a
bounded number of ConfigMaps otherwise. Per-index retries need Kubernetes 1.29.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

from codeflare_compile.backends import QUEUEINGS
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Program, Resource, RunPlan
from codeflare_compile.kubeversion import KubeVersion, before, parse
from codeflare_compile.problems.tasks import (
    empty_task_list,
    no_tasks,
    nul_in_task,
    per_index_retries_need,
    sweep_max_below_min,
    sweep_not_finite,
    sweep_number_too_long,
    sweep_step_not_positive,
    sweep_too_long,
    task_too_large,
    tasks_not_for_archetype,
    tasks_too_large,
    too_many_tasks,
)
from codeflare_compile.taskmap import entry_bytes, task_key

#: Kubernetes accepts at most 100,000 completions for an Indexed Job with per-index retries.
MAX_TASKS = 100_000
#: Linux caps one program argument or environment string at 128 KiB (MAX_ARG_STRLEN), and the
#: task is both: `CODEFLARE_TASK=<task>` must fit, with its terminating NUL.
MAX_TASK_BYTES = 128 * 1024 - len("CODEFLARE_TASK=") - 1
#: Where the queueing target sets no budget of its own (`task_budget`: a wrapper is one object
#: in etcd), the tasks may span several ConfigMaps, which every pod mounts (a projected
#: volume): at most 8 MiB in all.
TOTAL_BUDGET = 8 * 1024 * 1024
#: The queueing targets that let the tasks spread over several ConfigMaps, for messages.
_SPREAD = " or ".join(name for name, b in QUEUEINGS.items() if b.task_budget is None)
#: `backoffLimitPerIndex` and `maxFailedIndexes`: beta, on by default, from Kubernetes 1.29.
PER_INDEX_RETRIES_SINCE = KubeVersion(1, 29)
#: A sweep value renders to at most this many characters (`1e300` is not a useful task).
MAX_NUMBER_CHARS = 64
_EXACT = Context(prec=2 * MAX_NUMBER_CHARS + 10)


def tasks(plans: list[RunPlan], program: Program, diags: Diagnostics) -> list[RunPlan]:
    out = []
    for plan in plans:
        if plan.archetype != "workqueue":
            if _own_run(plan) and plan.run.model.spec.tasks is not None:
                _not_a_workqueue(plan, diags)
                continue
            out.append(plan)
            continue
        expanded = _tasks(plan, program, diags)
        if expanded is not None:
            out.append(replace(plan, tasks=expanded))
    return out


def sweep_values(low: Decimal, high: Decimal, step: Decimal) -> list[str]:
    """min, min + step, … up to max inclusive, each with the same number of decimals."""
    count = sweep_count(low, high, step)
    places = max(0, *(-int(v.as_tuple().exponent) for v in (low, high, step)))
    quantum = Decimal(1).scaleb(-places)
    values = []
    with localcontext(_EXACT):
        for i in range(count):
            value = (low + i * step).quantize(quantum)
            values.append(format(abs(value) if value == 0 else value, "f"))
    return values


def sweep_count(low: Decimal, high: Decimal, step: Decimal) -> int:
    """How many values the sweep has, computed exactly (min ≤ max and step > 0)."""
    return math.floor((Fraction(high) - Fraction(low)) / Fraction(step)) + 1


# ----------------------------------------------------------------------------- checking


def _own_run(plan: RunPlan) -> bool:
    """Whether the plan is its Run's own (not one step of a workflow Run)."""
    return plan.step is None


def _not_a_workqueue(plan: RunPlan, diags: Diagnostics) -> None:
    diags.add(tasks_not_for_archetype(plan.app.name, plan.archetype,
                                      plan.run.key_span("spec", "tasks"),
                                      plan.app.span("spec", "api")))


def _tasks(plan: RunPlan, program: Program, diags: Diagnostics) -> tuple[str, ...] | None:
    version_ok = _kube_version_ok(plan, program, diags)
    run_tasks = plan.run.model.spec.tasks if _own_run(plan) else None
    source: Resource[Any] = plan.run if run_tasks is not None else plan.app
    spec_tasks = run_tasks if run_tasks is not None else plan.app.model.spec.tasks
    if spec_tasks is None:
        diags.add(no_tasks(plan.run.name, _own_run(plan), plan.app.span("spec", "api")))
        return None
    raw = source.doc.data.get("spec", {}).get("tasks")
    if isinstance(spec_tasks, list):
        values = _listed(source, spec_tasks, diags)
    else:
        values = _swept(source, raw, diags)
    if values is None or not _fits(source, values, program, diags) or not version_ok:
        return None
    return tuple(values)


def _listed(source: Resource[Any], values: list[str], diags: Diagnostics) -> list[str] | None:
    if not values:
        diags.add(empty_task_list(source.key_span("spec", "tasks")))
        return None
    ok = True
    for i, value in enumerate(values):
        if "\0" in value:
            diags.add(nul_in_task(i, source.span("spec", "tasks", i)))
            ok = False
    return values if ok else None


def _swept(source: Resource[Any], raw: Any, diags: Diagnostics) -> list[str] | None:
    sweep = raw.get("sweep", {}) if isinstance(raw, dict) else {}
    numbers: dict[str, Decimal] = {}
    for field in ("min", "max", "step"):
        value = _decimal(sweep.get(field, 1))  # only `step` may be left out
        path = ("spec", "tasks", "sweep", field)
        if value is None:
            diags.add(sweep_not_finite(field, source.span(*path)))
            return None
        if _plain_length(value) > MAX_NUMBER_CHARS:
            diags.add(sweep_number_too_long(field, MAX_NUMBER_CHARS, source.span(*path)))
            return None
        numbers[field] = value
    low, high, step = numbers["min"], numbers["max"], numbers["step"]
    if step <= 0:
        diags.add(sweep_step_not_positive(_text(step),
                                          source.span("spec", "tasks", "sweep", "step")))
        return None
    if high < low:
        diags.add(sweep_max_below_min(_text(high), _text(low),
                                      source.span("spec", "tasks", "sweep", "max")))
        return None
    count = sweep_count(low, high, step)
    if count > MAX_TASKS:
        diags.add(sweep_too_long(count, MAX_TASKS, source.key_span("spec", "tasks")))
        return None
    return sweep_values(low, high, step)


def _fits(source: Resource[Any], values: list[str], program: Program,
          diags: Diagnostics) -> bool:
    where = source.key_span("spec", "tasks")
    if len(values) > MAX_TASKS:
        diags.add(too_many_tasks(len(values), MAX_TASKS, where))
        return False
    ok = True
    for i, value in enumerate(values):
        size = len(value.encode())
        if size > MAX_TASK_BYTES:
            diags.add(task_too_large(i, size, MAX_TASK_BYTES, source.span("spec", "tasks", i)))
            ok = False
    if not ok:
        return False
    total = sum(entry_bytes(task_key(i), v) for i, v in enumerate(values))
    own = QUEUEINGS[program.target.queueing].task_budget
    wrapped = own is not None
    budget = own if own is not None else TOTAL_BUDGET
    if total > budget:
        diags.add(tasks_too_large(total, budget, program.target.queueing if wrapped else None,
                                  _SPREAD, where))
        return False
    return True


def _kube_version_ok(plan: RunPlan, program: Program, diags: Diagnostics) -> bool:
    version = program.target.kube_version
    if not before(version, PER_INDEX_RETRIES_SINCE):
        return True
    platform = program.platform
    written = platform.model.spec.kubernetes_version if platform is not None else None
    targets = platform is not None and written is not None and parse(written) == version
    diags.add(per_index_retries_need(PER_INDEX_RETRIES_SINCE, version,
                                     plan.app.span("spec", "api"),
                                     platform.span("spec", "kubernetesVersion")
                                     if platform is not None and targets else None))
    return False


def _decimal(value: Any) -> Decimal | None:
    """The number as written: ints exactly, floats by their shortest text, strings as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and value.is_integer():
        return Decimal(int(value))  # `1e3` and `3.0` are whole numbers: no decimals
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain_length(value: Decimal) -> int:
    digits, exponent = len(value.as_tuple().digits), int(value.as_tuple().exponent)
    return max(digits, digits + exponent, -exponent + 1) + 1


def _text(value: Decimal) -> str:
    return format(value, "f")
