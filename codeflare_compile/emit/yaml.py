"""YAML and JSON text from plain data: block style, insertion order, no aliases, no line wraps.

Output goes through PyYAML because the readers of the output (kubectl, Argo CD, Ray reading
`runtimeEnvYAML`) parse YAML 1.1, where `yes`, `on` and `no` are booleans: PyYAML's emitter
quotes such strings, and with libyaml it is fast.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any


@cache
def _dumper() -> Any:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def represent_str(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value and value == value.strip(" ") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    return Dumper


def _dump(data: Any, *, many: bool) -> str:
    import yaml

    options: dict[str, Any] = {
        "Dumper": _dumper(), "default_flow_style": False, "sort_keys": False,
        "width": 1 << 16, "allow_unicode": True,
    }
    if many:
        return str(yaml.dump_all(data, explicit_start=True, **options))
    return str(yaml.dump(data, **options))


def dump_yaml(data: Any) -> str:
    """One YAML document, for values embedded as strings (Ray's runtimeEnvYAML)."""
    return _dump(data, many=False)


def dump_yaml_stream(objects: Sequence[Any]) -> str:
    """A multi-document stream, each document starting with `---`."""
    return _dump(list(objects), many=True)


def dump_json_list(objects: Sequence[Any]) -> str:
    """A Kubernetes `List` holding every object, as kubectl prints it."""
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)},
                      indent=2, ensure_ascii=False) + "\n"
