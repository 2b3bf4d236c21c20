"""WorkQueue: tasks expanded exactly, stored in ConfigMaps by index, worked through by an Indexed
Job with per-index retries; and every error about tasks, pinned to its place in the input."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeflare_compile.backends import QUEUEINGS
from codeflare_compile.choices import Queueing
from codeflare_compile.codes import Code
from codeflare_compile.ir import Lowered, Overrides
from codeflare_compile.lower.workqueue import max_failed_indexes
from codeflare_compile.passes import tasks as tasks_pass
from codeflare_compile.passes.tasks import MAX_TASK_BYTES, sweep_values
from codeflare_compile.taskmap import CONFIG_MAP_BUDGET, chunks, entry_bytes, task_key
from tests.build_inputs import app, plans, run
from tests.lowering import lower_plan, lowered, planned
from tests.test_diagnostics import blocks, compile_files


def wq_app(tasks: str = "  tasks: [a, b, c]\n", extra: str = "") -> str:
    return app(extra=tasks + extra).replace("api: ray", "api: workqueue").replace(
        "command: python3 main.py", "command: python3 work.py --fast")


def expanded(tasks: str) -> tuple[str, ...]:
    low = lowered(wq_app(tasks) + run())
    return low.plan.tasks


def job_spec(low: Lowered) -> dict[str, Any]:
    return dict(low.workload["spec"])


# ------------------------------------------------------------------------ sweeps and lists


@pytest.mark.parametrize(("sweep", "values"), [
    ("{min: 1, max: 5}", ["1", "2", "3", "4", "5"]),
    ("{min: 0, max: 10, step: 4}", ["0", "4", "8"]),  # max is kept only when a step lands on it
    ("{min: 3, max: 3}", ["3"]),
    ("{min: -2, max: 2, step: 2}", ["-2", "0", "2"]),
    ("{min: 0.1, max: 0.3, step: 0.1}", ["0.1", "0.2", "0.3"]),  # floats would give 0.30000…4
    ("{min: -0.3, max: 0.3, step: 0.1}", ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3"]),
    ("{min: 1, max: 2, step: 0.5}", ["1.0", "1.5", "2.0"]),  # the most decimals of the three
    ("{min: 0, max: 0.00003, step: 1e-5}", ["0.00000", "0.00001", "0.00002", "0.00003"]),
    ("{min: '0.10', max: '0.30', step: '0.10'}", ["0.10", "0.20", "0.30"]),  # as written
    ("{min: 1e3, max: 3e3, step: 1e3}", ["1000", "2000", "3000"]),  # whole floats: no decimals
    ("{min: 1.0, max: 2.0}", ["1", "2"]),
])
def test_sweep_rendering(sweep: str, values: list[str]) -> None:
    assert list(expanded(f"  tasks:\n    sweep: {sweep}\n")) == values


def test_long_decimal_sweep_is_exact() -> None:
    values = sweep_values(Decimal("0.1"), Decimal("1000"), Decimal("0.1"))
    assert len(values) == 10_000
    assert values[:3] == ["0.1", "0.2", "0.3"] and values[-1] == "1000.0"
    assert all(len(v.split(".")[1]) == 1 for v in values)


def test_explicit_list_kept_verbatim() -> None:
    awkward = ["a b", "it's \"x\"", "$HOME;`id`", "", "  pad  ", "line\n", "✓ ünï"]
    text = "  tasks:\n" + "".join(f"    - {json.dumps(t)}\n" for t in awkward)  # JSON ⊂ YAML
    assert list(expanded(text)) == awkward


def test_run_tasks_replace_the_applications() -> None:
    low = lowered(wq_app() + run(extra="  tasks:\n    sweep: {min: 7, max: 8}\n"))
    assert low.plan.tasks == ("7", "8")
    assert [c["data"] for c in low.objects[:-1]] == [{"task-00000": "7", "task-00001": "8"}]


# ------------------------------------------------------------------------ ConfigMaps and keys


def test_keys_are_padded_and_ordered() -> None:
    assert [task_key(i) for i in (0, 7, 12345, 99999)] == [
        "task-00000", "task-00007", "task-12345", "task-99999"]
    keys = [task_key(i) for i in range(1000)]
    assert keys == sorted(keys)  # lexical order is index order


def test_one_config_map_per_run_by_default() -> None:
    low = lowered(wq_app() + run(name="r"))
    *config_maps, job = low.objects
    assert job is low.workload
    (cm,) = config_maps
    assert (cm["kind"], cm["metadata"]["name"], cm["immutable"]) == ("ConfigMap", "r-tasks-0",
                                                                      True)
    assert cm["data"] == {"task-00000": "a", "task-00001": "b", "task-00002": "c"}
    assert cm["metadata"]["labels"]["app.kubernetes.io/component"] == "tasks"


def test_chunks_split_exactly_at_the_budget() -> None:
    tasks = ["x" * 10] * 5
    cost = entry_bytes(task_key(0), tasks[0])
    assert [len(c) for c in chunks(tasks, budget=cost * 2)] == [2, 2, 1]
    assert [len(c) for c in chunks(tasks, budget=cost * 2 - 1)] == [1, 1, 1, 1, 1]
    assert [len(c) for c in chunks(tasks, budget=cost * 5)] == [5]
    split = chunks(tasks, budget=cost * 2)
    assert [k for c in split for k in c] == [task_key(i) for i in range(5)]  # unique, in order


def test_entry_cost_counts_json_escapes() -> None:
    assert entry_bytes("k", "ab") == len('"k"') + len('"ab"') + 2
    assert entry_bytes("k", 'a"\n') == len('"k"') + len('"a\\"\\n"') + 2
    assert entry_bytes("k", "<&>") == len('"k"') + len('"\\u003c\\u0026\\u003e"') + 2
    assert entry_bytes("k", "é") == len('"k"') + len('"é"'.encode()) + 2


def test_large_tasks_split_over_config_maps_in_one_volume() -> None:
    big = [f"{i}" + "x" * 120_000 for i in range(10)]  # 1.2 MB in all, each under 128 KiB
    plan, prog = planned(wq_app() + run(name="big"), Overrides(queueing="none"))
    low = lower_plan(replace(plan, tasks=tuple(big)), prog)
    *config_maps, job = low.objects
    names = [c["metadata"]["name"] for c in config_maps]
    assert [n.rpartition("-")[0] for n in names] == ["big-tasks-0", "big-tasks-1"]
    assert names[0] != names[1]  # each named by its own content
    for cm in config_maps:
        assert sum(entry_bytes(k, v) for k, v in cm["data"].items()) <= CONFIG_MAP_BUDGET
    merged = {k: v for c in config_maps for k, v in c["data"].items()}
    assert list(merged) == [task_key(i) for i in range(10)] and list(merged.values()) == big
    volume = job["spec"]["template"]["spec"]["volumes"][0]
    assert volume == {"name": "codeflare-tasks", "projected": {"sources": [
        {"configMap": {"name": names[0]}}, {"configMap": {"name": names[1]}}]}}


# ------------------------------------------------------------------------ the Job


@pytest.mark.parametrize(("workers", "tasks", "parallelism"), [
    (3, 10, 3), (8, 6, 6), (0, 4, 1), (1, 1, 1), (5, 5, 5)])
def test_parallelism_is_workers_capped_by_tasks(workers: int, tasks: int,
                                                parallelism: int) -> None:
    low = lowered(wq_app(f"  tasks:\n    sweep: {{min: 1, max: {tasks}}}\n")
                  + run(extra=f"  workers: {workers}\n"))
    spec = job_spec(low)
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == (
        "Indexed", tasks, parallelism)
    assert [(p.path, p.replicas) for p in low.pod_sets] == [(("spec", "template"), parallelism)]


def test_per_index_retries_and_failure_bound() -> None:
    low = lowered(wq_app("  tasks:\n    sweep: {min: 1, max: 25}\n")
                  + run(extra="  workers: 4\n  timeout: 30m\n"), Overrides(queueing="kueue"))
    spec = job_spec(low)
    assert "backoffLimit" not in spec  # per-index retries replace the Job-wide limit
    assert (spec["backoffLimitPerIndex"], spec["maxFailedIndexes"]) == (2, 3)
    assert spec["podFailurePolicy"] == {"rules": [{
        "action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]}
    assert spec["activeDeadlineSeconds"] == 1800
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert list(spec)[:5] == ["completionMode", "completions", "parallelism",
                              "backoffLimitPerIndex", "maxFailedIndexes"]


@pytest.mark.parametrize(("count", "bound"), [
    (1, 1), (9, 1), (10, 1), (11, 2), (25, 3), (100_000, 10_000)])
def test_max_failed_indexes(count: int, bound: int) -> None:
    assert max_failed_indexes(count) == bound
    assert bound <= count


def test_container_reads_its_task_and_passes_it_last() -> None:
    env = "  env:\n    A: '1'\n    CODEFLARE_TASK: mine\n    CODEFLARE_TASK_INDEX: mine\n"
    low = lowered(wq_app(extra=env) + run(extra="  options: --lr \"$LR\"\n"),
                  Overrides(queueing="none"))
    (container,) = low.workload["spec"]["template"]["spec"]["containers"]
    assert container["env"] == [{"name": "A", "value": "1"}]  # reserved names are the pod's
    assert container["volumeMounts"] == [
        {"name": "codeflare-tasks", "mountPath": "/etc/codeflare/tasks", "readOnly": True}]
    shell, flag, script = container["command"]
    assert (shell, flag) == ("/bin/sh", "-c")
    assert script.splitlines() == [
        "set -e",
        'CODEFLARE_TASK_INDEX="${JOB_COMPLETION_INDEX:?is not set: run as a pod of an Indexed '
        'Job}"',
        'CODEFLARE_TASK="$(cat "/etc/codeflare/tasks/task-$(printf \'%05d\' '
        '"$CODEFLARE_TASK_INDEX")" && printf x)"',
        'CODEFLARE_TASK="${CODEFLARE_TASK%x}"',
        "export CODEFLARE_TASK_INDEX CODEFLARE_TASK",
        'python3 work.py --fast --lr "$LR" "$CODEFLARE_TASK"',
    ]


def test_no_gang_and_a_wrapper_that_leaves_retries_to_the_job() -> None:
    low = lowered(wq_app("  tasks:\n    sweep: {min: 1, max: 10}\n")
                  + run(extra="  workers: 3\n"), through="queueing")
    (wrapper,) = low.objects
    config_map, job = wrapper["spec"]["components"]  # no PodGroup: tasks are independent
    assert config_map["template"]["kind"] == "ConfigMap" and "podSets" not in config_map
    assert job["podSets"] == [{"path": "template.spec.template", "replicas": 3}]
    assert "schedulerName" not in job["template"]["spec"]["template"]["spec"]
    assert wrapper["metadata"]["annotations"] == {
        "workload.codeflare.dev.appwrapper/failureGracePeriodDuration": "24h",
        "workload.codeflare.dev.appwrapper/retryLimit": "0"}


@pytest.mark.parametrize("mode", ["appwrapper", "mcad"])
def test_wrapped_tasks_retry_in_their_own_pod(mode: Queueing) -> None:
    """A wrapper that counts pods must not see a failed pod for a task that a retry fixed."""
    low = lowered(wq_app() + run(), Overrides(queueing=mode))
    spec = job_spec(low)
    assert (spec["backoffLimitPerIndex"], spec["maxFailedIndexes"]) == (0, 1)
    script = spec["template"]["spec"]["containers"][0]["command"][2]
    assert script.splitlines()[-7:] == [
        "attempt=1",
        "until /bin/sh -ec 'python3 work.py --fast \"$CODEFLARE_TASK\"'; do",
        "  status=$?",
        '  if [ "$attempt" -gt 2 ]; then exit "$status"; fi',
        '  echo "task $CODEFLARE_TASK_INDEX failed (exit $status): try $((attempt + 1)) of 3" >&2',
        "  attempt=$((attempt + 1))",
        "done",
    ]


def test_non_workqueue_plans_pass_through() -> None:
    prog, resolved, diags = plans(app() + run())
    assert tasks_pass.tasks(resolved, prog, diags) == resolved
    assert not diags.items


# ------------------------------------------------------------------------ diagnostics

APP = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata:
  name: sweeper
spec:
  api: workqueue
  image: python:3.12
  command: python3 work.py
"""
RUN = """\
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata:
  name: sweep
spec:
  application: sweeper
"""


