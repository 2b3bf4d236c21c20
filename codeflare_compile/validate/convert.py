"""Convert a CRD's OpenAPI v3 structural schema to a strict draft-07 JSON Schema.

Why: jsonschema does not know the Kubernetes extensions, and the API server prunes unknown fields
silently, so a typo in emitted output would go unnoticed. The rules (validation.md §2):

- drop `x-kubernetes-*`, `description`, `format`, `default`, `example`, `title`, `externalDocs`;
- `x-kubernetes-int-or-string` becomes `type: [integer, string]`, keeping any `pattern`
  (jsonschema applies `pattern` to strings only, so integers still pass);
- `nullable: true` adds "null" to the type;
- `x-kubernetes-list-type: set` becomes `uniqueItems: true` (the API server refuses a set with
  a repeated item: kubernetes/kubernetes, staging/src/k8s.io/apiextensions-apiserver/pkg/
  apiserver/schema/listtype/validation.go, validateListSet); the uniqueness of list-map keys
  (`x-kubernetes-list-type: map`) and CEL rules (`x-kubernetes-validations`) have no JSON Schema
  form and are not checked;
- OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07 numbers;
- strict: `additionalProperties: false` on every object with `properties` and neither
  `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`, but not inside
  `allOf`/`anyOf`/`oneOf`/`not`, whose branches only restrict and never declare all fields.

`required` is kept as is: the compiler always emits defaulted-required fields.

Identical subschemas of some size (a RayJob embeds the same PodSpec schema three times) are then
written once under `definitions` and referred to with `$ref`: the same constraints, a fifth of
the size, and jsonschema-rs builds a validator of it several times faster (structural CRD schemas
never use `$ref` or `definitions` themselves).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

# Bump when the output of convert_schema changes: it is part of the on-disk cache key.
CONVERTER_VERSION = 3

_DROPPED = frozenset(
    {"description", "format", "default", "example", "title", "externalDocs", "nullable", "$schema"}
)
_INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]


def convert_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Strict draft-07 JSON Schema equivalent of one CRD version's `openAPIV3Schema`."""
    converted = share_subschemas(_convert(schema, structural=True))
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
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
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


#: Subschemas shorter than this (as compact JSON) stay inline: a `$ref` would save little.
_SHARED_MIN_CHARS = 500
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_ONE = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def share_subschemas(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each repeated subschema written once, as `definitions/s<N>`, and `$ref`s.

    Numbered in the order first met, so the same input always gives the same output.
    """
    if "definitions" in schema or "$ref" in schema:
        return schema  # not a converted structural schema: leave it alone
    counts: dict[str, int] = {}
    todo: list[Any] = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            key = _canonical(node)
            counts[key] = counts.get(key, 0) + 1
            todo += _children(node)
    repeated = {key for key, n in counts.items() if n > 1 and len(key) >= _SHARED_MIN_CHARS}
    if not repeated:
        return schema
    names: dict[str, str] = {}
    definitions: dict[str, Any] = {}

    def share(node: Any, top: bool = False) -> Any:
        if not isinstance(node, dict):
            return node
        key = "" if top else _canonical(node)
        if key not in repeated:
            return _map_children(node, share)
        if key not in names:
            names[key] = f"s{len(names) + 1}"
            definitions[names[key]] = share(node, top=True)
        return {"$ref": f"#/definitions/{names[key]}"}

    shared: dict[str, Any] = share(schema, top=True)
    shared["definitions"] = definitions
    return shared


def _canonical(node: Any) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"))


def _children(node: dict[str, Any]) -> list[Any]:
    """The direct subschemas of `node` (not the maps that hold them, such as `properties`)."""
    found: list[Any] = []
    _map_children(node, lambda sub: found.append(sub))
    return found


def _map_children(node: dict[str, Any], change: Callable[[Any], Any]) -> dict[str, Any]:
    """A copy of `node` with `change` applied to each of its direct subschemas."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: change(sub) for name, sub in value.items()}
        elif key in _SCHEMA_ONE:
            out[key] = [change(sub) for sub in value] if isinstance(value, list) else change(value)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [change(sub) for sub in value]
        else:
            out[key] = value
    return out
