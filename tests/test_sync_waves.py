"""Order of creation: on every golden, Argo CD and `kubectl apply` create what a workload needs
before the workload.

Argo CD's order is simulated exactly as gitops-engine sorts a sync (pkg/sync/sync_tasks.go,
`syncTasks.Less`: phase, then `argocd.argoproj.io/sync-wave`, then `kindOrder` — custom
resources, absent from it, last — then name); `kubectl apply -f` follows the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codeflare_compile.crosscut.waves import DEPENDENCIES, WAVE
from tests.helpers import REPO

CASES = sorted(p.parent for p in [*REPO.glob("tests/golden/*/input"),
                                  *REPO.glob("archetypes/*/example/input")])
WORKLOADS = frozenset({"Job", "RayJob", "PyTorchJob", "AppWrapper", "Workflow"})
#: gitops-engine pkg/sync/sync_tasks.go, `kindOrder` (from Helm's kind_sorter.go), in order.
KIND_ORDER = ["Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
              "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap",
              "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
              "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
              "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
              "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
              "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass",
              "Ingress", "APIService"]


def _kind_rank(kind: str) -> int:
    """`kindOrder[kind]`: negative for the kinds listed, 0 (last) for any other."""
    return KIND_ORDER.index(kind) - len(KIND_ORDER) if kind in KIND_ORDER else 0


def _wave(obj: dict[str, Any]) -> int:
    return int(obj["metadata"].get("annotations", {}).get(WAVE, "0"))


def argocd_order(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects in the order Argo CD applies them (one phase: no hooks are emitted)."""
    return sorted(objects, key=lambda o: (_wave(o), _kind_rank(o["kind"]), o["metadata"]["name"]))


def _needs(workload: dict[str, Any], objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top-level objects `workload` depends on: its Run's others but the `expose` Service
    (which only routes to its pods once they run), the Datasets it reads."""
    run = workload["metadata"]["labels"]["codeflare.dev/run"]
    return [o for o in objects if o is not workload and o["kind"] in DEPENDENCIES
            and (o["kind"] == "Dataset"
                 or (o["metadata"].get("labels", {}).get("codeflare.dev/run") == run
                     and o["metadata"]["labels"]["app.kubernetes.io/component"] != "expose"))]


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c.relative_to(REPO)))
def test_dependencies_are_created_before_their_workload(case: Path) -> None:
    objects = list(yaml.safe_load_all((case / "expected.yaml").read_text()))
    workloads = [o for o in objects if o["kind"] in WORKLOADS]
    assert workloads
    in_file = {id(o): i for i, o in enumerate(objects)}
    in_sync = {id(o): i for i, o in enumerate(argocd_order(objects))}
    for workload in workloads:
        for needed in _needs(workload, objects):
            what = f"{needed['kind']} {needed['metadata']['name']}"
            assert _wave(needed) < _wave(workload), f"{what}: not in an earlier wave"
            assert in_sync[id(needed)] < in_sync[id(workload)], f"Argo CD creates {what} later"
            assert in_file[id(needed)] < in_file[id(workload)], f"kubectl applies {what} later"
    assert all(o["kind"] in WORKLOADS | DEPENDENCIES for o in objects), \
        "a kind this test does not know: is it a dependency?"


def test_goldens_exercise_every_dependency_beside_a_workload() -> None:
    """The test above proves something only if the goldens hold each kind at the top level."""
    kinds = {o["kind"] for case in CASES
             for o in yaml.safe_load_all((case / "expected.yaml").read_text())}
    assert kinds >= DEPENDENCIES


def test_without_waves_argocd_would_create_a_dataset_after_its_job() -> None:
    """Why waves are needed: kind order alone puts custom resources after core kinds."""
    job = {"kind": "Job", "metadata": {"name": "a"}}
    dataset = {"kind": "Dataset", "metadata": {"name": "a"}}
    assert argocd_order([dataset, job]) == [job, dataset]
    dataset["metadata"]["annotations"] = {WAVE: "-1"}
    assert argocd_order([dataset, job]) == [dataset, job]