def yaml_objects(text: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(text))


def diagnose(tmp_path: Path, app_text: str = APP, run_text: str = RUN,
             *args: str, **more: str) -> list[str]:
    out = compile_files(tmp_path, {"app.yaml": app_text, "run.yaml": run_text, **more}, *args)
    assert out.exit_code == 1, out.stderr
    assert out.stdout == ""
    return blocks(out)


def test_empty_task_list(tmp_path: Path) -> None:
    assert diagnose(tmp_path, APP + "  tasks: []\n") == [
        "./app.yaml:9:3: error[CF410]: the task list is empty: the Job would have nothing to do\n"
        " 9 |   tasks: []\n"
        "   |   ^^^^^\n"
        "  help: list at least one task, or use tasks: {sweep: {min, max, step}}"]


def test_empty_task_list_on_the_run(tmp_path: Path) -> None:
    (block,) = diagnose(tmp_path, APP + "  tasks: [a]\n", RUN + "  tasks: []\n")
    assert block.splitlines()[0] == ("./run.yaml:7:3: error[CF410]: the task list is empty: "
                                     "the Job would have nothing to do")


def test_no_tasks_anywhere(tmp_path: Path) -> None:
    assert diagnose(tmp_path) == [
        "./app.yaml:6:8: error[CF410]: workqueue Run 'sweep' has no tasks: neither the Run nor "
        "its Application sets 'tasks'\n"
        " 6 |   api: workqueue\n"
        "   |        ^^^^^^^^^\n"
        "  help: add tasks: [<task>, …] or tasks: {sweep: {min, max, step}} to the Application "
        "or the Run"]


