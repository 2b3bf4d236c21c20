"""The CRD schemas shipped in the package: up to date with the upstream CRDs, used by default,
replaced by --crds for the kinds a cluster's CRDs define, and equivalent after sharing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from codeflare_compile.validate import bundle, convert, load_crds, validate_objects
from codeflare_compile.validate.bundled import FOLDER
from tests.helpers import REPO, SHARED_CRDS, run_cli
from tests.test_validate import crd_yaml, paths, rayjob

KUBE = "1.33"


@pytest.fixture(scope="module")
def rebuilt(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, str]:
    """The bundle as the upstream CRDs in ../shared/crds give it today.

    Conversions are cached in pytest's cache folder under a name that changes with
    convert.py, so a fresh checkout or a changed converter converts again (about 20 s).
    """
    if not SHARED_CRDS.is_dir():
        pytest.skip("../shared/crds is absent: the staleness check needs the upstream CRDs")
    converter = hashlib.sha256(Path(convert.__file__).read_bytes()).hexdigest()[:12]
    cache = getattr(pytestconfig, "cache", None)
    name = f"crd-bundle-{converter}"
    xdg = cache.mkdir(name) if cache is not None else tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(xdg))
        return bundle.build(SHARED_CRDS)


def test_bundled_schemas_are_up_to_date(rebuilt: dict[str, str]) -> None:
    shipped = {p.name: p.read_text(encoding="utf-8") for p in FOLDER.iterdir()}
    stale = sorted(n for n in rebuilt.keys() | shipped.keys() if rebuilt.get(n) != shipped.get(n))
    assert not stale, ("the bundled CRD schemas are stale: run `python -m "
                       f"codeflare_compile.validate.bundle ../shared/crds` ({stale})")


def test_sources_agree_with_the_upstream_readme() -> None:
    if not SHARED_CRDS.is_dir():
        pytest.skip("../shared/crds is absent: its README records the upstream versions")
    readme = (SHARED_CRDS / "README.md").read_text(encoding="utf-8")
    for name, source in bundle.SOURCES.items():
        (row,) = [line for line in readme.splitlines() if line.startswith(f"| `{name}` |")]
        assert source.repo in row and source.path in row, name
        assert source.tag in row and source.commit in row, name


def test_notice_names_every_source_and_its_license() -> None:
    notice = (FOLDER / "NOTICE").read_text(encoding="utf-8")
    for name, source in bundle.SOURCES.items():
        entry = notice.split(f"\n{name}\n", 1)[1].split("\n\n", 1)[0]
        assert f"https://github.com/{source.repo} {source.tag} (commit {source.commit})" in entry
        assert f"file {source.path}" in entry and "license Apache-2.0" in entry
    assert "Apache License, Version 2.0" in notice


def test_every_kind_the_compiler_emits_is_bundled() -> None:
    index = json.loads((FOLDER / "index.json").read_text(encoding="utf-8"))
    served = {(c["group"], v, c["kind"]) for c in index["crds"]
              for v, entry in c["versions"].items() if entry["served"] and entry["schema"]}
    emitted = {
        ("workload.codeflare.dev", "v1beta2", "AppWrapper"),
        ("workload.codeflare.dev", "v1beta1", "AppWrapper"),
        ("mcad.ibm.com", "v1beta1", "AppWrapper"),
        ("ray.io", "v1", "RayJob"), ("kubeflow.org", "v1", "PyTorchJob"),
        ("scheduling.x-k8s.io", "v1alpha1", "PodGroup"),
        ("scheduling.sigs.k8s.io", "v1alpha1", "PodGroup"),
        ("argoproj.io", "v1alpha1", "Workflow"),
        ("datashim.io", "v1alpha1", "Dataset"), ("com.ie.ibm.hpsys", "v1alpha1", "Dataset"),
        ("kueue.x-k8s.io", "v1beta2", "LocalQueue"), ("kueue.x-k8s.io", "v1beta2", "Workload"),
    }
    assert emitted <= served
    for file in FOLDER.glob("*.json"):  # structure only: no descriptions (a field may be named so)
        assert '"description":"' not in file.read_text(encoding="utf-8"), file.name


def test_custom_resources_are_validated_by_default() -> None:
    job = rayjob()
    job["spec"]["entrypointt"] = "a typo"
    job["spec"]["rayClusterSpec"]["workerGroupSpecs"][0]["replicas"] = "two"
    assert paths(validate_objects([job], kube_version=KUBE, crds=None)) == [
        "spec.entrypointt", "spec.rayClusterSpec.workerGroupSpecs[0].replicas"]


def test_unserved_version_names_the_bundled_source() -> None:
    job = rayjob()
    job["apiVersion"] = "ray.io/v2"
    (failure,) = validate_objects([job], kube_version=KUBE, crds=None)
    assert failure.path == "apiVersion"
    assert "bundled CRD (ray-project/kuberay v1.7.0, ray.io_rayjobs.yaml; served: v1, " \
           "v1alpha1); pass your cluster's CRD with --crds" in failure.message


_CLUSTER_RAYJOB_CRD = crd_yaml("ray.io", "RayJob", "rayjobs",
                               {"type": "object", "x-kubernetes-preserve-unknown-fields": True})


def test_given_crds_replace_the_bundled_one_for_their_kinds_only(tmp_path: Path) -> None:
    crd = tmp_path / "rayjobs.yaml"
    crd.write_text(_CLUSTER_RAYJOB_CRD)
    crds = load_crds([crd])
    job = rayjob()
    job["spec"]["entrypointt"] = "unknown to the bundled CRD, kept by this cluster's"
    assert validate_objects([job], kube_version=KUBE, crds=crds) == []
    alpha = rayjob()
    alpha["apiVersion"] = "ray.io/v1alpha1"  # bundled, but this cluster does not serve it
    (failure,) = validate_objects([alpha], kube_version=KUBE, crds=crds)
    assert "not served by the CRD in" in failure.message and "rayjobs.yaml" in failure.message
    group = {"apiVersion": "scheduling.x-k8s.io/v1alpha1", "kind": "PodGroup",
             "metadata": {"name": "g"}, "spec": {"minMember": 0}}  # no CRD given: bundled
    assert paths(validate_objects([group], kube_version=KUBE, crds=crds)) == ["spec.minMember"]


def test_the_readme_example_is_validated_without_crds(tmp_path: Path) -> None:
    out = run_cli("compile", str(REPO / "examples" / "ray-mnist"))
    assert out.exit_code == 0, out.stderr
    assert "kind: RayJob" in out.stdout


# ------------------------------------------------------------------------ shared subschemas


def _pod(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": ["image"], "properties": {
        "image": {"type": "string", "pattern": "^[a-z]+$"},
        "ports": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        "padding": {"type": "string", "enum": [f"value-{i}" for i in range(40)]},
        **(extra or {})}}


def test_repeated_subschemas_are_shared_and_mean_the_same() -> None:
    from jsonschema import Draft7Validator

    small = {"type": "string"}
    crd = {"type": "object", "properties": {
        "head": _pod(), "worker": {"type": "array", "items": _pod()},
        "a": small, "b": small, "other": _pod({"x": small})}}
    converted = convert.convert_schema(crd)
    assert converted["properties"]["head"] == {"$ref": "#/definitions/s1"}
    assert converted["properties"]["worker"]["items"] == {"$ref": "#/definitions/s1"}
    assert converted["properties"]["a"] == {"type": "string"}  # too small to share
    assert converted["properties"]["other"]["properties"]["x"] == {"type": "string"}
    assert list(converted["definitions"]) == ["s1"]
    inline = convert._convert(crd, structural=True)  # the conversion before sharing
    pod = {"image": "abc", "ports": [1], "padding": "value-3"}
    instances = [
        {"head": pod, "worker": [pod, pod]},
        {"head": {**pod, "typo": 1}},
        {"worker": [{"image": "ABC"}]},
        {"worker": [{"ports": [0]}]},
        {"other": {**pod, "x": 3}},
    ]
    for instance in instances:
        shared_errors = sorted(e.message for e in Draft7Validator(converted).iter_errors(instance))
        inline_errors = sorted(e.message for e in Draft7Validator(inline).iter_errors(instance))
        assert shared_errors == inline_errors, instance
