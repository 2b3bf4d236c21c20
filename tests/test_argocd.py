"""The Argo CD plugin (integrations/argocd/plugin.yaml), run the way the CMP sidecar runs it:
each command exec'd as written, in the Application's source folder, with Argo CD's build
environment (ARGOCD_APP_*, PARAM_*, KUBE_VERSION, KUBE_API_VERSIONS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeflare_compile.argocd import detect_queueing, parameters
from codeflare_compile.settings import SettingsError
from tests.helpers import REPO, run_cli

PLUGIN = REPO / "integrations" / "argocd" / "plugin.yaml"
EXAMPLE = REPO / "examples" / "ray-mnist"
#: What a cluster with Kueue but no AppWrapper controller serves, as Argo CD lists it.
KUEUE_CLUSTER = ",".join([
    "v1", "v1/ConfigMap", "apps/v1", "apps/v1/Deployment", "batch/v1", "batch/v1/Job",
    "kueue.x-k8s.io/v1beta1", "kueue.x-k8s.io/v1beta1/LocalQueue", "ray.io/v1",
    "ray.io/v1/RayJob", "scheduling.x-k8s.io/v1alpha1",
])


@pytest.fixture(scope="module")
def plugin() -> dict[str, Any]:
    spec = yaml.safe_load(PLUGIN.read_text())
    assert (spec["apiVersion"], spec["kind"]) == ("argoproj.io/v1alpha1",
                                                  "ConfigManagementPlugin")
    return dict(spec["spec"])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A GitOps repository: one team's jobs (no namespace written) and the cluster's policy."""
    app = tmp_path / "repo" / "apps" / "mnist"
    app.mkdir(parents=True)
    for name in ("application.yaml", "run.yaml"):
        text = (EXAMPLE / name).read_text().replace("  namespace: ml-team\n", "")
        (app / name).write_text(text)
    platform = tmp_path / "repo" / "platform"
    platform.mkdir()
    (platform / "sizes.yaml").write_text(
        (EXAMPLE / "sizes.yaml").read_text().replace("[ml-team]", "[research]"))
    return tmp_path / "repo"


def sidecar_env(**extra: str) -> dict[str, str]:
    """The sidecar's own environment (where codeflare-compile is installed) plus Argo CD's."""
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "HOME": os.environ.get("HOME", "/tmp"),
           "ARGOCD_APP_NAME": "mnist", "ARGOCD_APP_SOURCE_PATH": "apps/mnist",
           "ARGOCD_APP_SOURCE_REPO_URL": "https://git.example.com/ml/jobs.git",
           "ARGOCD_APP_REVISION": "f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8",
           "ARGOCD_APP_SOURCE_TARGET_REVISION": "main"}
    env.update(extra)
    return env


def run_step(plugin: dict[str, Any], step: str, cwd: Path,
             env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`command` + `args`, exec'd without a shell, as argocd-cmp-server does."""
    spec = plugin[step] if step != "discover" else plugin["discover"]["find"]
    argv = [*spec["command"], *spec.get("args", [])]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=120)


def test_plugin_commands_are_one_liners(plugin: dict[str, Any]) -> None:
    assert plugin["init"]["command"] == ["codeflare-compile", "argocd", "init"]
    assert plugin["generate"]["command"] == ["codeflare-compile", "argocd", "generate"]
    names = {p["name"] for p in plugin["parameters"]["static"]}
    assert {"queueing", "namespace", "include", "paths"} <= names


def test_discover_matches_codeflare_sources_only(plugin: dict[str, Any], repo: Path,
                                                 tmp_path: Path) -> None:
    found = run_step(plugin, "discover", repo / "apps" / "mnist", sidecar_env())
    assert found.returncode == 0
    assert found.stdout.strip() in ("./application.yaml", "./run.yaml")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    rendered = run_cli("compile", str(EXAMPLE)).stdout  # AppWrappers are not inputs
    (plain / "rendered.yaml").write_text(rendered)
    (plain / "quoted.yml").write_text("# not this one either\nkind: X\n")
    miss = run_step(plugin, "discover", plain, sidecar_env())
    assert (miss.returncode, miss.stdout) == (0, "")
    (plain / "run.yml").write_text('apiVersion: "codeflare.dev/v1alpha1"\nkind: Run\n')
    assert run_step(plugin, "discover", plain, sidecar_env()).stdout == "./run.yml\n"


