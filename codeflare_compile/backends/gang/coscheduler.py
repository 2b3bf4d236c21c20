"""`coscheduler`: a PodGroup, and every pod labelled into it and handed to the scheduler that
runs the coscheduling plugin (docs/targets.md §2)."""

from __future__ import annotations

from codeflare_compile.backends.declare import GangScheduler

#: kubernetes-sigs/scheduler-plugins `apis/scheduling/v1alpha1/types.go`, PodGroupLabel.
POD_GROUP_LABEL = "scheduling.x-k8s.io/pod-group"
POD_GROUP_API = "scheduling.x-k8s.io/v1alpha1"

BACKEND = GangScheduler(name="coscheduler", api=POD_GROUP_API,
                        uses_scheduler_name=True)
