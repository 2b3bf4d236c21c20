"""Which kind an emitted object is, and where wrapper kinds keep the objects they carry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from codeflare_compile.backends import Wrapper, wrappers
from codeflare_compile.backends.queueing import appwrapper

from .failure import ObjPath, format_path


@dataclass(frozen=True)
class Gvk:
    """Group, version and kind; the core group is ""."""

    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


ARGO_WORKFLOW = Gvk("argoproj.io", "v1alpha1", "Workflow")


def gvk_of(obj: Mapping[str, Any]) -> Gvk | None:
    """The object's Gvk, or None when apiVersion or kind is missing or not a string."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        return None
    group, _, version = api_version.rpartition("/")
    return Gvk(group, version, kind)


def get(node: Any, *keys: str | int) -> Any:
    """node[k1][k2]…, or None as soon as a level is missing or of the wrong shape."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(node, list) or not -len(node) <= key < len(node):
                return None
            node = node[key]
        elif isinstance(node, Mapping):
            node = node.get(key)
        else:
            return None
    return node


#: Every queueing target's wrapper kinds (backends/queueing/), by Gvk.
WRAPPERS: dict[Gvk, Wrapper] = {
    gvk: w for w in wrappers() if (gvk := gvk_of({"apiVersion": w.api_version, "kind": w.kind}))
}
APPWRAPPER = next(gvk for gvk, w in WRAPPERS.items() if w is appwrapper.WRAPPER)


@dataclass(frozen=True)
class Wrapped:
    """An object carried inside a wrapper: its path in the wrapper and a label for messages."""

    path: ObjPath
    label: str  # e.g. "components[1].template"
    template: Any


def _workflow_manifests(obj: Mapping[str, Any]) -> Iterator[Wrapped]:
    """The objects an Argo Workflow's resource templates create, parsed from their manifests."""
    templates = get(obj, "spec", "templates")
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        manifest = get(template, "resource", "manifest")
        if not isinstance(manifest, str):
            continue
        path: ObjPath = ("spec", "templates", index, "resource", "manifest")
        yield Wrapped(path, format_path(path[1:]), _parse_manifest(manifest))


@lru_cache(maxsize=256)
def _parse_manifest(manifest: str) -> Any:
    """A manifest's object (read-only: it is shared); parsed once however often it is visited.

    A manifest this process dumped (`dump_embedded`, as the Workflow lowering does) is not parsed:
    the dumper is round-trip exact, so parsing would only rebuild the object it was dumped from
    (a fifth of a large compile's time); that remembered object is handed back instead.
    """
    import yaml

    from codeflare_compile.emit.yaml import embedded_object

    known = embedded_object(manifest)
    if known is not None:
        return known
    try:
        return yaml.load(manifest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        return f"a manifest that is not YAML ({exc})"


def is_wrapper(gvk: Gvk | None) -> bool:
    return gvk in WRAPPERS


def wrapped_objects(gvk: Gvk | None, obj: Mapping[str, Any]) -> Iterator[Wrapped]:
    """The embedded objects of a queueing target's wrapper (AppWrapper v1beta2 components, MCAD
    GenericItems: each target declares where) or of an Argo Workflow (the manifests of its
    resource templates).

    Their CRDs declare them opaque (preserve-unknown-fields), so each must be validated on its own.
    """
    if gvk == ARGO_WORKFLOW:
        yield from _workflow_manifests(obj)
        return
    wrapper = WRAPPERS.get(gvk) if gvk is not None else None
    if wrapper is None:
        return
    for index, inner in wrapper.carried(obj):
        path: ObjPath = (*wrapper.items, index, wrapper.template)
        yield Wrapped(path, format_path(path[1:]), inner)
