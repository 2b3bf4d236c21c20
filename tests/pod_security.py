"""The Pod Security Standards as a checker of pod specs, written from the standard's table
(https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Profile Details": the
Baseline controls, then the Restricted ones added on top). Each rule names its control; a pod
meets a level when `violations` returns nothing. Only the fields of the table are read, and a
field absent from a pod has the value the table calls "Undefined/nil".

Not checked, because no pod spec can show them: the AppArmor annotations' node support, and
Windows-only fields beyond `hostProcess`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

Level = Literal["baseline", "restricted"]
Obj = dict[str, Any]

#: Baseline, "Capabilities": what may be added.
BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})
#: Baseline, "Sysctls": the safe set.
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes"})
#: Baseline, "SELinux": the allowed types.
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t",
                           "container_engine_t"})
#: Restricted, "Volume Types": the only volume sources allowed.
RESTRICTED_VOLUMES = frozenset({"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                                "persistentVolumeClaim", "projected", "secret"})


def containers(spec: Obj) -> list[Obj]:
    return [*spec.get("initContainers", []), *spec["containers"],
            *spec.get("ephemeralContainers", [])]


def violations(spec: Obj, level: Level, annotations: Obj | None = None) -> list[str]:
    """What in the pod spec breaks the level's controls, one line per failed control."""
    found = list(_baseline(spec, annotations or {}))
    if level == "restricted":
        found += _restricted(spec)
    return found


def _baseline(spec: Obj, annotations: Obj) -> Iterator[str]:
    pod = spec.get("securityContext") or {}
    every = containers(spec)
    contexts = [(c["name"], c.get("securityContext") or {}) for c in every]
    # HostProcess
    if (pod.get("windowsOptions") or {}).get("hostProcess") or any(
            (sc.get("windowsOptions") or {}).get("hostProcess") for _, sc in contexts):
        yield "HostProcess: windowsOptions.hostProcess"
    # Host Namespaces
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            yield f"Host Namespaces: {field}"
    # Privileged Containers
    for name, sc in contexts:
        if sc.get("privileged"):
            yield f"Privileged Containers: {name}"
    # Capabilities
    for name, sc in contexts:
        added = set((sc.get("capabilities") or {}).get("add") or [])
        if added - BASELINE_CAPABILITIES:
            yield f"Capabilities: {name} adds {sorted(added - BASELINE_CAPABILITIES)}"
    # HostPath Volumes
    for volume in spec.get("volumes", []):
        if "hostPath" in volume:
            yield f"HostPath Volumes: {volume['name']}"
    # Host Ports
    for container in every:
        for port in container.get("ports", []):
            if port.get("hostPort"):
                yield f"Host Ports: {container['name']}"
    # AppArmor
    for holder in [pod, *(sc for _, sc in contexts)]:
        if (holder.get("appArmorProfile") or {}).get("type") not in (
                None, "RuntimeDefault", "Localhost"):
            yield "AppArmor: appArmorProfile.type"
    for key, value in annotations.items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and \
                value != "runtime/default" and not value.startswith("localhost/"):
            yield f"AppArmor: {key}"
    # SELinux
    for holder in [pod, *(sc for _, sc in contexts)]:
        options = holder.get("seLinuxOptions") or {}
        if options.get("type", "") not in SELINUX_TYPES or options.get("user") \
                or options.get("role"):
            yield "SELinux: seLinuxOptions"
    # /proc Mount Type
    for name, sc in contexts:
        if sc.get("procMount", "Default") != "Default":
            yield f"/proc Mount Type: {name}"
    # Seccomp
    for holder in [pod, *(sc for _, sc in contexts)]:
        if (holder.get("seccompProfile") or {}).get("type") == "Unconfined":
            yield "Seccomp: Unconfined"
    # Sysctls
    for sysctl in pod.get("sysctls", []):
        if sysctl["name"] not in SAFE_SYSCTLS:
            yield f"Sysctls: {sysctl['name']}"


def _restricted(spec: Obj) -> Iterator[str]:
    pod = spec.get("securityContext") or {}
    contexts = [(c["name"], c.get("securityContext") or {}) for c in containers(spec)]
    # Volume Types
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if kinds - RESTRICTED_VOLUMES:
            yield f"Volume Types: {volume['name']} is {sorted(kinds)}"
    # Privilege Escalation
    for name, sc in contexts:
        if sc.get("allowPrivilegeEscalation") is not False:
            yield f"Privilege Escalation: {name}"
    # Running as Non-root: the pod sets true and no container false, or every container true
    for name, sc in contexts:
        non_root = sc.get("runAsNonRoot", pod.get("runAsNonRoot"))
        if non_root is not True:
            yield f"Running as Non-root: {name}"
    # Running as Non-root user
    if pod.get("runAsUser") == 0 or any(sc.get("runAsUser") == 0 for _, sc in contexts):
        yield "Running as Non-root user: runAsUser 0"
    # Seccomp: RuntimeDefault or Localhost, on the pod or on every container
    pod_type = (pod.get("seccompProfile") or {}).get("type")
    for name, sc in contexts:
        kind = (sc.get("seccompProfile") or {}).get("type", pod_type)
        if kind not in ("RuntimeDefault", "Localhost"):
            yield f"Seccomp: {name}"
    # Capabilities: drop ALL, add only NET_BIND_SERVICE
    for name, sc in contexts:
        capabilities = sc.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            yield f"Capabilities: {name} does not drop ALL"
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            yield f"Capabilities: {name} adds more than NET_BIND_SERVICE"
