"""Safe output by default, over every golden: no privileged container, no added capability, no
privilege escalation (init containers and sidecars included), no service-account token where
the pod does not call the API, valid unique names, and no Secret value ever, even when the
compiler runs with Secret values in its environment. tests/properties/ checks the same over
generated inputs."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml

from codeflare_compile.api.platform import FLUENT_BIT_IMAGE, GIT_IMAGE
from tests.helpers import REPO, run_cli
from tests.properties import checks
from tests.properties.output import all_containers, pod_specs

CASES = sorted([*REPO.glob("tests/golden/*/expected.yaml"),
                *REPO.glob("archetypes/*/example/expected.yaml")])


def _id(expected: Path) -> str:
    return str(expected.parent.relative_to(REPO))


def _objects(expected: Path) -> list[dict[str, Any]]:
    return checks.parse(expected.read_text())


@pytest.mark.parametrize("expected", CASES, ids=_id)
def test_golden_is_safe_by_default(expected: Path) -> None:
    objects = _objects(expected)
    checks.check_safe(objects)
    checks.check_names(objects)
    checks.check_integers(objects)
    checks.check_mounts(objects)


def test_goldens_have_pods_to_check() -> None:
    """The checks above are not vacuous: the goldens hold pods, init containers, sidecars."""
    specs = [spec for case in CASES for _, spec in pod_specs(_objects(case))]
    assert len(specs) > 20
    assert any(spec.get("initContainers") for spec in specs)  # clone, native Fluent Bit
    assert any(len(spec["containers"]) > 1 for spec in specs)  # Fluent Bit on the Ray head


#: The containers the compiler adds, and the Platform fields that name their images.
OWN_CONTAINERS = {"clone": "gitImage", "fluent-bit": "fluentBit"}


@pytest.mark.parametrize("expected", CASES, ids=_id)
def test_own_images_are_pinned_by_digest(expected: Path) -> None:
    """The clone sees the repository's credentials and Fluent Bit every log line: unless the
    Platform names another image, both run by digest, so a re-pushed tag cannot swap them."""
    platform = "".join(p.read_text() for p in (expected.parent / "input").rglob("*.yaml")
                       if "kind: Platform" in p.read_text())
    for container in all_containers(_objects(expected)):
        field = OWN_CONTAINERS.get(container["name"])
        if field is not None and f"{field}:" not in platform:
            assert "@sha256:" in container["image"], (container["name"], container["image"])


def test_own_images_are_in_the_goldens() -> None:
    """The check above is not vacuous: the default clone and Fluent Bit images are there."""
    images = {c["image"] for case in CASES for c in all_containers(_objects(case))
              if c["name"] in OWN_CONTAINERS}
    assert {GIT_IMAGE, FLUENT_BIT_IMAGE} <= images


def _secret_references(node: Any) -> set[tuple[str, str]]:
    """(Secret name, key) of every reference in the inputs: env secretKeyRef, DataSet
    secretRef (its two keys), repoSecret (username, password)."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, dict):
        ref = node.get("secretKeyRef")
        if isinstance(ref, dict):
            found.add((ref["name"], ref["key"]))
        if isinstance(node.get("secretRef"), dict):
            found |= {(node["secretRef"]["name"], k) for k in ("accessKeyID", "secretAccessKey")}
        if isinstance(node.get("repoSecret"), str):
            found |= {(node["repoSecret"], k) for k in ("username", "password")}
        for value in node.values():
            found |= _secret_references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _secret_references(value)
    return found


