"""Datasets backend: how the Run's resolved inputs reach its pods (SPEC §3, targets §6).

`datashim`: one Datashim `Dataset` per DataSet (a shared object, in the Run's namespace) and the
pod labels `dataset.<i>.id` / `dataset.<i>.useas` that Datashim's webhook turns into mounts or
environment; `pvc` DataSets are mounted directly, as Datashim has no type for an existing claim.
`native`: `persistentVolumeClaim` and `nfs` volumes at `mountPath`, s3 `useAs: env` as
environment from the referenced Secret; an s3 mount cannot be done natively.
"""

from __future__ import annotations

from typing import Any

from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Lowered, ResolvedInput, Target
from codeflare_compile.lower import pods
from codeflare_compile.podlayout import dataset_mount_path, env_prefix
from codeflare_compile.problems.targets import (
    datashim_mount_path,
    nfs_under_restricted,
    s3_native_mount,
)


def dataset_mounts(lowered: Lowered, target: Target, diags: Diagnostics) -> Lowered:
    indexes: dict[str, int] = {}  # Datashim: DataSet name → its label index
    for i, item in enumerate(lowered.plan.inputs):
        spec = item.dataset.model.spec
        if spec.pvc is not None:
            _mount(lowered, i, {"persistentVolumeClaim": {
                "claimName": spec.pvc.claim_name, "readOnly": spec.read_only}}, item)
        elif target.datasets == "datashim":
            fixed = dataset_mount_path(item.dataset.name)
            if item.use_as == "mount" and item.mount_path != fixed:
                diags.add(datashim_mount_path(item.dataset.name, fixed, item.mount_path,
                                              item.span))
                continue
            _datashim_labels(lowered, item, target, indexes)
        elif spec.nfs is not None and target.pod_security == "restricted":
            # restricted allows only configMap, csi, downwardAPI, emptyDir, ephemeral,
            # persistentVolumeClaim, projected and secret volumes (Pod Security Standards)
            diags.add(nfs_under_restricted(item.dataset.name, item.span))
        elif spec.nfs is not None:
            _mount(lowered, i, {"nfs": {"server": spec.nfs.server, "path": spec.nfs.path,
                                        "readOnly": spec.read_only}}, item)
        elif item.use_as == "env":
            _s3_env(lowered, item)
        else:
            diags.add(s3_native_mount(item.dataset.name, item.span))
    return lowered


def _datashim_labels(lowered: Lowered, item: ResolvedInput, target: Target,
                     indexes: dict[str, int]) -> None:
    """`dataset.<i>.id` and `dataset.<i>.useas` on every pod template, one index per DataSet.

    Datashim's webhook refuses a pod naming one Dataset under two indexes, and splits `useas`
    on `.`, so a DataSet both mounted and read as environment is `useas: mount.configmap`
    (datashim src/dataset-operator/admissioncontroller/mutatingwebhook.go, DatasetInputFromPod).
    """
    name = item.dataset.name
    use = "mount" if item.use_as == "mount" else "configmap"
    index = indexes.get(name)
    if index is None:
        index = indexes[name] = len(indexes)
        lowered.shared.append(_datashim_dataset(lowered, item, target))
    for template in lowered.templates():
        labels = template.labels
        labels[f"dataset.{index}.id"] = name
        before = labels.get(f"dataset.{index}.useas")
        labels[f"dataset.{index}.useas"] = f"{before}.{use}" if before else use


def _mount(lowered: Lowered, i: int, source: dict[str, Any], item: ResolvedInput) -> None:
    name = f"data-{i}"
    read_only = item.dataset.model.spec.read_only
    for template in lowered.templates():
        template.add_volume({"name": name, **source})
        template.add_mount({"name": name, "mountPath": item.mount_path, "readOnly": read_only})


def _s3_env(lowered: Lowered, item: ResolvedInput) -> None:
    s3 = item.dataset.model.spec.s3
    assert s3 is not None
    prefix = env_prefix(item.dataset.name)
    env: list[dict[str, Any]] = [
        {"name": f"{prefix}_{key}", "value": value}
        for key, value in (("ENDPOINT", s3.endpoint), ("BUCKET", s3.bucket),
                           ("PREFIX", s3.prefix), ("REGION", s3.region))
        if value is not None
    ]
    if s3.secret_ref is not None:
        env += [{"name": f"{prefix}_{var}", "valueFrom": {"secretKeyRef": {
            "name": s3.secret_ref.name, "key": key}}}
            for var, key in (("ACCESS_KEY_ID", "accessKeyID"),
                             ("SECRET_ACCESS_KEY", "secretAccessKey"))]
    for template in lowered.templates():
        template.add_env(*env)


def _datashim_dataset(lowered: Lowered, item: ResolvedInput, target: Target) -> dict[str, Any]:
    spec = item.dataset.model.spec
    local: dict[str, str]
    if spec.s3 is not None:
        # Datashim reads a prefix only as `bucket: <bucket>/<prefix>` (strings.Cut on the first
        # "/": datashim src/dataset-operator/controllers/datasetinternal_controller.go,
        # processLocalDatasetCOS, since 0.3.2; docs/user-guide.md "bucket subpaths"); it never
        # reads `local.folder`, so a folder key would mount the whole bucket.
        bucket = spec.s3.bucket
        if spec.s3.prefix and spec.s3.prefix.strip("/"):
            bucket = f"{bucket}/{spec.s3.prefix.strip('/')}"
        local = {"type": "COS", "bucket": bucket, "endpoint": spec.s3.endpoint}
        if spec.s3.secret_ref is not None:
            local["secret-name"] = spec.s3.secret_ref.name
            local["secret-namespace"] = lowered.plan.namespace
        if spec.s3.region:
            local["region"] = spec.s3.region
    else:
        assert spec.nfs is not None
        local = {"type": "NFS", "server": spec.nfs.server, "share": spec.nfs.path}
    local["readonly"] = "true" if spec.read_only else "false"
    plan = lowered.plan
    meta = {"name": item.dataset.name, "namespace": plan.namespace,
            "labels": {**item.dataset.model.metadata.labels,
                       "app.kubernetes.io/managed-by": pods.MANAGED_BY,
                       "app.kubernetes.io/component": "dataset"}}
    return {"apiVersion": f"{target.datashim_group}/v1alpha1", "kind": "Dataset",
            "metadata": meta, "spec": {"local": local}}
