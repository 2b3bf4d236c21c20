"""How a workqueue's tasks are laid out in ConfigMaps: one key per task, by index.

Keys `task-00000`, `task-00001`, … fill a ConfigMap up to `CONFIG_MAP_BUDGET`, then the next.
The tasks pass checks that the tasks fit (passes/tasks.py) and the lowering writes them
(lower/workqueue.py), both by these rules. A leaf module: it imports nothing of the compiler.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

#: Keys `task-00000` … `task-99999`: zero-padded, so that lexical order is index order.
KEY_DIGITS = 5
KEY_PREFIX = "task-"
#: A ConfigMap holds at most 1 MiB of data (keys + values); keep 64 KiB for metadata and slack.
CONFIG_MAP_BUDGET = 1024 * 1024 - 64 * 1024


def task_key(index: int) -> str:
    """The ConfigMap key, and file name in the pod, of task `index`."""
    return f"{KEY_PREFIX}{index:0{KEY_DIGITS}d}"


def entry_bytes(key: str, value: str) -> int:
    """An upper bound on what one ConfigMap entry costs: its key and value as JSON, with the
    HTML escaping Go's encoder applies (`<` → `\\u003c`), and the separators."""
    return _json_bytes(key) + _json_bytes(value) + 2


def chunks(tasks: Sequence[str], budget: int = CONFIG_MAP_BUDGET) -> list[dict[str, str]]:
    """The tasks as ConfigMap data, in index order, a new ConfigMap whenever one is full."""
    out: list[dict[str, str]] = [{}]
    used = 0
    for index, task in enumerate(tasks):
        key = task_key(index)
        cost = entry_bytes(key, task)
        if used + cost > budget and out[-1]:
            out.append({})
            used = 0
        out[-1][key] = task
        used += cost
    return out


def _json_bytes(text: str) -> int:
    encoded = json.dumps(text, ensure_ascii=False)
    html = sum(encoded.count(c) for c in "<>&\u2028\u2029")
    return len(encoded.encode()) + 5 * html
