"""`codeflare-compile fn`, the KRM function, fed ResourceLists built as kustomize and kpt build
them: kustomize numbers the items and adds its id annotations (no file paths); kpt adds the path
and index of each item's file, in both the internal and the legacy annotation forms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, run_cli

EXAMPLE = REPO / "examples" / "ray-mnist"
DATASETS = REPO / "tests" / "golden" / "datasets-datashim" / "input"
TOOL_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/",
                 "kustomize.config.k8s.io/")
PASS_THROUGH = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "team-settings", "namespace": "ml-team"},
                "data": {"enabled": "yes", "retries": "010"}}


def documents(folder: Path, names: list[str]) -> list[tuple[str, int, dict[str, Any]]]:
    """(file, index in file, document) for each document of the given files."""
    found = []
    for name in names:
        for index, doc in enumerate(yaml.safe_load_all((folder / name).read_text())):
            found.append((name, index, doc))
    return found


def annotate(doc: dict[str, Any], annotations: dict[str, str]) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    doc.setdefault("metadata", {}).setdefault("annotations", {}).update(annotations)
    return doc


def kustomize_list(docs: list[dict[str, Any]], config: dict[str, Any] | None
                   ) -> dict[str, Any]:
    """As kustomize's fnplugin hands resources to a transformer (kyaml ids, no paths)."""
    items = []
    for i, doc in enumerate(docs):
        group, _, version = doc["apiVersion"].rpartition("/")
        resid = (f"group: {group}\n" if group else "") + \
            f"kind: {doc['kind']}\nname: {doc['metadata']['name']}\nversion: {version}\n"
        items.append(annotate(doc, {
            "kustomize.config.k8s.io/id": resid,
            "config.kubernetes.io/index": str(i), "internal.config.kubernetes.io/index": str(i),
            "internal.config.kubernetes.io/annotations-migration-resource-id": str(i),
            "internal.config.kubernetes.io/id": str(i + 1), "config.k8s.io/id": str(i + 1)}))
    result: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
                              "items": items}
    if config is not None:
        result["functionConfig"] = annotate(config, {
            "config.kubernetes.io/function": "exec:\n  path: ./codeflare-fn.sh\n",
            "config.kubernetes.io/local-config": "true"})
    return result


def kpt_list(docs: list[tuple[str, int, dict[str, Any]]], config: dict[str, Any] | None
             ) -> dict[str, Any]:
    """As `kpt fn eval`/`render` hands a package to a function (file path and index)."""
    items = [annotate(doc, {
        "config.kubernetes.io/index": str(index), "config.kubernetes.io/path": path,
        "internal.config.kubernetes.io/index": str(index),
        "internal.config.kubernetes.io/path": path,
        "internal.config.kubernetes.io/seqindent": "compact",
        "internal.config.kubernetes.io/annotations-migration-resource-id": str(n)})
        for n, (path, index, doc) in enumerate(docs)]
    result: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
                              "items": items}
    if config is not None:
        result["functionConfig"] = config
    return result


def fn(resource_list: dict[str, Any] | str, *args: str,
       as_json: bool = False) -> tuple[int, Any, str]:
    """Run `codeflare-compile fn` in a real process; the parsed output list and stderr."""
    if isinstance(resource_list, str):
        text = resource_list
    elif as_json:
        text = json.dumps(resource_list)
    else:
        text = yaml.safe_dump(resource_list, sort_keys=False)
    proc = subprocess.run([sys.executable, "-m", "codeflare_compile", "fn", *args], input=text,
                          capture_output=True, text=True, check=False, timeout=120,
                          cwd=REPO)
    parsed = None
    if proc.stdout:
        parsed = json.loads(proc.stdout) if as_json else yaml.safe_load(proc.stdout)
    return proc.returncode, parsed, proc.stderr


def without_tool_annotations(obj: dict[str, Any]) -> dict[str, Any]:
    obj = json.loads(json.dumps(obj))
    annotations = obj["metadata"].get("annotations", {})
    for key in [k for k in annotations if k.startswith(TOOL_PREFIXES)]:
        del annotations[key]
    if "annotations" in obj["metadata"] and not annotations:
        del obj["metadata"]["annotations"]
    return obj


