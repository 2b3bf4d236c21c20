"""Names fitted into Kubernetes' length limits: cut, with a short hash of the whole name.

Object names (lower/names.py) and workflow step names (passes/steps.py) are fitted alike. A leaf
module: it imports nothing of the compiler.
"""

from __future__ import annotations

import hashlib

HASH_LENGTH = 5


def fit_name(base: str, limit: int = 63, letter_first: bool = False) -> str:
    """`base` if it fits, else truncated with a short stable hash of the full name.

    `letter_first` is for DNS-1035 kinds (RayJob, RayCluster): a name starting with a digit
    gets an `r-` prefix.
    """
    name = base
    if letter_first and not name[:1].isalpha():
        name = f"r-{name}"
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(base.encode()).hexdigest()[:HASH_LENGTH]
    head = name[: limit - HASH_LENGTH - 1].rstrip("-")
    return f"{head}-{digest}"
