"""Gang scheduling with the co-scheduler: a PodGroup, and every pod labelled into it (targets §4).

minMember is the run's pod count: all of the workload's pod sets (for Ray, head + workers; the
job submitter pod is not a member, since it is not in the workload's pod sets).
"""

from __future__ import annotations

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
    pod_group = {
        "apiVersion": "scheduling.x-k8s.io/v1alpha1",
        "kind": "PodGroup",
        "metadata": pods.metadata(plan, name, "podgroup"),
        "spec": {"minMember": members},
    }
    lowered.objects.insert(0, pod_group)
    return lowered
