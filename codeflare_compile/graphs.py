"""Dependency graphs (node → the nodes it depends on): cycles and a stable order.

Workflow steps are checked with them (passes/steps.py) and ordered with them in the Workflow's
DAG (lower/workflow.py). A leaf module: it imports nothing of the compiler.
"""

from __future__ import annotations


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as the list of its nodes (each depending on the next), or None.

    Nodes are visited in sorted order so the cycle reported does not depend on input order.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, [])):
            if state.get(dep) == 1:
                return path[path.index(dep):]
            if dep not in state and (found := visit(dep)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def topological(graph: dict[str, list[str]]) -> list[str]:
    """The nodes with every dependency first; ties in name order, so the order is stable."""
    done: list[str] = []
    remaining = dict(graph)
    while remaining:
        ready = sorted(n for n, deps in remaining.items() if all(d in done for d in deps))
        done.append(ready[0])
        del remaining[ready[0]]
    return done
