"""Each class of input error: exact `path:line:col`, code, caret and help, and the exit code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import blocks, compile_files, header_and_help, run_cli

APP = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata:
  name: trainer
spec:
  api: ray
  image: rayproject/ray:2.52.0
  command: python3 train.py
"""
RUN = """\
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata:
  name: nightly
spec:
  application: trainer
"""


def test_yaml_syntax_error(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"bad.yaml": "kind: Run\nspec: [unclosed\n"})
    assert out.exit_code == 1
    assert out.stdout == ""
    header, *rest = blocks(out)[0].splitlines()
    assert header.startswith("./bad.yaml:3:1: error[CF101]: YAML syntax error:")
    assert rest[-1] == "  help: check the indentation and quoting around this point"


def test_tab_indentation_gets_specific_help(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"tab.yaml": "spec:\n\tapi: ray\n"})
    assert blocks(out)[0].splitlines()[0].startswith("./tab.yaml:2:1: error[CF101]")
    assert "  help: YAML indentation must use spaces, not tabs" in out.stderr


def test_duplicate_key_points_at_both(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP + "  command: python3 other.py\n"})
    assert blocks(out) == [
        "./app.yaml:9:3: error[CF102]: duplicate key 'command'\n"
        " 9 |   command: python3 other.py\n"
        "   |   ^^^^^^^\n"
        "  note: ./app.yaml:8:3: first defined here\n"
        " 8 |   command: python3 train.py\n"
        "   |   ^^^^^^^\n"
        "  help: remove one of the two; YAML would silently keep the last"
    ]


def test_non_mapping_document(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"list.yaml": "- a\n- b\n"})
    assert blocks(out)[0].splitlines()[0] == \
        "./list.yaml:1:1: error[CF103]: document 1 is not a mapping"


def test_unknown_kind_and_api_version(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {
        "a.yaml": "apiVersion: codeflare.dev/v1alpha1\nkind: Aplication\nmetadata: {name: x}\n",
        "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    })
    first, second = blocks(out)
    assert first == (
        "./a.yaml:2:7: error[CF104]: unknown kind 'Aplication'\n"
        " 2 | kind: Aplication\n"
        "   |       ^^^^^^^^^^\n"
        "  help: did you mean 'Application'?"
    )
    assert second.splitlines()[0] == "./b.yaml:1:13: error[CF104]: unknown apiVersion 'v1'"


def test_unknown_field_suggests_the_closest(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP.replace("  image:", "  imag:")})
    assert blocks(out) == [
        "./app.yaml:7:3: error[CF201]: unknown field 'imag' in Application\n"
        " 7 |   imag: rayproject/ray:2.52.0\n"
        "   |   ^^^^\n"
        "  help: did you mean 'image'?",
    ]


def test_archetype_requirements(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP.replace("  image: rayproject/ray:2.52.0\n",
                                                           "")})
    assert blocks(out) == [
        "./app.yaml:5:1: error[CF203]: a 'ray' Application needs 'image'\n"
        " 5 | spec:\n"
        "   | ^^^^\n"
        "  help: see the field reference in docs/input-api.md"
    ]


def test_enum_lists_valid_values(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP.replace("api: ray", "api: rayy")})
    assert blocks(out) == [
        "./app.yaml:6:8: error[CF203]: invalid value 'rayy' for 'spec.api'\n"
        " 6 |   api: rayy\n"
        "   |        ^^^^\n"
        "  help: did you mean 'ray'? valid values: ray, torch, workqueue, workflow, shell"
    ]


def test_invalid_name(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP.replace("name: trainer", "name: Trainer_1")})
    header, *_, help_line = blocks(out)[0].splitlines()
    assert header.startswith("./app.yaml:4:9: error[CF204]: 'Trainer_1' is not a valid name")
    assert help_line == "  help: names are DNS-1123 labels, such as 'train-mnist'"


