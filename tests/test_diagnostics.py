"""Each class of input error: exact `path:line:col`, code, caret and help, and the exit code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import Outcome, run_cli

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


def compile_files(tmp_path: Path, files: dict[str, str], *args: str) -> Outcome:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return run_cli("compile", ".", *args, cwd=tmp_path)


def blocks(outcome: Outcome) -> list[str]:
    """The diagnostics, one text block each, without the closing count."""
    return outcome.stderr.strip().split("\n\n")[:-1]


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
    sizes = """\
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata:
      name: nodes
    spec:
      config:
        xs: {workers: 1, cpu: 2 cores, memory: 4Gi}
    """
    out = compile_files(tmp_path, {"sizes.yaml": sizes})
    header, *_, help_line = blocks(out)[0].splitlines()
    assert header == ("./sizes.yaml:7:27: error[CF205]: '2 cores' is not a Kubernetes quantity "
                      "such as 500m, 2, 1.5Gi or 512Mi")
    assert help_line == ('  help: quantities are strings such as "500m", "2", "1536Mi" or '
                         '"4Gi"')


def test_inline_credentials_point_at_the_key(tmp_path: Path) -> None:
    dataset = """\
    apiVersion: codeflare.dev/v1alpha1
    kind: DataSet
    metadata:
      name: mnist
    spec:
      s3:
        endpoint: https://s3.example.com
        bucket: data
        secretAccessKey: hunter2
    """
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
        "  help: an Application 'trainer' exists as ml/trainer: set application: "
        "{name, namespace}")


def test_unknown_image_and_dataset(tmp_path: Path) -> None:
    app = APP.replace("image: rayproject/ray:2.52.0", "image: {name: ray-imag}") + \
        "  inputs:\n    - dataset: mnistt\n"
    image = """\
    apiVersion: codeflare.dev/v1alpha1
    kind: Image
    metadata: {name: ray-image}
    spec: {image: rayproject/ray:2.52.0}
    ---
    apiVersion: codeflare.dev/v1alpha1
    kind: DataSet
    metadata: {name: mnist}
    spec: {pvc: {claimName: mnist-data}}
    """
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
    sizes = """\
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata:
      name: small-only
    spec:
      config:
        xs: {workers: 1, cpu: "1", memory: 4Gi}
    """
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
    sizes = """\
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata: {name: a}
    spec: {config: {xs: {workers: 1, cpu: "1", memory: 1Gi}}}
    ---
    apiVersion: codeflare.dev/v1alpha1
    kind: RunSizeConfiguration
    metadata: {name: b}
    spec: {config: {xs: {workers: 1, cpu: "1", memory: 1Gi}}}
    """
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
    assert lines[0] == ("./run.yaml:7:13: error[CF301]: priority 'high' has no PriorityClass: "
                        "the Platform in ./platform.yaml maps no 'high'")
    assert lines[-1] == "  help: add spec.priorityClasses.high: <PriorityClass name> to the " \
                        "Platform"


def test_unsupported_setting(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP + "  expose: [8080]\n", "run.yaml": RUN})
    assert blocks(out)[0].splitlines()[0] == (
        "./app.yaml:9:3: error[CF501]: 'expose' is not supported by this version of "
        "codeflare-compile")


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
