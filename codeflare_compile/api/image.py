"""Image: a named, optionally digest-pinned container image."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictStr

from codeflare_compile.api.common import ImageReference, Metadata, Model, Name

Digest = Annotated[StrictStr, Field(pattern=r"^sha256:[0-9a-f]{64}$")]


class ImageSpec(Model):
    image: ImageReference
    digest: Digest | None = None
    pull_secrets: list[Name] = Field(default_factory=list)


class Image(Model):
    api_version: Literal["codeflare.dev/v1alpha1"]
    kind: Literal["Image"]
    metadata: Metadata
    spec: ImageSpec
