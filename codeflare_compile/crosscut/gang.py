"""Gang scheduling (targets §2): what each gang scheduler declared in `backends/gang/` does to a
Run's objects, one `apply` per scheduler.

With the co-scheduler: a PodGroup, and every pod labelled into it. minMember is the run's pod
count: all of the workload's pod sets (for Ray, head + workers; the job submitter pod is not a
member, since it is not in the workload's pod sets). minResources is what those pods ask for
together, each pod counted as Kubernetes counts it (sidecars included): the co-scheduler's
PreFilter checks that the cluster has that much before letting any member through
(kubernetes-sigs/scheduler-plugins pkg/coscheduling/core/core.go, PreFilter and
CheckClusterResource).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from codeflare_compile import quantities
from codeflare_compile.backends import GANGS
from codeflare_compile.backends.gang import coscheduler
from codeflare_compile.ir import Lowered, Target
from codeflare_compile.lower import pods

#: What a gang scheduler does to a Run whose pods form a gang.
Apply = Callable[[Lowered, Target], Lowered]


def gang(lowered: Lowered, target: Target) -> Lowered:
    if not lowered.pod_sets or not lowered.gang:
        return lowered
    return APPLY[target.gang](lowered, target)


def _coscheduler(lowered: Lowered, target: Target) -> Lowered:
    plan = lowered.plan
    name = lowered.workload["metadata"]["name"]
    for template in lowered.templates():
        template.labels[coscheduler.POD_GROUP_LABEL] = name
        template.spec["schedulerName"] = target.scheduler_name
    members = sum(p.replicas for p in lowered.pod_sets)
    total: dict[str, Decimal] = {}
    for pod in lowered.templates():
        for resource, amount in pods.pod_amounts(pod.template).items():
            total[resource] = total.get(resource, Decimal(0)) + amount * pod.pod_set.replicas
    pod_group = {
        "apiVersion": coscheduler.POD_GROUP_API,
        "kind": "PodGroup",
        "metadata": pods.metadata(plan, name, "podgroup"),
        "spec": {"minMember": members, "minResources": quantities.rendered(total)},
    }
    lowered.objects.insert(0, pod_group)
    return lowered


def _none(lowered: Lowered, target: Target) -> Lowered:
    return lowered


#: Each gang scheduler's `apply`.
APPLY: dict[str, Apply] = {"coscheduler": _coscheduler, "none": _none}
if APPLY.keys() != GANGS.keys():
    raise ImportError(f"gang schedulers without an apply, or applies without a scheduler: "
                      f"{sorted(APPLY.keys() ^ GANGS.keys())}")
