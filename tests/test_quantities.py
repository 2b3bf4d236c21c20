"""Quantities: exact amounts, and sums written back in the units people read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codeflare_compile import quantities


@pytest.mark.parametrize(("text", "expected"), [
    ("500m", Decimal("0.5")), ("2", Decimal(2)), ("1.5Gi", Decimal(3 * 2**29)),
    ("1e3", Decimal(1000)), ("100M", Decimal(10**8)), ("+.5", Decimal("0.5")),
])
def test_amount(text: str, expected: Decimal) -> None:
    assert quantities.amount(text) == expected


@pytest.mark.parametrize(("resource", "total", "expected"), [
    ("cpu", Decimal("1.5"), "1500m"), ("cpu", Decimal(34), "34"),
    ("cpu", Decimal("0.0005"), "500000n"),
    ("memory", Decimal(136 * 2**30), "136Gi"), ("memory", Decimal(4608 * 2**20), "4608Mi"),
    ("memory", Decimal(10**9), "1000000000"), ("memory", Decimal("1.5"), "2"),
    ("nvidia.com/gpu", Decimal(5), "5"),
])
def test_render(resource: str, total: Decimal, expected: str) -> None:
    assert quantities.render(resource, total) == expected


def test_a_sum_is_exact() -> None:
    total: dict[str, Decimal] = {}
    quantities.add(total, {"cpu": "100m", "memory": "128Mi"}, times=3)
    quantities.add(total, {"cpu": "0.2", "memory": "1Gi"})
    assert quantities.rendered(total) == {"cpu": "500m", "memory": "1408Mi"}
