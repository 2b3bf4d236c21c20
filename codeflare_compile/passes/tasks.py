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

from codeflare_compile.diagnostics import Code, Diagnostics, Note
from codeflare_compile.ir import Program, Resource, RunPlan
from codeflare_compile.kubeversion import KubeVersion, before, parse
from codeflare_compile.taskmap import entry_bytes, task_key

#: Kubernetes accepts at most 100,000 completions for an Indexed Job with per-index retries.
MAX_TASKS = 100_000
#: Linux caps one program argument or environment string at 128 KiB (MAX_ARG_STRLEN), and the
#: task is both: `CODEFLARE_TASK=<task>` must fit, with its terminating NUL.
MAX_TASK_BYTES = 128 * 1024 - len("CODEFLARE_TASK=") - 1
#: Inside an AppWrapper every ConfigMap is part of one object, stored whole in etcd (1.5 MiB by
#: default): the tasks may use 1 MiB of it, the Job, PodGroup and other objects the rest.
WRAPPED_BUDGET = 1024 * 1024
#: Unwrapped, the tasks may span several ConfigMaps, which every pod mounts (a projected
#: volume): at most 8 MiB in all.
TOTAL_BUDGET = 8 * 1024 * 1024
#: The queueing modes that put every object of the Run into one wrapper object.
WRAPPING = ("appwrapper", "mcad")
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
    diags.error(Code.INVALID_VALUE,
                f"'tasks' is only for 'workqueue' Applications, and Application "
                f"'{plan.app.name}' is '{plan.archetype}'",
                plan.run.key_span("spec", "tasks"),
                help="remove 'tasks' from the Run, or run a workqueue Application",
                notes=[Note(plan.app.span("spec", "api"), "the Application's archetype")])


def _tasks(plan: RunPlan, program: Program, diags: Diagnostics) -> tuple[str, ...] | None:
    version_ok = _kube_version_ok(plan, program, diags)
    run_tasks = plan.run.model.spec.tasks if _own_run(plan) else None
    source: Resource[Any] = plan.run if run_tasks is not None else plan.app
    spec_tasks = run_tasks if run_tasks is not None else plan.app.model.spec.tasks
    if spec_tasks is None:
        where = "the Run nor its Application" if _own_run(plan) else "its Application"
        diags.error(Code.NO_TASKS,
                    f"workqueue Run '{plan.run.name}' has no tasks: neither {where} sets "
                    "'tasks'", plan.app.span("spec", "api"),
                    help="add tasks: [<task>, …] or tasks: {sweep: {min, max, step}} to the "
                         "Application or the Run")
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
        diags.error(Code.NO_TASKS, "the task list is empty: the Job would have nothing to do",
                    source.key_span("spec", "tasks"),
                    help="list at least one task, or use tasks: {sweep: {min, max, step}}")
        return None
    ok = True
    for i, value in enumerate(values):
        if "\0" in value:
            diags.error(Code.INVALID_VALUE, f"task {i} contains a NUL character, which cannot "
                        "be passed as an argument or in the environment",
                        source.span("spec", "tasks", i), help="remove the \\0 from the task")
            ok = False
    return values if ok else None


def _swept(source: Resource[Any], raw: Any, diags: Diagnostics) -> list[str] | None:
    sweep = raw.get("sweep", {}) if isinstance(raw, dict) else {}
    numbers: dict[str, Decimal] = {}
    for field in ("min", "max", "step"):
        value = _decimal(sweep.get(field, 1))  # only `step` may be left out
        path = ("spec", "tasks", "sweep", field)
        if value is None:
            diags.error(Code.BAD_SWEEP, f"sweep {field} must be a finite number",
                        source.span(*path), help="write a number such as 10 or 0.5")
            return None
        if _plain_length(value) > MAX_NUMBER_CHARS:
            diags.error(Code.BAD_SWEEP, f"sweep {field} is too large or too precise: written "
                        f"out it has more than {MAX_NUMBER_CHARS} characters",
                        source.span(*path), help="use a smaller number, or list the tasks")
            return None
        numbers[field] = value
    low, high, step = numbers["min"], numbers["max"], numbers["step"]
    if step <= 0:
        diags.error(Code.BAD_SWEEP, f"sweep step must be positive, not {_text(step)}",
                    source.span("spec", "tasks", "sweep", "step"),
                    help="a sweep counts up from min to max: use a step above 0")
        return None
    if high < low:
        diags.error(Code.BAD_SWEEP, f"sweep max {_text(high)} is below min {_text(low)}",
                    source.span("spec", "tasks", "sweep", "max"),
                    help="a sweep counts up from min to max: swap them, or raise max")
        return None
    count = sweep_count(low, high, step)
    if count > MAX_TASKS:
        diags.error(Code.TOO_MANY_TASKS,
                    f"the sweep has {count:,} tasks, more than the {MAX_TASKS:,} an Indexed "
                    "Job can run", source.key_span("spec", "tasks"),
                    help="use a larger step or a narrower range, or split the sweep over "
                         "several Runs")
        return None
    return sweep_values(low, high, step)


def _fits(source: Resource[Any], values: list[str], program: Program,
          diags: Diagnostics) -> bool:
    where = source.key_span("spec", "tasks")
    if len(values) > MAX_TASKS:
        diags.error(Code.TOO_MANY_TASKS, f"{len(values):,} tasks are more than the "
                    f"{MAX_TASKS:,} an Indexed Job can run", where,
                    help="split the tasks over several Runs")
        return False
    ok = True
    for i, value in enumerate(values):
        size = len(value.encode())
        if size > MAX_TASK_BYTES:
            diags.error(Code.TOO_MANY_TASKS,
                        f"task {i} is {size:,} bytes, more than a program argument can hold "
                        f"({MAX_TASK_BYTES:,})", source.span("spec", "tasks", i),
                        help="pass large inputs as a dataset and make the task a file name "
                             "in it")
            ok = False
    if not ok:
        return False
    total = sum(entry_bytes(task_key(i), v) for i, v in enumerate(values))
    wrapped = program.target.queueing in WRAPPING
    budget = WRAPPED_BUDGET if wrapped else TOTAL_BUDGET
    if total > budget:
        inside = (f"inside the {program.target.queueing} AppWrapper" if wrapped
                  else "in the Run's ConfigMaps")
        diags.error(Code.TOO_MANY_TASKS,
                    f"the tasks take {total:,} bytes, more than the {budget:,} they may use "
                    f"{inside}", where,
                    help="pass large inputs as a dataset and make each task a file name in "
                         "it" + ("" if not wrapped else ", or queue with --queueing kueue "
                                 "or none, where the tasks may take several ConfigMaps"))
        return False
    return True


def _kube_version_ok(plan: RunPlan, program: Program, diags: Diagnostics) -> bool:
    version = program.target.kube_version
    if not before(version, PER_INDEX_RETRIES_SINCE):
        return True
    notes = []
    platform = program.platform
    written = platform.model.spec.kubernetes_version if platform is not None else None
    if platform is not None and written is not None and parse(written) == version:
        notes.append(Note(platform.span("spec", "kubernetesVersion"),
                          "the Platform targets this version"))
    wanted = PER_INDEX_RETRIES_SINCE
    diags.error(Code.BACKEND_CANNOT,
                f"a workqueue retries each task on its own (an Indexed Job's "
                f"backoffLimitPerIndex), which needs Kubernetes {wanted} or newer, not "
                f"{version}", plan.app.span("spec", "api"),
                help=f"target Kubernetes {wanted} or newer (--kube-version or the Platform's "
                     "kubernetesVersion)", notes=notes)
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