def test_invalid_quantity(tmp_path: Path) -> None:
    sizes = textwrap.dedent("""\
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata:
      name: nodes
    spec:
      config:
        xs: {workers: 1, cpu: 2 cores, memory: 4Gi}
    """)
    out = compile_files(tmp_path, {"sizes.yaml": sizes})
    header, *_, help_line = blocks(out)[0].splitlines()
    assert header == ("./sizes.yaml:7:27: error[CF205]: '2 cores' is not a Kubernetes quantity "
                      "such as 500m, 2, 1.5Gi or 512Mi")
    assert help_line == ('  help: quantities are strings such as "500m", "2", "1536Mi" or '
                         '"4Gi"')


def test_inline_credentials_point_at_the_key(tmp_path: Path) -> None:
    dataset = textwrap.dedent("""\
    apiVersion: codeflare.dev/v1alpha1
    kind: DataSet
    metadata:
      name: mnist
    spec:
      s3:
        endpoint: https://s3.example.com
        bucket: data
        secretAccessKey: hunter2
    """)
    out = compile_files(tmp_path, {"ds.yaml": dataset})
    header, *_, help_line = blocks(out)[0].splitlines()
    assert header == ("./ds.yaml:9:5: error[CF207]: credentials are written inline "
                      "(secretAccessKey)")
    assert "secretRef" in help_line
    assert "hunter2" not in out.stderr.replace(" 9 |     secretAccessKey: hunter2", "")


def test_unknown_application_did_you_mean(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP,
                                   "run.yaml": RUN.replace("trainer", "trainr")})
    assert blocks(out) == [
        "./run.yaml:6:16: error[CF301]: Run 'nightly' refers to Application 'trainr', which "
        "does not exist in namespace 'default'\n"
        " 6 |   application: trainr\n"
        "   |                ^^^^^^\n"
        "  help: did you mean 'trainer'?"
    ]


def test_application_in_another_namespace_is_named(tmp_path: Path) -> None:
    app = APP.replace("  name: trainer\n", "  name: trainer\n  namespace: ml\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN})
    assert blocks(out)[0].splitlines()[-1] == (
        "  help: an Application 'trainer' exists as ml/trainer; this Run has no "
        "metadata.namespace, so it is in 'default': set metadata.namespace: ml on the Run (or "
        "refer to the Application with application: {name, namespace})")


def test_application_elsewhere_for_a_run_with_a_namespace(tmp_path: Path) -> None:
    app = APP.replace("  name: trainer\n", "  name: trainer\n  namespace: ml\n")
    run = RUN.replace("  name: nightly\n", "  name: nightly\n  namespace: dev\n")
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": run})
    assert blocks(out)[0].splitlines()[-1] == (
        "  help: an Application 'trainer' exists as ml/trainer: set application: "
        "{name, namespace}")


def test_unknown_image_and_dataset(tmp_path: Path) -> None:
    app = APP.replace("image: rayproject/ray:2.52.0", "image: {name: ray-imag}") + \
        "  inputs:\n    - dataset: mnistt\n"
    image = textwrap.dedent("""\
    apiVersion: codeflare.dev/v1alpha1
    kind: Image
    metadata: {name: ray-image}
    spec: {image: rayproject/ray:2.52.0}
    ---
    apiVersion: codeflare.dev/v1alpha1
    kind: DataSet
    metadata: {name: mnist}
    spec: {pvc: {claimName: mnist-data}}
    """)
    out = compile_files(tmp_path, {"app.yaml": app, "run.yaml": RUN, "defs.yaml": image})
    first, second = blocks(out)
    assert first.splitlines()[0] == (
        "./app.yaml:7:17: error[CF301]: Application 'trainer' refers to Image 'ray-imag', which "
        "does not exist in namespace 'default'")
    assert first.splitlines()[-1] == "  help: did you mean 'ray-image'?"
    assert second.splitlines()[0] == (
        "./app.yaml:10:16: error[CF301]: Application 'trainer' reads DataSet 'mnistt', which "
        "does not exist in namespace 'default'")
    assert second.splitlines()[-1] == "  help: did you mean 'mnist'?"


def test_size_missing_from_configuration_names_both_files(tmp_path: Path) -> None:
    sizes = textwrap.dedent("""\
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata:
      name: small-only
    spec:
      config:
        xs: {workers: 1, cpu: "1", memory: 4Gi}
    """)
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": RUN + "  size: lg\n",
                                   "policy/sizes.yaml": sizes})
    assert blocks(out) == [
        "./run.yaml:7:9: error[CF401]: size 'lg' is not in RunSizeConfiguration 'small-only'\n"
        " 7 |   size: lg\n"
        "   |         ^^\n"
        "  note: ./policy/sizes.yaml:6:3: 'small-only' applies to namespace 'default'\n"
        " 6 |   config:\n"
        "   |   ^^^^^^\n"
        "  help: 'small-only' defines: xs; add 'lg' there or choose one of those"
    ]


