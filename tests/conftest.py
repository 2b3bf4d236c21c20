"""Shared pytest fixtures."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

# ---------------------------------------------------------------------------------------------
# Property-based tests (hypothesis profiles; tests/properties): `ci`, the default, derandomized
# (a fixed seed per test) with a small budget and no shrinking (a failure is reported at once);
# `ci-shrink`, the same examples, shrunk (`pytest --hypothesis-profile=ci-shrink`); `slow`,
# selected with `pytest --slow` or CODEFLARE_HYPOTHESIS_PROFILE=slow: random seeds, many more
# examples, shrinking.
# ---------------------------------------------------------------------------------------------

_HYPOTHESIS_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large,
                      HealthCheck.filter_too_much]
settings.register_profile("ci", derandomize=True, database=None, max_examples=20,
                          deadline=None, suppress_health_check=_HYPOTHESIS_HEALTH,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.register_profile("ci-shrink", settings.get_profile("ci"), phases=list(Phase))
settings.register_profile("slow", max_examples=200, deadline=None, print_blob=True,
                          suppress_health_check=_HYPOTHESIS_HEALTH)
settings.load_profile(os.environ.get("CODEFLARE_HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False,
                     help="run property-based tests with the `slow` hypothesis profile")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--slow", default=False):
        settings.load_profile("slow")


# ------------------------------------------------------------------ end of hypothesis profiles
