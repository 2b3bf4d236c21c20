"""`none`: no gang; each pod is scheduled on its own by the default scheduler."""

from __future__ import annotations

from codeflare_compile.backends.declare import GangScheduler

BACKEND = GangScheduler(name="none", api=None, uses_scheduler_name=False)