@pytest.mark.parametrize("expected", CASES, ids=_id)
def test_no_secret_value_reaches_the_output(expected: Path) -> None:
    """The Secrets the golden refers to exist "in the cluster" and, as in many CI jobs, in the
    compiler's environment: the output holds their names and keys, never their values, and
    does not change."""
    case = expected.parent
    inputs = [d for f in sorted((case / "input").rglob("*.yaml"))
              for d in yaml.safe_load_all(f.read_text()) if d]
    refs = _secret_references(inputs)
    secrets: dict[str, dict[str, str]] = {}
    for name, key in refs:
        secrets.setdefault(name, {})[key] = f"s3cr3t-{name}-{key}-9f8e7d"
    environ = {f"{name}_{key}".upper().replace("-", "_"): value
               for name, values in secrets.items() for key, value in values.items()}
    environ |= {"GIT_USERNAME": "s3cr3t-user", "GIT_PASSWORD": "s3cr3t-password",
                "AWS_SECRET_ACCESS_KEY": "s3cr3t-aws"}
    args_file = case / "args"
    args = shlex.split(args_file.read_text()) if args_file.exists() else []
    with mock.patch.dict(os.environ, environ):
        out = run_cli("compile", "input", *args, cwd=case)
    assert out.exit_code == 0, out.stderr
    assert out.stdout == expected.read_text()
    objects = checks.parse(out.stdout)
    checks.check_no_secret_values(out.stdout, objects,
                                  {**secrets, "environment": dict(environ)})
    assert all(value not in out.stderr for value in environ.values())


def test_some_goldens_refer_to_secrets() -> None:
    refs = set()
    for case in CASES:
        for f in (case.parent / "input").rglob("*.yaml"):
            refs |= _secret_references(list(yaml.safe_load_all(f.read_text())))
    assert len(refs) >= 3


@pytest.mark.parametrize("queueing", ["none", "kueue", "appwrapper"])
def test_no_workflow_step_runs_user_code_with_a_token(queueing: str) -> None:
    """The workflow's ServiceAccount may create Jobs (any pod): user code never gets its token.
    Every step is a resource template, so the user's command runs in a pod of its own with
    `automountServiceAccountToken: false`; only Argo's executor, in the resource template's
    pod, holds the token (workflow/controller/workflowpod.go, setupServiceAccount mounts the
    workflow's account into every container of a container template's pod)."""
    case = REPO / "archetypes" / "workflow" / "example" / "input"
    out = run_cli("compile", str(case), "--queueing", queueing)
    assert out.exit_code == 0, out.stderr
    objects = checks.parse(out.stdout)
    (workflow,) = [o for o in objects if o["kind"] == "Workflow"]
    steps = [t for t in workflow["spec"]["templates"] if "dag" not in t]
    assert {t["name"] for t in steps} >= {"prepare", "train", "evaluate", "report"}
    assert all(set(t) == {"name", "resource"} for t in steps)
    specs = list(pod_specs(objects))
    assert len(specs) >= 4
    assert all(spec["automountServiceAccountToken"] is False for _, spec in specs)
    checks.check_safe(objects)


def test_inline_credentials_are_refused_and_never_printed(tmp_path: Path) -> None:
    """A DataSet with a key pasted in: CF207, and the excerpt hides the value (CI logs and
    pull-request annotations are often public)."""
    (tmp_path / "data.yaml").write_text(
        "apiVersion: codeflare.dev/v1alpha1\nkind: DataSet\nmetadata: {name: d}\nspec:\n"
        "  s3:\n    endpoint: https://s3.example.com\n    bucket: b\n"
        "    secretAccessKey: s3cr3t-wJalrXUtnFEMI\n")
    out = run_cli("compile", "data.yaml", cwd=tmp_path)
    assert out.exit_code == 1
    assert "s3cr3t" not in out.stderr and out.stdout == ""
    assert out.stderr.startswith(
        "data.yaml:8:5: error[CF207]: credentials are written inline (secretAccessKey)\n"
        " 8 |     secretAccessKey: <redacted>\n")


def test_credentials_in_a_repository_url_are_refused_and_never_printed(tmp_path: Path) -> None:
    """`https://user:token@host/…` would put the token into every rendered manifest."""
    (tmp_path / "app.yaml").write_text(
        "apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\n"
        "spec:\n  api: shell\n  image: python:3.12\n  command: ./run.sh\n"
        "  repo: https://bot:ghp_s3cr3tT0k3n@github.com/org/repo\n")
    out = run_cli("compile", "app.yaml", "--allow-empty", cwd=tmp_path)
    assert out.exit_code == 1
    assert "s3cr3t" not in out.stderr and out.stdout == ""
    assert out.stderr.split("\n\n")[0] == (
        "app.yaml:8:9: error[CF407]: the repository URL holds credentials "
        "(user:password@host, or a token in the query), which would be written into the "
        "output\n"
        " 8 |   repo: <redacted>\n"
        "   |         " + "^" * len("<redacted>") + "\n"
        "  help: remove them from the URL; put them in a Secret (keys username and password) "
        "and name it in repoSecret")


