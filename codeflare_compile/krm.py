"""KRM function (`codeflare-compile fn`): a `ResourceList` on stdin, the rendered list on stdout.

The contract is the Kubernetes Resource Model functions specification (config.kubernetes.io/v1),
as kustomize and kpt implement it:

- `items` whose apiVersion is in the `codeflare.dev` group are compiled: each Run is replaced by
  the objects it renders to (the shared objects, such as Datashim Datasets, come just before the
  first Run's), the other codeflare.dev resources (Applications, DataSets, policies…) by nothing;
  every other item passes through unchanged, in place.
- `functionConfig` may be a codeflare.dev Platform (the compile target) or a ConfigMap whose
  `data` holds the settings by name (`queueing: kueue`, `namespace: research`, …; see
  settings.py).
- Diagnostics become `results` with `severity`, `resourceRef`, `field.path` and `file` (from the
  `internal.config.kubernetes.io/path` and `…/index` annotations, or their legacy
  `config.kubernetes.io/` forms). On errors the items are returned unchanged, with the results,
  and the exit code is 1.
- When the items carry path annotations (kpt does; kustomize does not), the rendered objects get
  path annotations laying them out as `--out-dir` does: `<namespace>/<run>.yaml` and
  `<namespace>/_shared.yaml`, so that `kpt fn sink` writes the same tree.

Each codeflare.dev item is written back as YAML text and compiled in memory by the ordinary
pipeline (whose loader reads it through `source.load_text`), so every diagnostic keeps a
position, which is then mapped back to the item and the field path within it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codeflare_compile.codes import Severity
from codeflare_compile.diagnostics import Diagnostic, Diagnostics, Span
from codeflare_compile.source import DocPath, Document

if TYPE_CHECKING:
    from codeflare_compile.pipeline import Compilation
    from codeflare_compile.settings import Overrides

RESOURCE_LIST_VERSION = "config.kubernetes.io/v1"
GROUP = "codeflare.dev"
PATH_ANNOTATIONS = ("internal.config.kubernetes.io/path", "config.kubernetes.io/path")
INDEX_ANNOTATIONS = ("internal.config.kubernetes.io/index", "config.kubernetes.io/index")


class FnInputError(Exception):
    """Standard input is not a usable ResourceList: a usage error (exit 2)."""


@dataclass
class Request:
    """The ResourceList as read: its items and function configuration, as plain data."""

    items: list[Any]
    function_config: dict[str, Any] | None
    as_json: bool


@dataclass
class Prepared:
    """The compiler's view of a request: texts to compile by name, settings, and the way back."""

    texts: dict[str, str]
    overrides: Overrides
    item_files: dict[str, int] = field(default_factory=dict)  # text's name → item index
    config_file: str | None = None


def is_codeflare(item: Any) -> bool:
    """Whether an item's apiVersion is in the codeflare.dev group (any version)."""
    if not isinstance(item, dict):
        return False
    api_version = item.get("apiVersion")
    return isinstance(api_version, str) and api_version.split("/", 1)[0] == GROUP


def parse(text: str) -> Request:
    """Read a ResourceList (YAML or JSON) with the compiler's own loader (YAML 1.2 values)."""
    from codeflare_compile.report import render_all
    from codeflare_compile.source import Sources, load_text

    sources, diags = Sources(), Diagnostics()
    load_text("<stdin>", text, sources, diags)
    if diags.items:
        raise FnInputError("standard input is not valid YAML:\n"
                           + render_all(diags.sorted(), sources.lines).rstrip("\n"))
    if len(sources.documents) != 1:
        raise FnInputError(f"expected one ResourceList on standard input, found "
                           f"{len(sources.documents)} documents")
    data = sources.documents[0].data
    if data.get("kind") != "ResourceList":
        raise FnInputError(f"expected kind ResourceList on standard input, found "
                           f"{data.get('kind')!r}")
    if data.get("apiVersion") not in (RESOURCE_LIST_VERSION, "config.kubernetes.io/v1alpha1",
                                      "config.kubernetes.io/v1beta1"):
        raise FnInputError(f"unsupported ResourceList apiVersion {data.get('apiVersion')!r}; "
                           f"expected {RESOURCE_LIST_VERSION}")
    items = data.get("items") or []
    if not isinstance(items, list):
        raise FnInputError("ResourceList items must be a list")
    config = data.get("functionConfig")
    if config is not None and not isinstance(config, dict):
        raise FnInputError("ResourceList functionConfig must be a mapping")
    return Request(items, config, as_json=text.lstrip().startswith("{"))


