"""Build the CRD schemas shipped in the package (crd_schemas/) from the upstream CRD files.

`python -m codeflare_compile.validate.bundle DIR` reads the upstream CRDs in DIR (the project
keeps them in ../shared/crds), converts each with the same code as `--crds` (crds.py, convert.py:
structure kept, descriptions dropped) and rewrites crd_schemas/: one JSON Schema per served
version, `index.json` (group, kind, versions, source) and `NOTICE` (where each came from, under
which license). tests/test_bundled_crds.py fails when the shipped files are stale.

Not imported by the compiler: bundled.py reads what this module writes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .convert import CONVERTER_VERSION
from .core import cache_folder
from .crds import load_converted

#: Where the shipped files live (package data).
FOLDER = Path(__file__).parent / "crd_schemas"
INDEX = "index.json"
NOTICE = "NOTICE"


class Source(NamedTuple):
    """Where an upstream CRD file was taken from (as recorded in ../shared/crds/README.md)."""

    repo: str
    path: str
    tag: str
    commit: str
    license: str = "Apache-2.0"


#: Every upstream CRD file bundled, by file name in the CRD folder.
SOURCES: dict[str, Source] = {
    "argoproj.io_workflows.yaml": Source(
        "argoproj/argo-workflows", "manifests/base/crds/full/argoproj.io_workflows.yaml",
        "v4.1.2", "16a52d67daf2"),
    "com.ie.ibm.hpsys_datasets.yaml": Source(
        "datashim-io/datashim",
        "src/dataset-operator/chart/templates/crds/com.ie.ibm.hpsys_datasets_crd.yaml",
        "0.3.2", "24062e996151"),
    "datashim.io_datasets.yaml": Source(
        "datashim-io/datashim",
        "src/dataset-operator/chart/templates/crds/io.datashim_datasets_crd.yaml",
        "0.4.1", "8f50a01aaf83"),
    "kubeflow.org_pytorchjobs.yaml": Source(
        "kubeflow/training-operator", "manifests/base/crds/kubeflow.org_pytorchjobs.yaml",
        "v1.9.0", "6f74c7f6b2ed"),
    "kueue.x-k8s.io_clusterqueues.yaml": Source(
        "kubernetes-sigs/kueue",
        "config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml",
        "v0.19.2", "8eab68778fc1"),
    "kueue.x-k8s.io_localqueues.yaml": Source(
        "kubernetes-sigs/kueue",
        "config/components/crd/bases/kueue.x-k8s.io_localqueues.yaml",
        "v0.19.2", "8eab68778fc1"),
    "kueue.x-k8s.io_resourceflavors.yaml": Source(
        "kubernetes-sigs/kueue",
        "config/components/crd/bases/kueue.x-k8s.io_resourceflavors.yaml",
        "v0.19.2", "8eab68778fc1"),
    "kueue.x-k8s.io_workloads.yaml": Source(
        "kubernetes-sigs/kueue",
        "config/components/crd/bases/kueue.x-k8s.io_workloads.yaml",
        "v0.19.2", "8eab68778fc1"),
    "mcad.ibm.com_appwrappers.yaml": Source(
        "project-codeflare/multi-cluster-app-dispatcher",
        "config/crd/bases/mcad.ibm.com_appwrappers.yaml", "v1.34.0", "f05c6a8beb8f"),
    "ray.io_rayclusters.yaml": Source(
        "ray-project/kuberay", "ray-operator/config/crd/bases/ray.io_rayclusters.yaml",
        "v1.7.0", "59d663aeec13"),
    "ray.io_rayjobs.yaml": Source(
        "ray-project/kuberay", "ray-operator/config/crd/bases/ray.io_rayjobs.yaml",
        "v1.7.0", "59d663aeec13"),
    "ray.io_rayservices.yaml": Source(
        "ray-project/kuberay", "ray-operator/config/crd/bases/ray.io_rayservices.yaml",
        "v1.7.0", "59d663aeec13"),
    "scheduling.sigs.k8s.io_podgroups.yaml": Source(
        "kubernetes-sigs/scheduler-plugins",
        "config/crd/bases/scheduling.sigs.k8s.io_podgroups.yaml", "v0.24.9", "a64627b6d909"),
    "scheduling.x-k8s.io_podgroups.yaml": Source(
        "kubernetes-sigs/scheduler-plugins",
        "config/crd/bases/scheduling.x-k8s.io_podgroups.yaml", "v0.34.7", "8283b1452a3a"),
    "workload.codeflare.dev_appwrappers.v1beta1-mcad.yaml": Source(
        "project-codeflare/multi-cluster-app-dispatcher",
        "config/crd/bases/workload.codeflare.dev_appwrappers.yaml", "v1.40.0", "5b7ee85b759e"),
    "workload.codeflare.dev_appwrappers.yaml": Source(
        "project-codeflare/appwrapper", "config/crd/bases/workload.codeflare.dev_appwrappers.yaml",
        "v1.2.1", "b47a99ee8e28"),
}

#: Upstream CRD files deliberately left out, with the reason.
LEFT_OUT: dict[str, str] = {
    "argoproj.io_workflows.minimal.yaml": "the minimal Workflow CRD validates nothing "
                                          "(preserve-unknown-fields); the full one is bundled",
}


class StaleSources(Exception):
    """The CRD folder and SOURCES/LEFT_OUT disagree: a file was added or removed upstream."""


def build(crd_folder: Path) -> dict[str, str]:
    """The shipped files (name -> text) that the CRDs in `crd_folder` give."""
    found = sorted(p.name for p in crd_folder.glob("*.yaml"))
    unknown = sorted(set(found) - set(SOURCES) - set(LEFT_OUT))
    missing = sorted(set(SOURCES) - set(found))
    if unknown or missing:
        raise StaleSources(f"{crd_folder}: not in SOURCES or LEFT_OUT: {unknown or 'none'}; "
                           f"in SOURCES but absent: {missing or 'none'}")
    files: dict[str, str] = {}
    kinds: dict[tuple[str, str], dict[str, object]] = {}
    for name, source in sorted(SOURCES.items()):
        label = f"{source.repo} {source.tag}, {name}"
        for crd in load_converted(crd_folder / name, cache_folder("crd-schemas")):
            versions = kinds.setdefault((crd.group, crd.kind), {})
            for version, entry in sorted(crd.versions.items()):
                if version in versions:  # a cluster serves one schema per version
                    raise StaleSources(f"{crd.group}/{version} {crd.kind} is defined twice; "
                                       f"add one of its files to LEFT_OUT")
                file = None
                if entry.served and entry.schema is not None:
                    file = f"{crd.group}_{crd.kind.lower()}_{version}.json"
                    files[file] = _json(entry.schema)
                versions[version] = {"served": entry.served, "schema": file, "source": label}
    index = [{"group": group, "kind": kind, "versions": dict(sorted(versions.items()))}
             for (group, kind), versions in sorted(kinds.items())]
    files[INDEX] = _json({"converter": CONVERTER_VERSION, "crds": index})
    files[NOTICE] = _notice()
    return files


def _json(payload: object) -> str:
    return json.dumps(payload, separators=(",", ":")) + "\n"


def _notice() -> str:
    lines = [
        "codeflare-compile bundles JSON Schemas derived from the following upstream",
        "CustomResourceDefinitions. Each was converted by codeflare_compile/validate/convert.py:",
        "descriptions, defaults and examples removed; field names, types, enums, required",
        "fields, patterns and bounds kept; x-kubernetes-int-or-string,",
        "x-kubernetes-preserve-unknown-fields and x-kubernetes-list-type: set expressed in JSON",
        "Schema; repeated subschemas shared through $ref. The originals are licensed under the",
        "Apache License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0).",
        "",
    ]
    for name, source in sorted(SOURCES.items()):
        lines += [
            name,
            f"  from https://github.com/{source.repo} {source.tag} (commit {source.commit})",
            f"  file {source.path}",
            f"  license {source.license}",
            "",
        ]
    return "\n".join(lines)


def write(crd_folder: Path, folder: Path = FOLDER) -> list[str]:
    """Rewrite `folder` from `crd_folder`; the names of the files that changed."""
    files = build(crd_folder)
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for old in folder.iterdir():
        if old.name not in files:
            old.unlink()
            changed.append(old.name)
    for name, text in files.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return sorted(changed)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m codeflare_compile.validate.bundle CRD_FOLDER\n")
        return 2
    changed = write(Path(args[0]))
    sys.stdout.write("".join(f"rewrote {name}\n" for name in changed) or "up to date\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