def test_kustomize_transformer_with_a_platform_as_function_config() -> None:
    app, run, sizes = (d for _, _, d in documents(EXAMPLE, ["application.yaml", "run.yaml",
                                                            "sizes.yaml"]))
    platform = {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Platform",
                "metadata": {"name": "cluster"}, "spec": {"queueing": "kueue"}}
    request = kustomize_list([app, PASS_THROUGH, run, sizes], platform)
    code, response, stderr = fn(request)
    assert (code, stderr) == (0, "")
    assert response["apiVersion"] == "config.kubernetes.io/v1"
    assert response["kind"] == "ResourceList"
    assert "results" not in response
    items = response["items"]
    # the ConfigMap passes through untouched, in place; the Run is replaced by what it renders
    assert items[0] == request["items"][1]
    expected = list(yaml.safe_load_all(run_cli("compile", str(EXAMPLE), "--queueing",
                                               "kueue").stdout))
    assert items[1:] == expected
    assert [o["kind"] for o in items[1:]] == ["PodGroup", "RayJob"]
    for obj in items[1:]:  # kustomize's bookkeeping is not carried onto the rendered objects
        assert not any(k.startswith(TOOL_PREFIXES)
                       for k in obj["metadata"].get("annotations", {}))


def test_kpt_package_gets_the_out_dir_layout_as_paths(tmp_path: Path) -> None:
    docs = documents(DATASETS, ["data.yaml", "jobs.yaml"])
    docs.insert(2, ("settings.yaml", 0, PASS_THROUGH))
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "function-input", "annotations": {"config.kubernetes.io/local-config": "true"}},
        "data": {"datasets": "datashim", "kube-version": "1.31"}}
    request = kpt_list(docs, config)
    code, response, stderr = fn(request)
    assert (code, stderr) == (0, "")
    items = response["items"]
    assert items[0] == request["items"][2]  # the pass-through item, annotations and all
    rendered = items[1:]
    assert rendered[0]["kind"] == "Dataset"  # shared objects before the first Run's
    for obj in rendered:  # legacy and internal forms agree, as kpt requires
        annotations = obj["metadata"]["annotations"]
        assert annotations["config.kubernetes.io/path"] == \
            annotations["internal.config.kubernetes.io/path"]
        assert annotations["config.kubernetes.io/index"] == \
            annotations["internal.config.kubernetes.io/index"]
    by_path: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for obj in rendered:
        annotations = obj["metadata"]["annotations"]
        by_path.setdefault(annotations["internal.config.kubernetes.io/path"], []).append(
            (int(annotations["internal.config.kubernetes.io/index"]),
             without_tool_annotations(obj)))
    # file by file, index by index: what `kpt fn sink` writes is what --out-dir writes
    out = tmp_path / "rendered"
    assert run_cli("compile", str(DATASETS), "--kube-version", "1.31", "--out-dir",
                   str(out)).exit_code == 0
    written = {p.relative_to(out).as_posix(): list(yaml.safe_load_all(p.read_text()))
               for p in out.rglob("*.yaml")}
    assert sorted(by_path) == sorted(written) == [
        "default/_shared.yaml", "default/classify-full.yaml", "default/classify-smoke.yaml"]
    for path, objects in by_path.items():
        assert [i for i, _ in objects] == list(range(len(objects)))
        assert [o for _, o in objects] == written[path]
    assert response["functionConfig"] == config


def test_diagnostics_become_results_and_items_come_back_unchanged() -> None:
    docs = documents(EXAMPLE, ["application.yaml", "run.yaml", "sizes.yaml"])
    docs = [(f"jobs/{path}", index, doc) for path, index, doc in docs]
    docs[0][2]["spec"]["minSise"] = docs[0][2]["spec"].pop("minSize")
    docs[1][2]["spec"]["application"] = "mnist-rya"
    docs[2][2]["spec"]["config"]["md"]["cpu"] = "8x"
    request = kpt_list(docs, None)
    code, response, stderr = fn(request)
    assert code == 1
    assert response["items"] == request["items"]
    app_ref = {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Application",
               "name": "mnist-ray", "namespace": "ml-team"}
    assert response["results"] == [
        {"message": "unknown field 'minSise' in Application (help: did you mean 'minSize'?)",
         "severity": "error", "resourceRef": app_ref, "field": {"path": "spec.minSise"},
         "file": {"path": "jobs/application.yaml", "index": 0}, "tags": {"code": "CF201"}},
        {"message": "Run 'mnist-nightly' refers to Application 'mnist-rya', which does not "
                    "exist in namespace 'ml-team' (help: no Application in namespace 'ml-team' "
                    "is defined)",
         "severity": "error",
         "resourceRef": {**app_ref, "kind": "Run", "name": "mnist-nightly"},
         "field": {"path": "spec.application"},
         "file": {"path": "jobs/run.yaml", "index": 0}, "tags": {"code": "CF301"}},
        {"message": response["results"][2]["message"], "severity": "error",
         "resourceRef": {"apiVersion": "codeflare.dev/v1alpha1",  # cluster-scoped
                         "kind": "RunSizeConfiguration", "name": "ml-gpu-nodes"},
         "field": {"path": "spec.config.md.cpu"},
         "file": {"path": "jobs/sizes.yaml", "index": 0}, "tags": {"code": "CF205"}},
    ]
    assert stderr.splitlines()[:3] == [
        "jobs/application.yaml: error[CF201]: unknown field 'minSise' in Application",
        "  at: Application/mnist-ray, field spec.minSise",
        "  help: did you mean 'minSize'?",
    ]
    assert stderr.splitlines()[-1] == "3 errors"