@pytest.mark.parametrize(("sweep", "col", "message", "help_text"), [
    ("{min: 1, max: 5, step: 0}", 35, "sweep step must be positive, not 0",
     "a sweep counts up from min to max: use a step above 0"),
    ("{min: 5, max: 1, step: -1}", 35, "sweep step must be positive, not -1",
     "a sweep counts up from min to max: use a step above 0"),
    ("{min: 5, max: 1}", 26, "sweep max 1 is below min 5",
     "a sweep counts up from min to max: swap them, or raise max"),
    ("{min: .inf, max: 1}", 18, "sweep min must be a finite number",
     "write a number such as 10 or 0.5"),
    ("{min: 0, max: 1e80}", 26, "sweep max is too large or too precise: written out it has "
     "more than 64 characters", "use a smaller number, or list the tasks"),
])
def test_bad_sweeps(tmp_path: Path, sweep: str, col: int, message: str,
                    help_text: str) -> None:
    (block,) = diagnose(tmp_path, APP + f"  tasks:\n    sweep: {sweep}\n")
    lines = block.splitlines()
    assert lines[0] == f"./app.yaml:10:{col}: error[CF411]: {message}"
    assert lines[-1] == f"  help: {help_text}"


def test_too_many_tasks(tmp_path: Path) -> None:
    (block,) = diagnose(tmp_path, APP, RUN + "  tasks:\n    sweep: {min: 0, max: 1, step: 1e-5}\n")
    assert block.splitlines() == [
        "./run.yaml:7:3: error[CF412]: the sweep has 100,001 tasks, more than the 100,000 an "
        "Indexed Job can run",
        " 7 |   tasks:",
        "   |   ^^^^^",
        "  help: use a larger step or a narrower range, or split the sweep over several Runs"]


