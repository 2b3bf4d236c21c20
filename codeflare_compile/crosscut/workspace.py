"""Code delivery: a shared working directory on every pod, filled before the command starts.

A `repo` is cloned by an init container (credentials only from `repoSecret`, by reference,
keys `username` and `password` as in a `kubernetes.io/basic-auth` Secret); `code` files come from
a ConfigMap of the Run, each mounted into the working directory. The lowering set the main
container's `workingDir` from the same plan.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from codeflare_compile.ir import CodeSource, Lowered, Target
from codeflare_compile.lower import pods
from codeflare_compile.lower.names import immutable_name
from codeflare_compile.podlayout import CLONE_DIR, WORKSPACE

CLONE = "clone"
VOLUME = "workspace"
CODE_VOLUME = "code"
CLONE_RESOURCES = {"cpu": "500m", "memory": "512Mi"}
#: The clone runs as the git image's user (root for alpine/git) and the workload as its own
#: (uid 1000 in rayproject/ray); files git creates are theirs, 0644 and 0755 under the usual
#: umask, so user code could not write into its own working directory. The tree is private to the
#: pod (an emptyDir), so the clone makes it writable by whichever uid the workload has.
CLONE_UMASK = "umask 0000"
#: git asks this helper for credentials; it reads them from the environment at clone time.
CREDENTIAL_HELPER = '!f() { echo "username=${GIT_USERNAME}"; echo "password=${GIT_PASSWORD}"; }; f'


def workspace(lowered: Lowered, target: Target) -> Lowered:
    source = lowered.plan.code
    if source is None:
        return lowered
    config_map = _config_map(lowered, source, target) if source.files else None
    for template in lowered.templates():
        template.add_volume({"name": VOLUME, "emptyDir": {}})
        template.add_mount({"name": VOLUME, "mountPath": WORKSPACE})
        if source.clone_url:
            template.add_init_container(_clone(source, target))
        if config_map is not None:
            template.add_volume({"name": CODE_VOLUME, "configMap": {
                "name": config_map["metadata"]["name"], "defaultMode": 0o755}})
            for key, path in zip(config_map["data"], (p for p, _ in source.files), strict=True):
                template.add_mount({"name": CODE_VOLUME, "mountPath": f"{source.workdir}/{path}",
                                    "subPath": key, "readOnly": True})
    if config_map is not None:
        lowered.objects.insert(lowered.objects.index(lowered.workload), config_map)
    return lowered


def _clone(source: CodeSource, target: Target) -> dict[str, Any]:
    assert source.clone_url is not None
    git = ["git"]
    if source.secret:
        git += ["-c", f"credential.helper={CREDENTIAL_HELPER}"]
    git += ["clone", "--depth", "1"]
    if source.branch:
        git += ["--branch", source.branch]
    git += [source.clone_url, CLONE_DIR]
    container: dict[str, Any] = {
        "name": CLONE,
        "image": target.git_image,
        "command": ["/bin/sh", "-c", f"{CLONE_UMASK} && {shlex.join(git)}"],
    }
    if source.secret:
        container["env"] = [
            {"name": var, "valueFrom": {"secretKeyRef": {"name": source.secret, "key": key}}}
            for var, key in (("GIT_USERNAME", "username"), ("GIT_PASSWORD", "password"))]
    container["resources"] = {"requests": dict(CLONE_RESOURCES),
                              "limits": dict(CLONE_RESOURCES)}
    container["securityContext"] = pods.container_security()
    container["volumeMounts"] = [{"name": VOLUME, "mountPath": WORKSPACE}]
    return container


def _config_map(lowered: Lowered, source: CodeSource, target: Target) -> dict[str, Any]:
    """The inline files, under keys ConfigMaps accept (`pkg/util.py` → `pkg_util.py`);
    immutable and named by content, so that changed code gives a new ConfigMap and a new
    workload rather than new files under a Job that has run (lower/names.py)."""
    data: dict[str, str] = {}
    for path, content in source.files:
        key = re.sub(r"[^-._a-zA-Z0-9]", "_", path)
        while key in data:
            key = f"_{key}"
        data[key] = content
    plan = lowered.plan
    config_map: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": pods.metadata(plan, "", "code"),
                                  "immutable": True, "data": data}
    config_map["metadata"]["name"] = immutable_name(plan, target, f"{plan.name}-code",
                                                    config_map)
    return config_map
