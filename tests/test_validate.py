"""Output validation: core schemas, CRD schemas, wrapper recursion and the extra rules."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeflare_compile import validate
from codeflare_compile.validate import (
    CrdLoadError,
    CrdSet,
    UnsupportedKubeVersion,
    ValidationFailure,
    load_crds,
    validate_objects,
)
from codeflare_compile.validate import crds as crds_module
from codeflare_compile.validate.convert import convert_schema

KUBE = "1.33"
QUANTITY_PATTERN = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE])?$"


# ------------------------------------------------------------------------------ builders


def _container(name: str) -> dict[str, Any]:
    quantities = {"cpu": "1", "memory": "4Gi"}
    return {
        "name": name,
        "image": "rayproject/ray:2.52.0",
        "resources": {"requests": dict(quantities), "limits": dict(quantities)},
    }


def _worker_group(name: str = "workers") -> dict[str, Any]:
    return {
        "groupName": name,
        "replicas": 2,
        "minReplicas": 2,
        "maxReplicas": 2,
        "rayStartParams": {},
        "template": {"spec": {"containers": [_container("ray-worker")]}},
    }


def rayjob(name: str = "train", namespace: str | None = "team-a") -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": {"kueue.x-k8s.io/queue-name": "user-queue"}}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": metadata,
        "spec": {
            "entrypoint": "python /work/main.py",
            "shutdownAfterJobFinishes": True,
            "ttlSecondsAfterFinished": 60,
            "rayClusterSpec": {
                "rayVersion": "2.52.0",
                "headGroupSpec": {
                    "rayStartParams": {"dashboard-host": "0.0.0.0", "num-cpus": "0"},
                    "template": {"spec": {"containers": [_container("ray-head")]}},
                },
                "workerGroupSpecs": [_worker_group()],
            },
        },
    }


def appwrapper(*templates: dict[str, Any], name: str = "train") -> dict[str, Any]:
    inner = []
    for template in templates:
        template = copy.deepcopy(template)
        template["metadata"].pop("namespace", None)
        template["metadata"].get("labels", {}).pop("kueue.x-k8s.io/queue-name", None)
        inner.append({"template": template})
    return {
        "apiVersion": "workload.codeflare.dev/v1beta2",
        "kind": "AppWrapper",
        "metadata": {
            "name": name,
            "namespace": "team-a",
            "labels": {"kueue.x-k8s.io/queue-name": "user-queue"},
        },
        "spec": {"components": inner},
    }


def batch_job(name: str = "prep") -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": "team-a"},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "busybox", "command": ["true"]}],
                }
            },
        },
    }


def run(objects: list[dict[str, Any]], crds: CrdSet | None = None) -> list[ValidationFailure]:
    return validate_objects(objects, kube_version=KUBE, crds=crds)


def paths(failures: list[ValidationFailure]) -> list[str]:
    return [f.path for f in failures]


# ------------------------------------------------------------------------- custom resources


def test_valid_rayjob_passes() -> None:
    assert run([rayjob()]) == []


def test_typo_field_is_reported_at_its_path() -> None:
    job = rayjob()
    job["spec"]["entrypointt"] = job["spec"].pop("entrypoint")
    failures = run([job])
    assert failures == [
        ValidationFailure(
            "RayJob team-a/train",
            "spec.entrypointt",
            "Additional properties are not allowed ('entrypointt' was unexpected)",
        )
    ]


@pytest.mark.parametrize(("cpu", "message"), [(0.5, "is a float"), ("4 GB", "not a Kubernetes")])
def test_bad_quantity_fails_once(cpu: object, message: str) -> None:
    job = rayjob()
    head = job["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    head["resources"]["requests"]["cpu"] = cpu
    failures = run([job])
    assert paths(failures) == [
        "spec.rayClusterSpec.headGroupSpec.template.spec.containers[0].resources.requests.cpu"
    ]
    assert message in failures[0].message


def test_missing_head_group_fails() -> None:
    job = rayjob()
    del job["spec"]["rayClusterSpec"]["headGroupSpec"]
    failures = run([job])
    assert [(f.path, f.message) for f in failures] == [
        ("spec.rayClusterSpec", "'headGroupSpec' is a required property")
    ]


def test_schema_errors_are_all_reported_sorted() -> None:
    job = rayjob()
    cluster = job["spec"]["rayClusterSpec"]
    cluster["workerGroupSpecs"] = [_worker_group(f"g{i}") for i in range(11)]
    cluster["workerGroupSpecs"][10]["replicas"] = "two"
    cluster["workerGroupSpecs"][2]["maxReplicas"] = "many"
    cluster["headGroupSpec"]["rayStartParams"]["num-gpus"] = 0
    job["metadata"]["lables"] = {}  # CR metadata is checked against ObjectMeta
    assert paths(run([job])) == [
        "metadata.lables",
        "spec.rayClusterSpec.headGroupSpec.rayStartParams.num-gpus",
        "spec.rayClusterSpec.workerGroupSpecs[2].maxReplicas",
        "spec.rayClusterSpec.workerGroupSpecs[10].replicas",
    ]


def test_integer_field_rejects_integral_float() -> None:
    job = rayjob()
    job["spec"]["ttlSecondsAfterFinished"] = 60.0
    assert paths(run([job])) == ["spec.ttlSecondsAfterFinished"]


def test_podgroup_validates() -> None:
    group: dict[str, Any] = {
        "apiVersion": "scheduling.x-k8s.io/v1alpha1",
        "kind": "PodGroup",
        "metadata": {"name": "train", "namespace": "team-a"},
        "spec": {"minMember": 3, "minResources": {"cpu": "3", "memory": "12Gi"}},
    }
    assert run([group]) == []
    group["spec"]["minMember"] = 0
    assert [(f.path, f.message) for f in run([group])] == [
        ("spec.minMember", "0 is less than the minimum of 1")
    ]


def test_unserved_crd_version_fails() -> None:
    job = rayjob()
    job["apiVersion"] = "ray.io/v2"
    failures = run([job])
    assert paths(failures) == ["apiVersion"]
    assert "served: v1, v1alpha1" in failures[0].message


def test_custom_resource_without_crd_is_skipped() -> None:
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"anything": [1, 2.5, {"goes": None}]},
    }
    assert run([widget]) == []


# ------------------------------------------------------------------------------- wrappers


def test_appwrapper_reports_wrapped_error_under_component_path() -> None:
    job = rayjob()
    job["spec"]["entrypointt"] = "typo"
    job["spec"]["rayClusterSpec"]["workerGroupSpecs"][0].pop("groupName")
    wrapper = appwrapper(batch_job(), job)
    assert run([appwrapper(batch_job(), rayjob())]) == []
    failures = run([wrapper])
    subject = "AppWrapper team-a/train \u203a components[1].template (RayJob team-a/train)"
    assert [(f.subject, f.path) for f in failures] == [
        (subject, "spec.components[1].template.spec.entrypointt"),
        (subject, "spec.components[1].template.spec.rayClusterSpec.workerGroupSpecs[0]"),
    ]


@pytest.mark.parametrize("api_version", ["workload.codeflare.dev/v1beta1", "mcad.ibm.com/v1beta1"])
def test_mcad_generic_items_are_validated(api_version: str) -> None:
    job = batch_job()
    job["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    wrapper = {
        "apiVersion": api_version,
        "kind": "AppWrapper",
        "metadata": {"name": "prep", "namespace": "team-a"},
        "spec": {"resources": {"GenericItems": [{"replicas": 1, "generictemplate": job}]}},
    }
    failures = run([wrapper])
    assert [(f.subject, f.path) for f in failures] == [
        (
            "AppWrapper team-a/prep \u203a resources.GenericItems[0].generictemplate"
            " (Job team-a/prep)",
            "spec.resources.GenericItems[0].generictemplate.spec.template.spec.containers[0]"
            ".imagePullPolicyy",
        )
    ]


def test_appwrapper_podspec_count() -> None:
    job = rayjob()
    job["spec"]["rayClusterSpec"]["workerGroupSpecs"] = [_worker_group(f"g{i}") for i in range(7)]
    assert run([appwrapper(job)]) == []  # head + 7 = 8
    job["spec"]["rayClusterSpec"]["workerGroupSpecs"].append(_worker_group("g7"))
    failures = run([appwrapper(job)])
    assert paths(failures) == ["spec.components"]
    assert "9 podspecs" in failures[0].message
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "svc"},
        "spec": {"ports": [{"port": 80}]},
    }
    assert "0 podspecs" in run([appwrapper(service)])[0].message


def test_appwrapper_declared_podsets_and_namespace() -> None:
    wrapper = appwrapper(rayjob())
    component = wrapper["spec"]["components"][0]
    component["template"]["metadata"]["namespace"] = "team-b"
    component["podSets"] = [
        {"path": "template.spec.rayClusterSpec.headGroupSpec.template", "replicas": 1},
        {"path": "template.spec.rayClusterSpec.workerGroupSpecs[3].template", "replicas": 2},
    ]
    assert paths(run([wrapper])) == [
        "spec.components[0].podSets",
        "spec.components[0].podSets[1].path",
        "spec.components[0].template.metadata.namespace",
    ]


def test_nested_appwrapper_is_rejected() -> None:
    inner = appwrapper(rayjob(), name="inner")
    failures = run([appwrapper(inner)])
    assert [f.path for f in failures if "wrapped in another AppWrapper" in f.message] == [
        "spec.components[0].template"
    ]


# ---------------------------------------------------------------------------- core kinds


def test_core_job_unknown_field_fails_and_service_passes() -> None:
    job = batch_job()
    job["spec"]["backofLimit"] = 3
    assert paths(run([job], None)) == ["spec.backofLimit"]
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "ray-head", "namespace": "team-a", "labels": {"app": "ray"}},
        "spec": {"selector": {"app": "ray"}, "ports": [{"name": "gcs", "port": 6379}]},
    }
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    assert run([service, config, batch_job()], None) == []


@pytest.mark.parametrize("cpu", [0.5, "4 GB", "1.5.0"])
def test_core_bad_quantity_fails_although_the_schema_allows_it(cpu: object) -> None:
    job = batch_job()
    container = job["spec"]["template"]["spec"]["containers"][0]
    container["resources"] = {"limits": {"cpu": cpu}, "requests": {"cpu": "500m", "memory": 2}}
    assert paths(run([job], None)) == ["spec.template.spec.containers[0].resources.limits.cpu"]


def test_kind_unknown_to_the_kubernetes_version_fails() -> None:
    cronjob = {
        "apiVersion": "batch/v1beta1",  # removed in 1.25
        "kind": "CronJob",
        "metadata": {"name": "nightly"},
        "spec": {},
    }
    failures = run([cronjob], None)
    assert [(f.path, f.message) for f in failures] == [
        ("apiVersion", "Kubernetes 1.33 has no kind CronJob in batch/v1beta1")
    ]
    assert paths(run([{"kind": "Pod", "metadata": {"name": "p"}}], None)) == ["apiVersion"]


@pytest.mark.parametrize("version", ["1.24", "1.9", "1.38", "2.0", "latest", ""])
def test_unsupported_kube_version_raises(version: str) -> None:
    with pytest.raises(UnsupportedKubeVersion, match=r"supported versions: 1\.25 to"):
        validate_objects([batch_job()], kube_version=version, crds=None)


def test_kube_versions() -> None:
    versions = validate.supported_kube_versions()
    assert versions[0] == "1.25"
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
    assert validate.default_kube_version() == versions[-1]
    for spelled in ("1.33", "v1.33.2", "1.33.0"):
        assert validate_objects([batch_job()], kube_version=spelled, crds=None) == []


# --------------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a" * 48, "must be at most 47 characters, has 48"),
        ("1train", "must be a DNS-1035 label"),
        ("Train", "must be a DNS-1035 label"),
        ("train.v2", "must be a DNS-1035 label"),
    ],
)
def test_rayjob_name_rules(name: str, message: str) -> None:
    failures = run([rayjob(name)], None)
    assert paths(failures) == ["metadata.name"]
    assert message in failures[0].message


def test_name_rules_per_kind() -> None:
    assert run([rayjob("a" * 47)], None) == []
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1svc"}, "spec": {}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "1.config"}}
    unnamed = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
    failures = run([service, config, unnamed], None)
    assert [(f.subject, f.path) for f in failures] == [
        ("Service 1svc", "metadata.name"),
        ("ConfigMap <unnamed>", "metadata.name"),
    ]


def test_label_syntax() -> None:
    job = batch_job()
    job["metadata"]["labels"] = {
        "ok.example.com/name": "v-1.2_3",
        "bad key": "x",
        "/empty-prefix": "x",
        "value": "-leading-dash",
        "long": "x" * 64,
    }
    job["spec"]["template"]["metadata"] = {"labels": {"app": "a b"}}
    assert paths(run([job], None)) == [
        "metadata.labels./empty-prefix",
        'metadata.labels["bad key"]',
        "metadata.labels.long",
        "metadata.labels.value",
        "spec.template.metadata.labels.app",
    ]


def test_kueue_and_kuberay_rules() -> None:
    job = rayjob()
    job["spec"]["shutdownAfterJobFinishes"] = False
    job["spec"]["rayClusterSpec"]["workerGroupSpecs"][0]["groupName"] = "head"
    assert paths(run([job], None)) == [
        "spec.rayClusterSpec.workerGroupSpecs[0].groupName",
        "spec.shutdownAfterJobFinishes",
    ]
    del job["metadata"]["labels"]  # not Kueue-managed: shutdown is the user's choice
    assert paths(run([job], None)) == ["spec.rayClusterSpec.workerGroupSpecs[0].groupName"]


def test_rules_apply_inside_wrappers() -> None:
    inner = rayjob("x" * 48)
    failures = run([appwrapper(inner)], None)
    assert paths(failures) == ["spec.components[0].template.metadata.name"]


# ---------------------------------------------------------------------------- CRD loading

def crd_yaml(group: str, kind: str, plural: str, spec: dict[str, Any]) -> str:
    """A namespaced CustomResourceDefinition serving `<group>/v1`, `spec` the schema of its
    objects' spec."""
    return yaml.safe_dump({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {"group": group, "names": {"kind": kind, "plural": plural},
                 "scope": "Namespaced",
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                     "openAPIV3Schema": {"type": "object", "properties": {
                         "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                         "metadata": {"type": "object"}, "spec": spec}}}}]}},
        sort_keys=False)


_TINY_CRD = crd_yaml("example.com", "Widget", "widgets", {
    "type": "object", "required": ["size"],
    "properties": {"size": {"x-kubernetes-int-or-string": True,
                            "anyOf": [{"type": "integer"}, {"type": "string"}],
                            "pattern": "^[0-9]+Gi$"}}})


def _widget(size: object) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": size},
    }


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty disk cache and an empty in-process cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(crds_module, "_MEMORY", {})
    return tmp_path / "xdg" / "codeflare-compile" / "crd-schemas"


def test_tiny_crd_and_disk_cache(
    tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crd_file = tmp_path / "widgets.yaml"
    crd_file.write_text("# a comment\n---\n" + _TINY_CRD + "---\napiVersion: v1\nkind: Namespace\n")
    crds = load_crds([crd_file])
    assert crds.kinds() == [("example.com", "Widget")]
    assert run([_widget("4Gi"), _widget(4)], crds) == []
    assert paths(run([_widget("4 GB"), _widget(2.5), _widget(None)], crds)) == ["spec.size"] * 3
    (cached,) = private_cache.glob("*.json")
    assert json.loads(cached.read_text())["crds"][0]["kind"] == "Widget"

    def no_parse(path: Path, data: bytes) -> None:
        raise AssertionError("should have come from the disk cache")

    monkeypatch.setattr(crds_module, "_MEMORY", {})
    monkeypatch.setattr(crds_module, "_convert_file", no_parse)
    assert paths(run([_widget("4 GB")], load_crds([crd_file]))) == ["spec.size"]


def test_unwritable_cache_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    crd_file = tmp_path / "widgets.yaml"
    crd_file.write_text(_TINY_CRD)
    assert paths(run([_widget("x")], load_crds([crd_file]))) == ["spec.size"]


def test_crds_in_flow_style_or_lists_are_parsed(tmp_path: Path, private_cache: Path) -> None:
    import yaml

    document = yaml.safe_load(_TINY_CRD)
    (tmp_path / "flow.yml").write_text(json.dumps(document))
    (tmp_path / "sub").mkdir()
    listed = {"apiVersion": "v1", "kind": "List", "items": [document]}
    (tmp_path / "sub" / "list.yaml").write_text(yaml.safe_dump(listed))
    (tmp_path / "kustomization.yaml").write_text("# CustomResourceDefinitions\nresources: []\n")
    crds = load_crds([tmp_path])
    assert [p.name for p in crds.files] == ["flow.yml", "list.yaml"]
    assert paths(run([_widget("x")], crds)) == ["spec.size"]


def test_crd_load_errors_name_the_file(tmp_path: Path, private_cache: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(CrdLoadError, match=r"missing\.yaml"):
        load_crds([missing])
    not_crd = tmp_path / "deployment.yaml"
    not_crd.write_text("apiVersion: apps/v1\nkind: Deployment\n")
    with pytest.raises(CrdLoadError, match=r"deployment\.yaml: no CustomResourceDefinition"):
        load_crds([not_crd])
    broken = tmp_path / "broken.yaml"
    broken.write_text(_TINY_CRD + "  extra: [unclosed\n")
    crds = load_crds([broken])  # indexed by the line scan; parsed only when needed
    with pytest.raises(CrdLoadError, match=r"broken\.yaml: not valid YAML"):
        run([_widget("4Gi")], crds)


def test_later_crd_file_wins(tmp_path: Path, private_cache: Path) -> None:
    (tmp_path / "a.yaml").write_text(_TINY_CRD)
    (tmp_path / "b.yaml").write_text(_TINY_CRD.replace("^[0-9]+Gi$", "^[0-9]+$"))
    crds = load_crds([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    assert run([_widget("4")], crds) == []
    assert paths(run([_widget("4Gi")], crds)) == ["spec.size"]


# ----------------------------------------------------------------------------- conversion


def test_conversion_rules() -> None:
    schema = {
        "type": "object",
        "description": "dropped",
        "properties": {
            "size": {
                "x-kubernetes-int-or-string": True,
                "anyOf": [{"type": "integer"}, {"type": "string"}],
                "pattern": QUANTITY_PATTERN,
            },
            "maybe": {"type": "string", "nullable": True, "enum": ["a"]},
            "count": {"type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": True},
            "opaque": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {"a": {"type": "string"}},
            },
            "either": {"anyOf": [{"properties": {"a": {"type": "string"}}}]},
            "description": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        },
    }
    converted = convert_schema(schema)
    props = converted["properties"]
    assert converted["additionalProperties"] is False
    assert "description" not in converted and "description" in props
    assert props["size"] == {"type": ["integer", "string"], "pattern": QUANTITY_PATTERN}
    assert props["maybe"] == {"type": ["string", "null"], "enum": ["a", None]}
    assert props["count"] == {"type": "integer", "exclusiveMinimum": 0}
    assert "additionalProperties" not in props["opaque"]
    assert "additionalProperties" not in props["either"]["anyOf"][0]
    assert props["tags"] == {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
