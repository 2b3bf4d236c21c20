"""YAML and JSON text from plain data: block style, insertion order, no aliases, no line wraps.

Output goes through PyYAML (with libyaml it is fast). Its readers (kubectl, Argo CD, the
controllers, KubeRay reading `runtimeEnvYAML`) are Go programs whose YAML readers resolve more
plain scalars as non-strings than PyYAML's resolver knows (`y`, `1e-3`, `0o17`, `08`): a string
is written plain only when neither PyYAML nor Go's readers would read it as anything else
(emit/goyaml.py holds Go's rule). The same rule holds for YAML embedded as text (an Argo
resource template's `manifest`, the RayJob's `runtimeEnvYAML`), which is dumped here too.

PyYAML's own representer (one Python call chain per value) and its resolver (regular
expressions run twice per scalar, once for each implicit flag) cost more than libyaml's
emitting, so plain data (dict, list, str, int, float, bool, None) is turned into yaml nodes by
one small builder, and plain scalars' tags are resolved once per distinct value. The nodes are
exactly those SafeRepresenter would make, so the text is byte-identical to a `yaml.dump` whose
resolver also answers Go's rule (tests/test_emit_yaml.py compares both on generated data).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

_STR_TAG = "tag:yaml.org,2002:str"
#: The tag answered for a string Go reads as a non-string: any tag but `str` makes the emitter
#: quote the scalar, as it does for a string PyYAML itself would read as a number.
GO_NON_STRING_TAG = "tag:codeflare.dev,2026:go-non-string"
#: Distinct plain scalars whose resolved tag is kept: the keys and short values of a stream.
_RESOLVED_VALUES = 1 << 14
#: Embedded manifests remembered at most, the oldest forgotten first: a manifest is read soon
#: after it is dumped (a Run is validated right after it is lowered), and a forgotten one is only
#: parsed again; the bound keeps what lowering no longer holds from filling memory.
_EMBEDDED_MAX = 512
#: Manifest text → the plain object it was dumped from (see `dump_embedded`).
_embedded: dict[str, dict[str, Any]] = {}


def _str_style(value: str) -> str | None:
    """Multi-line strings as literal blocks, unless edge spaces force a quoted scalar."""
    return "|" if "\n" in value and value == value.strip(" ") else None


@cache
def _dumper() -> Any:
    """PyYAML's safe dumper (libyaml's when available) building nodes for plain data directly."""
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    resolver = yaml.resolver.Resolver()
    inf = base.inf_value

    from codeflare_compile.emit.goyaml import go_reads_as_non_string

    @lru_cache(maxsize=_RESOLVED_VALUES)
    def plain_tag(value: str) -> Any:
        """The tag a plain scalar reads back as, by PyYAML's rules or else Go's (a string Go
        reads as something else gets a tag of its own): the regex work, once per value."""
        tag = resolver.resolve(ScalarNode, value, (True, False))
        if tag == _STR_TAG and go_reads_as_non_string(value):
            return GO_NON_STRING_TAG
        return tag

    def float_text(value: float) -> str:
        """SafeRepresenter.represent_float's text, rule for rule."""
        if value != value or (value == 0.0 and value == 1.0):
            return ".nan"
        if value == inf:
            return ".inf"
        if value == -inf:
            return "-.inf"
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
        return text

    def build(data: Any, dumper: Any) -> Any:
        """The node SafeRepresenter (with our str rule) makes for `data`; fresh for every
        occurrence, as a shared node would be emitted as an alias. Collections get
        flow_style=False, as `default_flow_style=False` gives them. Types are matched exactly
        (so bool never passes for int), as represent_data does; any other type goes to it."""
        kind = type(data)
        if kind is str:
            return ScalarNode(_STR_TAG, data, None, None, _str_style(data))
        if kind is dict:
            return MappingNode("tag:yaml.org,2002:map",
                               [(build(key, dumper), build(value, dumper))
                                for key, value in data.items()], None, None, False)
        if kind is list:
            return SequenceNode("tag:yaml.org,2002:seq",
                                [build(item, dumper) for item in data], None, None, False)
        if kind is bool:
            return ScalarNode("tag:yaml.org,2002:bool", "true" if data else "false")
        if kind is int:
            return ScalarNode("tag:yaml.org,2002:int", str(data))
        if data is None:
            return ScalarNode("tag:yaml.org,2002:null", "null")
        if kind is float:
            return ScalarNode("tag:yaml.org,2002:float", float_text(data))
        dumper.plain = False
        return dumper.represent_data(data)

    class Dumper(base):  # type: ignore[misc, valid-type]
        #: Whether everything represented so far was plain data.
        plain = True

        def ignore_aliases(self, data: Any) -> bool:
            return True

        def represent(self, data: Any) -> None:
            self.serialize(build(data, self))

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            """What Resolver.resolve answers (no path resolvers are registered), cheaply: the
            emitter asks twice per scalar, and a quoted scalar is always read as a str."""
            if kind is ScalarNode:
                return plain_tag(value) if implicit[0] else _STR_TAG
            return super().resolve(kind, value, implicit)

    def represent_str(dumper: Any, value: str) -> Any:
        return dumper.represent_scalar(_STR_TAG, value, style=_str_style(value))

    Dumper.add_representer(str, represent_str)
    return Dumper