def test_kustomize_items_without_paths_are_named_by_position() -> None:
    run = yaml.safe_load((EXAMPLE / "run.yaml").read_text())
    run["spec"]["size"] = "huge"
    code, response, stderr = fn(kustomize_list([run], None))
    assert code == 1
    (result,) = [r for r in response["results"] if r["tags"]["code"] == "CF203"]
    assert result["field"] == {"path": "spec.size"}
    assert "file" not in result
    assert result["resourceRef"]["name"] == "mnist-nightly"
    assert "items[0]: error[CF203]: invalid value 'huge' for 'spec.size'" in stderr


def test_warnings_are_results_and_the_output_is_rendered() -> None:
    docs = [d for _, _, d in documents(EXAMPLE, ["application.yaml", "run.yaml", "sizes.yaml"])]
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
              "data": {"queueing": "none"}}
    code, response, _ = fn(kustomize_list(docs, config))
    assert code == 0
    assert [o["kind"] for o in response["items"]] == ["PodGroup", "RayJob"]
    (warning,) = response["results"]
    assert (warning["severity"], warning["tags"]["code"]) == ("warning", "CF502")
    assert warning["field"] == {"path": "spec.queue"}


def test_json_in_json_out_and_a_second_pass_changes_nothing() -> None:
    docs = [d for _, _, d in documents(EXAMPLE, ["application.yaml", "run.yaml", "sizes.yaml"])]
    code, response, _ = fn(kustomize_list(docs, None), as_json=True)
    assert code == 0
    again_code, again, _ = fn(response, as_json=True)
    assert again_code == 0
    assert again["items"] == response["items"]  # rendered objects are not codeflare.dev input


def test_include_paths_supply_definitions() -> None:
    run = yaml.safe_load((EXAMPLE / "run.yaml").read_text())
    alone, response, _ = fn(kustomize_list([run], None))
    assert alone == 1
    code, response, stderr = fn(kustomize_list([run], None), "-I",
                                str(EXAMPLE / "application.yaml"), "-I",
                                str(EXAMPLE / "sizes.yaml"))
    assert (code, stderr) == (0, "")
    assert [o["kind"] for o in response["items"]] == ["PodGroup", "RayJob"]


@pytest.mark.parametrize(("text", "message"), [
    ("items: [\n", "standard input is not valid YAML"),
    ("apiVersion: v1\nkind: List\nitems: []\n", "expected kind ResourceList"),
    ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n"
     "  apiVersion: apps/v1\n  kind: Deployment\n", "functionConfig must be a codeflare.dev "
     "Platform or a v1 ConfigMap"),
    ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n"
     "  apiVersion: v1\n  kind: ConfigMap\n  data: {queueing: wrapped}\n",
     "functionConfig data key 'queueing': invalid value 'wrapped'"),
])
def test_unusable_input_is_a_usage_error(text: str, message: str) -> None:
    code, response, stderr = fn(text)
    assert code == 2
    assert response is None
    assert stderr.startswith(f"codeflare-compile: {message}")


def test_an_empty_list_passes_through() -> None:
    code, response, _ = fn({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
                            "items": [PASS_THROUGH]})
    assert code == 0
    assert response["items"] == [PASS_THROUGH]


def test_field_paths_quote_keys_with_dots() -> None:
    from codeflare_compile.krm import _field_path

    assert _field_path(("spec", "inputs", 0, "dataset")) == "spec.inputs[0].dataset"
    assert _field_path(("metadata", "labels", "codeflare.dev/run")) == \
        'metadata.labels["codeflare.dev/run"]'
