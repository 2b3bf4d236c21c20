"""The compile target: the Platform's settings, then the command-line flags over them."""

from __future__ import annotations

from codeflare_compile.api import Platform
from codeflare_compile.api.platform import PlatformSpec, PriorityClasses
from codeflare_compile.ir import Overrides, Target
from codeflare_compile.kubeversion import parse


def make_target(platform: Platform | None, overrides: Overrides) -> Target:
    """Merge defaults, the Platform and the flags; the namespace falls back to `default`."""
    spec = platform.spec if platform else PlatformSpec()
    return Target(
        queueing=overrides.queueing or spec.queueing,
        gang=overrides.gang or spec.gang_scheduling,
        scheduler_name=spec.scheduler_name,
        datasets=overrides.datasets or spec.datasets,
        datashim_group=overrides.datashim_group or spec.datashim_group,
        torch_backend=overrides.torch_backend or spec.torch_backend,
        git_image=spec.git_image,
        workflow_service_account=spec.workflow_service_account,
        logging=overrides.logging or spec.logging,
        pod_security=overrides.pod_security or spec.pod_security,
        kube_version=overrides.kube_version or (
            parse(spec.kubernetes_version) if spec.kubernetes_version else None),
        namespace=overrides.namespace or spec.default_namespace or "default",
        default_size=spec.default_size,
        priority_classes=_levels(spec.priority_classes),
        workload_priority_classes=_levels(spec.workload_priority_classes),
        fluent_bit=spec.fluent_bit,
        image_pull_secrets=tuple(spec.image_pull_secrets),
    )


def _levels(classes: PriorityClasses) -> dict[str, str]:
    return {level: name for level in ("low", "normal", "high")
            if (name := getattr(classes, level)) is not None}
