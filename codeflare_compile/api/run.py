"""Run: one execution of an Application."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictStr

from codeflare_compile.api.common import (
    Env,
    Input,
    Metadata,
    Model,
    Name,
    NonNegativeInt,
    Size,
    Tasks,
)

Priority = Literal["low", "normal", "high"]
#: `90s`, `30m`, `2h`, or combinations such as `1h30m`.
Duration = Annotated[StrictStr, Field(pattern=r"^(\d+h)?(\d+m)?(\d+s)?$", min_length=2)]


class ApplicationRef(Model):
    name: Name
    namespace: Name | None = None


class RunSpec(Model):
    application: Name | ApplicationRef
    size: Size | None = None
    workers: NonNegativeInt | None = None
    supports_gpu: StrictBool = False
    options: StrictStr | None = None
    env: Env = Field(default_factory=dict)
    inputs: list[Input] = Field(default_factory=list)
    tasks: Tasks | None = None
    priority: Priority | None = None
    queue: Name | None = None
    timeout: Duration | None = None


class Run(Model):
    api_version: Literal["codeflare.dev/v1alpha1"]
    kind: Literal["Run"]
    metadata: Metadata
    spec: RunSpec
