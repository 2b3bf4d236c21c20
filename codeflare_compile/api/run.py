"""Run: one execution of an Application."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictStr
from pydantic_core import PydanticCustomError

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
from codeflare_compile.passes.durations import seconds

Priority = Literal["low", "normal", "high"]
#: The longest deadline every target takes: RayJob's activeDeadlineSeconds is an int32.
MAX_TIMEOUT_SECONDS = 2**31 - 1


def _deadline(value: str) -> str:
    try:
        total = seconds(value)
    except ValueError:  # more digits than Python reads
        total = MAX_TIMEOUT_SECONDS + 1
    if not 1 <= total <= MAX_TIMEOUT_SECONDS:
        raise PydanticCustomError(
            "duration_range", "must be between 1s and {limit}s (68 years)",
            {"limit": MAX_TIMEOUT_SECONDS})
    return value


#: `90s`, `30m`, `2h`, or combinations such as `1h30m`; at least a second.
Duration = Annotated[StrictStr, Field(pattern=r"^(\d+h)?(\d+m)?(\d+s)?$", min_length=2),
                     AfterValidator(_deadline)]


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
