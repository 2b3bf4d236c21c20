"""What a validation failure looks like, and how paths inside an emitted object are written."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

PathPart = str | int
ObjPath = tuple[PathPart, ...]

_PLAIN_KEY = re.compile(r"[^.\[\]\"\s]+")


@dataclass(frozen=True)
class ValidationFailure:
    """One problem in the compiler's output.

    Output that fails validation is a compiler bug, so this carries enough to find the object
    (`subject`), the place inside the emitted top-level object (`path`) and what is wrong.

    `path` is dotted with list indexes in brackets, e.g.
    `spec.components[1].template.spec.rayClusterSpec.headGroupSpec`. A key that itself contains a
    dot, a bracket, a quote or whitespace is written as a quoted bracket, e.g.
    `metadata.labels["kueue.x-k8s.io/queue-name"]`, so that every path reads back unambiguously.
    The empty path `""` means the object as a whole.
    """

    subject: str
    path: str
    message: str


@dataclass(frozen=True)
class Issue:
    """A problem found in one object, relative to that object; the engine adds subject and prefix.

    `code` ("schema", "rule" or a rule's own code) lets the engine drop a schema error that a
    more precise rule already reports.
    """

    path: ObjPath
    message: str
    code: str = "schema"


def format_path(parts: Iterable[PathPart]) -> str:
    """Render `("spec", "items", 0, "name")` as `spec.items[0].name` (see ValidationFailure)."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.fullmatch(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


def path_sort_key(parts: ObjPath) -> tuple[tuple[int, int, str], ...]:
    """Order paths as a reader expects: list indexes numerically, keys alphabetically."""
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts)
