"""Application: what to run, in which archetype."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from codeflare_compile.api.common import (
    Env,
    Id,
    ImageReference,
    Input,
    Metadata,
    Model,
    Name,
    Ports,
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


class SeccompProfile(Model):
    """The pod's seccomp profile; `Unconfined` is not offered: no Pod Security level allows it."""

    type: Literal["RuntimeDefault", "Localhost"]
    localhost_profile: StrictStr | None = None

    @model_validator(mode="after")
    def _localhost(self) -> SeccompProfile:
        if (self.type == "Localhost") != (self.localhost_profile is not None):
            raise PydanticCustomError(
                "seccomp_localhost", "'localhostProfile' is given with, and only with, "
                "type 'Localhost'", {})
        return self


class SecurityContext(Model):
    """The pod's identity, and the defaults a user may turn off knowingly (docs/security.md):
    `runAsNonRoot: false` and `allowPrivilegeEscalation: true` only fit Pod Security
    `baseline`."""

    run_as_user: Id | None = None
    run_as_group: Id | None = None
    fs_group: Id | None = None
    run_as_non_root: StrictBool | None = None
    seccomp_profile: SeccompProfile | None = None
    #: For the workload container only; the compiler's own containers never escalate.
    allow_privilege_escalation: StrictBool | None = None

    def pod_fields(self) -> dict[str, object]:
        """The fields that belong to the pod's securityContext, as Kubernetes spells them."""
        return self.model_dump(by_alias=True, exclude_none=True,
                               exclude={"allow_privilege_escalation"})


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
    expose: Ports = Field(default_factory=list)
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