def test_init_and_generate_as_the_sidecar_runs_them(plugin: dict[str, Any], repo: Path) -> None:
    env = sidecar_env(
        ARGOCD_APP_NAMESPACE="research",
        ARGOCD_APP_PARAMETERS=json.dumps([{"name": "include", "array": ["../../platform"]}]),
        PARAM_INCLUDE_0="../../platform",
        KUBE_VERSION="1.31.4", KUBE_API_VERSIONS=KUEUE_CLUSTER)
    app = repo / "apps" / "mnist"
    init = run_step(plugin, "init", app, env)
    assert (init.returncode, init.stderr) == (0, "")
    generate = run_step(plugin, "generate", app, env)
    assert generate.returncode == 0, generate.stderr
    assert generate.stderr == ""
    # exactly what the command line gives for the choices the plugin made: the destination
    # namespace, Kueue (the cluster serves no AppWrapper), the included size policy
    # (from the same folder, so that the `# Source:` comments name the same paths)
    expected = run_cli("compile", ".", "-I", "../../platform", "--namespace", "research",
                       "--queueing", "kueue", "--kube-version", "1.31", cwd=app)
    assert expected.exit_code == 0, expected.stderr
    assert generate.stdout == expected.stdout
    objects = list(yaml.safe_load_all(generate.stdout))
    assert [o["kind"] for o in objects] == ["PodGroup", "RayJob"]
    assert objects[1]["metadata"]["namespace"] == "research"
    assert objects[1]["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "team-queue"
    head = objects[1]["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    assert head["containers"][0]["resources"]["limits"]["cpu"] == "8"  # the research policy


@pytest.mark.parametrize(("apis", "queue"), [
    ("v1,workload.codeflare.dev/v1beta2,kueue.x-k8s.io/v1beta1", "team-queue"),
    ("v1,batch/v1", None),
])
def test_queueing_follows_the_cluster(plugin: dict[str, Any], repo: Path, apis: str,
                                      queue: str | None) -> None:
    """With AppWrappers the Ray example's RayJob is queued by Kueue itself (an AppWrapper never
    sees a RayJob succeed); on a cluster without a queueing system it is left unqueued."""
    env = sidecar_env(ARGOCD_APP_NAMESPACE="research", PARAM_INCLUDE_0="../../platform",
                      KUBE_API_VERSIONS=apis)
    out = run_step(plugin, "generate", repo / "apps" / "mnist", env)
    assert out.returncode == 0, out.stderr
    objects = list(yaml.safe_load_all(out.stdout))
    assert [o["kind"] for o in objects] == ["PodGroup", "RayJob"]
    assert objects[1]["metadata"]["labels"].get("kueue.x-k8s.io/queue-name") == queue


def test_mcad_cluster_refuses_the_ray_example(plugin: dict[str, Any], repo: Path) -> None:
    env = sidecar_env(ARGOCD_APP_NAMESPACE="research", PARAM_INCLUDE_0="../../platform",
                      KUBE_API_VERSIONS="v1,mcad.ibm.com/v1beta1")
    out = run_step(plugin, "generate", repo / "apps" / "mnist", env)
    assert out.returncode != 0
    assert "error[CF440]: MCAD would never see this RayJob finish" in out.stderr


def test_parameter_and_platform_beat_the_cluster(plugin: dict[str, Any], repo: Path) -> None:
    app = repo / "apps" / "mnist"
    base = sidecar_env(ARGOCD_APP_NAMESPACE="research", PARAM_INCLUDE_0="../../platform",
                       KUBE_API_VERSIONS="v1,workload.codeflare.dev/v1beta2")
    by_parameter = run_step(plugin, "generate", app, {
        **base, "ARGOCD_APP_PARAMETERS": json.dumps([
            {"name": "include", "array": ["../../platform"]},
            {"name": "queueing", "string": "none"}, {"name": "namespace", "string": "team-b"}])})
    assert by_parameter.returncode == 0, by_parameter.stderr
    objects = list(yaml.safe_load_all(by_parameter.stdout))
    assert [o["kind"] for o in objects] == ["PodGroup", "RayJob"]
    assert {o["metadata"]["namespace"] for o in objects} == {"team-b"}
    (repo / "platform" / "platform.yaml").write_text(
        "apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: cluster}\n"
        "spec: {queueing: kueue}\n")
    by_platform = run_step(plugin, "generate", app, base)
    assert by_platform.returncode == 0
    assert [o["kind"] for o in yaml.safe_load_all(by_platform.stdout)] == ["PodGroup", "RayJob"]
    assert "warning: queueing 'kueue' needs kueue.x-k8s.io" in by_platform.stderr


def test_errors_fail_the_step_with_diagnostics_and_no_output(plugin: dict[str, Any],
                                                             repo: Path) -> None:
    app = repo / "apps" / "mnist"
    (app / "run.yaml").write_text((app / "run.yaml").read_text().replace("size: md", "size: mdd"))
    env = sidecar_env(ARGOCD_APP_NAMESPACE="research", PARAM_INCLUDE_0="../../platform")
    for step in ("init", "generate"):
        out = run_step(plugin, step, app, env)
        assert out.returncode == 1
        assert out.stdout == ""
        assert out.stderr.startswith("./run.yaml:8:9: error[CF203]: invalid value 'mdd'")


def test_never_an_empty_stream(plugin: dict[str, Any], repo: Path) -> None:
    app = repo / "apps" / "mnist"
    (app / "run.yaml").unlink()
    out = run_step(plugin, "generate", app, sidecar_env(PARAM_INCLUDE_0="../../platform"))
    assert out.returncode == 1
    assert out.stdout == ""
    assert "error[CF601]" in out.stderr


def test_bad_parameters_are_usage_errors(plugin: dict[str, Any], repo: Path) -> None:
    app = repo / "apps" / "mnist"
    bad_value = run_step(plugin, "generate", app, sidecar_env(PARAM_QUEUEING="kuee"))
    assert bad_value.returncode == 2
    assert bad_value.stderr == ("codeflare-compile: plugin parameter 'queueing': invalid value "
                                "'kuee'; did you mean 'kueue'?\n")
    unknown = run_step(plugin, "generate", app, sidecar_env(ARGOCD_APP_PARAMETERS=json.dumps(
        [{"name": "queue", "string": "x"}])))
    assert unknown.returncode == 2
    assert "unknown plugin parameter 'queue'; did you mean 'queueing'?" in unknown.stderr


def test_parameters_from_json_and_from_param_variables() -> None:
    from_json = parameters({"ARGOCD_APP_PARAMETERS": json.dumps([
        {"name": "include", "array": ["a", "b"]}, {"name": "queueing", "string": "kueue"}])})
    from_vars = parameters({"PARAM_INCLUDE_1": "b", "PARAM_INCLUDE_0": "a",
                            "PARAM_QUEUEING": "kueue", "PARAM_TORCH_BACKEND": "job"})
    assert from_json == {"include": ["a", "b"], "queueing": "kueue"}
    assert from_vars == {"include": ["a", "b"], "queueing": "kueue", "torch-backend": "job"}
    with pytest.raises(SettingsError, match="unknown plugin parameter in PARAM_NOPE"):
        parameters({"PARAM_NOPE": "1"})


def test_detect_queueing_prefers_appwrapper_then_kueue_then_mcad() -> None:
    assert detect_queueing(["workload.codeflare.dev/v1beta2/AppWrapper",
                            "kueue.x-k8s.io/v1beta1"]) == "appwrapper"
    assert detect_queueing(["kueue.x-k8s.io/v1beta1", "mcad.ibm.com/v1beta1"]) == "kueue"
    assert detect_queueing(["mcad.ibm.com/v1beta1"]) == "mcad"
    assert detect_queueing(["workload.codeflare.dev/v1beta1", "v1"]) == "none"


def test_unbundled_cluster_version_falls_back_with_a_note(plugin: dict[str, Any],
                                                          repo: Path) -> None:
    out = run_step(plugin, "generate", repo / "apps" / "mnist",
                   sidecar_env(PARAM_INCLUDE_0="../../platform", KUBE_VERSION="v1.99.0+k3s1"))
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith("codeflare-compile: note: no bundled schemas for the "
                                 "cluster's Kubernetes 1.99")