def _strip_tool_annotations(item: dict[str, Any]) -> dict[str, Any]:
    """A copy of `item` without the orchestrators' annotations (and no empty annotations)."""
    from codeflare_compile.api.labels import TOOL_ANNOTATION_PREFIXES  # compiling imports it

    meta = item.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("annotations"), dict):
        return item
    kept = {k: v for k, v in meta["annotations"].items()
            if not k.startswith(TOOL_ANNOTATION_PREFIXES)}
    new_meta = {k: v for k, v in meta.items() if k != "annotations"}
    if kept:
        new_meta["annotations"] = kept
    return {**item, "metadata": new_meta}


def _annotation(item: Any, names: Sequence[str]) -> str | None:
    if not isinstance(item, dict):
        return None
    meta = item.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict):
        return None
    for name in names:
        value = annotations.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def prepare(request: Request) -> Prepared:
    """The codeflare.dev items (and a Platform functionConfig) as texts to compile."""
    from codeflare_compile.emit.yaml import dump_yaml
    from codeflare_compile.settings import Overrides, to_overrides

    prepared = Prepared({}, Overrides())
    for index, item in enumerate(request.items):
        if is_codeflare(item):
            name = f"<items>/{index:06d}.yaml"
            prepared.texts[name] = dump_yaml(_strip_tool_annotations(item))
            prepared.item_files[name] = index
    config = request.function_config
    if config is None:
        return prepared
    if is_codeflare(config) and config.get("kind") == "Platform":
        name = "<items>/function-config.yaml"
        prepared.texts[name] = dump_yaml(_strip_tool_annotations(config))
        prepared.config_file = name
    elif config.get("kind") == "ConfigMap" and config.get("apiVersion") == "v1":
        data = config.get("data") or {}
        if not isinstance(data, dict):
            raise FnInputError("functionConfig ConfigMap data must be a mapping")
        prepared.overrides = to_overrides(data, what="functionConfig data key")
    else:
        raise FnInputError(f"functionConfig must be a codeflare.dev Platform or a v1 ConfigMap, "
                           f"not {config.get('apiVersion')}/{config.get('kind')}")
    return prepared


# ---------------------------------------------------------------------------------------------
# The response
# ---------------------------------------------------------------------------------------------


