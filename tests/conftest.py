"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeflare_compile import validate

# ---------------------------------------------------------------------------------------------
# Output validation (codeflare_compile/validate): the upstream CRDs in ../shared/crds
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_crds() -> Path:
    """The upstream CRD folder next to this checkout; tests that need it skip when it is absent."""
    folder = Path(__file__).parents[2] / "shared" / "crds"
    if not folder.is_dir():
        pytest.skip("../shared/crds is absent: CRD validation tests need the upstream CRDs")
    return folder


@pytest.fixture(scope="session")
def shared_crd_set(
    shared_crds: Path, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> validate.CrdSet:
    """All shared CRDs, loaded once per session.

    The converted-schema cache goes to pytest's own cache folder (kept between runs, ignored by
    git) instead of ~/.cache, so the first run parses the needed CRDs and later runs read JSON.
    """
    cache = getattr(pytestconfig, "cache", None)
    xdg = cache.mkdir("xdg-cache") if cache is not None else tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(xdg))
        return validate.load_crds([shared_crds])


# ------------------------------------------------------------------ end of output validation


# ---------------------------------------------------------------------------------------------
# Property-based tests (hypothesis profiles; tests/properties): `ci`, the default, derandomized
# (a fixed seed per test) with a small budget and no shrinking (a failure is reported at once);
# `ci-shrink`, the same examples, shrunk (`pytest --hypothesis-profile=ci-shrink`); `slow`,
# selected with `pytest --slow` or CODEFLARE_HYPOTHESIS_PROFILE=slow: random seeds, many more
# examples, shrinking.
# ---------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, Phase, settings  # noqa: E402 (kept with its block)

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
