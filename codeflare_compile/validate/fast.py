"""A fast path for schema validation: jsonschema-rs says whether an object is valid, and only
an invalid object goes through the pure-Python jsonschema validator for its detailed errors.

jsonschema-rs checks a RayJob or a Job in about 13 µs against about 1 ms for jsonschema, and the
output is almost always valid. It is optional: without it every object takes the slow path.
The two agree on every keyword the Kubernetes and CRD schemas use but one: JSON Schema counts
`2.0` as an integer and the compiler does not (it would be written out as `2.0`), so an object
holding any float skips the fast path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _rust() -> Any | None:
    """jsonschema-rs, imported on first need (~2 ms: many runs emit no kind with a schema)."""
    try:  # the Rust extension installs as a wheel nearly everywhere; the fallback keeps it optional
        import jsonschema_rs
    except ImportError:  # pragma: no cover - exercised only where the wheel is unavailable
        return None
    return jsonschema_rs


def __getattr__(name: str) -> Any:
    """`jsonschema_rs`: the module, or None where its wheel is unavailable."""
    if name == "jsonschema_rs":
        return _rust()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class FastValidator:
    """`iter_errors` like jsonschema's, answering valid objects without building any error.

    The jsonschema validator is made on first need (importing jsonschema costs more than
    validating a whole batch of valid objects on the fast path).
    """

    def __init__(self, make_slow: Callable[[], Any], fast: Any | None) -> None:
        self._make_slow = make_slow
        self._slow: Any | None = None
        self.fast = fast

    @property
    def slow(self) -> Any:
        if self._slow is None:
            self._slow = self._make_slow()
        return self._slow

    def iter_errors(self, instance: Any, *, floats: bool | None = None) -> Iterator[Any]:
        """`floats`: whether `instance` holds a float, when the caller knows it already (a
        wrapper's walk covers the objects it wraps)."""
        if floats is None:
            floats = has_float(instance)
        if self.fast is not None and not floats and self.fast.is_valid(instance):
            return iter(())
        return iter(self.slow.iter_errors(instance))


def fast_validator(make_slow: Callable[[], Any], schema: dict[str, Any] | str, draft: str,
                   resources: tuple[tuple[str, Any], ...] = ()) -> FastValidator:
    """A validator of `schema` (an object, or its JSON text): jsonschema-rs first,
    `make_slow()` (jsonschema) for errors."""
    jsonschema_rs = _rust()
    if jsonschema_rs is None:
        return FastValidator(make_slow, None)
    cls = jsonschema_rs.Draft7Validator if draft == "7" else jsonschema_rs.Draft202012Validator
    registry = jsonschema_rs.Registry(list(resources)) if resources else None
    try:
        fast = cls(schema, registry=registry) if registry else cls(schema)
    except (ValueError, jsonschema_rs.ReferencingError):  # a schema it cannot take: go slow
        return FastValidator(make_slow, None)
    return FastValidator(make_slow, fast)


def has_float(node: Any) -> bool:
    """Whether a float lies anywhere in a JSON-like tree (a loop: it runs once per object)."""
    todo = [node]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:
            continue
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, float):
            return True
    return False