def test_a_task_too_large_for_an_argument(tmp_path: Path) -> None:
    big = "y" * (MAX_TASK_BYTES + 1)
    (block,) = diagnose(tmp_path, APP + f"  tasks:\n    - small\n    - {big}\n")
    lines = block.splitlines()
    assert lines[0] == (f"./app.yaml:11:7: error[CF412]: task 1 is {MAX_TASK_BYTES + 1:,} bytes, "
                        f"more than a program argument can hold ({MAX_TASK_BYTES:,})")
    assert lines[-1] == "  help: pass large inputs as a dataset and make the task a file name in it"


def test_tasks_too_large_for_the_appwrapper(tmp_path: Path) -> None:
    tasks = "".join(f"    - '{i}{'z' * 100_000}'\n" for i in range(11))
    (block,) = diagnose(tmp_path, APP + "  tasks:\n" + tasks)
    lines = block.splitlines()
    assert lines[0].startswith("./app.yaml:9:3: error[CF412]: the tasks take 1,100,")
    assert lines[0].endswith("bytes, more than the 1,048,576 they may use inside the "
                             "appwrapper AppWrapper")
    assert lines[-1] == ("  help: pass large inputs as a dataset and make each task a file name "
                         "in it, or queue with --queueing kueue or none, where the tasks may "
                         "take several ConfigMaps")