def _dump(documents: Iterable[Any], *, explicit_start: bool) -> tuple[str, bool]:
    """The YAML text of `documents` (what `yaml.dump_all` does), and whether they were plain."""
    stream = io.StringIO()
    dumper = _dumper()(stream, default_flow_style=False, sort_keys=False, width=1 << 16,
                       allow_unicode=True, explicit_start=explicit_start)
    try:
        dumper.open()
        for data in documents:
            dumper.represent(data)
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue(), bool(dumper.plain)


def dump_yaml(data: Any) -> str:
    """One YAML document, for values embedded as strings (Ray's runtimeEnvYAML)."""
    return _dump([data], explicit_start=False)[0]


def dump_yaml_stream(objects: Sequence[Any]) -> str:
    """A multi-document stream, each document starting with `---`."""
    return _dump(objects, explicit_start=True)[0]


def dump_embedded(obj: dict[str, Any]) -> str:
    """`obj` as one YAML document embedded as a string (an Argo resource template's manifest),
    remembered so that `embedded_object` hands `obj` back instead of parsing the text again.

    The dumper is round-trip exact for plain data: reading the text with a safe loader builds
    an object equal to `obj`, of the same types (tests/test_emit_yaml.py checks it on generated
    data and on every golden Workflow), so handing out `obj` saves that work. An object that is
    not plain data throughout is not remembered. The caller must not change `obj` afterwards.
    """
    text, plain = _dump([obj], explicit_start=False)
    if plain:
        if len(_embedded) >= _EMBEDDED_MAX:
            del _embedded[next(iter(_embedded))]
        _embedded[text] = obj
    return text


def embedded_object(text: str) -> dict[str, Any] | None:
    """The object `dump_embedded` made `text` from in this process (shared: read-only), or None
    when unknown."""
    return _embedded.get(text)


def source_comment(path: str) -> str:
    """`# Source: <path>` and a newline, as Helm marks where each document came from: the input
    file a Run was read from, as given, normalized (`./jobs/../jobs/a.yaml` → `jobs/a.yaml`, so
    that `codeflare-compile .` and `codeflare-compile jobs` write the same line). A path that
    does not print on one line (a newline, or NEL, LS and PS, which YAML 1.1 readers take as line
    breaks) is written JSON-quoted."""
    path = os.path.normpath(path)
    return f"# Source: {path if path.isprintable() else json.dumps(path)}\n"


def dump_json_list(objects: Sequence[Any]) -> str:
    """A Kubernetes `List` holding every object, as kubectl prints it."""
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)},
                      indent=2, ensure_ascii=False) + "\n"
