"""Durations as the input API writes them (`90s`, `30m`, `2h`, `1h30m`): the type a model field
takes, and the seconds it stands for (which the plan carries as the Run's deadline)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr
from pydantic_core import PydanticCustomError

_PART = re.compile(r"(\d+)([hms])")
_UNIT = {"h": 3600, "m": 60, "s": 1}
#: The longest deadline every target takes: RayJob's activeDeadlineSeconds is an int32.
MAX_TIMEOUT_SECONDS = 2**31 - 1


def seconds(duration: str) -> int:
    """The number of seconds in a duration `Duration` has already checked."""
    return sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(duration))


def _deadline(value: str) -> str:
    try:
        total = seconds(value)
    except ValueError:  # more digits than Python reads
        total = MAX_TIMEOUT_SECONDS + 1
    if not 1 <= total <= MAX_TIMEOUT_SECONDS:
        raise PydanticCustomError(
            "duration_range", "must be between 1s and {limit}s (68 years)",
            {"limit": MAX_TIMEOUT_SECONDS})
    return value


#: `90s`, `30m`, `2h`, or combinations such as `1h30m`; at least a second.
Duration = Annotated[StrictStr, Field(pattern=r"^(\d+h)?(\d+m)?(\d+s)?$", min_length=2),
                     AfterValidator(_deadline)]
