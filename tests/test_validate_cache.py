"""The disk cache of core Kubernetes schemas: what a run reads instead of `_definitions.json`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codeflare_compile.validate import core, validate_objects

KUBE = "1.33"
_CACHED = (core._cache, core._index, core._bundle, core._registry, core.core_validator,
           core.object_meta_validator)


def _job(backoff: object = 2) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
            "spec": {"backoffLimit": backoff,
                     "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                           "restartPolicy": "Never"}}}}


def _widget() -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}


def _verdicts() -> list[list[tuple[str, str]]]:
    """Messages for a valid Job, an invalid one, and a kind with no CRD, in a core group or not."""
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "NotAKind", "metadata": {"name": "n"}}
    return [[(f.path, f.message) for f in validate_objects([obj], kube_version=KUBE, crds=None)]
            for obj in (_job(), _job("two"), _widget(), ingress)]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder, and the in-process caches emptied before and after the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for cached in _CACHED:
        cached.cache_clear()
    yield tmp_path / "codeflare-compile" / "kube-schemas"
    for cached in _CACHED:
        cached.cache_clear()


def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process: nothing in memory, and the whole bundle must not be needed."""
    for cached in _CACHED:
        cached.cache_clear()

    def no_bundle(version: str) -> dict[str, Any]:
        raise AssertionError("should have come from the disk cache")

    monkeypatch.setattr(core, "_bundle", no_bundle)


def test_second_run_reads_only_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _verdicts()
    assert first[0] == [] and first[1] and first[2] == []
    assert first[3] == [("apiVersion", f"Kubernetes {KUBE} has no kind NotAKind in "
                                       "networking.k8s.io/v1")]
    (folder,) = cache.iterdir()
    assert folder.name.startswith(f"v{KUBE}.")
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["index.json", "job-batch-v1.json"]
    job = json.loads((folder / "job-batch-v1.json").read_text())
    reached = job["definitions"]["$defs"]
    assert "io.k8s.api.batch.v1.JobSpec" in reached
    assert "io.k8s.api.apps.v1.Deployment" not in reached  # only what a Job reaches

    _forget(monkeypatch)
    valid = core.core_validator(KUBE, "batch", "v1", "Job")
    assert valid is not None and list(valid.iter_errors(_job())) == []
    assert core.is_core_group(KUBE, "networking.k8s.io")
    assert not core.is_core_group(KUBE, "example.com")


def test_cut_down_definitions_give_the_same_verdicts(cache: Path) -> None:
    first = _verdicts()
    for cached in _CACHED:
        cached.cache_clear()
    assert _verdicts() == first  # from the cache: the fast path saw only the reached definitions


def test_object_meta_of_custom_resources_is_cached(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert list(core.object_meta_validator(KUBE).iter_errors({"name": "w", "surprise": 1}))
    _forget(monkeypatch)
    assert list(core.object_meta_validator(KUBE).iter_errors({"name": "w"})) == []
    (folder,) = cache.iterdir()
    assert (folder / "ObjectMeta.json").is_file()


def test_damaged_cache_files_are_rebuilt(cache: Path) -> None:
    first = _verdicts()
    (folder,) = cache.iterdir()
    (folder / "index.json").write_text('{"kinds": [["batch", "v1"]]}')
    (folder / "job-batch-v1.json").write_text('{"schema": ')
    for cached in _CACHED:
        cached.cache_clear()
    assert _verdicts() == first
    assert json.loads((folder / "job-batch-v1.json").read_text())["schema"]["type"] == "object"


def test_unwritable_cache_is_not_an_error(tmp_path: Path, cache: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _verdicts()[0] == []
    assert not cache.exists()


def test_cache_folder_names_the_library_version(cache: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _verdicts()
    (before,) = cache.iterdir()
    real = Path.read_bytes

    def other_version(path: Path) -> bytes:
        return b"__version__ = '0.0.1'\n" if path.name == "version.py" else real(path)

    monkeypatch.setattr(Path, "read_bytes", other_version)
    core._cache.cache_clear()
    assert core._cache(KUBE) != before
