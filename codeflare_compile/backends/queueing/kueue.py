"""`kueue`: the queue label on the workload itself; `suspend` is left to Kueue's webhook
(docs/targets.md §1.3 and §4)."""

from __future__ import annotations

from codeflare_compile.backends.declare import QueueingTarget

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"

BACKEND = QueueingTarget(name="kueue", api="kueue.x-k8s.io", detect_rank=1, wrapper=None,
                         through_kueue=True)
