"""Kubernetes resource quantities: the syntax, their exact amounts, and sums written back.

The suffixes are those of apimachinery's `resource.Quantity` (pkg/api/resource/suffix.go):
decimal `n u m k M G T P E`, binary `Ki … Ei`, or a decimal exponent (`1e3`). Amounts are
`Decimal`, so that adding pods' requests never rounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

QUANTITY = re.compile(r"^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$")

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12,
                     "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def amount(value: str) -> Decimal:
    """The amount a valid quantity stands for: cores for cpu, bytes for memory."""
    match = QUANTITY.fullmatch(value)
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    number, suffix = Decimal(match.group(1)), match.group(3) or ""
    if suffix[:1] in ("e", "E"):
        return number.scaleb(int(suffix[1:]))
    if suffix in _BINARY_SUFFIXES:
        return number * Decimal(2 ** _BINARY_SUFFIXES[suffix])
    return number.scaleb(_DECIMAL_SUFFIXES[suffix])


def render(resource: str, total: Decimal) -> str:
    """A quantity string for an amount: cpu in cores or millicores, everything else in whole
    units with the largest binary suffix that divides it exactly (memory: `24Gi`)."""
    if resource == "cpu":
        if total == total.to_integral_value():
            return str(int(total))
        millis = total * 1000
        if millis == millis.to_integral_value():
            return f"{int(millis)}m"
        return f"{int((total * 10**9).to_integral_value(rounding='ROUND_CEILING'))}n"
    whole = int(total.to_integral_value(rounding="ROUND_CEILING"))
    for suffix, power in reversed(_BINARY_SUFFIXES.items()):
        if whole and whole % (2 ** power) == 0:
            return f"{whole // 2 ** power}{suffix}"
    return str(whole)


def add(into: dict[str, Decimal], amounts: Mapping[str, str], times: int = 1) -> None:
    """Add `times` the quantities of `amounts` (a requests or limits mapping) into `into`."""
    for name, value in amounts.items():
        into[name] = into.get(name, Decimal(0)) + amount(str(value)) * times


def rendered(totals: Mapping[str, Decimal]) -> dict[str, str]:
    return {name: render(name, total) for name, total in sorted(totals.items())}


def most(each: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Per resource, the largest amount any of the mappings asks for."""
    out: dict[str, Decimal] = {}
    for amounts in each:
        for name, total in amounts.items():
            out[name] = max(out.get(name, Decimal(0)), total)
    return out
