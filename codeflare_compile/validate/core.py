"""Strict schemas of core Kubernetes kinds, taken from kubernetes-validate's bundled JSON files.

Why not `kubernetes_validate.validate()`: it re-reads and re-parses the 1.8 MB `_definitions.json`
on every call (about 6 ms per object), reports only the first error, and crashes with IndexError on
versions older than its oldest bundle. Here one jsonschema validator is built per
(Kubernetes version, apiVersion, kind) and kept for the life of the process.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from codeflare_compile.validate.fast import FastValidator, fast_validator

_DEFS_URI = "https://kubernetes.io/api/_definitions.json"
_BUNDLE_DIR = re.compile(r"v(\d+)\.(\d+)\.\d+-local-strict")
_REQUESTED = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?")
_GROUP_PREFIX = re.compile(r"^([^./]*)(?:\.[^/]*)?/")


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
        match = _BUNDLE_DIR.fullmatch(entry.name)
        if match and entry.is_dir():
            found[(int(match.group(1)), int(match.group(2)))] = entry
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
    match = _REQUESTED.fullmatch(requested.strip())
    if match is None:
        raise UnsupportedKubeVersion(
            f"Kubernetes version {requested!r} is not of the form X.Y, vX.Y or X.Y.Z; "
            f"supported versions: {_span(supported)}"
        )
    key = (int(match.group(1)), int(match.group(2)))
    if key not in _bundles():
        raise UnsupportedKubeVersion(
            f"Kubernetes version {requested} is not supported by the bundled schemas "
            f"(kubernetes-validate); supported versions: {_span(supported)}"
        )
    return f"{key[0]}.{key[1]}"


def _span(versions: list[str]) -> str:
    return f"{versions[0]} to {versions[-1]}" if versions else "none"


@dataclass(frozen=True)
class _Bundle:
    folder: Path
    definitions: dict[str, Any]
    kinds: dict[tuple[str, str, str], str]  # (group, version, kind) -> definition name
    groups: frozenset[str]


@lru_cache(maxsize=4)
def _bundle(version: str) -> _Bundle:
    """Load `_definitions.json` of one version once: the ref registry and the index of kinds."""
    major, minor = (int(x) for x in version.split("."))
    folder = _bundles()[(major, minor)]
    with open(folder / "_definitions.json", encoding="utf-8") as f:
        definitions = json.load(f)
    kinds: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions["$defs"].items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            kinds.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
    return _Bundle(folder, definitions, kinds,
                   frozenset(group for group, _, _ in kinds))


def is_core_group(version: str, group: str) -> bool:
    """Whether `group` is built into Kubernetes `version` (so no CRD can add kinds to it)."""
    return group in _bundle(version).groups


@lru_cache(maxsize=512)
def core_validator(version: str, group: str, api_version: str, kind: str) -> Any | None:
    """The strict validator of a core kind, or None when Kubernetes `version` has no such kind."""
    bundle = _bundle(version)
    definition = bundle.kinds.get((group, api_version, kind))
    if definition is None:
        return None
    full = f"{group}/{api_version}" if group else api_version
    # The file name kubernetes-validate uses: <kind>-<first label of group>-<version>.json
    stem = _GROUP_PREFIX.sub(r"\1-", full) if group else api_version
    path = bundle.folder / f"{kind.lower()}-{stem}.json"
    schema: dict[str, Any]
    if path.is_file():
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
    else:  # a few meta kinds (Status, APIGroup, …) have no file of their own
        schema = {"$ref": f"{_DEFS_URI}#/$defs/{definition}"}
    return _validator(version, schema)


@lru_cache(maxsize=8)
def object_meta_validator(version: str) -> Any:
    """Strict ObjectMeta, for the `metadata` of custom resources (CRDs only say `type: object`)."""
    schema = {"$ref": f"{_DEFS_URI}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    return _validator(version, schema)


def _validator(version: str, schema: dict[str, Any]) -> FastValidator:
    bundle = _bundle(version)

    def slow() -> Any:
        return _core_validator_class()(schema, registry=_registry(version))

    return fast_validator(slow, schema, "2020-12", ((_DEFS_URI, bundle.definitions),))


@lru_cache(maxsize=4)
def _registry(version: str) -> Any:
    """The `$ref` registry jsonschema resolves `_definitions.json` in."""
    from referencing import Registry, Resource

    return Registry().with_resource(_DEFS_URI, Resource.from_contents(_bundle(version).definitions))
