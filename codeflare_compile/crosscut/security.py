"""Pod Security: every pod template the compiler writes meets the target's level.

The levels are the Pod Security Standards' (https://kubernetes.io/docs/concepts/security/
pod-security-standards/), which the API server's built-in admission enforces per namespace.
At both levels every container drops ALL capabilities and never escalates (pods.py), and every
pod runs under the runtime's default seccomp profile: that is what `restricted` asks for
besides a non-root user, so `baseline` output differs from `restricted` output only there.
`restricted` adds `runAsNonRoot: true`; the kubelet refuses to start a container whose image
runs as root under it unless the container has a non-zero `runAsUser`, so the compiler's own
containers (the git clone, Fluent Bit), whose images run as root, get one.

The Application's `securityContext` may turn a default off (`runAsNonRoot: false`,
`allowPrivilegeEscalation: true`, a Localhost seccomp profile); under `restricted` what the
level forbids is refused (CF460) instead of being written and rejected by the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from codeflare_compile.crosscut.log_sidecar import SIDECAR
from codeflare_compile.crosscut.workspace import CLONE
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Lowered, RunPlan, Target
from codeflare_compile.problems.targets import pod_security_opt_out

#: The user id of the compiler's own containers under `restricted` when the Application sets
#: none: the conventional "nonroot" id of distroless images, owning nothing on the node.
NON_ROOT_UID = 65532
HELPERS = frozenset({CLONE, SIDECAR})
RUNTIME_DEFAULT = {"type": "RuntimeDefault"}


def security(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
    plan = lowered.plan
    restricted = target.pod_security == "restricted"
    if restricted and not _fits_restricted(plan, diags):
        return lowered
    context = plan.security_context
    for spec in pod_specs(lowered.workload):
        pod = spec.setdefault("securityContext", {})
        pod.setdefault("seccompProfile", dict(RUNTIME_DEFAULT))
        if restricted:
            pod.setdefault("runAsNonRoot", True)
            if "runAsUser" not in pod:
                for container in containers(spec):
                    if container["name"] in HELPERS:
                        container["securityContext"]["runAsUser"] = NON_ROOT_UID
    if context is not None and context.allow_privilege_escalation:
        for template in lowered.templates():  # the workload container only
            template.main_container()["securityContext"]["allowPrivilegeEscalation"] = True
    return lowered


def _fits_restricted(plan: RunPlan, diags: Diagnostics) -> bool:
    """Refuse the Application's opt-outs that `restricted` forbids, each at its field."""
    context = plan.security_context
    if context is None:
        return True
    forbidden = [(field, setting) for field, value, setting in (
        ("runAsNonRoot", context.run_as_non_root is False, "'runAsNonRoot: false'"),
        ("runAsUser", context.run_as_user == 0, "'runAsUser: 0' (root)"),
        ("allowPrivilegeEscalation", context.allow_privilege_escalation is True,
         "'allowPrivilegeEscalation: true'"),
    ) if value]
    for field, setting in forbidden:
        diags.add(pod_security_opt_out(setting, plan.app.span("spec", "securityContext", field)))
    return not forbidden


def pod_specs(node: Any) -> Iterator[dict[str, Any]]:
    """Every pod spec inside an object: a mapping with a list of `containers`."""
    if isinstance(node, dict):
        if isinstance(node.get("containers"), list):
            yield node
            return
        for value in node.values():
            yield from pod_specs(value)
    elif isinstance(node, list):
        for value in node:
            yield from pod_specs(value)


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]