def test_nul_in_a_task(tmp_path: Path) -> None:
    (block,) = diagnose(tmp_path, APP + '  tasks: [ok, "a\\0b"]\n')
    assert block.splitlines()[0] == (
        "./app.yaml:9:15: error[CF203]: task 1 contains a NUL character, which cannot be "
        "passed as an argument or in the environment")


def test_tasks_on_a_run_of_another_archetype(tmp_path: Path) -> None:
    app_text = APP.replace("api: workqueue", "api: shell")
    assert diagnose(tmp_path, app_text, RUN + "  tasks: [a]\n") == [
        "./run.yaml:7:3: error[CF203]: 'tasks' is only for 'workqueue' Applications, and "
        "Application 'sweeper' is 'shell'\n"
        " 7 |   tasks: [a]\n"
        "   |   ^^^^^\n"
        "  note: ./app.yaml:6:8: the Application's archetype\n"
        " 6 |   api: shell\n"
        "   |        ^^^^^\n"
        "  help: remove 'tasks' from the Run, or run a workqueue Application"]


def test_per_index_retries_need_kubernetes_1_29(tmp_path: Path) -> None:
    app_text = APP + "  tasks: [a]\n"
    (block,) = diagnose(tmp_path, app_text, RUN, "--kube-version", "1.28")
    assert block.splitlines() == [
        "./app.yaml:6:8: error[CF406]: a workqueue retries each task on its own (an Indexed "
        "Job's backoffLimitPerIndex), which needs Kubernetes 1.29 or newer, not 1.28",
        " 6 |   api: workqueue",
        "   |        ^^^^^^^^^",
        "  help: target Kubernetes 1.29 or newer (--kube-version or the Platform's "
        "kubernetesVersion)"]
    ok = compile_files(tmp_path, {}, "--kube-version", "1.29")
    assert ok.exit_code == 0, ok.stderr


