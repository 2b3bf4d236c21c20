"""Types shared by the input kinds: names, sizes, quantities, metadata, environment."""

from __future__ import annotations

import posixpath
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

from codeflare_compile.api.labels import reserved
from codeflare_compile.k8s import (
    DNS1123_LABEL,
    DNS1123_SUBDOMAIN,
    LABEL_NAME,
    LABEL_VALUE,
    anchored,
)
from codeflare_compile.quantities import QUANTITY, amount

API_VERSION = "codeflare.dev/v1alpha1"

#: Tee-shirt sizes, smallest first; the order is what `minSize` raising compares.
SIZES: tuple[str, ...] = ("xxs", "xs", "sm", "md", "lg", "xl", "xxl")
Size = Literal["xxs", "xs", "sm", "md", "lg", "xl", "xxl"]

_QUANTITY = QUANTITY
#: Environment variable names every Kubernetes version accepts (1.30 relaxed this).
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
#: Keys of a Secret or ConfigMap.
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
#: Kubernetes keeps all annotations of an object under 256 KiB.
MAX_ANNOTATIONS_BYTES = 256 * 1024
#: The most pods (workers) or GPUs per pod a size may ask for: an Indexed Job runs at most
#: 100,000 pods, and every count lands in an int32 field.
MAX_COUNT = 100_000
#: User and group ids: Kubernetes accepts 0 … 2^31-1.
MAX_ID = 2**31 - 1


def is_dns_label(value: str) -> bool:
    return len(value) <= 63 and DNS1123_LABEL.fullmatch(value) is not None


def _dns_label(value: str) -> str:
    if not is_dns_label(value):
        raise PydanticCustomError(
            "invalid_name",
            "'{value}' is not a valid name: use at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit{length}",
            {"value": value, "length": f" (it has {len(value)} characters)"
             if len(value) > 63 else ""},
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
    if not _QUANTITY.fullmatch(value):  # `match` with `$` would let a final newline through
        raise PydanticCustomError(
            "invalid_quantity",
            "'{value}' is not a Kubernetes quantity such as 500m, 2, 1.5Gi or 512Mi",
            {"value": value},
        )
    return value


#: The least memory a size may give a pod: bare numbers are bytes, so `memory: 4` is 4 bytes.
MIN_MEMORY_BYTES = 2**20


def _cpu(value: str) -> str:
    if amount(value) == 0:
        raise PydanticCustomError("impossible_quantity",
                                  "cpu '{value}' is zero: a pod needs some CPU", {"value": value})
    return value


def _memory(value: str) -> str:
    total = amount(value)
    if total < MIN_MEMORY_BYTES:
        raise PydanticCustomError(
            "impossible_quantity",
            "memory '{value}' is zero: a pod needs some memory" if total == 0 else
            "memory '{value}' is {amount} bytes, under 1Mi: a number without a unit counts "
            "bytes", {"value": value, "amount": format(total, "f")})
    return value


def _label_key(value: str) -> str:
    """A label or annotation key: `[prefix/]name` (prefix a DNS subdomain, name ≤ 63)."""
    prefix, slash, name = value.rpartition("/")
    if not (len(name) <= 63 and LABEL_NAME.fullmatch(name)
            and (not slash or (len(prefix) <= 253 and DNS1123_SUBDOMAIN.fullmatch(prefix)))):
        raise PydanticCustomError(
            "invalid_label_key", "not a label or annotation key ([prefix/]name)", {})
    return value


def _users_key(value: str) -> str:
    """A label or annotation key the user may set: not under a controller's prefix."""
    owned = reserved(value)
    if owned is not None:
        why, instead = owned
        raise PydanticCustomError("reserved_label", "'{key}' {why}",
                                  {"key": value, "why": why, "instead": instead})
    return value


def _label_value(value: str) -> str:
    if not (len(value) <= 63 and LABEL_VALUE.fullmatch(value)):
        raise PydanticCustomError("invalid_label_value", "not a label value", {})
    return value


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise PydanticCustomError("invalid_env_name", "not an environment variable name", {})
    return value


def _secret_key(value: str) -> str:
    if not (len(value) <= 253 and _SECRET_KEY.fullmatch(value)):
        raise PydanticCustomError("invalid_secret_key", "not a Secret key", {})
    return value


def _distinct_ports(ports: list[int]) -> list[int]:
    twice = next((port for i, port in enumerate(ports) if port in ports[:i]), None)
    if twice is not None:
        raise PydanticCustomError("duplicate_port", "port {port} is listed twice",
                                  {"port": twice})
    return ports


def _no_nul(value: str) -> str:
    if "\0" in value:
        raise PydanticCustomError("nul_character", "contains a NUL character", {})
    return value


#: Where the compiler mounts volumes of its own in the main container (the working directory,
#: torch's shared memory, the log folder, the workqueue's tasks, Ray's logs): a dataset cannot
#: be mounted there too. tests/test_hostile.py keeps this in step with the lowerings.
RESERVED_MOUNT_PATHS = ("/workspace", "/dev/shm", "/var/log/codeflare", "/etc/codeflare/tasks",
                        "/tmp/ray")


def _mount_path(value: str) -> str:
    if not value.startswith("/") or "\0" in value:
        raise PydanticCustomError("invalid_path", "not an absolute path", {})
    if posixpath.normpath(value) in RESERVED_MOUNT_PATHS:
        raise PydanticCustomError(
            "reserved_path", "{path} is where codeflare-compile mounts a volume of its own",
            {"path": posixpath.normpath(value)})
    return value


def _image(value: str) -> str:
    if not value or any(c.isspace() or not c.isprintable() for c in value):
        raise PydanticCustomError(
            "invalid_image", "not an image reference: empty, or with spaces or control "
            "characters", {})
    if "://" in value:  # `https://user:token@registry/…`: credentials belong in a pull Secret
        raise PydanticCustomError(
            "invalid_image", "an image reference has no scheme (https://); registry "
            "credentials go in a pull Secret (imagePullSecrets)", {})
    return value


#: A label or annotation key, and a label value (Kubernetes' syntax: they go on every object).
LabelKey = Annotated[
    StrictStr, AfterValidator(_label_key),
    WithJsonSchema({"type": "string", "pattern": r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?"
                    r"(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?"
                    r"[A-Za-z0-9]$"})]
#: A key of the user's own labels and annotations (see api/labels.py).
UserLabelKey = Annotated[LabelKey, AfterValidator(_users_key)]
LabelValue = Annotated[StrictStr, AfterValidator(_label_value), WithJsonSchema(
    {"type": "string", "maxLength": 63, "pattern": anchored(LABEL_VALUE)})]
#: Text that ends up in a program's arguments or environment: anything but NUL.
Text = Annotated[StrictStr, AfterValidator(_no_nul)]
#: A container image reference.
ImageReference = Annotated[StrictStr, AfterValidator(_image),
                           WithJsonSchema({"type": "string", "pattern": r"^\S+$"})]
#: A count of pods or GPUs.
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
#: A user or group id.
Id = Annotated[StrictInt, Field(ge=0, le=MAX_ID)]

#: A DNS-1123 label: the names of resources and the references between them.
Name = Annotated[
    StrictStr,
    AfterValidator(_dns_label),
    WithJsonSchema({"type": "string", "maxLength": 63, "pattern": anchored(DNS1123_LABEL)}),
]
#: A Kubernetes quantity, kept as its canonical string; bare numbers are accepted and stringified.
Quantity = Annotated[
    StrictStr,
    BeforeValidator(_quantity_from_number),
    AfterValidator(_quantity),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": _QUANTITY.pattern},
                              {"type": "number", "minimum": 0}]}),
]
#: The CPU of a pod (more than zero) and its memory (at least 1Mi): smaller cannot be meant.
Cpu = Annotated[Quantity, AfterValidator(_cpu)]
Memory = Annotated[Quantity, AfterValidator(_memory)]
NonNegativeInt = Annotated[StrictInt, Field(ge=0)]
#: A TCP port.
Port = Annotated[StrictInt, Field(ge=1, le=65535)]
#: Ports a Service serves, each once: `ServiceSpec.ports` is a list map keyed by port and
#: protocol (`x-kubernetes-list-map-keys` in the Kubernetes OpenAPI schema), so a port listed
#: twice is a duplicate key the API server refuses.
Ports = Annotated[list[Port], AfterValidator(_distinct_ports),
                  Field(json_schema_extra={"uniqueItems": True})]