def test_repositories_are_cloned_over_https_only(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        "apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\n"
        "spec: {api: shell, image: 'python:3.12', command: x, repo: 'http://github.com/o/r'}\n")
    out = run_cli("compile", "app.yaml", "--allow-empty", cwd=tmp_path)
    assert out.stderr.splitlines()[0] == (
        "app.yaml:4:60: error[CF407]: 'http://github.com/o/r' is not a repository URL this "
        "compiler can clone")


def test_a_symlink_out_of_the_input_folder_is_not_read(tmp_path: Path) -> None:
    """A change adding `evil.yaml -> ~/.ssh/id_rsa` must not get the key read, and quoted in a
    diagnostic, by the CI job that compiles the folder."""
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY----- s3cr3t\n")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "evil.yaml").symlink_to(secret)
    out = run_cli("compile", "specs", cwd=tmp_path)
    assert out.exit_code == 2
    assert out.stderr == ("codeflare-compile: specs/evil.yaml: a symbolic link to a file "
                          "outside the input folder; pass that file itself if it is meant\n")
    assert "s3cr3t" not in out.stderr


@pytest.mark.parametrize("unsafe", [
    {"allowPrivilegeEscalation": True}, {"allowPrivilegeEscalation": False, "privileged": True},
    {"allowPrivilegeEscalation": False, "capabilities": {"add": ["NET_ADMIN"]}},
], ids=["escalation", "privileged", "capability"])
def test_the_safety_check_catches_an_unsafe_container(unsafe: dict[str, Any]) -> None:
    """The check is not vacuous: one unsafe init container in a golden fails it."""
    objects = _objects(REPO / "tests" / "golden" / "code-repo" / "expected.yaml")
    (_, spec), *_ = [(o, s) for o, s in pod_specs(objects) if s.get("initContainers")]
    spec["initContainers"][0]["securityContext"] = unsafe
    with pytest.raises(AssertionError):
        checks.check_safe(objects)


def test_the_safety_check_catches_a_mounted_token() -> None:
    objects = _objects(REPO / "tests" / "golden" / "shell-plain" / "expected.yaml")
    (_, spec), *_ = list(pod_specs(objects))
    del spec["automountServiceAccountToken"]
    with pytest.raises(AssertionError):
        checks.check_safe(objects)


@pytest.mark.parametrize(("tail", "workdir"), [
    ("/tree/main/../../../etc", None), ("/tree/main/a/../../..", None),
    ("/tree/main/a/./b/../c", "/workspace/src/a/c"), ("/tree/main/a/..", "/workspace/src")])
def test_a_repo_subfolder_never_leaves_the_clone(tmp_path: Path, tail: str,
                                                 workdir: str | None) -> None:
    """`..` in the subfolder would set the working directory (and the code mounts under it)
    outside the clone, past the reserved-path rule: it is normalised, and refused (CF407)
    when it escapes."""
    (tmp_path / "app.yaml").write_text(
        "apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
        f"  api: shell\n  image: python:3.12\n  command: echo hi\n"
        f"  repo: https://github.com/org/r{tail}\n"
        "---\napiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: r}\n"
        "spec: {application: a}\n")
    out = run_cli("compile", "app.yaml", "--queueing", "none", cwd=tmp_path)
    if workdir is None:
        assert out.exit_code == 1 and "error[CF407]" in out.stderr and out.stdout == ""
        assert "leaves the repository" in out.stderr
        return
    assert out.exit_code == 0, out.stderr
    (spec,) = [spec for _, spec in pod_specs(checks.parse(out.stdout))]
    assert spec["containers"][0]["workingDir"] == workdir
