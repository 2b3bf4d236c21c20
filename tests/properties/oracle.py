"""What SPEC §2 says each Run's pods get, recomputed from the input documents alone.

Deliberately independent of `codeflare_compile.passes.sizing`: the built-in table, the size
rules (Run size, else the Platform's defaultSize, else xs; raised to the Application's minSize),
the choice of configuration (applicable ones, lowest priority wins) and the worker and GPU rules
are written out again here from the SPEC text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.properties.strategies import ResourceSet

SIZES = ("xxs", "xs", "sm", "md", "lg", "xl", "xxl")
#: SPEC §2, the built-in default (priority 100): size → (workers, cpu, memory, gpu).
BUILT_IN: dict[str, tuple[int, str, str, int]] = {
    "xxs": (1, "500m", "1536Mi", 0),
    "xs": (1, "1", "4Gi", 1),
    "sm": (2, "1", "8Gi", 1),
    "md": (4, "2", "16Gi", 1),
    "lg": (8, "4", "32Gi", 1),
    "xl": (20, "4", "48Gi", 1),
    "xxl": (40, "8", "64Gi", 1),
}

Doc = dict[str, Any]


@dataclass(frozen=True)
class Expected:
    """One Run (or one step of a workflow Run) and what its pods must get."""

    namespace: str
    run: str
    step: str | None
    archetype: str
    size: str
    cpu: str
    memory: str
    gpu: int
    workers: int
    tasks: int | None  # workqueue: how many tasks

    def resources(self) -> dict[str, dict[str, str]]:
        amounts = {"cpu": self.cpu, "memory": self.memory}
        if self.gpu > 0:
            amounts["nvidia.com/gpu"] = str(self.gpu)
        return {"requests": dict(amounts), "limits": dict(amounts)}


class _World:
    def __init__(self, rs: ResourceSet) -> None:
        platform = rs.platform
        self.pspec: Doc = (platform or {}).get("spec", {})
        self.default_ns: str = self.pspec.get("defaultNamespace", "default")
        self.apps = {(self.ns(d), d["metadata"]["name"]): d for d in rs.of_kind("Application")}
        self.configs = rs.of_kind("RunSizeConfiguration")

    def ns(self, doc: Doc) -> str:
        namespace: str = doc["metadata"].get("namespace", self.default_ns)
        return namespace

    def app_of(self, run: Doc) -> Doc:
        ref = run["spec"]["application"]
        if isinstance(ref, str):
            return self.apps[(self.ns(run), ref)]
        return self.apps[(ref.get("namespace", self.ns(run)), ref["name"])]

    def chosen(self, namespace: str) -> Doc | None:
        applicable = [c for c in self.configs
                      if "namespaces" not in c["spec"] or namespace in c["spec"]["namespaces"]]
        if not applicable:
            return None
        return min(applicable, key=lambda c: c["spec"].get("priority", 1))

    def size(self, requested: str | None, app: Doc) -> str:
        size = requested or self.pspec.get("defaultSize") or "xs"
        minimum = app["spec"].get("minSize")
        if minimum and SIZES.index(minimum) > SIZES.index(size):
            size = minimum
        return size


def _plans(world: _World, rs: ResourceSet) -> Iterator[tuple[Doc, Doc, Doc | None]]:
    """(run, application, step) for every Run and every step of a workflow Run."""
    for run in rs.of_kind("Run"):
        app = world.app_of(run)
        if app["spec"]["api"] != "workflow":
            yield run, app, None
            continue
        app_ns = world.ns(app)
        for step in app["spec"]["steps"]:
            yield run, world.apps[(app_ns, step["application"])], step


def _requested(run: Doc, step: Doc | None) -> str | None:
    if step is not None and "size" in step:
        size: str = step["size"]
        return size
    return run["spec"].get("size")


def needed_sizes(rs: ResourceSet) -> list[tuple[Doc, str]]:
    """(configuration, size) pairs where the configuration that applies lacks the size."""
    world = _World(rs)
    out = []
    for run, app, step in _plans(world, rs):
        config = world.chosen(world.ns(run))
        size = world.size(_requested(run, step), app)
        if config is not None and size not in config["spec"]["config"]:
            out.append((config, size))
    return out


def expected(rs: ResourceSet) -> list[Expected]:
    world = _World(rs)
    out = []
    for run, app, step in _plans(world, rs):
        namespace = world.ns(run)
        size = world.size(_requested(run, step), app)
        config = world.chosen(namespace)
        if config is None:
            workers, cpu, memory, gpu = BUILT_IN[size]
        else:
            physical = config["spec"]["config"][size]
            workers, cpu, memory = physical["workers"], physical["cpu"], physical["memory"]
            gpu = physical.get("gpu", 0)
        if step is None and "workers" in run["spec"]:
            workers = run["spec"]["workers"]
        both = app["spec"].get("supportsGpu", False) and run["spec"].get("supportsGpu", False)
        tasks = None
        if app["spec"]["api"] == "workqueue":
            listed = run["spec"].get("tasks") if step is None else None
            tasks = task_count(listed if listed is not None else app["spec"]["tasks"])
        out.append(Expected(namespace, run["metadata"]["name"], step and step["name"],
                            app["spec"]["api"], size, str(cpu), str(memory),
                            gpu if both else 0, workers, tasks))
    return out


def task_count(tasks: Any) -> int:
    if isinstance(tasks, list):
        return len(tasks)
    sweep = tasks["sweep"]
    low, high = Fraction(sweep["min"]), Fraction(sweep["max"])
    step = Fraction(sweep.get("step", 1))
    return math.floor((high - low) / step) + 1
