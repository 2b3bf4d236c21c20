"""The upstream CRD schemas shipped in the package: custom resources are validated by default.

crd_schemas/ holds one converted JSON Schema per served version of every CRD the compiler
targets (AppWrapper, MCAD AppWrapper, RayJob, RayCluster, RayService, PyTorchJob, PodGroup,
Workflow, Dataset, Kueue kinds), written by bundle.py; crd_schemas/NOTICE says where each came
from. Loading is lazy and cheap: the small index on the first custom resource, then one file
per kind and version on first use (a RayJob's is 47 KB, read and turned into a jsonschema-rs
validator in about 2 ms).

CRDs given with --crds replace these, group/kind by group/kind (a cluster holds one CRD per
group/kind): output is then checked against the cluster's own versions.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .crds import CrdMatch, validator_of

FOLDER = Path(__file__).parent / "crd_schemas"


class _Version(NamedTuple):
    served: bool
    schema: str | None  # its file; None when the CRD gives no schema (or does not serve it)
    source: str  # e.g. "ray-project/kuberay v1.7.0, ray.io_rayjobs.yaml"


@lru_cache(maxsize=1)
def _index() -> dict[tuple[str, str], dict[str, _Version]]:
    """(group, kind) -> version -> how it is bundled."""
    with open(FOLDER / "index.json", encoding="utf-8") as f:
        payload: dict[str, Any] = json.load(f)
    return {(crd["group"], crd["kind"]): {name: _Version(v["served"], v["schema"], v["source"])
                                          for name, v in crd["versions"].items()}
            for crd in payload["crds"]}


@lru_cache(maxsize=64)
def bundled_match(group: str, version: str, kind: str) -> CrdMatch | None:
    """How the bundled CRDs validate `group/version` `kind`; None when none defines group/kind."""
    versions = _index().get((group, kind))
    if versions is None:
        return None
    entry = versions.get(version)
    if entry is None or not entry.served:
        served = ", ".join(sorted(n for n, v in versions.items() if v.served)) or "none"
        sources = "; ".join(sorted({v.source for v in versions.values()}))
        return CrdMatch(FOLDER, None, (
            f"{group}/{version} {kind} is not served by the bundled CRD ({sources}; served: "
            f"{served}); pass your cluster's CRD with --crds to validate against it"))
    if entry.schema is None:
        return CrdMatch(FOLDER, None)
    schema = (FOLDER / entry.schema).read_text(encoding="utf-8")
    return CrdMatch(FOLDER / entry.schema, validator_of(schema))
