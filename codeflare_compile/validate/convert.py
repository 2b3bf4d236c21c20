"""Convert a CRD's OpenAPI v3 structural schema to a strict draft-07 JSON Schema.

Why: jsonschema does not know the Kubernetes extensions, and the API server prunes unknown fields
silently, so a typo in emitted output would go unnoticed. The rules (validation.md §2):

- drop `x-kubernetes-*`, `description`, `format`, `default`, `example`, `title`, `externalDocs`;
- `x-kubernetes-int-or-string` becomes `type: [integer, string]`, keeping any `pattern`
  (jsonschema applies `pattern` to strings only, so integers still pass);
- `nullable: true` adds "null" to the type;
- OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07 numbers;
- strict: `additionalProperties: false` on every object with `properties` and neither
  `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`, but not inside
  `allOf`/`anyOf`/`oneOf`/`not`, whose branches only restrict and never declare all fields.

`required` is kept as is: the compiler always emits defaulted-required fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Bump when the output of convert_schema changes: it is part of the on-disk cache key.
CONVERTER_VERSION = 1

_DROPPED = frozenset(
    {"description", "format", "default", "example", "title", "externalDocs", "nullable", "$schema"}
)
_INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]


def convert_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Strict draft-07 JSON Schema equivalent of one CRD version's `openAPIV3Schema`."""
    converted = _convert(schema, structural=True)
    converted["$schema"] = "http://json-schema.org/draft-07/schema#"
    return converted


def _convert(node: Mapping[str, Any], *, structural: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key in _DROPPED:
            continue
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, Mapping):
            out[key] = {name: _sub(sub, structural) for name, sub in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = (
                [_sub(sub, structural) for sub in value]
                if isinstance(value, list)
                else _sub(value, structural)
            )
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            out[key] = [_sub(sub, False) for sub in value]
        elif key == "not":
            out[key] = _sub(value, False)
        else:
            out[key] = value
    _exclusive_bounds(node, out)
    if node.get("x-kubernetes-int-or-string") is True:
        _int_or_string(out)
    if node.get("nullable") is True:
        _nullable(out)
    if (
        structural
        and "properties" in out
        and "additionalProperties" not in node
        and node.get("x-kubernetes-preserve-unknown-fields") is not True
    ):
        out["additionalProperties"] = False
    return out


def _sub(value: Any, structural: bool) -> Any:
    """Convert a subschema; booleans (`additionalProperties: true`) pass through."""
    return _convert(value, structural=structural) if isinstance(value, Mapping) else value


def _exclusive_bounds(node: Mapping[str, Any], out: dict[str, Any]) -> None:
    """OpenAPI 3.0 `exclusiveMinimum: true` + `minimum: n` is draft-07 `exclusiveMinimum: n`."""
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = node.get(key)
        if isinstance(flag, bool):
            del out[key]
            if flag and bound in out:
                out[key] = out.pop(bound)


def _int_or_string(out: dict[str, Any]) -> None:
    out["type"] = ["integer", "string"]
    if out.get("anyOf") == _INT_OR_STRING_ANY_OF or out.get("anyOf") == _INT_OR_STRING_ANY_OF[::-1]:
        del out["anyOf"]


def _nullable(out: dict[str, Any]) -> None:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        out["type"] = [*kind, "null"]
    enum = out.get("enum")
    if isinstance(enum, list) and None not in enum:
        out["enum"] = [*enum, None]
