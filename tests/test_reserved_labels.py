"""Labels and annotations under prefixes controllers read or own are not the user's (CF208):
each is refused with the setting that does the job instead; `app.kubernetes.io/` labels the
compiler does not set stay the user's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import run_cli

APP = ("apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: app}\n"
       "spec: {api: shell, image: python:3.12-slim, command: python3 main.py}\n---\n")


def _run(field: str, key: str, value: str = "x") -> str:
    return (f"{APP}apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata:\n  name: run\n"
            f"  {field}: {{{key}: {value}}}\nspec: {{application: app}}\n")


@pytest.mark.parametrize(("field", "key", "owner", "instead"), [
    ("labels", "kueue.x-k8s.io/priority-class", "under 'kueue.x-k8s.io/', which Kueue reads",
     "set the Run's `queue`, and its `priority`"),
    ("labels", "scheduling.x-k8s.io/pod-group", "which the coscheduling plugin reads",
     "`--gang`"),
    ("annotations", "workload.codeflare.dev/retryLimit", "which the AppWrapper controller reads",
     "`--queueing`"),
    ("labels", "ray.io/node-type", "which KubeRay reads", "`ray` archetype"),
    ("labels", "batch.kubernetes.io/job-name", "under 'kubernetes.io/', which Kubernetes "
     "reserves", "use a prefix of your own"),
    ("labels", "kubernetes.io/arch", "under 'kubernetes.io/'", "use a prefix of your own"),
    ("annotations", "k8s.io/x", "under 'k8s.io/', which Kubernetes reserves", "prefix"),
    ("labels", "codeflare.dev/run", "which codeflare-compile writes", "the compiler sets"),
    ("annotations", "argocd.argoproj.io/sync-wave", "which Argo CD reads", "Argo CD"),
    ("labels", "workflows.argoproj.io/workflow", "which Argo Workflows reads", "`workflow`"),
    ("labels", "dataset.0.id", "under 'dataset.', which Datashim reads", "`inputs`"),
    ("labels", "app.kubernetes.io/name", "codeflare-compile sets itself", "from the Run"),
], ids=lambda value: str(value).split(" ")[0])
def test_controller_keys_are_refused_with_the_setting_to_use(
        tmp_path: Path, field: str, key: str, owner: str, instead: str) -> None:
    (tmp_path / "in.yaml").write_text(_run(field, key))
    out = run_cli("compile", "in.yaml", cwd=tmp_path)
    assert (out.exit_code, out.stdout) == (1, "")
    first = out.stderr.splitlines()[0]
    assert first.startswith(f"in.yaml:10:{len(field) + 6}: error[CF208]: '{key}' ")
    assert owner in first
    assert "help:" in out.stderr and instead in out.stderr.split("help:")[1]


@pytest.mark.parametrize("key", ["app.kubernetes.io/part-of", "app.kubernetes.io/version",
                                 "example.com/team", "team", "mykubernetes.io/x"])
def test_other_keys_stay_the_users(tmp_path: Path, key: str) -> None:
    (tmp_path / "in.yaml").write_text(_run("labels", key, "v1"))
    out = run_cli("compile", "in.yaml", "--queueing", "none", cwd=tmp_path)
    assert out.exit_code == 0, out.stderr
    (job,) = [o for o in yaml.safe_load_all(out.stdout) if o and o["kind"] == "Job"]
    assert job["metadata"]["labels"][key] == "v1"
