"""Kubernetes versions are read by one parser (codeflare_compile/kubeversion.py), wherever they are
given: `--kube-version`, the Platform's `kubernetesVersion`, the plugin and function settings,
the cluster's KUBE_VERSION. A version that is not one is a usage error for a flag and a
diagnostic in a Platform; never an internal error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codeflare_compile.kubeversion import KubeVersion, KubeVersionError, before, parse
from codeflare_compile.settings import SettingsError, to_overrides
from tests.helpers import REPO
from tests.test_diagnostics import APP, RUN, blocks, compile_files
from tests.test_policies import PLATFORM

SHELL = REPO / "tests" / "golden" / "shell-plain" / "input"


@pytest.mark.parametrize(("text", "version"), [
    ("1.31", (1, 31)), ("v1.31", (1, 31)), ("1.31.2", (1, 31)), (" v1.9.0 ", (1, 9)),
    ("v1.31.2+k3s1", (1, 31)), ("v1.30.4-gke.1200", (1, 30)),
])
def test_versions_are_read(text: str, version: tuple[int, int]) -> None:
    assert parse(text) == version
    assert str(parse(text)) == f"{version[0]}.{version[1]}"


@pytest.mark.parametrize("text", ["foo", "", "1", "1.", "1.x", "1.31.2.4", "v", "1.31 2",
                                  "99999.1"])
def test_other_text_is_refused(text: str) -> None:
    with pytest.raises(KubeVersionError, match=r"is not a Kubernetes version; write X\.Y"):
        parse(text)


def test_versions_compare_as_numbers() -> None:
    assert before(KubeVersion(1, 9), KubeVersion(1, 29))
    assert not before(KubeVersion(1, 31), KubeVersion(1, 29))
    assert not before(None, KubeVersion(1, 29))  # no version: the newest


def test_a_bad_flag_is_a_usage_error_before_any_work() -> None:
    """`--kube-version foo --logging fluentbit` used to exit 3 (a ValueError in the logging
    pass, which read the version a third time)."""
    from tests.helpers import run_cli

    out = run_cli("compile", str(SHELL), "--kube-version", "foo", "--logging", "fluentbit")
    assert (out.exit_code, out.stdout) == (2, "")
    assert out.stderr == ("codeflare-compile: --kube-version: 'foo' is not a Kubernetes "
                          "version; write X.Y, vX.Y or X.Y.Z, such as 1.31\n")
    for command in ("check", "explain"):
        assert run_cli(command, str(SHELL), "--kube-version", "1.x").exit_code == 2


def test_a_bad_setting_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="plugin parameter 'kube-version': 'foo' is not"):
        to_overrides({"kube-version": "foo"}, what="plugin parameter")
    assert to_overrides({"kube-version": "v1.30.1"}).kube_version == (1, 30)


def test_a_bad_platform_version_is_a_diagnostic(tmp_path: Path) -> None:
    platform = PLATFORM + "  kubernetesVersion: foo\n  logging: fluentbit\n"
    app = APP.replace("api: ray", "api: shell")
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": app, "run.yaml": RUN})
    assert out.exit_code == 1
    (block,) = blocks(out)
    assert block.startswith("./p.yaml:5:22: error[CF203]: invalid value 'foo' for "
                            "'spec.kubernetesVersion'")


def test_a_platform_version_without_schemas_is_a_diagnostic(tmp_path: Path) -> None:
    platform = PLATFORM + "  kubernetesVersion: '1.10'\n"
    out = compile_files(tmp_path, {"p.yaml": platform, "app.yaml": APP, "run.yaml": RUN})
    assert (out.exit_code, out.stdout) == (1, "")
    (block,) = blocks(out)
    lines = block.splitlines()
    assert re.fullmatch(r"\./p\.yaml:5:22: error\[CF210\]: Kubernetes version 1\.10 is not "
                        r"supported by the bundled schemas \(kubernetes-validate\); supported "
                        r"versions: 1\.\d+ to 1\.\d+", lines[0]), lines[0]
    assert lines[-1] == ("  help: target one of the supported versions, or override it with "
                         "--kube-version")
    overridden = compile_files(tmp_path, {}, "--kube-version", "1.31")
    assert overridden.exit_code == 0, overridden.stderr


def test_one_parser() -> None:
    """No other module reads a version with its own pattern."""
    pattern = re.compile(r"\\d\+\)\\\.\(\\d\+|lstrip\(\"v\"\)")
    package = REPO / "codeflare_compile"
    readers = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                     if pattern.search(p.read_text()))
    assert readers == [], readers


def test_a_platform_version_with_a_build_suffix_reaches_every_gate() -> None:
    """`v1.28.3+k3s1`, as a cluster reports it, is Kubernetes 1.28 wherever a version decides
    (`1.x`-style text once crashed the logging pass, which read the version on its own)."""
    from codeflare_compile.codes import Code
    from codeflare_compile.diagnostics import Diagnostics
    from codeflare_compile.passes.tasks import tasks
    from tests.build_inputs import app, plans, run
    from tests.lowering import lowered

    platform = ("apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata:\n  name: p\n"
                "spec:\n  kubernetesVersion: v1.28.3+k3s1\n  logging: fluentbit\n---\n")
    torch = lowered(platform + app().replace("api: ray", "api: torch") + run())
    (rule,) = torch.workload["spec"]["podFailurePolicy"]["rules"]
    assert rule["onPodConditions"] == []  # required before 1.29
    diags = Diagnostics()
    lowered(platform + app().replace("api: ray", "api: shell") + run(), through="log_sidecar",
            diags=diags)
    (error,) = diags.items
    assert error.message.endswith("not 1.28")
    prog, resolved, diags = plans(platform + app(extra="  tasks: [a]\n").replace(
        "api: ray", "api: workqueue") + run())
    assert tasks(resolved, prog, diags) == []
    (error,) = diags.items
    assert error.code is Code.BACKEND_CANNOT and "1.29 or newer, not 1.28" in error.message
    assert [note.message for note in error.notes] == ["the Platform targets this version"]
