"""Build stage: documents → typed resources (`parse`), then indexed in a `Program` under the
target (`build`), with errors mapped to the text.

Pydantic validates each document; its errors are translated into diagnostics that point at the
offending key or value, name the field, and suggest the closest valid field or value.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from codeflare_compile.api import API_VERSION, CLUSTER_SCOPED, KINDS, Platform
from codeflare_compile.api.dataset import CREDENTIAL_KEYS
from codeflare_compile.diagnostics import Diagnostic, Diagnostics, Span
from codeflare_compile.ir import Program, Resource, Target
from codeflare_compile.problems.resources import (
    credentials_in_url,
    duplicate_resource,
    env_as_a_list,
    impossible_quantity,
    inline_credentials,
    invalid_choice,
    invalid_name,
    invalid_quantity,
    invalid_value,
    missing_field,
    no_api_version,
    pattern_mismatch,
    reserved_label,
    second_platform,
    sweep_inside_a_list,
    unknown_api_version,
    unknown_field,
    unknown_kind,
    wrong_scope,
)
from codeflare_compile.redact import holds_credentials
from codeflare_compile.source import DocPath, Document

#: Error types meaning "this union branch does not even have the right type".
_TYPE_MISMATCH = frozenset({
    "string_type", "model_type", "dict_type", "list_type", "int_type", "bool_type",
    "float_type", "model_attributes_type", "int_from_float",
})
#: Error types the models raise with a code of their own, and a message that says it all.
_OWN_CODES = {
    "invalid_name": invalid_name,
    "invalid_quantity": invalid_quantity,
    "impossible_quantity": impossible_quantity,
}
#: Errors raised by the input models themselves, whose messages already say what is wrong.
_OWN_MESSAGES = frozenset({"one_of", "archetype_requires", "archetype_field"})


class Parsed(NamedTuple):
    """The documents as typed resources, before any target setting is known."""

    resources: list[Resource[Any]]
    platform: Resource[Platform] | None
    #: Documents of a known kind that failed validation.
    failed: list[Document]


def parse(documents: Sequence[Document], diags: Diagnostics) -> Parsed:
    """Validate every document; the first Platform is the one (a second is an error)."""
    failed: list[Document] = []
    parsed = [r for doc in documents if (r := _parse(doc, diags, failed)) is not None]
    platforms = [r for r in parsed if r.kind == "Platform"]
    for extra in platforms[1:]:
        diags.add(second_platform(extra.key_span("kind"), platforms[0].key_span("kind")))
    return Parsed(parsed, platforms[0] if platforms else None, failed)


def build(parsed: Parsed, target: Target, diags: Diagnostics) -> Program:
    """Index the resources the way references look them up, in the target's namespace where
    they set none."""
    program = Program(target=target, platform=parsed.platform)
    for doc in parsed.failed:
        metadata = doc.data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if isinstance(name, str):
            namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
            key = (str(doc.data["kind"]), namespace if isinstance(namespace, str)
                   else target.namespace, name)
            program.invalid.setdefault(key, doc.key_span(("metadata", "name")))
    for res in parsed.resources:
        if res.kind == "Platform":
            continue
        if res.kind in CLUSTER_SCOPED:
            _add(program.size_configs, res.name, res, diags)
            continue
        namespace = res.namespace or target.namespace
        res = Resource(res.kind, res.name, namespace, res.model, res.doc)
        if res.kind == "Run" and res.doc.included:
            continue
        indexes: dict[str, dict[Any, Any]] = {
            "Application": program.applications, "Run": program.runs,
            "DataSet": program.datasets, "Image": program.images,
        }
        _add(indexes[res.kind], (namespace, res.name), res, diags)
    return program


def _add(index: dict[Any, Any], key: Any, res: Resource[Any], diags: Diagnostics) -> None:
    first = index.get(key)
    if first is None:
        index[key] = res
        return
    diags.add(duplicate_resource(res.kind, res.name, res.namespace,
                                 res.key_span("metadata", "name"),
                                 first.key_span("metadata", "name")))
    # keep the definition that sorts first, so the outcome does not depend on input order
    if (res.doc.file, res.doc.index) < (first.doc.file, first.doc.index):
        index[key] = res


def _parse(doc: Document, diags: Diagnostics, failed: list[Document]) -> Resource[Any] | None:
    """The document as a typed resource; None (and the document in `failed` when it has a
    known kind) when it is invalid."""
    data = doc.data
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if api_version != API_VERSION:
        unrelated = not (isinstance(kind, str) and kind in KINDS) and not _mentions_codeflare(
            data)
        if api_version is None:
            diags.add(no_api_version(API_VERSION, doc.span(()), unrelated))
        else:
            diags.add(unknown_api_version(api_version, API_VERSION, doc.span(("apiVersion",)),
                                          unrelated))
        return None
    if not isinstance(kind, str) or kind not in KINDS:  # a mapping or list is no kind either
        span = doc.span(("kind",)) if "kind" in data else doc.span(())
        diags.add(unknown_kind(kind, KINDS, span))
        return None
    model_cls = KINDS[kind]
    metadata = data.get("metadata")
    if kind in CLUSTER_SCOPED and isinstance(metadata, dict) and "namespace" in metadata:
        diags.add(wrong_scope(kind, doc.key_span(("metadata", "namespace"))))
        return None
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        for error in _relevant(exc.errors(), data):
            _report(error, doc, model_cls, diags)
        failed.append(doc)
        return None
    if _credential_urls(doc, diags):
        return None
    meta = model.metadata  # type: ignore[attr-defined]
    return Resource(kind, meta.name, meta.namespace, model, doc)


#: Where a later pass refuses credentials in a URL with a message of its own (passes/code.py).
_CHECKED_LATER: frozenset[tuple[str, DocPath]] = frozenset({("Application", ("spec", "repo"))})


def _credential_urls(doc: Document, diags: Diagnostics) -> bool:
    """Report every string of the document holding a URL with credentials: whatever the field,
    its value would be written into the output (an env value, a command line, an annotation)."""
    found = False
    for path, text in _strings(doc.data, ()):
        if holds_credentials(text) and (doc.data["kind"], path) not in _CHECKED_LATER:
            diags.add(credentials_in_url(doc.span(path)))
            found = True
    return found


def _strings(node: Any, path: DocPath) -> Iterator[tuple[DocPath, str]]:
    """Every string of `node`, mapping keys included, with its path."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield (*path, key), key
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


