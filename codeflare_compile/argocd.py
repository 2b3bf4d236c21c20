"""Argo CD Config Management Plugin (v2): one Application's settings, from its environment.

Argo CD runs the plugin's commands (integrations/argocd/plugin.yaml) in the Application's source
folder with its build environment: `ARGOCD_APP_NAMESPACE` (the destination namespace),
`ARGOCD_APP_PARAMETERS` (the plugin parameters as JSON, also given one by one as `PARAM_*`),
`KUBE_VERSION` and `KUBE_API_VERSIONS` (the destination cluster's version and served APIs).

Precedence, for each target setting: the Application's parameter, then the Platform among the
inputs, then what the cluster serves (queueing, the Kubernetes version for validation), then the
built-in default. Resources without a namespace go to the parameter `namespace`, else to the
Application's destination namespace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from codeflare_compile.backends import QUEUEINGS, detection_order
from codeflare_compile.choices import Queueing
from codeflare_compile.kubeversion import KubeVersion, KubeVersionError, parse
from codeflare_compile.settings import BY_KEY, Overrides, SettingsError, to_overrides

#: Parameters that are lists of paths (relative to the Application's source folder).
LIST_PARAMETERS = {
    "paths": "input files or folders whose Runs are compiled (default: the source folder)",
    "include": "files or folders supplying Applications, DataSets, Images, size policies "
               "(RunSizeConfiguration) and the Platform; their Runs are not compiled",
}


@dataclass
class AppSettings:
    """What to compile for one Application, and how."""

    paths: list[str]
    includes: list[str]
    overrides: Overrides
    api_versions: list[str] | None  # None: the cluster's APIs are unknown
    cluster_kube_version: KubeVersion | None  # when known and schemas for it are bundled
    notes: list[str] = field(default_factory=list)


def _escaped(name: str) -> str:
    """Argo CD's environment variable name for a parameter: `PARAM_` + upper-cased, `_` for
    anything else than A-Z, 0-9 and `_`."""
    return "PARAM_" + re.sub(r"[^A-Z0-9_]", "_", name.upper())


def parameters(environ: Mapping[str, str]) -> dict[str, Any]:
    """The Application's plugin parameters: from ARGOCD_APP_PARAMETERS, else the PARAM_* vars."""
    raw = environ.get("ARGOCD_APP_PARAMETERS", "").strip()
    if raw:
        try:
            entries = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"ARGOCD_APP_PARAMETERS is not valid JSON: {exc}") from exc
        if not isinstance(entries, list):
            raise SettingsError("ARGOCD_APP_PARAMETERS must be a JSON list of parameters")
        found: dict[str, Any] = {}
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise SettingsError(f"ARGOCD_APP_PARAMETERS: not a parameter: {entry!r}")
            for kind in ("string", "array", "map"):
                if kind in entry:
                    found[entry["name"]] = entry[kind]
                    break
        return found
    names = [*BY_KEY, *LIST_PARAMETERS]
    by_env = {_escaped(name): name for name in names}
    found = {}
    for key, value in sorted(environ.items()):
        if not key.startswith("PARAM_"):
            continue
        if key in by_env:
            found[by_env[key]] = value
            continue
        base, _, position = key.rpartition("_")
        if base in by_env and by_env[base] in LIST_PARAMETERS and position.isdigit():
            found.setdefault(by_env[base], {})[int(position)] = value
            continue
        raise SettingsError(f"unknown plugin parameter in {key}; the parameters are: "
                            f"{', '.join(sorted(names))}")
    for name in LIST_PARAMETERS:
        if isinstance(found.get(name), dict):
            found[name] = [v for _, v in sorted(found[name].items())]
    return found


def detect_queueing(api_versions: list[str]) -> Queueing:
    """The queueing the cluster can run: AppWrapper, else Kueue, else MCAD, else none (each
    target's `api` and `detect_rank`, backends/queueing/)."""
    for queueing, api in detection_order():
        if _serves(api_versions, api):
            return queueing
    return "none"


def _kube_version(raw: str) -> tuple[KubeVersion | None, list[str]]:
    """KUBE_VERSION ("1.31.2", "v1.31.2+k3s1") → 1.31 when schemas for it are bundled."""
    from codeflare_compile.validate import supported_kube_versions

    try:
        version = parse(raw)
    except KubeVersionError:
        return None, [f"KUBE_VERSION '{raw}' is not a Kubernetes version; ignored"]
    supported = supported_kube_versions()
    if str(version) in supported:
        return version, []
    return None, [f"no bundled schemas for the cluster's Kubernetes {version}; validating "
                  f"against {supported[-1] if supported else 'the default'}"]


def from_environment(environ: Mapping[str, str]) -> AppSettings:
    """The Application's settings; raises SettingsError for a parameter that cannot be used."""
    params = parameters(environ)
    lists: dict[str, list[str]] = {}
    for name in LIST_PARAMETERS:
        value = params.pop(name, None)
        if value is None:
            continue
        if isinstance(value, str):  # given as a string: comma-separated
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"plugin parameter '{name}' must be a list of paths")
        lists[name] = value
    base = Overrides(namespace=environ.get("ARGOCD_APP_NAMESPACE") or None)
    if base.namespace is not None:
        from codeflare_compile.api.common import is_dns_label

        if not is_dns_label(base.namespace):
            raise SettingsError(f"ARGOCD_APP_NAMESPACE '{base.namespace}' is not a valid "
                                "namespace name")
    overrides = to_overrides(params, what="plugin parameter").over(base)
    notes: list[str] = []
    kube = None
    if environ.get("KUBE_VERSION", "").strip():
        kube, notes = _kube_version(environ["KUBE_VERSION"])
    apis_raw = environ.get("KUBE_API_VERSIONS", "").strip()
    apis = [v.strip() for v in apis_raw.split(",") if v.strip()] if apis_raw else None
    return AppSettings(paths=lists.get("paths") or ["."], includes=lists.get("include", []),
                       overrides=overrides, api_versions=apis, cluster_kube_version=kube,
                       notes=notes)


def cluster_defaults(settings: AppSettings) -> Overrides:
    """What the cluster tells, for the settings neither the parameters nor the Platform decide:
    queueing from the served APIs, the version the output is validated for."""
    return Overrides(
        queueing=detect_queueing(settings.api_versions) if settings.api_versions is not None
        else None,
        kube_version=settings.cluster_kube_version)


def warnings(settings: AppSettings, queueing: str) -> list[str]:
    """A chosen queueing whose API the cluster does not serve will not apply: say so."""
    api = QUEUEINGS[queueing].api
    if settings.api_versions is None or api is None or _serves(settings.api_versions, api):
        return []
    return [f"queueing '{queueing}' needs {api}, which the destination cluster does not serve"]


def _serves(api_versions: list[str], api: str) -> bool:
    """Whether the cluster serves `api` (a group, or a group/version)."""
    return any(v == api or v.startswith(api + "/") for v in api_versions)
