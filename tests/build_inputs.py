"""Building a `Program` and resolved Runs from inline YAML, for unit tests of single passes."""

from __future__ import annotations

import textwrap

from codeflare_compile.build import build, parse
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Overrides, Program, RunPlan
from codeflare_compile.passes.platform import make_target
from codeflare_compile.passes.resolve import resolve
from codeflare_compile.source import Sources, load_text


def program(text: str, overrides: Overrides | None = None) -> tuple[Program, Diagnostics]:
    diags = Diagnostics()
    sources = Sources()
    load_text("input.yaml", textwrap.dedent(text), sources, diags)
    parsed = parse(sources.documents, diags)
    target = make_target(parsed.platform.model if parsed.platform else None,
                         overrides or Overrides())
    return build(parsed, target, diags), diags


def plans(text: str, overrides: Overrides | None = None
          ) -> tuple[Program, list[RunPlan], Diagnostics]:
    prog, diags = program(text, overrides)
    assert not diags.has_errors, diags.items
    return prog, resolve(prog, diags), diags


def app(name: str = "app", *, namespace: str | None = None, extra: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (f"apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata:\n  name: {name}{ns}"
            f"\nspec:\n  api: ray\n  image: img:1\n  command: python3 main.py\n{extra}---\n")


def run(name: str = "r", *, application: str = "app", namespace: str | None = None,
        extra: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (f"apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata:\n  name: {name}{ns}\n"
            f"spec:\n  application: {application}\n{extra}---\n")


def sizes(name: str, config: str, *, priority: int | None = None,
          namespaces: str | None = None) -> str:
    lines = [f"  priority: {priority}" if priority is not None else "",
             f"  namespaces: {namespaces}" if namespaces else "", f"  config: {config}"]
    body = "\n".join(line for line in lines if line)
    return (f"apiVersion: codeflare.dev/v1alpha1\nkind: RunSizeConfiguration\nmetadata:\n"
            f"  name: {name}\nspec:\n{body}\n---\n")
