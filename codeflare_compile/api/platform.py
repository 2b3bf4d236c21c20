"""Platform: the compile target. At most one; command-line flags override it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictStr

from codeflare_compile import kubeversion
from codeflare_compile.api.common import (
    Cpu,
    ImageReference,
    Memory,
    Metadata,
    Model,
    Name,
    Size,
)
from codeflare_compile.choices import (
    DatasetsBackend,
    DatashimGroup,
    Gang,
    Logging,
    PodSecurity,
    Queueing,
    TorchBackend,
)
from codeflare_compile.settings import platform_default

GIT_IMAGE = ("alpine/git:2.47.2@sha256:"
             "062a01ad7a0eb17cff382bc5e26086b4d710e56dfdfdf001109a49b6d9bd378c")
#: The multi-arch index of the 3.2.10 tag (the 3.2 line's patch release). The digest is quoted
#: alike by several public projects that pull it (wiki-mod/lancache-ng
#: docs/release-external-images.md, for both docker.io and cr.fluentbit.io;
#: ADBERILGEN35/parkio docker/docker-compose.newrelic-log-pilot.yml).
FLUENT_BIT_IMAGE = ("fluent/fluent-bit:3.2.10@sha256:"
                    "d6dec000c4929a439562525728c708f6e99800d7ddc82efd6aa4f45f3a20b562")


class PriorityClasses(Model):
    low: Name | None = None
    normal: Name | None = None
    high: Name | None = None


class FluentBit(Model):
    """The log sidecar's image (pinned by digest: it reads every log line) and per-container size
    (it counts towards quotas)."""

    image: ImageReference = FLUENT_BIT_IMAGE
    cpu: Cpu = "100m"
    memory: Memory = "128Mi"


#: The fields a target setting overrides take their defaults from `settings.SETTINGS` (no
#: docstring: it would become the schema's description).
class PlatformSpec(Model):
    queueing: Queueing = platform_default("queueing")
    gang_scheduling: Gang = platform_default("gang")
    scheduler_name: Name = "scheduler-plugins-scheduler"
    datasets: DatasetsBackend = platform_default("datasets")
    datashim_group: DatashimGroup = platform_default("datashim_group")
    torch_backend: TorchBackend = platform_default("torch_backend")
    #: The clone receives the repository's credentials: pinned by digest (the multi-arch
    #: index of the 2.47.2 tag), so a re-pushed tag cannot swap the program that sees them.
    git_image: ImageReference = GIT_IMAGE
    workflow_service_account: Name | None = None
    logging: Logging = platform_default("logging")
    pod_security: PodSecurity = platform_default("pod_security")
    kubernetes_version: StrictStr | None = Field(default=platform_default("kube_version"),
                                                pattern=kubeversion.PATTERN)
    default_namespace: Name | None = platform_default("namespace")
    default_size: Size | None = None
    priority_classes: PriorityClasses = Field(default_factory=PriorityClasses)
    workload_priority_classes: PriorityClasses = Field(default_factory=PriorityClasses)
    fluent_bit: FluentBit = Field(default_factory=FluentBit)
    image_pull_secrets: list[Name] = Field(default_factory=list)


class Platform(Model):
    api_version: Literal["codeflare.dev/v1alpha1"]
    kind: Literal["Platform"]
    metadata: Metadata
    spec: PlatformSpec = Field(default_factory=PlatformSpec)