def _mentions_codeflare(data: Any) -> bool:
    """Whether any key or string of a document mentions codeflare.dev (as --skip-unrelated
    looks for it in the file)."""
    if isinstance(data, str):
        return "codeflare.dev" in data
    if isinstance(data, dict):
        return any(_mentions_codeflare(k) or _mentions_codeflare(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_mentions_codeflare(v) for v in data)
    return False


def _split(loc: tuple[str | int, ...], data: Any) -> tuple[DocPath, list[tuple[int, str]]]:
    """Separate a pydantic location into the document path and the union branches it took."""
    path: list[str | int] = []
    branches: list[tuple[int, str]] = []
    node = data
    for seg in loc:
        if _has(node, seg):
            node = node[seg]
            path.append(seg)
        elif isinstance(seg, str) and (
            not isinstance(node, dict | list) or branches or _looks_like_branch(seg)
        ):
            branches.append((len(path), seg))
        else:
            path.append(seg)  # a missing or unknown key: the path ends here
    return tuple(path), branches


def _has(node: Any, seg: str | int) -> bool:
    if isinstance(node, dict):
        return isinstance(seg, str) and seg in node
    return isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node)


def _looks_like_branch(seg: str) -> bool:
    return seg[:1].isupper() or "[" in seg or seg in ("str", "int", "float", "bool")


def _relevant(errors: list[ErrorDetails], data: Any) -> Iterator[ErrorDetails]:
    """Drop errors of union branches the user clearly did not mean; merge all-mismatch unions."""
    by_union: dict[DocPath, dict[str, list[ErrorDetails]]] = {}
    for error in errors:
        path, branches = _split(error["loc"], data)
        if not branches:
            yield error
            continue
        depth, branch = branches[0]
        by_union.setdefault(path[:depth], {}).setdefault(branch, []).append(error)
    for point, per_branch in by_union.items():
        matched = {
            b: errs for b, errs in per_branch.items()
            if not any(e["type"] in _TYPE_MISMATCH and _split(e["loc"], data)[0] == point
                       for e in errs)
        }
        if matched:
            for errs in matched.values():
                yield from errs
        else:
            kinds = sorted({_describe_branch(b) for b in per_branch})
            first = next(iter(per_branch.values()))[0]
            yield ErrorDetails(type="union_type", loc=point, input=first["input"],
                               msg=f"expected {' or '.join(kinds)}")


