"""The compile target: the settings given, over the Platform's fields, over the fallbacks."""

from __future__ import annotations

from typing import Any

from codeflare_compile.api import Platform
from codeflare_compile.api.platform import PlatformSpec, PriorityClasses
from codeflare_compile.ir import Target
from codeflare_compile.settings import SETTINGS, Overrides

NO_OVERRIDES = Overrides()


def make_target(platform: Platform | None, overrides: Overrides,
                fallbacks: Overrides = NO_OVERRIDES) -> Target:
    """Each setting from `overrides`, else the field the Platform sets, else `fallbacks` (what
    an Argo CD cluster serves), else the default; the namespace falls back to `default`."""
    spec = platform.spec if platform else PlatformSpec()
    chosen: dict[str, Any] = {}
    for setting in SETTINGS:
        value = getattr(overrides, setting.name)
        if value is None and setting.platform_field in spec.model_fields_set:
            value = getattr(spec, setting.platform_field)
            if value is not None and setting.read is not None:  # text, as a flag's
                value = setting.read(value)
        if value is None:
            value = getattr(fallbacks, setting.name)
        chosen[setting.name] = value if value is not None else setting.default
    return Target(
        **{**chosen, "namespace": chosen["namespace"] or "default"},
        scheduler_name=spec.scheduler_name,
        git_image=spec.git_image,
        workflow_service_account=spec.workflow_service_account,
        default_size=spec.default_size,
        priority_classes=_levels(spec.priority_classes),
        workload_priority_classes=_levels(spec.workload_priority_classes),
        fluent_bit=spec.fluent_bit,
        image_pull_secrets=tuple(spec.image_pull_secrets),
    )


def _levels(classes: PriorityClasses) -> dict[str, str]:
    return {level: name for level in ("low", "normal", "high")
            if (name := getattr(classes, level)) is not None}
