"""Gang scheduling with the co-scheduler: a PodGroup, and every pod labelled into it (targets §4).

minMember is the run's pod count: all of the workload's pod sets (for Ray, head + workers; the
job submitter pod is not a member, since it is not in the workload's pod sets). minResources is
what those pods ask for together, each pod counted as Kubernetes counts it (sidecars included):
the co-scheduler's PreFilter checks that the cluster has that much before letting any member
through (kubernetes-sigs/scheduler-plugins pkg/coscheduling/core/core.go, PreFilter and
CheckClusterResource).
"""

from __future__ import annotations

from decimal import Decimal

from codeflare_compile import quantities
from codeflare_compile.ir import Lowered, Target
from codeflare_compile.lower import pods

POD_GROUP_LABEL = "scheduling.x-k8s.io/pod-group"


def gang(lowered: Lowered, target: Target) -> Lowered:
    if target.gang != "coscheduler" or not lowered.pod_sets or not lowered.gang:
        return lowered
    plan = lowered.plan
    name = lowered.workload["metadata"]["name"]
    for template in lowered.pod_templates():
        template["metadata"]["labels"][POD_GROUP_LABEL] = name
        template["spec"]["schedulerName"] = target.scheduler_name
    members = sum(p.replicas for p in lowered.pod_sets)
    total: dict[str, Decimal] = {}
    for pod_set, template in zip(lowered.pod_sets, lowered.pod_templates(), strict=True):
        for resource, amount in pods.pod_amounts(template).items():
            total[resource] = total.get(resource, Decimal(0)) + amount * pod_set.replicas
    pod_group = {
        "apiVersion": "scheduling.x-k8s.io/v1alpha1",
        "kind": "PodGroup",
        "metadata": pods.metadata(plan, name, "podgroup"),
        "spec": {"minMember": members, "minResources": quantities.rendered(total)},
    }
    lowered.objects.insert(0, pod_group)
    return lowered
