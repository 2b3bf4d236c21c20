"""JSON Schemas (draft-07) of the input API, generated from the models.

One file per kind, plus `codeflare.dev_v1alpha1.json` accepting any kind, for files that mix
kinds. Editors use them through `# yaml-language-server: $schema=<path>`.
"""

from __future__ import annotations

import json
from typing import Any

from codeflare_compile.api import KINDS

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
ALL_KINDS = "codeflare.dev_v1alpha1.json"


def kind_schema(kind: str) -> dict[str, Any]:
    schema = KINDS[kind].model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    out = {"$schema": DRAFT_07, "$id": f"{kind.lower()}.json", **schema}
    if definitions:
        out["definitions"] = dict(sorted(definitions.items()))
    return out


def schemas() -> dict[str, str]:
    """File name → JSON text, for every kind and for the union of all kinds."""
    files: dict[str, str] = {}
    definitions: dict[str, Any] = {}
    for kind in KINDS:
        schema = kind_schema(kind)
        files[f"{kind.lower()}.json"] = _text(schema)
        definitions.update(schema.get("definitions", {}))
        definitions[kind] = {k: v for k, v in schema.items()
                             if k not in ("$schema", "$id", "definitions")}
    union = {
        "$schema": DRAFT_07,
        "$id": ALL_KINDS,
        "title": "codeflare.dev/v1alpha1 resource",
        "oneOf": [{"$ref": f"#/definitions/{kind}"} for kind in KINDS],
        "definitions": dict(sorted(definitions.items())),
    }
    files[ALL_KINDS] = _text(union)
    return files


def _text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
