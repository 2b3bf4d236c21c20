"""Types shared by the input kinds: names, sizes, quantities, metadata, environment."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

API_VERSION = "codeflare.dev/v1alpha1"

#: Tee-shirt sizes, smallest first; the order is what `minSize` raising compares.
SIZES: tuple[str, ...] = ("xxs", "xs", "sm", "md", "lg", "xl", "xxl")
Size = Literal["xxs", "xs", "sm", "md", "lg", "xl", "xxl"]

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUANTITY = re.compile(r"^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$")


def is_dns_label(value: str) -> bool:
    return len(value) <= 63 and _DNS_LABEL.match(value) is not None


def _dns_label(value: str) -> str:
    if not is_dns_label(value):
        raise PydanticCustomError(
            "invalid_name",
            "'{value}' is not a valid name: use at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit",
            {"value": value},
        )
    return value


def _quantity_from_number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, "f").rstrip("0").rstrip(".") if value == value else str(value)
    return value


def _quantity(value: str) -> str:
    if not _QUANTITY.match(value):
        raise PydanticCustomError(
            "invalid_quantity",
            "'{value}' is not a Kubernetes quantity such as 500m, 2, 1.5Gi or 512Mi",
            {"value": value},
        )
    return value


#: A DNS-1123 label: the names of resources and the references between them.
Name = Annotated[
    StrictStr,
    AfterValidator(_dns_label),
    WithJsonSchema({"type": "string", "maxLength": 63, "pattern": _DNS_LABEL.pattern}),
]
#: A Kubernetes quantity, kept as its canonical string; bare numbers are accepted and stringified.
Quantity = Annotated[
    StrictStr,
    BeforeValidator(_quantity_from_number),
    AfterValidator(_quantity),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": _QUANTITY.pattern},
                              {"type": "number", "minimum": 0}]}),
]
NonNegativeInt = Annotated[StrictInt, Field(ge=0)]


class Model(BaseModel):
    """Base of every input model: camelCase fields, unknown fields rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class Metadata(Model):
    name: Name
    namespace: Name | None = None
    labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    annotations: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class SecretKeySelector(Model):
    name: Name
    key: StrictStr


class SecretEnv(Model):
    """An environment value taken from a Secret: only ever a reference, never the value."""

    secret_key_ref: SecretKeySelector


EnvValue = StrictStr | SecretEnv
Env = dict[StrictStr, EnvValue]


class Input(Model):
    """A dataset the job reads: one DataSet, or a DataSet per tee-shirt size."""

    dataset: Name | None = None
    sizes: dict[Size, Name] | None = None
    use_as: Literal["mount", "env"] = "mount"
    mount_path: StrictStr | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Input:
        if (self.dataset is None) == (self.sizes is None):
            raise PydanticCustomError(
                "one_of", "an input names exactly one of 'dataset' or 'sizes'", {}
            )
        return self


class Sweep(Model):
    min: StrictInt | float
    max: StrictInt | float
    step: StrictInt | float = 1


class TaskSweep(Model):
    sweep: Sweep


Tasks = list[StrictStr] | TaskSweep
