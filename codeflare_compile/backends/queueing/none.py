"""`none`: the objects as they are; nothing holds them back (docs/targets.md §4)."""

from __future__ import annotations

from codeflare_compile.backends.declare import QueueingTarget

BACKEND = QueueingTarget(name="none", api=None, detect_rank=None, wrapper=None)
