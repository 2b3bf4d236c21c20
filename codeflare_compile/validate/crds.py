"""CRDs given with --crds: a cheap index at load time, parsing and conversion only when needed.

Why lazy: the upstream CRDs are large (RayJob 1.4 MB, Argo Workflow 2.8 MB of YAML) and a pure
Python YAML load takes seconds, while a run usually emits only a few kinds. `load_crds` reads each
file once and finds its group/kind with a line scan; a file is YAML-parsed and converted
(see convert.py) the first time an object of one of its kinds is validated.

Converted schemas are cached in-process and on disk under
`${XDG_CACHE_HOME:-~/.cache}/codeflare-compile/crd-schemas/<sha256>.json`, keyed by the file's bytes
and CONVERTER_VERSION, written atomically; an unwritable cache only costs speed.

When several files define the same group/kind, the later file wins for each version it serves (the
order of the paths given, folders expanded in sorted order). A cluster holds one CRD per group/kind;
merging by version lets one folder carry, say, both the MCAD v1beta1 and the v1beta2 AppWrapper.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .convert import CONVERTER_VERSION, convert_schema
from .core import cache_folder, is_integer, read_json, write_json
from .fast import FastValidator, fast_validator


class CrdLoadError(Exception):
    """A --crds file is unreadable or not CRD YAML; the message names the file."""


# Draft-07 (what convert.py emits), but floats such as 2.0 do not pass as integers.
@lru_cache(maxsize=1)
def _crd_validator_class() -> Any:
    """Draft 7 (what CRD schemas convert to), but floats such as 2.0 are not integers."""
    from jsonschema import Draft7Validator, validators

    return validators.extend(
        Draft7Validator,
        type_checker=Draft7Validator.TYPE_CHECKER.redefine("integer", is_integer),
    )

_CACHE_FORMAT = 1
_MARKER = b"CustomResourceDefinition"
_DOC_SEPARATOR = re.compile(rb"\n(?:---|\.\.\.)(?=[ \t\r\n#]|$)")
_TOP_KIND = re.compile(rb"\nkind:([^\n]*)")
_TOP_SPEC = re.compile(rb"\nspec:([^\n]*)")
_FIRST_CHILD = re.compile(rb"\n( +)[^ \t\r\n#]")
_PLAIN_SCALAR = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._-]*")


# Immutable records are NamedTuples: a frozen dataclass costs about 0.5 ms to create at import.
class _Version(NamedTuple):
    served: bool
    schema: dict[str, Any] | None  # converted; None when the CRD gives no schema for it


class Crd(NamedTuple):
    """One CRD, converted: its group, kind and versions."""

    group: str
    kind: str
    versions: dict[str, _Version]


# In-process cache of converted files, keyed like the disk cache (content hash).
_MEMORY: dict[str, list[Crd]] = {}


@dataclass
class _CrdFile:
    path: Path
    kinds: frozenset[tuple[str, str]]
    crds: list[Crd] | None = None  # set once parsed


class CrdMatch(NamedTuple):
    """The CRD answer for one object's apiVersion/kind.

    `validator` is None when the CRD serves the version without a schema, or when `problem` says
    why the object cannot be accepted (e.g. the version is not served).
    """

    source: Path
    validator: Any | None
    problem: str | None = None


class CrdSet:
    """The CRDs loaded from --crds paths, parsed and converted on first use."""

    def __init__(self, crd_files: list[_CrdFile], cache_dir: Path | None) -> None:
        self._files = crd_files
        self._cache_dir = cache_dir
        self._matches: dict[tuple[str, str, str], CrdMatch | None] = {}

    @property
    def files(self) -> tuple[Path, ...]:
        """The files that hold at least one CRD, in precedence order (later wins)."""
        return tuple(f.path for f in self._files)

    def __repr__(self) -> str:
        return f"CrdSet({len(self._files)} files, {len(self.kinds())} kinds)"

    def kinds(self) -> list[tuple[str, str]]:
        """(group, kind) of every CRD found, sorted."""
        return sorted({gk for f in self._files for gk in f.kinds})

    def defines(self, group: str, kind: str) -> bool:
        """Whether some loaded file defines this group/kind (any version)."""
        return any((group, kind) in f.kinds for f in self._files)

    def match(self, group: str, version: str, kind: str) -> CrdMatch | None:
        """How to validate `group/version` `kind`; None when no CRD defines group/kind."""
        key = (group, version, kind)
        if key not in self._matches:
            self._matches[key] = self._match(group, version, kind)
        return self._matches[key]

    def _match(self, group: str, version: str, kind: str) -> CrdMatch | None:
        served: list[str] = []
        source: Path | None = None
        for crd_file in reversed(self._files):
            if (group, kind) not in crd_file.kinds:
                continue
            for crd in self._parsed(crd_file):
                if (crd.group, crd.kind) != (group, kind):
                    continue
                source = source or crd_file.path
                entry = crd.versions.get(version)
                if entry is not None and entry.served:
                    validator = validator_of(entry.schema) if entry.schema is not None else None
                    return CrdMatch(crd_file.path, validator)
                served += [name for name, v in crd.versions.items() if v.served]
        if source is None:  # the line scan promised a kind the parsed file does not have
            return None
        listed = ", ".join(sorted(set(served))) or "none"
        return CrdMatch(
            source,
            None,
            f"{group}/{version} {kind} is not served by the CRD in {source} (served: {listed})",
        )

    def _parsed(self, crd_file: _CrdFile) -> list[Crd]:
        if crd_file.crds is None:
            crd_file.crds = load_converted(crd_file.path, self._cache_dir)
        return crd_file.crds


def load_crds(paths: Sequence[Path]) -> CrdSet:
    """Index the CRDs in `paths`: files, or folders searched recursively for *.yaml / *.yml.

    A named file without any CustomResourceDefinition is an error (probably the wrong file); such a
    file inside a folder is skipped (folders often hold a kustomization.yaml too). Non-CRD documents
    in a file are ignored. A YAML error in a file that the line scan could index is reported (as
    CrdLoadError) only when an object needs that file.
    """
    crd_files: list[_CrdFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            crd_files += [f for p in found if (f := _index_file(p, named=False)) is not None]
        else:
            crd_file = _index_file(path, named=True)
            if crd_file is not None:
                crd_files.append(crd_file)
    return CrdSet(crd_files, cache_folder("crd-schemas"))


def _index_file(path: Path, *, named: bool) -> _CrdFile | None:
    data = _read(path)
    kinds: set[tuple[str, str]] = set()
    for document in _DOC_SEPARATOR.split(b"\n" + data):
        if _MARKER not in document:
            continue
        group_kind = _scan_crd(document)
        if group_kind is None:  # not laid out as expected: parse the file now instead
            crds = load_converted(path, cache_folder("crd-schemas"), data)
            kinds = {(c.group, c.kind) for c in crds}
            return _CrdFile(path, frozenset(kinds), crds) if kinds else _no_crd(path, named)
        kinds.add(group_kind)
    return _CrdFile(path, frozenset(kinds)) if kinds else _no_crd(path, named)


def _no_crd(path: Path, named: bool) -> _CrdFile | None:
    """A named file must hold a CRD (probably the wrong file); a file in a folder may not."""
    if named:
        raise CrdLoadError(f"{path}: no CustomResourceDefinition document in this file")
    return None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise CrdLoadError(f"{path}: cannot read CRD file: {err.strerror or err}") from err


def _scan_crd(document: bytes) -> tuple[str, str] | None:
    """(spec.group, spec.names.kind) of a block-style CRD document, or None when unsure.

    Every pattern starts with a literal newline so that `re` can skip ahead quickly; the searches
    for an ending line are bounded, so a 2.8 MB document costs about a millisecond.
    """
    doc = b"\n" + document
    kind = _TOP_KIND.search(doc)
    spec = _TOP_SPEC.search(doc)
    if kind is None or spec is None or _scalar(spec.group(1)) != "":
        return None
    if _scalar(kind.group(1)) != "CustomResourceDefinition":
        return None
    spec_child = _child_indent(doc, spec.end(), 0)
    if spec_child is None:
        return None
    group = _key(doc, spec.end(), spec_child, b"group", 0)
    names = _key(doc, spec.end(), spec_child, b"names", 0)
    if group is None or names is None or _scalar(names.group(1)) != "":
        return None
    names_child = _child_indent(doc, names.end(), len(spec_child))
    if names_child is None:
        return None
    names_kind = _key(doc, names.end(), names_child, b"kind", len(spec_child))
    value = _scalar(group.group(1))
    name_kind = _scalar(names_kind.group(1)) if names_kind else None
    return (value, name_kind) if value and name_kind else None


def _child_indent(doc: bytes, start: int, parent: int) -> bytes | None:
    """Indent of the first content line after `start`, if it is deeper than `parent`."""
    child = _FIRST_CHILD.search(doc, start)
    if child is None or len(child.group(1)) <= parent or _ends(doc, start, child.start(), parent):
        return None
    return child.group(1)


def _key(doc: bytes, start: int, indent: bytes, key: bytes, parent: int) -> re.Match[bytes] | None:
    """The line `<indent><key>:` after `start`, if still inside the block of the parent."""
    found = re.compile(rb"\n" + indent + key + rb":([^\n]*)").search(doc, start)
    return None if found is None or _ends(doc, start, found.start(), parent) else found


def _ends(doc: bytes, start: int, end: int, parent: int) -> bool:
    """Whether a content line indented at most `parent` lies in doc[start:end]."""
    return re.compile(rb"\n {0,%d}[^ \t\r\n#]" % parent).search(doc, start, end) is not None


def _scalar(raw: bytes) -> str | None:
    """A plain or quoted one-word YAML scalar, else None (anchors, tags, flow style: unsure)."""
    value = re.sub(rb"\s#.*", b"", raw).strip()
    if len(value) >= 2 and value[:1] in (b"'", b'"') and value[-1:] == value[:1]:
        value = value[1:-1]
    return value.decode() if not value or _PLAIN_SCALAR.fullmatch(value) else None


def load_converted(path: Path, cache_dir: Path | None, data: bytes | None = None) -> list[Crd]:
    """Converted CRDs of one file: from memory, else the disk cache, else parse and convert."""
    if data is None:
        data = _read(path)
    digest = hashlib.sha256(data)
    digest.update(b"\0crd-converter-%d" % CONVERTER_VERSION)
    key = digest.hexdigest()
    if key in _MEMORY:
        return _MEMORY[key]
    cache_file = cache_dir / f"{key}.json" if cache_dir else None
    crds = _read_cache(cache_file) if cache_file else None
    if crds is None:
        crds = _convert_file(path, data)
        if cache_file:
            _write_cache(cache_file, crds)
    _MEMORY[key] = crds
    return crds


def _convert_file(path: Path, data: bytes) -> list[Crd]:
    from ruamel.yaml import YAML  # imported here: only a cache miss needs the YAML parser
    from ruamel.yaml.error import YAMLError

    try:
        documents = list(YAML(typ="safe").load_all(data.decode("utf-8-sig")))
    except (YAMLError, UnicodeDecodeError) as err:
        raise CrdLoadError(f"{path}: not valid YAML: {err}") from err
    return [_crd(doc, path) for doc in _crd_documents(documents)]


def _crd_documents(documents: list[Any]) -> Iterator[Mapping[str, Any]]:
    """CRD documents, also those inside a `kind: List` (what `kubectl get crd -o yaml` prints)."""
    for doc in documents:
        if not isinstance(doc, Mapping):
            continue
        if doc.get("kind") == "CustomResourceDefinition":
            yield doc
        elif doc.get("kind") in ("List", "CustomResourceDefinitionList"):
            yield from _crd_documents(list(doc.get("items") or []))


def _crd(doc: Mapping[str, Any], path: Path) -> Crd:
    group, kind = _get(doc, "spec", "group"), _get(doc, "spec", "names", "kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        raise CrdLoadError(f"{path}: a CustomResourceDefinition without spec.group/names.kind")
    legacy = _get(doc, "spec", "validation", "openAPIV3Schema")  # apiextensions.k8s.io/v1beta1
    listed = _get(doc, "spec", "versions") or [{"name": _get(doc, "spec", "version")}]
    versions: dict[str, _Version] = {}
    for entry in listed if isinstance(listed, list) else []:
        name = _get(entry, "name")
        if not isinstance(name, str):
            raise CrdLoadError(f"{path}: CRD {group}/{kind} has a version without a name")
        schema = _get(entry, "schema", "openAPIV3Schema") or legacy
        converted = convert_schema(schema) if isinstance(schema, Mapping) else None
        versions[name] = _Version(_get(entry, "served") is not False, converted)
    return Crd(group, kind, versions)


def _get(node: Any, *keys: str) -> Any:
    """node[k1][k2]…, or None as soon as a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _read_cache(cache_file: Path) -> list[Crd] | None:
    payload = read_json(cache_file)
    try:
        if payload.get("format") != _CACHE_FORMAT:
            return None
        return [
            Crd(
                c["group"],
                c["kind"],
                {n: _Version(v["served"], v["schema"]) for n, v in c["versions"].items()},
            )
            for c in payload["crds"]
        ]
    except (KeyError, TypeError, AttributeError):
        return None  # missing or damaged: convert again


def _write_cache(cache_file: Path, crds: list[Crd]) -> None:
    write_json(cache_file, {
        "format": _CACHE_FORMAT,
        "crds": [
            {
                "group": c.group,
                "kind": c.kind,
                "versions": {
                    n: {"served": v.served, "schema": v.schema} for n, v in c.versions.items()
                },
            }
            for c in crds
        ],
    })


def validator_of(schema: dict[str, Any] | str) -> FastValidator:
    """A validator of a converted CRD schema (draft-07, floats are not integers), given as
    JSON text when it comes from a file: jsonschema-rs parses that itself, and the Python
    objects are made only if an invalid object needs the detailed errors."""

    def slow() -> Any:
        return _crd_validator_class()(json.loads(schema) if isinstance(schema, str) else schema)

    return fast_validator(slow, schema, "7")