def test_two_configurations_with_one_priority(tmp_path: Path) -> None:
    sizes = textwrap.dedent("""\
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata: {name: a}
    spec: {config: {xs: {workers: 1, cpu: "1", memory: 1Gi}}}
    ---
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata: {name: b}
    spec: {config: {xs: {workers: 1, cpu: "1", memory: 1Gi}}}
    """)
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": RUN, "sizes.yaml": sizes})
    header = blocks(out)[0].splitlines()[0]
    assert header == ("./sizes.yaml:4:7: error[CF402]: RunSizeConfigurations 'a' and 'b' both "
                      "apply to namespace 'default' with priority 1")


def test_second_platform_points_at_the_first(tmp_path: Path) -> None:
    platform = "apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: %s}\n"
    out = compile_files(tmp_path, {"a.yaml": platform % "one", "b.yaml": platform % "two",
                                   "app.yaml": APP, "run.yaml": RUN})
    lines = blocks(out)[0].splitlines()
    assert lines[0] == "./b.yaml:2:1: error[CF303]: a second Platform is defined"
    assert lines[3] == "  note: ./a.yaml:2:1: the first Platform"


def test_duplicate_resource(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"a.yaml": APP, "b.yaml": APP, "run.yaml": RUN})
    lines = blocks(out)[0].splitlines()
    assert lines[0] == ("./b.yaml:4:3: error[CF302]: Application 'trainer' in namespace "
                        "'default' is defined twice")
    assert lines[3] == "  note: ./a.yaml:4:3: first defined here"


def test_unmapped_priority_names_the_platform(tmp_path: Path) -> None:
    platform = "apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: p}\n" \
               "spec: {priorityClasses: {low: batch-low}}\n"
    out = compile_files(tmp_path, {"platform.yaml": platform, "app.yaml": APP,
                                   "run.yaml": RUN + "  priority: high\n"})
    lines = blocks(out)[0].splitlines()
    assert lines[0] == ("./run.yaml:7:13: error[CF305]: priority 'high' needs a PriorityClass, "
                        "and the Platform in ./platform.yaml maps none to 'high'")
    assert lines[-1] == "  help: add spec.priorityClasses.high: <PriorityClass name> to the " \
                        "Platform"


def test_all_errors_are_reported_in_one_run(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {
        "app.yaml": APP.replace("api: ray", "api: rayy"),
        "run.yaml": RUN.replace("nightly", "Nightly"),
        "broken.yaml": "a: [\n",
    })
    assert [b.split("error[")[1][:5] for b in blocks(out)] == ["CF203", "CF101", "CF204"]
    assert out.stderr.strip().endswith("3 errors")


def test_empty_output_is_an_error_unless_allowed(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP})
    assert out.exit_code == 1
    assert out.stderr.startswith("error[CF601]: no Run found: the output would be empty")
    allowed = run_cli("compile", ".", "--allow-empty", cwd=tmp_path)
    assert (allowed.exit_code, allowed.stdout) == (0, "")


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    out = run_cli("compile", "nowhere.yaml", cwd=tmp_path)
    assert out.exit_code == 2
    assert out.stderr == "codeflare-compile: nowhere.yaml: no such file or folder\n"


