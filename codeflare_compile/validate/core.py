"""Strict schemas of core Kubernetes kinds, taken from kubernetes-validate's bundled JSON files.

Why not `kubernetes_validate.validate()`: it re-reads and re-parses the 1.8 MB `_definitions.json`
on every call (about 6 ms per object), reports only the first error, and crashes with IndexError on
versions older than its oldest bundle. Here one jsonschema validator is built per
(Kubernetes version, apiVersion, kind) and kept for the life of the process.

Parsing `_definitions.json` takes about 10 ms, and handing all of it to jsonschema-rs another
10 ms per validator, while a run needs only the index of kinds and the few definitions its kinds
reach. Both are cached on disk under `${XDG_CACHE_HOME:-~/.cache}/codeflare-compile/kube-schemas/`
in a folder named for the bundle and a digest of the library version and the bundle file;
the whole file is read only on a cache miss or to explain an invalid object.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from codeflare_compile import kubeversion
from codeflare_compile.validate.fast import FastValidator, fast_validator

_DEFS_URI = "https://kubernetes.io/api/_definitions.json"
_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
#: kubernetes-validate's folder of a version's strict schemas: `v1.33.0-local-strict`.
_BUNDLE_SUFFIX = "-local-strict"
_GROUP_PREFIX = re.compile(r"^([^./]*)(?:\.[^/]*)?/")
#: A `$ref` to a definition: `#/$defs/<name>` inside the bundle, with its URI in the kind files.
_DEFINITION_REF = re.compile(r"[^#]*#/\$defs/([^/~]+)")
#: Bump when the layout of the cached files changes.
_CACHE_FORMAT = 1


def cache_folder(name: str) -> Path | None:
    """`${XDG_CACHE_HOME:-~/.cache}/codeflare-compile/<name>`; None when there is no home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None
    return root / "codeflare-compile" / name


def read_json(path: Path) -> Any:
    """A cache file's contents; None when it is missing or damaged (the caller recomputes)."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_json(path: Path, payload: Any) -> None:
    """Write a cache file atomically (a reader never sees half of one); failing only costs speed."""
    from codeflare_compile.emit.files import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(payload, separators=(",", ":"), default=str))
    except (OSError, ValueError, TypeError):
        pass  # not writable: proceed without the cache


class UnsupportedKubeVersion(Exception):
    """No bundled schema for the requested Kubernetes version; the message lists the supported."""


def is_integer(_checker: Any, instance: object) -> bool:
    """A float is never an integer in emitted YAML: `2.0` would be written out as `2.0`."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@lru_cache(maxsize=1)
def _core_validator_class() -> Any:
    """Draft 2020-12 (what the bundled schemas declare), but floats such as 2.0 are not integers."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", is_integer),
    )


@lru_cache(maxsize=1)
def _schema_root() -> Path:
    """Folder of the bundled schemas, found without importing kubernetes_validate (and PyYAML)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise UnsupportedKubeVersion("kubernetes-validate is not installed: no Kubernetes schemas")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@lru_cache(maxsize=1)
def _bundles() -> dict[tuple[int, int], Path]:
    """(major, minor) -> strict schema folder, for every bundled version."""
    found: dict[tuple[int, int], Path] = {}
    for entry in _schema_root().iterdir():
        if entry.name.startswith("v") and entry.name.endswith(_BUNDLE_SUFFIX) and entry.is_dir():
            found[kubeversion.parse(entry.name)] = entry
    return dict(sorted(found.items()))


def supported_kube_versions() -> list[str]:
    """Kubernetes minor versions with a bundled strict schema, oldest first, e.g. `["1.25", …]`."""
    return [f"{major}.{minor}" for major, minor in _bundles()]


def default_kube_version() -> str:
    """The newest bundled Kubernetes version as "X.Y"."""
    versions = supported_kube_versions()
    if not versions:
        raise UnsupportedKubeVersion("kubernetes-validate ships no strict schemas")
    return versions[-1]


@lru_cache(maxsize=64)
def resolve_kube_version(requested: str) -> str:
    """Normalise "1.33", "v1.33.2" or "1.33.0" to "1.33", or raise UnsupportedKubeVersion.

    Versions are compared as numbers (upstream compares strings, so "1.9" > "1.37" there) and only
    a bundled minor version is accepted (upstream crashes with IndexError below its oldest one).
    """
    supported = supported_kube_versions()
    try:
        key = kubeversion.parse(requested)
    except kubeversion.KubeVersionError as exc:
        raise UnsupportedKubeVersion(f"{exc}; supported versions: {_span(supported)}") from None
    if key not in _bundles():
        raise UnsupportedKubeVersion(
            f"Kubernetes version {requested} is not supported by the bundled schemas "
            f"(kubernetes-validate); supported versions: {_span(supported)}"
        )
    return f"{key[0]}.{key[1]}"


def _span(versions: list[str]) -> str:
    return f"{versions[0]} to {versions[-1]}" if versions else "none"


class _Index(NamedTuple):
    kinds: dict[tuple[str, str, str], str]  # (group, version, kind) -> definition name
    groups: frozenset[str]


class _Schema(NamedTuple):
    schema: dict[str, Any]
    #: `_definitions.json` with the definitions `schema` reaches (all of them if unsure).
    definitions: dict[str, Any]


