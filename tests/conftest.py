"""Shared pytest fixtures."""

from __future__ import annotations

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