@pytest.mark.parametrize("flag", ["--queueing=fifo", "--gang=volcano"])
def test_invalid_flag_value_is_a_usage_error(tmp_path: Path, flag: str) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": RUN}, flag)
    assert out.exit_code == 2


def test_internal_error_has_no_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codeflare_compile import lower

    def broken(plan: object, target: object) -> object:
        raise KeyError("boom")

    monkeypatch.setitem(lower.LOWERINGS, "ray", broken)
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": RUN})
    assert out.exit_code == 3
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith("codeflare-compile: internal error: KeyError: 'boom'")


def test_invalid_output_is_never_printed(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from codeflare_compile.lower import pods

    monkeypatch.setattr(pods, "container_security", lambda: {"allowPrivilegeEscalation": "no"})
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": RUN}, "--queueing", "none",
                        "--gang", "none")
    assert out.exit_code == 3  # the RayJob is checked against the bundled CRD
    assert out.stdout == ""
    assert "allowPrivilegeEscalation" in out.stderr


SIZES_HEAD = """\
apiVersion: codeflare.dev/v1alpha1
kind: RunSizeConfiguration
metadata:
  name: tiny
spec:
  config:
"""


def test_quantities_that_cannot_be_meant(tmp_path: Path) -> None:
    sizes = SIZES_HEAD + ("    xs: {workers: 1, cpu: 0, memory: 4}\n"
                          "    sm: {workers: 1, cpu: \"1\", memory: \"0Gi\"}\n"
                          "    md: {workers: 1, cpu: \"1\", memory: \"1Mi\"}\n")
    out = compile_files(tmp_path, {"sizes.yaml": sizes, "app.yaml": APP, "run.yaml": RUN})
    assert out.exit_code == 1
    headers = [b.splitlines()[0] for b in blocks(out)]
    assert headers == [
        "./sizes.yaml:7:27: error[CF215]: cpu '0' is zero: a pod needs some CPU",
        "./sizes.yaml:7:38: error[CF215]: memory '4' is 4 bytes, under 1Mi: a number without "
        "a unit counts bytes",
        "./sizes.yaml:8:40: error[CF215]: memory '0Gi' is zero: a pod needs some memory",
    ]


def test_fluent_bit_memory_in_bytes_is_refused(tmp_path: Path) -> None:
    platform = ("apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: p}\n"
                "spec: {fluentBit: {memory: 128}}\n")
    out = compile_files(tmp_path, {"platform.yaml": platform, "app.yaml": APP, "run.yaml": RUN})
    assert "error[CF215]: memory '128' is 128 bytes" in out.stderr


GPU_RUN = RUN + "  supportsGpu: true\n"


def test_gpu_refused_by_the_application_is_a_warning(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": GPU_RUN})
    assert out.exit_code == 0
    assert blocks(out) == [
        "./run.yaml:7:16: warning[CF510]: Run 'nightly' asks for GPUs (supportsGpu: true), but "
        "its Application 'trainer' does not allow them: its pods get no GPU\n"
        " 7 |   supportsGpu: true\n"
        "   |                ^^^^\n"
        "  note: ./app.yaml:4:3: Application 'trainer' does not set supportsGpu (false by "
        "default)\n"
        " 4 |   name: trainer\n"
        "   |   ^^^^\n"
        "  help: set supportsGpu: true on Application 'trainer' if it can use GPUs; otherwise "
        "remove supportsGpu from the Run"
    ]
    strict = compile_files(tmp_path, {}, "--warnings-as-errors")
    assert strict.exit_code == 1 and strict.stdout == ""


def test_gpu_refused_by_the_size_names_the_size(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP + "  supportsGpu: true\n",
                                   "run.yaml": GPU_RUN + "  size: xxs\n"})
    assert blocks(out)[0].splitlines()[0] == (
        "./run.yaml:7:16: warning[CF510]: Run 'nightly' asks for GPUs (supportsGpu: true), but "
        "size 'xxs' of the built-in size table gives no GPU")


