"""Target settings given by name, as the Argo CD plugin's parameters and a KRM function's
ConfigMap give them: `queueing: kueue`, `namespace: research`, … → `Overrides`.

The names are the command line's flags without the dashes in front, so that one vocabulary
serves the command line, the plugin and the function.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from codeflare_compile.choices import (
    DatasetsBackend,
    DatashimGroup,
    Gang,
    Logging,
    PodSecurity,
    Queueing,
    TorchBackend,
)
from codeflare_compile.diagnostics import did_you_mean
from codeflare_compile.ir import Overrides
from codeflare_compile.kubeversion import KubeVersionError, parse

#: Setting name → (Overrides field, allowed values or None for free text, what it does).
SETTINGS: dict[str, tuple[str, tuple[str, ...] | None, str]] = {
    "queueing": ("queueing", typing.get_args(Queueing),
                 "how Runs are queued (default: the Platform's, else appwrapper)"),
    "gang": ("gang", typing.get_args(Gang), "gang scheduling (default: the Platform's)"),
    "datasets": ("datasets", typing.get_args(DatasetsBackend),
                 "datasets backend (default: the Platform's)"),
    "datashim-group": ("datashim_group", typing.get_args(DatashimGroup),
                       "API group of Datashim Datasets"),
    "torch-backend": ("torch_backend", typing.get_args(TorchBackend),
                      "how torch Runs are lowered"),
    "logging": ("logging", typing.get_args(Logging), "logging (default: the Platform's)"),
    "pod-security": ("pod_security", typing.get_args(PodSecurity),
                     "Pod Security Standards level every pod meets (default: the Platform's, "
                     "else baseline)"),
    "namespace": ("namespace", None, "namespace of resources that set none"),
    "kube-version": ("kube_version", None, "Kubernetes version X.Y whose schemas validate the "
                     "output"),
}


class SettingsError(Exception):
    """A setting with an unknown name or a value it cannot take: a usage error (exit 2)."""


def to_overrides(values: Mapping[str, Any], what: str = "setting",
                 base: Overrides | None = None) -> Overrides:
    """Validate named settings and lay them over `base`; empty values count as not given."""
    from dataclasses import replace

    from codeflare_compile.api.common import is_dns_label

    fields: dict[str, Any] = {}
    for name, raw in sorted(values.items()):
        if name not in SETTINGS:
            close = did_you_mean(name, SETTINGS)
            hint = f"did you mean '{close}'?" if close else \
                f"expected one of: {', '.join(sorted(SETTINGS))}"
            raise SettingsError(f"unknown {what} '{name}'; {hint}")
        if raw is None or raw == "":
            continue
        if not isinstance(raw, str):
            raise SettingsError(f"{what} '{name}' must be a string, not {type(raw).__name__}")
        field_name, allowed, _ = SETTINGS[name]
        value = raw.strip()
        if allowed is not None and value not in allowed:
            close = did_you_mean(value, allowed)
            hint = f"did you mean '{close}'?" if close else f"expected one of: {', '.join(allowed)}"
            raise SettingsError(f"{what} '{name}': invalid value '{value}'; {hint}")
        if name == "namespace" and not is_dns_label(value):
            raise SettingsError(f"{what} 'namespace': '{value}' is not a valid namespace name")
        if name == "kube-version":
            try:
                fields[field_name] = parse(value)
            except KubeVersionError as exc:
                raise SettingsError(f"{what} 'kube-version': {exc}") from None
            continue
        fields[field_name] = value
    return replace(base or Overrides(), **fields)
