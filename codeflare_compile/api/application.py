"""Application: what to run, in which archetype."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from codeflare_compile.api.common import (
    Env,
    Id,
    ImageReference,
    Input,
    Metadata,
    Model,
    Name,
    Size,
    Tasks,
    Text,
)

Archetype = Literal["ray", "torch", "workqueue", "workflow", "shell"]


class ImageRef(Model):
    """A reference to an `Image` resource in the same namespace."""

    name: Name


class CodeFile(Model):
    name: StrictStr
    source: StrictStr


class SecurityContext(Model):
    run_as_user: Id | None = None
    run_as_group: Id | None = None
    fs_group: Id | None = None


class Step(Model):
    name: Name
    application: Name
    depends_on: list[Name] = Field(default_factory=list)
    options: Text | None = None
    size: Size | None = None


class ApplicationSpec(Model):
    api: Archetype
    description: StrictStr | None = None
    image: ImageReference | ImageRef | None = None
    command: Text | None = None
    options: Text | None = None
    repo: Text | None = None
    repo_secret: Name | None = None
    code: list[CodeFile] = Field(default_factory=list)
    requirements: list[Text] = Field(default_factory=list)
    env: Env = Field(default_factory=dict)
    min_size: Size | None = None
    supports_gpu: StrictBool = False
    inputs: list[Input] = Field(default_factory=list)
    expose: list[StrictInt] = Field(default_factory=list)
    security_context: SecurityContext | None = None
    tasks: Tasks | None = None
    steps: list[Step] | None = None

    @model_validator(mode="after")
    def _archetype_fields(self) -> ApplicationSpec:
        if self.api != "workflow":
            missing = [f for f in ("image", "command") if getattr(self, f) is None]
            if missing:
                raise PydanticCustomError(
                    "archetype_requires",
                    "a '{api}' Application needs '{fields}'",
                    {"api": self.api, "fields": "' and '".join(missing)},
                )
        if self.api == "workflow" and not self.steps:
            raise PydanticCustomError(
                "archetype_requires", "a 'workflow' Application needs 'steps'", {}
            )
        if self.tasks is not None and self.api != "workqueue":
            raise PydanticCustomError(
                "archetype_field", "'tasks' is only for 'workqueue' Applications", {}
            )
        if self.steps is not None and self.api != "workflow":
            raise PydanticCustomError(
                "archetype_field", "'steps' is only for 'workflow' Applications", {}
            )
        return self


class Application(Model):
    api_version: Literal["codeflare.dev/v1alpha1"]
    kind: Literal["Application"]
    metadata: Metadata
    spec: ApplicationSpec
