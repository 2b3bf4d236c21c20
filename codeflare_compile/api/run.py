"""Run: one execution of an Application."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from codeflare_compile.api.common import (
    Count,
    Env,
    Input,
    Metadata,
    Model,
    Name,
    Size,
    Tasks,
    Text,
)
from codeflare_compile.api.durations import Duration

Priority = Literal["low", "normal", "high"]


class ApplicationRef(Model):
    name: Name
    namespace: Name | None = None


class RunSpec(Model):
    application: Name | ApplicationRef
    size: Size | None = None
    workers: Count | None = None
    supports_gpu: StrictBool = False
    options: Text | None = None
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