def _describe_branch(branch: str) -> str:
    if branch.startswith("list"):
        return "a list"
    if branch[:1].isupper() or branch.startswith("dict"):
        return "a mapping"
    if branch in ("int", "float") or "int" in branch:
        return "a number"
    return "a string"


def _report(error: ErrorDetails, doc: Document, model_cls: type[BaseModel],
            diags: Diagnostics) -> None:
    path, _ = _split(error["loc"], doc.data)
    kind = error["type"]
    field = str(path[-1]) if path else ""
    dotted = ".".join(str(p) for p in path)
    if kind == "extra_forbidden":
        allowed = _fields_at(model_cls, error["loc"][:-1])
        diags.add(unknown_field(field, doc.data.get("kind"), allowed, doc.key_span(path)))
        return
    if kind == "missing":
        parent = path[:-1]
        span = doc.key_span(parent) if parent else doc.span(())
        diags.add(missing_field(dotted, field, ".".join(map(str, parent)), span))
        return
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        diags.add(invalid_choice(error["input"], dotted, choices, doc.span(path)))
        return
    if kind == "string_pattern_mismatch":
        diags.add(pattern_mismatch(error["input"], dotted, field, error["ctx"]["pattern"],
                                   doc.span(path)))
        return
    value = _value_at(doc.data, path)
    span = doc.key_span(path) if isinstance(value, dict) and path else doc.span(path)
    if error["loc"] and error["loc"][-1] == "[key]":  # a mapping key is wrong: point at it
        span = doc.key_span(path)
    shape = _misshapen(path, error["input"], value, span)
    if shape is not None:
        diags.add(shape)
    elif kind == "inline_credentials":
        found = [k for k in value if k in CREDENTIAL_KEYS] if isinstance(value, dict) else []
        diags.add(inline_credentials(error["msg"], doc.key_span((*path, found[0])) if found
                                     else span))
    elif kind == "reserved_label":  # which setting does the job instead
        diags.add(reserved_label(error["msg"], error["ctx"]["instead"], span))
    elif kind in _OWN_CODES:
        diags.add(_OWN_CODES[kind](error["msg"], span))
    else:
        message = error["msg"]
        if path and kind not in _OWN_MESSAGES:
            message = f"'{dotted}': {message[0].lower()}{message[1:]}"
            if not isinstance(error["input"], dict | list):
                message = f"invalid value {error['input']!r} for {message}"
        diags.add(invalid_value(message, kind, span))


def _misshapen(path: DocPath, value: Any, at_path: Any, span: Span) -> Diagnostic | None:
    """Shapes people bring from elsewhere: a sweep inside a list, a Kubernetes-style `env`
    list."""
    dotted = ".".join(str(p) for p in path)
    if len(path) >= 2 and path[-2] == "tasks" and isinstance(value, dict) and "sweep" in value:
        return sweep_inside_a_list(dotted, span)
    if path and path[-1] == "env" and isinstance(at_path, list):
        return env_as_a_list(dotted, [(e.get("name"), e.get("value")) for e in at_path
                                      if isinstance(e, dict)], span)
    return None


def _value_at(data: Any, path: DocPath) -> Any:
    for seg in path:
        if not _has(data, seg):
            return None
        data = data[seg]
    return data


def _fields_at(model_cls: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names accepted at a pydantic location, for did-you-mean on unknown fields."""
    annotation: Any = model_cls
    for seg in loc:
        annotation = _step(annotation, seg)
        if annotation is None:
            return []
    model = _model_in(annotation)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _step(annotation: Any, seg: str | int) -> Any:
    model = _model_in(annotation, str(seg))
    if model is not None and isinstance(seg, str) and model.__name__ == seg:
        return model  # a union branch named after the model
    if model is not None:
        for name, f in model.model_fields.items():
            if seg in (name, f.alias):
                return f.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (Union, types.UnionType):
        for arg in args:
            found = _step(arg, seg)
            if found is not None:
                return found
    return None


def _model_in(annotation: Any, prefer: str | None = None) -> type[BaseModel] | None:
    """The model class an annotation stands for, looking through Optional and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0], prefer)
    if origin in (Union, types.UnionType):
        models = [m for a in typing.get_args(annotation) if (m := _model_in(a)) is not None]
        for m in models:
            if m.__name__ == prefer:
                return m
        return models[0] if len(models) == 1 else None
    return None
