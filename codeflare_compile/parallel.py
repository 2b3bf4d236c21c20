"""An ordered map over forked worker processes, for `-j N`.

Workers are forked after the front end has run, so they share the loaded program with the
parent without pickling it; only each item's result travels back. Results come back in item
order whatever N is, so the output does not depend on it. Where `fork` is not available the map
runs in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Chunks per worker: enough to even out Runs of unequal cost, few enough to keep pickling low.
_CHUNKS_PER_JOB = 4
#: The function and items of the map in progress, inherited by the forked workers.
_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def ordered_map(function: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`[function(item) for item in items]`, spread over `jobs` processes when that helps."""
    if jobs <= 1 or len(items) < 2:
        return [function(item) for item in items]
    import multiprocessing  # not for one process: it costs a cold start 4 ms

    if "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    global _WORK
    jobs = min(jobs, len(items))
    size = -(-len(items) // (jobs * _CHUNKS_PER_JOB))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _WORK = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_chunk, bounds, chunksize=1)
    finally:
        _WORK = None
    return [result for part in parts for result in part]


def _chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _WORK is not None
    function, items = _WORK
    return [function(item) for item in items[bounds[0]:bounds[1]]]