def _folder(version: str) -> Path:
    major, minor = (int(x) for x in version.split("."))
    return _bundles()[(major, minor)]


@lru_cache(maxsize=4)
def _bundle(version: str) -> dict[str, Any]:
    """The whole `_definitions.json` of one version, loaded once."""
    with open(_folder(version) / "_definitions.json", encoding="utf-8") as f:
        definitions: dict[str, Any] = json.load(f)
    return definitions


@lru_cache(maxsize=4)
def _cache(version: str) -> Path | None:
    """The cache folder of one version, named for everything its files are derived from."""
    root = cache_folder("kube-schemas")
    if root is None:
        return None
    folder = _folder(version)
    try:
        stat = (folder / "_definitions.json").stat()
        library = (_schema_root().parent / "version.py").read_bytes()  # the library's version
    except OSError:
        return None
    digest = hashlib.sha256(b"\0".join((
        b"%d" % _CACHE_FORMAT, library, folder.name.encode(),
        b"%d %d" % (stat.st_size, stat.st_mtime_ns))))
    return root / f"{folder.name}-{digest.hexdigest()[:16]}"


@lru_cache(maxsize=4)
def _index(version: str) -> _Index:
    """Which definition describes each kind of `version`, from the cache or the bundle."""
    cache = _cache(version)
    payload: Any = read_json(cache / "index.json") if cache else None
    try:
        kinds = {(group, api_version, kind): name
                 for group, api_version, kind, name in payload["kinds"]}
    except (TypeError, ValueError, KeyError):  # not cached, or damaged
        kinds = {}
        for name, schema in _bundle(version)["$defs"].items():
            for gvk in schema.get("x-kubernetes-group-version-kind", ()):
                kinds.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
        if cache:
            write_json(cache / "index.json", {"kinds": [[*gvk, n] for gvk, n in kinds.items()]})
    return _Index(kinds, frozenset(group for group, _, _ in kinds))


def is_core_group(version: str, group: str) -> bool:
    """Whether `group` is built into Kubernetes `version` (so no CRD can add kinds to it)."""
    return group in _index(version).groups


@lru_cache(maxsize=512)
def core_validator(version: str, group: str, api_version: str, kind: str) -> Any | None:
    """The strict validator of a core kind, or None when Kubernetes `version` has no such kind."""
    definition = _index(version).kinds.get((group, api_version, kind))
    if definition is None:
        return None
    full = f"{group}/{api_version}" if group else api_version
    # The file name kubernetes-validate uses: <kind>-<first label of group>-<version>.json
    stem = _GROUP_PREFIX.sub(r"\1-", full) if group else api_version
    name = f"{kind.lower()}-{stem}"

    def schema() -> dict[str, Any]:
        path = _folder(version) / f"{name}.json"
        if not path.is_file():  # a few meta kinds (Status, APIGroup, …) have no file of their own
            return {"$ref": f"{_DEFS_URI}#/$defs/{definition}"}
        with open(path, encoding="utf-8") as f:
            loaded: dict[str, Any] = json.load(f)
        return loaded

    return _validator(version, _cached_schema(version, name, schema))


@lru_cache(maxsize=8)
def object_meta_validator(version: str) -> Any:
    """Strict ObjectMeta, for the `metadata` of custom resources (CRDs only say `type: object`)."""
    schema = _cached_schema(version, "ObjectMeta",
                            lambda: {"$ref": f"{_DEFS_URI}#/$defs/{_OBJECT_META}"})
    return _validator(version, schema)


def _cached_schema(version: str, name: str, schema: Callable[[], dict[str, Any]]) -> _Schema:
    """`schema()` and the definitions it reaches, from the cache or else computed and cached."""
    cache = _cache(version)
    path = cache / f"{name}.json" if cache else None
    payload = read_json(path) if path else None
    if isinstance(payload, dict) and isinstance(payload.get("schema"), dict) \
            and isinstance(payload.get("definitions"), dict):
        return _Schema(payload["schema"], payload["definitions"])
    whole = _bundle(version)
    result = _Schema(schema(), whole)
    reached = _reached(result.schema, whole["$defs"])
    if reached is not None:
        result = result._replace(definitions={**whole, "$defs": reached})
        if path:
            write_json(path, result._asdict())
    return result


def _reached(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any] | None:
    """The definitions `schema` reaches through `$ref`s; None when a `$ref` names no definition."""
    reached: dict[str, Any] = {}
    todo: list[Any] = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                match = _DEFINITION_REF.fullmatch(ref)
                name = match.group(1) if match else ""
                if name not in definitions:
                    return None
                if name not in reached:
                    reached[name] = definitions[name]
                    todo.append(definitions[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return dict(sorted(reached.items()))


def _validator(version: str, schema: _Schema) -> FastValidator:
    def slow() -> Any:
        return _core_validator_class()(schema.schema, registry=_registry(version))

    return fast_validator(slow, schema.schema, "2020-12", ((_DEFS_URI, schema.definitions),))


@lru_cache(maxsize=4)
def _registry(version: str) -> Any:
    """The `$ref` registry jsonschema resolves `_definitions.json` in (all of it)."""
    from referencing import Registry, Resource

    return Registry().with_resource(_DEFS_URI, Resource.from_contents(_bundle(version)))
