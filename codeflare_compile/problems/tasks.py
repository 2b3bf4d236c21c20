"""Problems with a workqueue's tasks (CF410 to CF412, and the CF203 and CF406 they share with
other values and targets)."""

from __future__ import annotations

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Note, Span


def tasks_not_for_archetype(app: str, archetype: str, span: Span, app_api: Span
                            ) -> Diagnostic:
    return Diagnostic(Code.INVALID_VALUE, f"'tasks' is only for 'workqueue' Applications, and "
                      f"Application '{app}' is '{archetype}'", span,
                      "remove 'tasks' from the Run, or run a workqueue Application",
                      (Note(app_api, "the Application's archetype"),))


def no_tasks(run: str, own_run: bool, span: Span) -> Diagnostic:
    """`own_run`: the Run could set tasks itself (it is not a step of a workflow Run)."""
    where = "the Run nor its Application" if own_run else "its Application"
    return Diagnostic(Code.NO_TASKS, f"workqueue Run '{run}' has no tasks: neither {where} sets "
                      "'tasks'", span, "add tasks: [<task>, …] or tasks: {sweep: {min, max, "
                      "step}} to the Application or the Run")


def empty_task_list(span: Span) -> Diagnostic:
    return Diagnostic(Code.NO_TASKS, "the task list is empty: the Job would have nothing to do",
                      span, "list at least one task, or use tasks: {sweep: {min, max, step}}")


def nul_in_task(index: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.INVALID_VALUE, f"task {index} contains a NUL character, which "
                      "cannot be passed as an argument or in the environment", span,
                      "remove the \\0 from the task")


def sweep_not_finite(field: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_SWEEP, f"sweep {field} must be a finite number", span,
                      "write a number such as 10 or 0.5")


def sweep_number_too_long(field: str, limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_SWEEP, f"sweep {field} is too large or too precise: written out "
                      f"it has more than {limit} characters", span,
                      "use a smaller number, or list the tasks")


def sweep_step_not_positive(step: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_SWEEP, f"sweep step must be positive, not {step}", span,
                      "a sweep counts up from min to max: use a step above 0")


def sweep_max_below_min(high: str, low: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_SWEEP, f"sweep max {high} is below min {low}", span,
                      "a sweep counts up from min to max: swap them, or raise max")


def sweep_too_long(count: int, limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.TOO_MANY_TASKS, f"the sweep has {count:,} tasks, more than the "
                      f"{limit:,} an Indexed Job can run", span, "use a larger step or a "
                      "narrower range, or split the sweep over several Runs")


def too_many_tasks(count: int, limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.TOO_MANY_TASKS, f"{count:,} tasks are more than the {limit:,} an "
                      "Indexed Job can run", span, "split the tasks over several Runs")


def task_too_large(index: int, size: int, limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.TOO_MANY_TASKS, f"task {index} is {size:,} bytes, more than a "
                      f"program argument can hold ({limit:,})", span,
                      "pass large inputs as a dataset and make the task a file name in it")


def tasks_too_large(total: int, budget: int, wrapper: str | None, spread: str, span: Span
                    ) -> Diagnostic:
    """`wrapper`: the queueing target whose AppWrapper holds the tasks, None when they are in
    the Run's own ConfigMaps; `spread`: the targets whose tasks may take several ConfigMaps
    ("kueue or none")."""
    inside = f"inside the {wrapper} AppWrapper" if wrapper else "in the Run's ConfigMaps"
    return Diagnostic(Code.TOO_MANY_TASKS, f"the tasks take {total:,} bytes, more than the "
                      f"{budget:,} they may use {inside}", span,
                      "pass large inputs as a dataset and make each task a file name in it"
                      + ("" if not wrapper else f", or queue with --queueing {spread}, where "
                         "the tasks may take several ConfigMaps"))


def per_index_retries_need(wanted: object, version: object, span: Span,
                           platform: Span | None) -> Diagnostic:
    """`platform`: the Platform's kubernetesVersion, when it is what targets `version`."""
    return Diagnostic(Code.BACKEND_CANNOT, "a workqueue retries each task on its own (an "
                      "Indexed Job's backoffLimitPerIndex), which needs Kubernetes "
                      f"{wanted} or newer, not {version}", span,
                      f"target Kubernetes {wanted} or newer (--kube-version or the Platform's "
                      "kubernetesVersion)",
                      (Note(platform, "the Platform targets this version"),) if platform
                      else ())
