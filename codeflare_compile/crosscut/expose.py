"""`expose` (SPEC §2, Application): a ClusterIP Service for the ports the Run's program listens on.

The Service selects the pods that run the program itself (`PodSet.serves`): every pod of a Job,
an Indexed Job or a PyTorchJob, and the Ray head, where a RayJob's entrypoint runs: Ray's job
manager pins a job's supervisor, which starts the entrypoint, to the head node unless the job
asks for entrypoint resources (which the RayJob never does) or the cluster sets
RAY_JOB_ALLOW_DRIVER_ON_WORKER_NODES=1 (ray python/ray/dashboard/modules/job/job_manager.py,
`JobManager._get_scheduling_strategy`; ray-project/ray#42436). Those pod templates get
`codeflare.dev/exposed: "true"`, and the Service selects it with the Run's `codeflare.dev/run`:
the Ray workers and the KubeRay submitter carry the Run's labels too, and are left out.

The Service is named after the Run and stays at the top level (`Lowered.standalone`), outside an
AppWrapper and outside a Workflow: clients reach `<run>.<namespace>.svc` whatever the Run's
content hash, and a Service can be updated in place (only `spec.clusterIP` is immutable:
kubernetes pkg/apis/core/validation/validation.go, `ValidateServiceUpdate`), so it needs no
hashed name. Only ClusterIP: nothing is published outside the cluster.
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.ir import Lowered, Target
from codeflare_compile.lower import pods
from codeflare_compile.namefit import fit_name

EXPOSED_LABEL = "codeflare.dev/exposed"
#: Service names are DNS-1035 labels.
SERVICE_NAME_LIMIT = 63


def expose(lowered: Lowered, target: Target) -> Lowered:
    plan = lowered.plan
    if not plan.expose:
        return lowered
    for template in lowered.templates():
        if template.pod_set.serves:
            template.labels[EXPOSED_LABEL] = "true"
    name = fit_name(plan.name, SERVICE_NAME_LIMIT, letter_first=True)
    service: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(plan, name, "expose"),
        "spec": {
            "type": "ClusterIP",
            "selector": {pods.RUN_LABEL: plan.name, EXPOSED_LABEL: "true"},
            "ports": [{"name": f"port-{port}", "port": port, "targetPort": port,
                       "protocol": "TCP"} for port in plan.expose],
        },
    }
    lowered.objects.append(service)
    lowered.standalone.append(service)
    return lowered