def test_gpu_given_is_silent(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP + "  supportsGpu: true\n",
                                   "run.yaml": GPU_RUN}, "--warnings-as-errors")
    assert out.exit_code == 0 and "nvidia.com/gpu" in out.stdout


def test_sweep_inside_a_list_says_how_a_sweep_is_written(tmp_path: Path) -> None:
    app = APP.replace("api: ray", "api: workqueue")
    out = compile_files(tmp_path, {"app.yaml": app,
                                   "run.yaml": RUN + "  tasks: [{sweep: {min: 1, max: 50}}]\n"})
    assert blocks(out) == [
        "./run.yaml:7:11: error[CF203]: 'spec.tasks.0': a sweep inside a list; 'tasks' is "
        "either a list of strings or one sweep\n"
        " 7 |   tasks: [{sweep: {min: 1, max: 50}}]\n"
        "   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  help: write the sweep without the list: tasks: {sweep: {min: 1, max: 50, step: 1}}",
    ]


def test_invalid_application_is_reported_once_and_runs_say_invalid(tmp_path: Path) -> None:
    run2 = RUN.replace("name: nightly", "name: weekly")
    out = compile_files(tmp_path, {"app.yaml": APP + "  bogus: 1\n", "run.yaml": RUN,
                                   "run2.yaml": run2})
    headers = [b.splitlines()[0] for b in blocks(out)]
    assert headers == [
        "./app.yaml:9:3: error[CF201]: unknown field 'bogus' in Application",
        "./run.yaml:6:16: error[CF216]: Run 'nightly' uses Application 'trainer', which is "
        "invalid",
        "./run2.yaml:6:16: error[CF216]: Run 'weekly' uses Application 'trainer', which is "
        "invalid",
    ]
    assert "does not exist" not in out.stderr
    assert "  note: ./app.yaml:4:3: Application 'trainer' is defined here" in out.stderr


def test_invalid_image_and_dataset_are_not_missing(tmp_path: Path) -> None:
    image = ("apiVersion: codeflare.dev/v1alpha1\nkind: Image\nmetadata: {name: base}\n"
             "spec: {image: 'python:3.12', bogus: 1}\n")
    dataset = ("apiVersion: codeflare.dev/v1alpha1\nkind: DataSet\nmetadata: {name: data}\n"
               "spec: {bogus: 1}\n")
    app = APP.replace("image: rayproject/ray:2.52.0", "image: {name: base}") + \
        "  inputs: [{dataset: data}]\n"
    out = compile_files(tmp_path, {"image.yaml": image, "dataset.yaml": dataset,
                                   "app.yaml": app, "run.yaml": RUN})
    assert "does not exist" not in out.stderr
    assert "error[CF216]: Application 'trainer' uses Image 'base', which is invalid" in out.stderr
    assert "error[CF216]: Application 'trainer' uses DataSet 'data', which is invalid" \
        in out.stderr


def test_unrelated_yaml_at_a_repository_root_mentions_skip_unrelated(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {".github/workflows/ci.yaml": "name: ci\non: push\n",
                                   "charts/x/Chart.yaml": "apiVersion: v2\nname: x\n",
                                   "app.yaml": APP, "run.yaml": RUN})
    helps = [b.splitlines()[-1] for b in blocks(out)]
    assert helps == [
        "  help: set apiVersion: codeflare.dev/v1alpha1; to skip files that do not mention "
        "codeflare.dev (CI workflows, charts), pass --skip-unrelated",
        "  help: only codeflare.dev/v1alpha1 resources are compiled; keep other manifests out "
        "of the input paths; to skip files that do not mention codeflare.dev (CI workflows, "
        "charts), pass --skip-unrelated",
    ]
    assert compile_files(tmp_path, {}, "--skip-unrelated").exit_code == 0


