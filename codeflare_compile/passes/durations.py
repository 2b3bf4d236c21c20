"""Durations as the input API writes them (`90s`, `30m`, `2h`, `1h30m`)."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+)([hms])")
_UNIT = {"h": 3600, "m": 60, "s": 1}


def seconds(duration: str) -> int:
    """The number of seconds in a duration the Run model has already checked."""
    return sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(duration))
