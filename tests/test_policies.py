"""Policy-side diagnostics and target choices: images, priority, logging, the Platform."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.test_diagnostics import APP, RUN, blocks, compile_files

PLATFORM = "apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {name: p}\nspec:\n"


def test_latest_and_tagless_images_warn_without_failing(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP.replace("ray:2.52.0", "ray:latest"),
                                   "run.yaml": RUN})
    assert out.exit_code == 0
    assert blocks(out) == [
        "./app.yaml:7:10: warning[CF503]: image 'rayproject/ray:latest' is tagged latest: every "
        "pull may get another image\n"
        " 7 |   image: rayproject/ray:latest\n"
        "   |          ^^^^^^^^^^^^^^^^^^^^^\n"
        "  help: use a fixed tag, or an Image with a digest"
    ]
    tagless = compile_files(tmp_path, {"app.yaml": APP.replace("ray:2.52.0", "ray")})
    assert "image 'rayproject/ray' is tagless" in tagless.stderr


def test_registry_port_is_not_a_tag(tmp_path: Path) -> None:
    out = compile_files(tmp_path, {"app.yaml": APP.replace("rayproject/ray:2.52.0",
                                                           "registry:5000/ray:2.52.0"),
                                   "run.yaml": RUN})
    assert "CF503" not in out.stderr


def test_malformed_digest(tmp_path: Path) -> None:
    image = ("apiVersion: codeflare.dev/v1alpha1\nkind: Image\nmetadata: {name: img}\n"
             "spec: {image: quay.io/x, digest: 'sha256:abc'}\n")
    out = compile_files(tmp_path, {"image.yaml": image})
    lines = blocks(out)[0].splitlines()
    assert lines[0] == "./image.yaml:4:34: error[CF203]: invalid value 'sha256:abc' for " \
                       "'spec.digest'"
    assert lines[-1] == "  help: write the digest as sha256: followed by 64 lowercase hex digits"


def test_fluentbit_needs_native_sidecars(tmp_path: Path) -> None:
    platform = PLATFORM + "  logging: fluentbit\n  kubernetesVersion: '1.28'\n"
    app = APP.replace("api: ray", "api: shell")
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": app, "run.yaml": RUN})
    assert out.exit_code == 1
    assert out.stderr.startswith(
        "error[CF406]: logging 'fluentbit' needs native sidecars (Kubernetes 1.29 or newer), "
        "not 1.28")


def test_ray_logging_does_not_need_native_sidecars(tmp_path: Path) -> None:
    platform = PLATFORM + "  logging: fluentbit\n  kubernetesVersion: '1.28'\n"
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": APP, "run.yaml": RUN})
    assert out.exit_code == 0, out.stderr


def test_mcad_priority_and_queue_warning(tmp_path: Path) -> None:
    platform = PLATFORM + "  priorityClasses: {high: urgent}\n"
    run = RUN + "  priority: high\n  queue: q\n"
    shell = APP.replace("api: ray", "api: shell")
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": shell, "run.yaml": run},
                        "--queueing", "mcad")
    assert out.exit_code == 0
    (wrapper,) = yaml.safe_load_all(out.stdout)
    assert wrapper["apiVersion"] == "mcad.ibm.com/v1beta1"
    assert wrapper["spec"]["priority"] == 10
    assert "warning[CF502]: queue 'q' has no effect with queueing 'mcad'" in out.stderr


def test_appwrapper_carries_the_workload_priority_class(tmp_path: Path) -> None:
    platform = PLATFORM + "  priorityClasses: {high: urgent}\n" \
                          "  workloadPriorityClasses: {high: kueue-urgent}\n"
    run = RUN + "  priority: high\n"
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": APP, "run.yaml": run})
    _, rayjob = yaml.safe_load_all(out.stdout)  # a RayJob is queued by Kueue directly
    assert rayjob["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "kueue-urgent"
    shell = APP.replace("api: ray", "api: shell")
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": shell, "run.yaml": run})
    (wrapper,) = yaml.safe_load_all(out.stdout)
    assert wrapper["kind"] == "AppWrapper"
    assert wrapper["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "kueue-urgent"
    job = wrapper["spec"]["components"][1]["template"]
    assert "kueue.x-k8s.io/priority-class" not in job["metadata"]["labels"]


def test_flags_override_the_platform(tmp_path: Path) -> None:
    platform = PLATFORM + "  queueing: kueue\n  gangScheduling: none\n  logging: fluentbit\n"
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": APP, "run.yaml": RUN},
                        "--queueing", "none", "--logging", "none")
    (rayjob,) = yaml.safe_load_all(out.stdout)
    assert rayjob["kind"] == "RayJob"
    head = rayjob["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    assert [c["name"] for c in head["containers"]] == ["ray-head"]


def test_warnings_as_errors(tmp_path: Path) -> None:
    files = {"app.yaml": APP.replace("ray:2.52.0", "ray:latest"), "run.yaml": RUN}
    assert compile_files(tmp_path, files).exit_code == 0
    strict = compile_files(tmp_path, {}, "--warnings-as-errors")
    assert strict.exit_code == 1
    assert strict.stdout == ""
    assert "warning[CF503]" in strict.stderr
