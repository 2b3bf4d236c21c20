"""Fluent Bit logging: a sidecar tailing the Run's log files to stdout (targets §11).

Each pod set says where its program writes log files (`PodSet.logs`). A shared `emptyDir` is
mounted there in the main container and in the sidecar, which tails it with `Read_from_Head` so
lines written before it started are kept, and prints them, so they show in `kubectl logs`. Batch
pods get a native sidecar (an init container with `restartPolicy: Always`, Kubernetes ≥ 1.29)
so that they still complete; Ray's head gets a plain container (the cluster is deleted with the
job). The configuration is a ConfigMap of the Run.
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Lowered, PodTemplate, Target
from codeflare_compile.kubeversion import KubeVersion, before
from codeflare_compile.lower import pods
from codeflare_compile.lower.names import immutable_name
from codeflare_compile.problems.targets import sidecars_need

SIDECAR = "fluent-bit"
LOG_VOLUME = "run-logs"
CONFIG_VOLUME = "fluent-bit-config"
CONFIG_FILE = "fluent-bit.conf"
NATIVE_SIDECARS_SINCE = KubeVersion(1, 29)


def config(pattern: str) -> str:
    """The classic-format configuration: tail the files, print each line with its file name."""
    return "\n".join([
        "[SERVICE]",
        "    Flush        1",
        "    Log_Level    warn",
        "[INPUT]",
        "    Name             tail",
        f"    Path             {pattern}",
        "    Path_Key         file",
        "    Read_from_Head   true",
        "    Refresh_Interval 5",
        "[OUTPUT]",
        "    Name   stdout",
        "    Match  *",
        "    Format json_lines",
        "",
    ])


def log_sidecar(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
    if target.logging != "fluentbit":
        return lowered
    pod_sets = [p for p in lowered.pod_sets if p.logs is not None]
    if not pod_sets:
        return lowered
    if any(p.batch for p in pod_sets) and before(target.kube_version, NATIVE_SIDECARS_SINCE):
        diags.add(sidecars_need(target.kube_version))
        return lowered
    plan = lowered.plan
    config_map: dict[str, Any] = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": pods.metadata(plan, "", "logging"),
        "immutable": True,
        "data": {f"{i}-{CONFIG_FILE}": config(p.logs[1])
                 for i, p in enumerate(lowered.pod_sets) if p.logs is not None},
    }
    config_map["metadata"]["name"] = immutable_name(plan, target, f"{plan.name}-fluent-bit",
                                                    config_map)
    for i, template in enumerate(lowered.templates()):
        if template.pod_set.logs is not None:
            _attach(template, f"{i}-{CONFIG_FILE}", config_map["metadata"]["name"], target)
    lowered.objects.insert(lowered.objects.index(lowered.workload), config_map)
    return lowered


def _attach(template: PodTemplate, key: str, config_map: str, target: Target) -> None:
    pod_set = template.pod_set
    assert pod_set.logs is not None
    folder = pod_set.logs[0]
    template.add_volume({"name": LOG_VOLUME, "emptyDir": {}})
    template.add_volume({"name": CONFIG_VOLUME, "configMap": {"name": config_map}})
    template.add_mount({"name": LOG_VOLUME, "mountPath": folder})
    template.add_env({"name": "CODEFLARE_LOG_DIR", "value": folder})
    amounts = {"cpu": target.fluent_bit.cpu, "memory": target.fluent_bit.memory}
    sidecar: dict[str, Any] = {
        "name": SIDECAR,
        "image": target.fluent_bit.image,
        "args": ["--config", f"/fluent-bit/etc/{CONFIG_FILE}"],
        "resources": {"requests": dict(amounts), "limits": dict(amounts)},
        "securityContext": pods.container_security(),
        "volumeMounts": [
            {"name": LOG_VOLUME, "mountPath": folder, "readOnly": True},
            {"name": CONFIG_VOLUME, "mountPath": f"/fluent-bit/etc/{CONFIG_FILE}",
             "subPath": key, "readOnly": True},
        ],
    }
    if pod_set.batch:
        sidecar["restartPolicy"] = "Always"
        template.add_init_container(sidecar)
    else:
        template.add_container(sidecar)