def _field_path(path: DocPath) -> str:
    """`("spec", "inputs", 0, "dataset")` → `spec.inputs[0].dataset`; a key with a dot or a
    bracket is quoted: `metadata.labels["codeflare.dev/run"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif any(c in part for c in ".[]"):
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if out else part
    return out


def _locate(span: Span, documents: Iterable[Document]) -> tuple[Document, DocPath] | None:
    """The document and field path a span points at (a key, else a value)."""
    candidates = [doc for doc in documents if doc.file == span.file]
    for doc in candidates:
        for table in (doc.key_spans, doc.spans):
            for path, where in table.items():
                if where == span:
                    return doc, path
    best: tuple[Document, DocPath] | None = None
    for doc in candidates:  # no exact match: the deepest value starting at the same place
        for table in (doc.key_spans, doc.spans):
            for path, where in table.items():
                if (where.line, where.col) == (span.line, span.col) and \
                        (best is None or len(path) > len(best[1])):
                    best = (doc, path)
    return best


def _resource_ref(item: Any) -> dict[str, str] | None:
    if not isinstance(item, dict):
        return None
    meta = item.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    ref = {"apiVersion": item.get("apiVersion"), "kind": item.get("kind"),
           "name": meta.get("name"), "namespace": meta.get("namespace")}
    return {k: v for k, v in ref.items() if isinstance(v, str) and v} or None


@dataclass
class _Where:
    """Where a diagnostic points, in the terms of the ResourceList."""

    item: Any = None
    item_index: int | None = None
    field_path: str | None = None
    file: str | None = None
    file_index: int | None = None


def _where(span: Span | None, request: Request, prepared: Prepared,
           documents: Sequence[Document]) -> _Where:
    if span is None:
        return _Where()
    located = _locate(span, documents)
    field_path = _field_path(located[1]) if located else None
    index = prepared.item_files.get(span.file)
    if index is not None:
        item: Any = request.items[index]
    elif span.file == prepared.config_file:
        item = request.function_config
    else:  # an -I file: a real file on disk
        return _Where(item=located[0].data if located else None, field_path=field_path,
                      file=span.file, file_index=located[0].index if located else None)
    where = _Where(item=item, item_index=index, field_path=field_path,
                   file=_annotation(item, PATH_ANNOTATIONS))
    raw_index = _annotation(item, INDEX_ANNOTATIONS)
    if raw_index is not None and raw_index.isdigit():
        where.file_index = int(raw_index)
    return where


def _result(d: Diagnostic, where: _Where) -> dict[str, Any]:
    message = d.message + (f" (help: {d.help})" if d.help else "")
    result: dict[str, Any] = {
        "message": message,
        "severity": "error" if d.severity is Severity.ERROR else "warning",
    }
    ref = _resource_ref(where.item)
    if ref is not None:
        result["resourceRef"] = ref
    if where.field_path:
        result["field"] = {"path": where.field_path}
    if where.file is not None:
        file: dict[str, Any] = {"path": where.file}
        if where.file_index is not None:
            file["index"] = where.file_index
        result["file"] = file
    result["tags"] = {"code": d.code.value}
    return result


def _stderr_line(d: Diagnostic, where: _Where) -> str:
    """`file: error[CODE]: message`, then where in the resource, then the help line."""
    if where.file is not None:
        place = where.file
    elif where.item_index is not None:
        place = f"items[{where.item_index}]"
    elif where.item is not None:
        place = "functionConfig"
    else:
        place = "codeflare-compile fn"
    lines = [f"{place}: {d.severity.value}[{d.code.value}]: {d.message}"]
    ref = _resource_ref(where.item)
    if ref is not None:
        at = f"{ref.get('kind')}/{ref.get('name')}"
        lines.append(f"  at: {at}" + (f", field {where.field_path}" if where.field_path else ""))
    if d.help:
        lines.append(f"  help: {d.help}")
    return "\n".join(lines)


def _with_path(obj: dict[str, Any], path: str, index: int) -> dict[str, Any]:
    meta = dict(obj.get("metadata", {}))
    annotations = dict(meta.get("annotations", {}))
    for name in PATH_ANNOTATIONS:
        annotations[name] = path
    for name in INDEX_ANNOTATIONS:
        annotations[name] = str(index)
    meta["annotations"] = annotations
    return {**obj, "metadata": meta}


def _rendered(result: Compilation, prepared: Prepared, with_paths: bool
              ) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Objects by the item index of their Run, and the shared objects."""
    by_item: dict[int, list[dict[str, Any]]] = {}
    for run in result.runs:
        index = prepared.item_files.get(run.plan.run.doc.file)
        if index is None:
            continue
        objects = list(run.objects)
        if with_paths:
            path = f"{run.plan.namespace}/{run.plan.name}.yaml"
            objects = [_with_path(obj, path, i) for i, obj in enumerate(objects)]
        by_item[index] = objects
    shared = list(result.shared)
    if with_paths:
        counters: dict[str, int] = {}
        placed = []
        for obj in shared:
            namespace = obj.get("metadata", {}).get("namespace")
            path = f"{namespace}/_shared.yaml" if namespace else "_cluster.yaml"
            placed.append(_with_path(obj, path, counters.get(path, 0)))
            counters[path] = counters.get(path, 0) + 1
        shared = placed
    return by_item, shared


def respond(request: Request, prepared: Prepared, result: Compilation) -> tuple[str, str, bool]:
    """The output ResourceList, the text for stderr, and whether there were errors."""
    diagnostics = result.diagnostics.sorted()
    has_errors = any(d.severity is Severity.ERROR for d in diagnostics)
    results, lines = [], []
    for d in diagnostics:
        where = _where(d.span, request, prepared, result.sources.documents)
        results.append(_result(d, where))
        lines.append(_stderr_line(d, where))
    items = request.items
    if not has_errors:
        with_paths = any(_annotation(item, PATH_ANNOTATIONS) for item in request.items)
        by_item, shared = _rendered(result, prepared, with_paths)
        compiled = set(prepared.item_files.values())
        items = []
        for index, item in enumerate(request.items):
            if index not in compiled:
                items.append(item)
                continue
            if index in by_item:
                items.extend(shared)
                shared = []
                items.extend(by_item[index])
    output: dict[str, Any] = {"apiVersion": RESOURCE_LIST_VERSION, "kind": "ResourceList",
                              "items": items}
    if request.function_config is not None:
        output["functionConfig"] = request.function_config
    if results:
        output["results"] = results
    if lines:
        errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        counts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in
                  ((errors, "error"), (len(diagnostics) - errors, "warning")) if n]
        lines.append(", ".join(counts))
    stderr = "\n".join(lines) + "\n" if lines else ""
    return _dump(output, request.as_json), stderr, has_errors


def _dump(data: Mapping[str, Any], as_json: bool) -> str:
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    from codeflare_compile.emit.yaml import dump_yaml

    return dump_yaml(data)
