"""`--out-dir` output consumed by a real tool: `kubectl kustomize` builds a kustomization that
lists the rendered files, and gives back exactly the objects the compiler wrote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, run_cli

KUBECTL = shutil.which("kubectl")
CASES = sorted([
    *(p for p in (REPO / "examples").iterdir() if p.is_dir()),
    *(p / "example" / "input" for p in (REPO / "archetypes").iterdir()
      if (p / "example" / "input").is_dir()),
    REPO / "tests" / "golden" / "datasets-datashim" / "input",
])

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed: the "
                                "kustomize build of --out-dir output cannot be checked")


def key(obj: dict[str, object]) -> tuple[str, ...]:
    meta = obj["metadata"]
    assert isinstance(meta, dict)
    return (str(obj["apiVersion"]), str(obj["kind"]), str(meta.get("namespace", "")),
            str(meta["name"]))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_kubectl_kustomize_builds_the_rendered_folder(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    result = run_cli("compile", str(case), "--out-dir", str(out))
    assert result.exit_code == 0, result.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml"))
    assert files
    (out / "kustomization.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
         "resources": files}))
    assert KUBECTL is not None
    built = subprocess.run([KUBECTL, "kustomize", str(out)], capture_output=True, text=True,
                           check=False, timeout=120)
    assert built.returncode == 0, built.stderr
    objects = list(yaml.safe_load_all(built.stdout))
    expected = list(yaml.safe_load_all(run_cli("compile", str(case)).stdout))
    assert len(objects) == len(expected)
    assert sorted(objects, key=key) == sorted(expected, key=key)
    # the kustomization is a user's file: a re-render leaves it, --check does not flag it
    again = run_cli("compile", str(case), "--out-dir", str(out), "--check")
    assert (again.exit_code, again.stderr) == (0, "")
