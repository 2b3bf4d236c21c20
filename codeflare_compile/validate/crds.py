"""CRDs given with --crds: a cheap index at load time, parsing and conversion only when needed.

Why lazy: the upstream CRDs are large (RayJob 1.4 MB, Argo Workflow 2.8 MB of YAML) and a pure
Python YAML load takes seconds, while a run usually emits only a few kinds. `load_crds` reads each
file once and finds its group/kind with a line scan; a file is YAML-parsed and converted
(see convert.py) the first time an object of one of its kinds is validated.

Converted schemas are cached in-process and on disk under
`${XDG_CACHE_HOME:-~/.cache}/codeflare-compile/crd-schemas/<sha256>.json`, keyed by the file's bytes
and CONVERTER_VERSION, written atomically; an unwritable cache only costs speed.

When several files define the same group/kind, the later file wins for each version it serves (the
order of the paths given, folders expanded in sorted order), as `kubectl apply` in that order would.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, validators

from .convert import CONVERTER_VERSION, convert_schema
from .core import is_integer


class CrdLoadError(Exception):
    """A --crds file is unreadable or not CRD YAML; the message names the file."""


# Draft-07 (what convert.py emits), but floats such as 2.0 do not pass as integers.
CrdValidator = validators.extend(
    Draft7Validator,
    type_checker=Draft7Validator.TYPE_CHECKER.redefine("integer", is_integer),
)

_CACHE_FORMAT = 1
_MARKER = b"CustomResourceDefinition"
_DOC_SEPARATOR = re.compile(rb"^(?:---|\.\.\.)(?=[ \t\r\n#]|$)", re.M)
_TOP_KIND = re.compile(rb"^kind:(.*)$", re.M)
_TOP_SPEC = re.compile(rb"^spec:[ \t]*(?:#.*)?\r?$", re.M)
_FIRST_CHILD = re.compile(rb"^( +)[^ \t\r\n#]", re.M)
_PLAIN_SCALAR = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class _Version:
    served: bool
    schema: dict[str, Any] | None  # converted; None when the CRD gives no schema for it


@dataclass(frozen=True)
class _Crd:
    group: str
    kind: str
    versions: dict[str, _Version]


# In-process cache of converted files, keyed like the disk cache (content hash).
_MEMORY: dict[str, list[_Crd]] = {}


@dataclass
class _CrdFile:
    path: Path
    kinds: frozenset[tuple[str, str]]
    crds: list[_Crd] | None = None  # set once parsed


@dataclass(frozen=True)
class CrdMatch:
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
                    validator = CrdValidator(entry.schema) if entry.schema is not None else None
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

    def _parsed(self, crd_file: _CrdFile) -> list[_Crd]:
        if crd_file.crds is None:
            crd_file.crds = _load_converted(crd_file.path, self._cache_dir)
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
    return CrdSet(crd_files, _cache_dir())


def _index_file(path: Path, *, named: bool) -> _CrdFile | None:
    data = _read(path)
    kinds: set[tuple[str, str]] = set()
    for document in _DOC_SEPARATOR.split(data):
        if _MARKER not in document:
            continue
        group_kind = _scan_crd(document)
        if group_kind is None:  # not laid out as expected: parse the file now instead
            crds = _load_converted(path, _cache_dir(), data)
            return _CrdFile(path, frozenset((c.group, c.kind) for c in crds), crds)
        kinds.add(group_kind)
    if not kinds:
        if named:
            raise CrdLoadError(f"{path}: no CustomResourceDefinition document in this file")
        return None
    return _CrdFile(path, frozenset(kinds))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise CrdLoadError(f"{path}: cannot read CRD file: {err.strerror or err}") from err


def _scan_crd(document: bytes) -> tuple[str, str] | None:
    """(spec.group, spec.names.kind) of a block-style CRD document, or None when unsure."""
    kind = _TOP_KIND.search(document)
    if kind is None or _scalar(kind.group(1)) != "CustomResourceDefinition":
        return None
    spec = _TOP_SPEC.search(document)
    if spec is None:
        return None
    body, indent = _block(document[spec.end() :], 0)
    if not indent:
        return None
    group = _child(body, indent, b"group")
    names = re.search(rb"^" + indent + rb"names:[ \t]*(?:#.*)?\r?$", body, re.M)
    if group is None or names is None:
        return None
    names_body, names_indent = _block(body[names.end() :], len(indent))
    name_kind = _child(names_body, names_indent, b"kind") if names_indent else None
    if name_kind is None:
        return None
    return group, name_kind


def _block(text: bytes, parent_indent: int) -> tuple[bytes, bytes]:
    """Lines of `text` before the first one indented at most `parent_indent`; their indent."""
    end = re.search(rb"^ {0,%d}[^ \t\r\n#]" % parent_indent, text, re.M)
    body = text[: end.start()] if end else text
    child = _FIRST_CHILD.search(body)
    return body, (child.group(1) if child else b"")


def _child(body: bytes, indent: bytes, key: bytes) -> str | None:
    match = re.search(rb"^" + indent + key + rb":(.*)$", body, re.M)
    return _scalar(match.group(1)) if match else None


def _scalar(raw: bytes) -> str | None:
    """A plain or quoted one-word YAML scalar, else None (anchors, tags, flow style: unsure)."""
    value = re.sub(rb"\s#.*", b"", raw).strip()
    if len(value) >= 2 and value[:1] in (b"'", b'"') and value[-1:] == value[:1]:
        value = value[1:-1]
    return value.decode() if _PLAIN_SCALAR.fullmatch(value) else None


def _cache_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None
    return root / "codeflare-compile" / "crd-schemas"


def _load_converted(path: Path, cache_dir: Path | None, data: bytes | None = None) -> list[_Crd]:
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


def _convert_file(path: Path, data: bytes) -> list[_Crd]:
    from ruamel.yaml import YAML  # imported here: only a cache miss needs the YAML parser
    from ruamel.yaml.error import YAMLError

    try:
        documents = list(YAML(typ="safe").load_all(data.decode("utf-8-sig")))
    except (YAMLError, UnicodeDecodeError) as err:
        raise CrdLoadError(f"{path}: not valid YAML: {err}") from err
    crds = [_crd(doc, path) for doc in _crd_documents(documents)]
    if not crds:
        raise CrdLoadError(f"{path}: no CustomResourceDefinition document in this file")
    return crds


def _crd_documents(documents: list[Any]) -> Iterator[Mapping[str, Any]]:
    """CRD documents, also those inside a `kind: List` (what `kubectl get crd -o yaml` prints)."""
    for doc in documents:
        if not isinstance(doc, Mapping):
            continue
        if doc.get("kind") == "CustomResourceDefinition":
            yield doc
        elif doc.get("kind") in ("List", "CustomResourceDefinitionList"):
            yield from _crd_documents(list(doc.get("items") or []))


def _crd(doc: Mapping[str, Any], path: Path) -> _Crd:
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
    return _Crd(group, kind, versions)


def _get(node: Any, *keys: str) -> Any:
    """node[k1][k2]…, or None as soon as a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _read_cache(cache_file: Path) -> list[_Crd] | None:
    try:
        with open(cache_file, encoding="utf-8") as f:
            payload = json.load(f)
        if payload.get("format") != _CACHE_FORMAT:
            return None
        return [
            _Crd(
                c["group"],
                c["kind"],
                {n: _Version(v["served"], v["schema"]) for n, v in c["versions"].items()},
            )
            for c in payload["crds"]
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: convert again


def _write_cache(cache_file: Path, crds: list[_Crd]) -> None:
    payload = {
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
    }
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=cache_file.parent)
    except OSError:
        return  # not writable: proceed without the cache
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f, separators=(",", ":"), default=str)
        os.replace(tmp, cache_file)
    except (OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
