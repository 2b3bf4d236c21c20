"""Every import points down: the compiler's modules sit in layers, and a module imports only from
its own layer and the layers below it. Imports inside functions and under TYPE_CHECKING count
too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

PACKAGE = Path(__file__).resolve().parents[1] / "codeflare_compile"


class Layer(NamedTuple):
    """Top-level modules and packages of the compiler (`__init__` is the package's own module).
    In a layer of `siblings` none imports another: each stands on the layers below alone."""

    name: str
    units: frozenset[str]
    siblings: bool = False


#: Low to high.
LAYERS = (
    # The catalogue of diagnostic codes, which a diagnostic carries.
    Layer("codes", frozenset({"codes"})),
    # Shared facts, each a leaf: it imports nothing of the compiler but the codes. `emit` is the
    # YAML writer, which the lowerings (a RayJob's runtime environment, a workflow's embedded
    # manifests) and the validator use as a library.
    Layer("leaf facts", frozenset({
        "choices", "kubeversion", "quantities", "diagnostics", "shelltext", "redact", "k8s",
        "parallel", "graphs", "namefit", "taskmap", "podlayout", "emit"}), siblings=True),
    # One constructor per kind of diagnostic, for every stage above.
    Layer("problems", frozenset({"problems"})),
    # `settings`: the target settings' table, which the Platform model takes its defaults from.
    Layer("input", frozenset({"source", "compose", "api", "settings"})),
    Layer("ir", frozenset({"ir"})),
    # Queueing targets and gang schedulers as declarations, which the policy passes (a task
    # budget), the lowerings (a workflow step's conditions) and the cross-cutting passes read.
    Layer("backends", frozenset({"backends"})),
    Layer("build", frozenset({"build"})),
    Layer("passes and lowerings", frozenset({"passes", "lower"}), siblings=True),
    Layer("cross-cutting passes", frozenset({"crosscut"})),
    Layer("validation", frozenset({"validate"})),
    Layer("emitted output", frozenset({"emitted"})),
    Layer("pipeline", frozenset({"pipeline"})),
    Layer("front ends", frozenset({
        "__init__", "__main__", "commands", "cli", "entry", "argocd", "krm", "explain", "fuzz",
        "report", "schema", "public_api"})),
)

#: Imports that point up today, in modules owned elsewhere, each with its way out.
KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    """`codeflare_compile/lower/pods.py` → `lower.pods`; a package's `__init__.py` → its
    name (the top package's → `__init__`)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imported(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The compiler's modules that `source` (module `module`) imports anywhere in its text,
    as `module_name` spells them; `known` are the modules that exist."""
    here = [] if module == "__init__" else module.split(".")
    package = here if is_package else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(["codeflare_compile", *package[:len(package) - node.level + 1],
                                 *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names = [f"{base}.{alias.name}" for alias in node.names]
            names = [name if name.removeprefix("codeflare_compile.") in known else base
                     for name in names]
        else:
            continue
        for name in names:
            if name == "codeflare_compile":
                found.add("__init__")
            elif name.startswith("codeflare_compile."):
                found.add(name.removeprefix("codeflare_compile."))
    return found


def _modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _layer_of(module: str) -> int:
    unit = module.split(".")[0]
    return next(i for i, layer in enumerate(LAYERS) if unit in layer.units)


def _upward(modules: dict[str, Path]) -> set[tuple[str, str]]:
    known = set(modules)
    found = set()
    for module, path in modules.items():
        for target in imported(path.read_text(encoding="utf-8"), module,
                               path.name == "__init__.py", known):
            mine, theirs = _layer_of(module), _layer_of(target)
            same_unit = module.split(".")[0] == target.split(".")[0]
            if theirs > mine or (theirs == mine and LAYERS[mine].siblings and not same_unit):
                found.add((module, target))
    return found


def test_every_module_has_a_layer() -> None:
    units = {module.split(".")[0] for module in _modules()}
    placed = [unit for layer in LAYERS for unit in layer.units]
    assert len(placed) == len(set(placed)), "a unit in two layers"
    assert units - set(placed) == set(), "place these in LAYERS"


def test_imports_point_down() -> None:
    upward = _upward(_modules())
    assert upward - KNOWN == set(), "imports from a higher layer, or between siblings"
    assert KNOWN - upward == set(), "fixed: remove from KNOWN"


def test_lazy_relative_and_package_imports_are_seen() -> None:
    known = {"pipeline", "lower.pods", "lower", "ir"}
    source = ("from . import pods\n"
              "from ..ir import Lowered\n"
              "def f():\n"
              "    from codeflare_compile import pipeline\n"
              "    import codeflare_compile\n")
    assert imported(source, "lower.ray", False, known) == {"lower.pods", "ir", "pipeline",
                                                            "__init__"}
