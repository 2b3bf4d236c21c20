"""Names from content: a changed Run gets new objects, an unchanged one keeps its names.

Every golden is rendered, then rendered again after one input field of its first Run changed
(`spec.env` gains a variable; a workqueue's first task changes too, in a second render). Matched
object for object, every workload and immutable object whose content changed has a new name,
the objects of the workload's unit (its PodGroup and Service, and everything inside a wrapper or
a workflow) share the workload's name, and every other name is unchanged (the `expose` Service
among them: clients find it by the Run's name). The same inputs
re-written elsewhere, under other file names and without their comments, give the same objects.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, run_cli

CASES = sorted([*REPO.glob("tests/golden/*/input"), *REPO.glob("archetypes/*/example/input")])
WORKLOADS = frozenset({"Job", "RayJob", "PyTorchJob", "AppWrapper", "Workflow"})
#: Objects that belong to one execution of the workload and carry its name.
COMPANIONS = frozenset({"PodGroup", "Service"})
#: The component of the one Service that keeps the Run's name (crosscut/expose.py).
EXPOSE = "expose"
HASHED = re.compile(r"-[0-9a-f]{10}$")

Docs = list[dict[str, Any]]


def _render(folder: Path, args: list[str]) -> Docs:
    outcome = run_cli("compile", str(folder), *args, "--format", "json")
    assert outcome.exit_code == 0, outcome.stderr
    items: Docs = json.loads(outcome.stdout)["items"]
    return items


def _args(case: Path) -> list[str]:
    args = case.parent / "args"
    return shlex.split(args.read_text()) if args.exists() else []


def _copy(case: Path, dest: Path, change: Callable[[dict[str, Any]], None] | None) -> Path:
    """The case's input re-written under `dest` (other file names, no comments), with `change`
    applied to its first Run."""
    changed = False
    for i, source in enumerate(sorted(case.rglob("*.yaml"))):
        docs = list(yaml.safe_load_all(source.read_text()))
        for doc in docs:
            if change is not None and not changed and doc and doc.get("kind") == "Run":
                change(doc)
                changed = True
        target = dest / f"moved-{i}" / f"renamed-{i}.yaml"
        target.parent.mkdir(parents=True)
        target.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    assert change is None or changed, "no Run to change"
    return dest


def _add_env(run: dict[str, Any]) -> None:
    run["spec"].setdefault("env", {})["CODEFLARE_PROBE"] = "changed"


def _change_first_task(run: dict[str, Any]) -> None:
    tasks = run["spec"]["tasks"]
    if isinstance(tasks, list):
        tasks[0] = f"{tasks[0]}-changed"
    else:
        tasks["sweep"]["max"] += 1


def _nested(obj: dict[str, Any]) -> Docs:
    """Objects the cluster creates from `obj`: wrapper components, workflow manifests."""
    spec = obj.get("spec", {})
    if obj["kind"] == "AppWrapper" and "components" in spec:
        return [c["template"] for c in spec["components"]]
    if obj["kind"] == "AppWrapper":
        return [i["generictemplate"] for i in spec["resources"]["GenericItems"]]
    if obj["kind"] == "Workflow":
        return [yaml.safe_load(t["resource"]["manifest"])
                for t in spec["templates"] if "resource" in t]
    return []


def _companion(obj: dict[str, Any]) -> bool:
    component = obj["metadata"].get("labels", {}).get("app.kubernetes.io/component")
    return obj["kind"] in COMPANIONS and component != EXPOSE


def _content(obj: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """What `obj` holds, its own name aside, as JSON; with `names`, the new render's names of
    the unit replaced by the old render's."""
    unnamed = {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "name"}}
    text = json.dumps(unnamed, sort_keys=True)
    for new, old in (names or {}).items():
        text = text.replace(new, old)
    return text


def _check(before: Docs, after: Docs) -> None:
    assert [(o["kind"], o["metadata"].get("namespace")) for o in before] == \
        [(o["kind"], o["metadata"].get("namespace")) for o in after]
    # The unit's own names, which change with its hash; a new name of a top-level immutable
    # object is a change of the workload that refers to it.
    names = {}
    for old, new in zip(before, after, strict=True):
        if old["kind"] in WORKLOADS or _companion(old):
            names[new["metadata"]["name"]] = old["metadata"]["name"]
            names.update((b["metadata"]["name"], a["metadata"]["name"])
                         for a, b in zip(_nested(old), _nested(new), strict=True))
    units = {}  # namespace → the workload's name, for its companions
    for old, new in zip(before, after, strict=True):
        if old["kind"] in WORKLOADS:
            units[old["metadata"]["namespace"], old["metadata"]["name"]] = new["metadata"]["name"]
    for old, new in zip(before, after, strict=True):
        kind, name, renamed = old["kind"], old["metadata"]["name"], new["metadata"]["name"]
        where = f"{kind} {name}"
        changed = _content(old) != _content(new, names)
        if kind in WORKLOADS or old.get("immutable") is True:
            assert HASHED.search(name), f"{where}: no content hash in its name"
            assert (renamed != name) == changed, \
                f"{where}: content {'changed' if changed else 'unchanged'}, now {renamed}"
            for inner_old, inner_new in zip(_nested(old), _nested(new), strict=True):
                digest = HASHED.search(renamed)
                assert digest is not None and inner_new["metadata"]["name"].endswith(digest[0]), \
                    f"{where}: {inner_new['kind']} inside does not carry the unit's hash"
                assert (inner_new["metadata"]["name"] != inner_old["metadata"]["name"]) == \
                    changed
        elif _companion(old):
            unit = units[old["metadata"]["namespace"], name]
            assert renamed == unit, f"{where}: not named like its workload ({unit})"
        else:
            assert renamed == name, f"{where} was renamed to {renamed}"


@pytest.fixture(params=CASES, ids=lambda p: str(p.parent.relative_to(REPO)))
def case(request: pytest.FixtureRequest) -> Path:
    return Path(request.param)


def test_changed_field_renames_exactly_what_changed(case: Path, tmp_path: Path) -> None:
    args = _args(case)
    before = _render(case, args)
    moved = _render(_copy(case, tmp_path / "same", None), args)
    assert moved == before, "the input's path, file names or comments changed the output"
    after = _render(_copy(case, tmp_path / "env", _add_env), args)
    assert any(a["metadata"]["name"] != b["metadata"]["name"]
               for a, b in zip(before, after, strict=True)), "nothing was renamed"
    _check(before, after)
    runs = [d for f in sorted(case.rglob("*.yaml")) for d in yaml.safe_load_all(f.read_text())
            if d and d.get("kind") == "Run"]
    if runs and "tasks" in runs[0]["spec"]:
        _check(before, _render(_copy(case, tmp_path / "tasks", _change_first_task), args))


def test_a_rerun_annotation_gives_new_names(tmp_path: Path) -> None:
    """The documented way to run an unchanged Run again: a new annotation value on the Run."""
    case = REPO / "archetypes" / "torch" / "example" / "input"

    def rerun(run: dict[str, Any]) -> None:
        run["metadata"].setdefault("annotations", {})["codeflare.dev/rerun"] = "2"

    before = _render(case, [])
    after = _render(_copy(case, tmp_path, rerun), [])
    _check(before, after)
    workloads = [(a, b) for a, b in zip(before, after, strict=True) if a["kind"] in WORKLOADS]
    assert workloads and all(a["metadata"]["name"] != b["metadata"]["name"]
                             for a, b in workloads)
