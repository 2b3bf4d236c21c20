"""What a queueing target or a gang scheduler declares about itself, as plain data.

The declarations import nothing but the standard library, so that every layer may read them:
the policy passes (a workqueue's task budget), the lowerings (whether a Run is wrapped, how a
workflow step waits for a wrapper), the validator (how to open a wrapper), the Argo CD plugin
(which API a target needs), `explain` and the fuzzer. What a backend does to a Run's objects
(its `apply`) needs the lowerings' helpers and lives one layer up, in `crosscut/`.
Declarations are NamedTuples: cheaper to define at import than frozen dataclasses (ir.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

#: Inside a wrapper every ConfigMap is part of one object, stored whole in etcd (1.5 MiB by
#: default): a workqueue's tasks may use 1 MiB of it, the Job, PodGroup and other objects the rest.
ONE_OBJECT_TASK_BUDGET = 1024 * 1024


class Wrapper(NamedTuple):
    """A kind that carries a Run's objects inside it, and where it keeps them."""

    api_version: str
    kind: str
    #: The path to the list of carried items, and each item's key holding its object.
    items: tuple[str, ...]
    template: str
    #: How an Argo step that created it tells that it finished: label-selector conditions
    #: (success, failure), read by lower/workflow.py; None for a form never emitted.
    conditions: tuple[str, str] | None = None
    #: Whether its admission checks that the creator may create every carried kind itself, so
    #: a workflow that creates the wrapper needs those rights too (lower/workflow.py).
    checks_creator: bool = False

    @property
    def key(self) -> str:
        """`apiVersion/kind`, as lookups by kind spell it."""
        return f"{self.api_version}/{self.kind}"

    def carried(self, obj: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
        """(index in the item list, object) for each object `obj` carries; items of another
        shape (in a wrapper that is not the compiler's own) are passed over."""
        listed: Any = obj
        for key in self.items:
            listed = listed.get(key) if isinstance(listed, Mapping) else None
        for index, item in enumerate(listed if isinstance(listed, list) else ()):
            if isinstance(item, Mapping) and item.get(self.template) is not None:
                yield index, item[self.template]


class QueueingTarget(NamedTuple):
    """A value of `--queueing`: how a Run's objects wait for admission."""

    name: str
    #: The API the cluster must serve for it (an API group, or group/version); None: none.
    api: str | None
    #: Its place when the Argo CD plugin picks a queueing from what the cluster serves (lowest
    #: first); None: never picked that way (the fallback).
    detect_rank: int | None
    #: The object the Run's objects go into; None: they are not wrapped.
    wrapper: Wrapper | None
    #: Older forms of the wrapper the validator opens too.
    legacy_wrappers: tuple[Wrapper, ...] = ()
    #: Archetypes whose workload is not wrapped but queued by Kueue directly, with the reason
    #: `explain` gives.
    kueue_direct: Mapping[str, str] = MappingProxyType({})
    #: The bytes a workqueue's tasks may take in all; None: no limit of its own (the tasks may
    #: spread over several ConfigMaps).
    task_budget: int | None = None
    #: Whether it queues through Kueue: the Run's `queue` and workload priority class apply.
    through_kueue: bool = False

    def wraps(self, archetype: str) -> bool:
        """Whether a Run of `archetype` ends up inside this target's wrapper."""
        return self.wrapper is not None and archetype not in self.kueue_direct

    @property
    def wrappers(self) -> tuple[Wrapper, ...]:
        """Every form of its wrapper, the emitted one first."""
        return (self.wrapper, *self.legacy_wrappers) if self.wrapper else self.legacy_wrappers


class GangScheduler(NamedTuple):
    """A value of `--gang`: what makes a Run's pods start all together or not at all."""

    name: str
    #: The API the cluster must serve for it; None: none.
    api: str | None
    #: Whether the pods are handed to the Platform's `schedulerName`.
    uses_scheduler_name: bool