def test_platform_version_is_pointed_at(tmp_path: Path) -> None:
    platform = textwrap.dedent("""\
        apiVersion: codeflare.dev/v1alpha1
        kind: Platform
        metadata: {name: cluster}
        spec:
          kubernetesVersion: "1.27"
        """)
    (block,) = diagnose(tmp_path, APP + "  tasks: [a]\n", RUN, **{"platform.yaml": platform})
    lines = block.splitlines()
    assert lines[0].startswith("./app.yaml:6:8: error[CF406]: ") and lines[0].endswith("not 1.27")
    assert lines[3] == "  note: ./platform.yaml:5:22: the Platform targets this version"


def test_every_task_error_is_reported(tmp_path: Path) -> None:
    app_text = APP + "  tasks:\n    sweep: {min: 1, max: 0}\n"
    other = RUN.replace("name: sweep", "name: other") + "  tasks: []\n"
    out = compile_files(tmp_path, {"app.yaml": app_text, "run.yaml": RUN, "other.yaml": other})
    codes = [b.split("error[")[1][:5] for b in blocks(out)]
    assert codes == [Code.BAD_SWEEP.value, Code.NO_TASKS.value]


@pytest.mark.parametrize(("queueing", "count", "error"), [
    ("appwrapper", 10, "inside the appwrapper AppWrapper"),
    ("mcad", 10, "inside the mcad AppWrapper"),
    ("kueue", 10, None),
    ("none", 10, None),
    ("none", 30, "in the Run's ConfigMaps"),
])
def test_total_budget_depends_on_wrapping(monkeypatch: pytest.MonkeyPatch, queueing: Queueing,
                                          count: int, error: str | None) -> None:
    """With the budgets scaled down: wrapped, all tasks count against one object; unwrapped,
    against the (larger) total that several ConfigMaps may hold."""
    cost = entry_bytes(task_key(0), "t-00")
    for name in ("appwrapper", "mcad"):  # the targets' own budgets: one object each
        monkeypatch.setitem(QUEUEINGS, name, QUEUEINGS[name]._replace(task_budget=cost * 5))
    monkeypatch.setattr(tasks_pass, "TOTAL_BUDGET", cost * 20)
    text = wq_app(f"  tasks: [{', '.join(f't-{i:02d}' for i in range(count))}]\n") + run()
    prog, resolved, diags = plans(text, Overrides(queueing=queueing))
    kept = tasks_pass.tasks(resolved, prog, diags)
    if error is None:
        assert not diags.items and len(kept[0].tasks) == count
    else:
        (diagnostic,) = diags.items
        assert diagnostic.code is Code.TOO_MANY_TASKS and diagnostic.message.endswith(error)
        assert kept == []


WORKFLOW = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata:
  name: pipeline
spec:
  api: workflow
  steps:
    - name: fan-out
      application: sweeper
"""
WORKFLOW_RUN = RUN.replace("application: sweeper", "application: pipeline")


def test_a_workflow_step_takes_its_applications_tasks(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP + "  tasks: [x, y]\n", "wf.yaml": WORKFLOW,
                                   "run.yaml": WORKFLOW_RUN}, "--queueing", "none",
                        "--gang", "none")
    assert out.exit_code == 0, out.stderr
    (workflow,) = [o for o in yaml_objects(out.stdout) if o["kind"] == "Workflow"]
    manifests = [t["resource"]["manifest"] for t in workflow["spec"]["templates"]
                 if "resource" in t]
    (config_map,) = [m for m in map(yaml.safe_load, manifests) if m["kind"] == "ConfigMap"]
    assert config_map["data"] == {"task-00000": "x", "task-00001": "y"}


def test_tasks_on_a_workflow_run(tmp_path: Path) -> None:
    (block,) = diagnose(tmp_path, APP + "  tasks: [x]\n", WORKFLOW_RUN + "  tasks: [a]\n",
                        **{"wf.yaml": WORKFLOW})
    assert block.splitlines()[0] == (
        "./run.yaml:7:3: error[CF203]: 'tasks' is only for 'workqueue' Applications, and "
        "Application 'pipeline' is 'workflow'")