def test_codeflare_kind_without_api_version_is_not_told_to_skip(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"run.yaml": RUN.replace("apiVersion: codeflare.dev/v1alpha1\n",
                                                           "")})
    assert blocks(out)[0].splitlines()[-1] == "  help: set apiVersion: codeflare.dev/v1alpha1"


@pytest.mark.parametrize(("line", "expected"), [
    ("    size: md\n", "'size' is indented 4 spaces ('application' above is indented 2): indent "
     "a key exactly like the other keys of its mapping; if the value above goes on over this "
     "line instead, quote that value"),
    (" size: md\n", "'size' is indented 1 space ('application' above is indented 2): indent a "
     "key exactly like the other keys of its mapping"),
])
def test_misindented_key_says_so(tmp_path: Path, line: str, expected: str) -> None:
    out = compile_files(tmp_path, {"run.yaml": RUN + line})
    assert blocks(out)[0].splitlines()[-1] == f"  help: {expected}"


def test_colon_inside_a_value_still_asks_for_quotes(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"run.yaml": RUN + "  options: --x a: b\n"})
    assert blocks(out)[0].splitlines()[-1] == "  help: a value containing ': ' must be quoted"


def test_too_long_name_says_its_length(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP,
                                   "run.yaml": RUN.replace("nightly", "n" * 70)})
    assert blocks(out)[0].splitlines()[0].endswith(
        "starting and ending with a letter or digit (it has 70 characters)")


def test_kubernetes_style_env_list_says_the_form(tmp_path: Path) -> None:
    env = ("  env:\n"
           "    - name: DATA_DIR\n"
           "      value: /data\n"
           "    - name: TOKEN\n"
           "      valueFrom: {secretKeyRef: {name: s, key: k}}\n")
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": RUN + env})
    assert header_and_help(out) == (
        ("./run.yaml:8:5: error[CF203]: 'spec.env' is a list; env is a mapping "
         "of names to values, not a Kubernetes list of {name, value}"),
        ("  help: write env: {DATA_DIR: '/data', TOKEN: ...}; a value from a "
         "Secret is NAME: {secretKeyRef: {name: <secret>, key: <key>}}"))


def test_priority_without_a_platform_says_a_platform_is_needed(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP, "run.yaml": RUN + "  priority: high\n"})
    assert header_and_help(out) == (
        ("./run.yaml:7:13: error[CF305]: priority 'high' needs a PriorityClass, "
         "and no Platform maps priorities to PriorityClasses"),
        ("  help: add a Platform with spec.priorityClasses: {high: "
         "<PriorityClass name>} to the inputs (or -I it), or remove priority"))


#: A workflow Application up to its steps, which each test appends.
WORKFLOW = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata:
  name: flow
spec:
  api: workflow
  steps:
"""
FLOW = WORKFLOW + "    - {name: train, application: trainer}\n"


def test_workflow_run_fields_without_effect_are_named(tmp_path: Path) -> None:
    run = RUN.replace("application: trainer", "application: flow") + \
        "  options: --epochs 1\n  workers: 3\n  size: sm\n"
    out = compile_files(tmp_path, {"app.yaml": APP, "flow.yaml": FLOW, "run.yaml": run})
    assert out.exit_code == 0
    assert "--epochs 1" not in out.stdout
    found = [(b.splitlines()[0], b.splitlines()[-1]) for b in blocks(out)]
    assert found == [
        ("./run.yaml:7:3: warning[CF511]: 'options' has no effect on workflow Run 'nightly': "
         "its steps do not take it",
         "  help: set options on the step (spec.steps[].options of Application 'flow') or on "
         "the step's Application"),
        ("./run.yaml:8:3: warning[CF511]: 'workers' has no effect on workflow Run 'nightly': "
         "its steps do not take it",
         "  help: steps are sized by their size: set size on the step (spec.steps[].size of "
         "Application 'flow'), or set workers in a Run of the step's Application"),
    ]