class Model(BaseModel):
    """Base of every input model: camelCase fields, unknown fields rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class Metadata(Model):
    name: Name
    namespace: Name | None = None
    labels: dict[UserLabelKey, LabelValue] = Field(default_factory=dict)
    annotations: dict[UserLabelKey, StrictStr] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _annotations_fit(self) -> Metadata:
        size = sum(len(k.encode()) + len(v.encode()) for k, v in self.annotations.items())
        if size > MAX_ANNOTATIONS_BYTES:
            raise PydanticCustomError(
                "too_large", "annotations take {size} bytes, more than the {limit} Kubernetes "
                "allows on an object", {"size": size, "limit": MAX_ANNOTATIONS_BYTES})
        return self


class SecretKeySelector(Model):
    name: Name
    key: Annotated[StrictStr, AfterValidator(_secret_key), WithJsonSchema(
        {"type": "string", "maxLength": 253, "pattern": _SECRET_KEY.pattern})]


class SecretEnv(Model):
    """An environment value taken from a Secret: only ever a reference, never the value."""

    secret_key_ref: SecretKeySelector


EnvValue = Text | SecretEnv
Env = dict[Annotated[StrictStr, AfterValidator(_env_name),
                     WithJsonSchema({"type": "string", "pattern": _ENV_NAME.pattern})], EnvValue]


class Input(Model):
    """A dataset the job reads: one DataSet, or a DataSet per tee-shirt size."""

    dataset: Name | None = None
    sizes: dict[Size, Name] | None = None
    use_as: Literal["mount", "env"] = "mount"
    mount_path: Annotated[StrictStr, AfterValidator(_mount_path),
                          WithJsonSchema({"type": "string", "pattern": "^/"})] | None = None

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
