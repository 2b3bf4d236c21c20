"""The Python API (docs/python-api.md): paths, in-memory texts, settings, bad settings, bad
inputs, and `to_yaml()` equal to what the command line prints on every golden."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import codeflare_compile as cc
from codeflare_compile.settings import BY_KEY
from tests.helpers import REPO, run_cli

EXAMPLE = REPO / "examples" / "ray-mnist"
GOLDENS = sorted([*REPO.glob("tests/golden/*/input"), *REPO.glob("archetypes/*/example/input")])

APP = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: app}
spec: {api: shell, image: "python:3.12", command: python3 main.py}
"""
RUN = """\
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: nightly}
spec:
  application: app
"""


def kinds(result: cc.Result) -> list[str]:
    return [obj["kind"] for obj in result.objects]


def test_compile_paths() -> None:
    result = cc.compile([EXAMPLE])  # a pathlib.Path is a path too
    assert result.ok and result.diagnostics == ()
    assert kinds(result) == ["PodGroup", "RayJob"]
    assert result.objects[1]["metadata"]["namespace"] == "ml-team"
    assert result.to_yaml().startswith(f"# Source: {EXAMPLE}/run.yaml\n---\n")


def test_compile_texts_with_includes(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(APP)
    result = cc.compile_texts({"run.yaml": RUN}, includes=[str(tmp_path)])
    assert result.ok, result.diagnostics
    assert kinds(result) == ["AppWrapper"]
    assert result.to_yaml().startswith("# Source: run.yaml\n")


def test_texts_compile_as_files_do(tmp_path: Path) -> None:
    (tmp_path / "run.yaml").write_text(APP + "---\n" + RUN)
    from_text = cc.compile_texts({"run.yaml": APP + "---\n" + RUN})
    from_file = run_cli("compile", "run.yaml", cwd=tmp_path)
    assert from_text.to_yaml() == from_file.stdout


def test_settings_are_keyword_arguments() -> None:
    plain = cc.compile_texts({"run.yaml": APP + "---\n" + RUN}, queueing="none", gang="none",
                             namespace="research", kube_version="1.31")
    assert kinds(plain) == ["Job"]
    assert plain.objects[0]["metadata"]["namespace"] == "research"
    assert kinds(cc.compile_texts({"run.yaml": APP + "---\n" + RUN})) == ["AppWrapper"]
    assert kinds(cc.compile_texts({"run.yaml": APP + "---\n" + RUN}, queueing="kueue")) == \
        ["PodGroup", "Job"]


def test_settings_override_the_platform() -> None:
    platform = ("apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: p}\n"
                "spec: {queueing: none, gangScheduling: none}\n")
    texts = {"run.yaml": APP + "---\n" + RUN, "platform.yaml": platform}
    assert kinds(cc.compile_texts(texts)) == ["Job"]
    assert "AppWrapper" in kinds(cc.compile_texts(texts, queueing="appwrapper"))


def test_an_unknown_setting_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'queuing'; did you mean "
                                        "'queueing'"):
        cc.compile([EXAMPLE], queuing="kueue")
    with pytest.raises(TypeError, match="unexpected keyword argument 'kube-version'"):
        cc.compile_texts({}, **{"kube-version": "1.31"})


@pytest.mark.parametrize(("settings", "message"), [
    ({"queueing": "kueu"}, "queueing: invalid value 'kueu'; did you mean 'kueue'?"),
    ({"gang": "volcano"}, "gang: invalid value 'volcano'; expected one of: coscheduler, none"),
    ({"namespace": "Research"}, "namespace: 'Research' is not a valid namespace name"),
    ({"kube_version": "foo"}, "kube_version: 'foo' is not a Kubernetes version"),
    ({"logging": 1}, "logging must be a string, not int"),
])
def test_a_bad_setting_value_is_a_value_error(settings: dict[str, object], message: str
                                              ) -> None:
    with pytest.raises(ValueError) as raised:
        cc.compile([EXAMPLE], **settings)  # type: ignore[arg-type]
    assert str(raised.value).startswith(message)


def test_a_kubernetes_version_without_schemas_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"1\.10"):
        cc.compile([EXAMPLE], kube_version="1.10")


def test_input_problems_are_diagnostics_where_the_text_renderer_puts_them(tmp_path: Path
                                                                          ) -> None:
    bad_run = RUN.replace("application: app", "application: ap")
    texts = {"app.yaml": APP, "run.yaml": bad_run, "broken.yaml": "a: [1\n"}
    result = cc.compile_texts(texts)
    assert not result.ok
    assert result.objects == [] and result.to_yaml() == ""
    by_code = {d.code: d for d in result.diagnostics}
    assert set(by_code) == {"CF101", "CF301"}
    missing = by_code["CF301"]
    assert (missing.severity, missing.path, missing.line, missing.column) == \
        ("error", "run.yaml", 5, 16)
    assert "'ap'" in missing.message and missing.help == "did you mean 'app'?"
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    stderr = run_cli("compile", ".", cwd=tmp_path).stderr
    for d in result.diagnostics:  # the same place and words as the command line shows
        assert f"{d.path}:{d.line}:{d.column}: {d.severity}[{d.code}]: {d.message}" \
            in stderr.replace("./", "")


def test_a_warning_is_not_an_error() -> None:
    result = cc.compile_texts({"run.yaml": APP + "---\n" + RUN.replace(
        "application: app", "application: app\n  queue: q")}, queueing="none", gang="none")
    assert result.ok and result.objects
    assert [d.severity for d in result.diagnostics] == ["warning"]


def test_a_path_that_cannot_be_read_raises(tmp_path: Path) -> None:
    with pytest.raises(cc.InputError, match="no such file or folder"):
        cc.compile([tmp_path / "absent.yaml"])


def test_importing_the_package_stays_cheap() -> None:
    code = ("import sys, codeflare_compile; "
            "assert 'pydantic' not in sys.modules and 'yaml' not in sys.modules, 'heavy'; "
            "assert callable(codeflare_compile.compile)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("input_dir", GOLDENS, ids=lambda p: str(p.parent.relative_to(REPO)))
def test_to_yaml_is_the_command_lines_stdout(input_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    case = input_dir.parent
    args = shlex.split((case / "args").read_text()) if (case / "args").exists() else []
    flags, values = args[::2], args[1::2]
    settings = {BY_KEY[flag.removeprefix("--")].name: value
                for flag, value in zip(flags, values, strict=True)}
    cli = run_cli("compile", "input", *args, cwd=case)
    assert cli.exit_code == 0, cli.stderr
    monkeypatch.chdir(case)
    result = cc.compile(["input"], **settings)
    assert result.ok
    assert result.to_yaml() == cli.stdout
    assert result.objects == list(yaml.safe_load_all(cli.stdout))
