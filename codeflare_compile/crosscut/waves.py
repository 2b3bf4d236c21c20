"""Argo CD sync waves: what a workload needs is applied, and healthy, before the workload.

Argo CD (gitops-engine pkg/sync/sync_tasks.go, `syncTasks.Less`) orders a sync by phase, then
`argocd.argoproj.io/sync-wave`, then kind — core kinds by `kindOrder` (ServiceAccount, ConfigMap,
Role, RoleBinding, Service, …, Job), every custom resource after them — then name. Within one
wave a Datashim Dataset or a PodGroup (custom resources) would come after a Job that needs it, and
Datashim's webhook rejects pods whose dataset is missing; and among custom resources the order is
only by name. So every top-level object the Run's workload depends on (its ConfigMaps, RBAC,
Service, PodGroup, the Datasets it reads) goes one wave before the workload. Argo CD also waits
for a wave's objects to be healthy before the next wave (gitops-engine pkg/sync/sync_context.go,
`Sync`: a multi-step sync waits for running tasks), so a Dataset is provisioned before the pods
that mount it are created. The workload is in the last wave, so the sync ends as soon as it is
applied instead of waiting for the job to finish. The `expose` Service is no dependency (it
only routes to the pods once they run): it stays in the workload's wave, after it in the output.

`kubectl apply` applies in file order; the output already lists these objects first.
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.ir import Lowered

WAVE = "argocd.argoproj.io/sync-wave"
#: The kinds a workload depends on when they sit beside it at the top level.
DEPENDENCIES = frozenset({"ConfigMap", "ServiceAccount", "Role", "RoleBinding", "Service",
                          "PodGroup", "Dataset"})


def waves(lowered: Lowered) -> Lowered:
    """The Run's top-level dependencies and shared objects a wave before its workload (whose
    wave is the Run's own `argocd.argoproj.io/sync-wave` annotation, if it sets one, else 0)."""
    before = str(_workload_wave(lowered.plan.annotations) - 1)
    for obj in [*lowered.objects, *lowered.shared]:
        if obj["kind"] in DEPENDENCIES and not lowered.stands_alone(obj):
            obj["metadata"].setdefault("annotations", {})[WAVE] = before
    return lowered


def _workload_wave(annotations: dict[str, Any]) -> int:
    try:
        return int(annotations.get(WAVE, "0"))
    except ValueError:
        return 0
