"""Deterministic object names derived from the Run, fitted to each kind's length rules.

Objects that cannot be updated in place carry a hash of their content in their name
(docs/integrations/argocd.md, "Names from content"): a Job's `spec.template` is immutable, an
AppWrapper's components are "deeply immutable" (project-codeflare/appwrapper,
internal/webhook/appwrapper_webhook.go, `validateAppWrapperUpdate`), and an `immutable: true`
ConfigMap's data is too. A Run whose output changes then gets new objects (and the old ones are
pruned) instead of an update the API server refuses; an unchanged Run keeps its names byte for
byte.

- The *unit* of a Run — its workload, the objects that belong to one execution of it (PodGroup,
  rendezvous Service) and everything created inside a wrapper or by a workflow — is named
  `<base>-<hash>`, the hash taken over the Run's objects as lowered without it
  (`RunPlan.content_hash`). Objects inside a wrapper or a workflow must be new with every
  execution: the AppWrapper controller fails on a component that exists but belongs to another
  AppWrapper (internal/controller/appwrapper/resource_management.go, `createComponent`), and
  Argo's resource template runs `kubectl create` (argo-workflows workflow/executor/resource.go,
  `ExecResource`), which refuses an existing name.
- A top-level immutable ConfigMap is named by a hash of its own content, so an unchanged one is
  shared by successive executions and keeps its name.
- Everything else (the workflow's ServiceAccount and Role, Datashim Datasets, the `expose`
  Service, which stays outside wrappers and workflows) keeps its name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from codeflare_compile.backends import wraps
from codeflare_compile.namefit import fit_name

if TYPE_CHECKING:
    from codeflare_compile.ir import RunPlan, Target

#: Hex digits of a content hash (40 bits; kustomize's generated names carry 10 characters too).
CONTENT_HASH_LENGTH = 10


def content_hash(objects: Iterable[dict[str, Any]]) -> str:
    """A short hash of what the objects hold, whatever the order of their keys."""
    text = json.dumps(list(objects), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:CONTENT_HASH_LENGTH]


def with_hash(base: str, digest: str, limit: int, letter_first: bool = False) -> str:
    """`<base>-<digest>`, the base fitted (as `fit_name` does) so that the whole fits `limit`:
    the steps of one workflow share a digest, so a cut base keeps its own hash too."""
    if not digest:
        return fit_name(base, limit, letter_first)
    return f"{fit_name(base, limit - len(digest) - 1, letter_first)}-{digest}"


def unit_name(plan: RunPlan, base: str, limit: int = 63, letter_first: bool = False) -> str:
    """The name of an object of the Run's unit: `base` with the Run's content hash."""
    return with_hash(base, plan.content_hash, limit, letter_first)


def immutable_name(plan: RunPlan, target: Target, base: str, obj: dict[str, Any],
                   limit: int = 253) -> str:
    """The name of an immutable object (a ConfigMap of the Run): inside a wrapper or a
    workflow, the unit's; at the top level, `base` with a hash of the object's own content
    (its name aside), so that an unchanged one keeps its name when the rest of the Run changes."""
    if plan.step is not None or wraps(target.queueing, plan.archetype):
        return unit_name(plan, base, limit)
    unnamed = {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "name"}}
    return with_hash(base, content_hash([unnamed]), limit)
