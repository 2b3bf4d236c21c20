"""RunSizeConfiguration: the admin policy mapping tee-shirt sizes to physical sizes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictInt

from codeflare_compile.api.common import Count, Cpu, Memory, Metadata, Model, Name, Size


class HeadSize(Model):
    """The Ray head's own cpu, memory and gpu; a field left out is the workers' (the head is
    then sized like a worker, as it is without `head`)."""

    cpu: Cpu | None = None
    memory: Memory | None = None
    gpu: Count | None = None


class PhysicalSize(Model):
    """Per-pod cpu, memory and gpu, the pod count (`workers`), and the Ray head's size."""

    workers: Count
    cpu: Cpu
    memory: Memory
    gpu: Count = 0
    head: HeadSize | None = None


class RunSizeConfigurationSpec(Model):
    priority: StrictInt = 1
    namespaces: list[Name] | None = None
    config: dict[Size, PhysicalSize] = Field(min_length=1)


class RunSizeConfiguration(Model):
    api_version: Literal["codeflare.dev/v1alpha1"]
    kind: Literal["RunSizeConfiguration"]
    metadata: Metadata
    spec: RunSizeConfigurationSpec


#: The built-in configuration (priority 100), used when no RunSizeConfiguration applies.
DEFAULT_SIZES: dict[str, PhysicalSize] = {
    size: PhysicalSize(workers=w, cpu=c, memory=m, gpu=g)
    for size, w, c, m, g in (
        ("xxs", 1, "500m", "1536Mi", 0),
        ("xs", 1, "1", "4Gi", 1),
        ("sm", 2, "1", "8Gi", 1),
        ("md", 4, "2", "16Gi", 1),
        ("lg", 8, "4", "32Gi", 1),
        ("xl", 20, "4", "48Gi", 1),
        ("xxl", 40, "8", "64Gi", 1),
    )
}
DEFAULT_PRIORITY = 100
