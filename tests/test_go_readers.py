"""Our YAML as the real consumer reads it: kubectl (sigs.k8s.io/yaml over go-yaml v2).

`kubectl label --local -f OUT probe=1 -o json` must give exactly the objects `--format json`
gives, plus the probe label; YAML embedded as text (Argo resource templates' `manifest`, the
RayJob's `runtimeEnvYAML`, which KubeRay reads with sigs.k8s.io/yaml) is written out as documents
of its own and must read as PyYAML reads it. Every golden is checked, and inputs generated from
strings Go's YAML 1.1 rules read as non-strings (env values, tasks, labels, annotations, options,
code files). All texts go to kubectl in one call per test.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from codeflare_compile.emit.yaml import dump_yaml_stream
from codeflare_compile.ir import Overrides
from codeflare_compile.pipeline import compile_paths
from codeflare_compile.shelltext import swallow_problem
from tests.helpers import REPO, run_cli
from tests.test_goyaml import NON_STRINGS

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed: the Go "
                                "reader these tests compare against is missing")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PROBE = "codeflare-probe"
#: A kind kubectl maps without a cluster, to carry an embedded text that is not an object.
WRAPPER = "apiVersion: example.dev/v1\nkind: Probe\nmetadata:\n  name: embedded\ndata:\n"


def _embedded_texts(value: Any) -> Iterator[tuple[str, str]]:
    """(field, text) of every YAML text embedded in an object: manifests, runtimeEnvYAML."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("manifest", "runtimeEnvYAML") and isinstance(item, str):
                yield key, item
            else:
                yield from _embedded_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _embedded_texts(item)


def _as_documents(objects: list[dict[str, Any]], text: str) -> tuple[str, list[Any]]:
    """The YAML stream `text` of `objects` followed by each embedded text as a document (a bare
    runtime environment under a probe object's `data`), and what each document must read as."""
    parts, expected = [text], [json.loads(json.dumps(obj)) for obj in objects]
    for key, embedded in (pair for obj in objects for pair in _embedded_texts(obj)):
        wanted = yaml.load(embedded, Loader=LOADER)
        if key == "manifest":
            parts.append("---\n" + embedded)
            expected.append(wanted)
        else:
            parts.append("---\n" + WRAPPER + textwrap.indent(embedded, "  "))
            expected.append({"apiVersion": "example.dev/v1", "kind": "Probe",
                             "metadata": {"name": "embedded"}, "data": wanted})
    return "".join(parts), expected


def _kubectl_objects(text: str) -> list[Any]:
    """Each document of `text` as kubectl reads it, with the probe label taken off again."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.yaml"
        path.write_text(text)
        out = subprocess.run([str(KUBECTL), "label", "--local", "-f", str(path), f"{PROBE}=1",
                              "-o", "json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    decoder, objects, at = json.JSONDecoder(), [], 0
    while at < len(out.stdout):
        obj, at = decoder.raw_decode(out.stdout, at)
        at = len(out.stdout) - len(out.stdout[at:].lstrip())
        labels = obj["metadata"]["labels"]
        assert labels.pop(PROBE) == "1"
        if not labels:
            del obj["metadata"]["labels"]
        objects.append(obj)
    return objects


def _check(texts: list[tuple[str, list[Any]]]) -> None:
    """One kubectl call for all texts; each must read as expected, document by document."""
    everything = "".join(text if text.startswith("---") else "---\n" + text
                         for text, _ in texts)
    expected = [obj for _, objects in texts for obj in objects]
    read = _kubectl_objects(everything)
    assert len(read) == len(expected)
    for got, want in zip(read, expected, strict=True):
        if "labels" not in want["metadata"]:
            got["metadata"].pop("labels", None)
        assert got == want


# ------------------------------------------------------------------------------ goldens

CASES = sorted(p.parent for p in [*REPO.glob("tests/golden/*/input"),
                                  *REPO.glob("archetypes/*/example/input")])


def test_every_golden_reads_back_in_kubectl_as_its_json() -> None:
    texts = []
    for case in CASES:
        args_file = case / "args"
        args = shlex.split(args_file.read_text()) if args_file.exists() else []
        outcome = run_cli("compile", "input", *args, "--format", "json", cwd=case)
        assert outcome.exit_code == 0, outcome.stderr
        objects = json.loads(outcome.stdout)["items"]
        texts.append(_as_documents(objects, (case / "expected.yaml").read_text()))
    assert len(texts) == len(CASES) > 20
    _check(texts)


# ------------------------------------------------------------------------------ generated inputs

#: Strings Go's readers resolve as something else, and ones close to them.
AMBIGUOUS = st.one_of(st.sampled_from(NON_STRINGS),
                      st.text(alphabet="0189.eE+-_xobyYnN:", min_size=1, max_size=6))
LABEL_VALUES = AMBIGUOUS.filter(lambda v: v[0].isalnum() and v[-1].isalnum()
                                and all(c.isalnum() or c in "-_." for c in v))
#: Shell text: quoted where its end would swallow the task (refused with CF430).
SHELL_TEXT = AMBIGUOUS.map(lambda text: shlex.quote(text) if swallow_problem(text) else text)
ENV = st.dictionaries(st.sampled_from(["LR", "DECAY", "VERBOSE", "SEED"]), AMBIGUOUS, max_size=3)


@st.composite
def scalar_heavy_inputs(draw: st.DrawFn) -> str:
    """A workqueue, a Ray job and a workflow whose free text is all YAML-1.1-ambiguous."""
    labels = draw(st.dictionaries(st.sampled_from(["team", "stage", "x.dev/lr"]), LABEL_VALUES,
                                  max_size=3))
    annotations = draw(st.dictionaries(st.sampled_from(["note", "x.dev/y"]), AMBIGUOUS,
                                       max_size=2))
    meta = {"name": "r", "labels": labels, "annotations": annotations}
    documents = [
        {"kind": "Application", "metadata": {"name": "sweep"},
         "spec": {"api": "workqueue", "image": "python:3.12-slim",
                  "command": "python3 main.py " + draw(SHELL_TEXT),
                  "options": draw(SHELL_TEXT), "env": draw(ENV),
                  "code": [{"name": "main.py", "source": draw(AMBIGUOUS)}],
                  "tasks": draw(st.lists(AMBIGUOUS, min_size=1, max_size=4))}},
        {"kind": "Run", "metadata": meta,
         "spec": {"application": "sweep", "env": draw(ENV), "options": draw(SHELL_TEXT)}},
        {"kind": "Application", "metadata": {"name": "tune"},
         "spec": {"api": "ray", "image": "rayproject/ray:2.9.0", "command": "python3 tune.py",
                  "env": draw(ENV)}},
        {"kind": "Run", "metadata": {**meta, "name": "t"}, "spec": {"application": "tune"}},
        {"kind": "Application", "metadata": {"name": "flow"},
         "spec": {"api": "workflow", "steps": [
             {"name": "a", "application": "sweep", "options": draw(SHELL_TEXT)}]}},
        {"kind": "Run", "metadata": {**meta, "name": "f"}, "spec": {"application": "flow"}},
    ]
    return "".join("---\n" + json.dumps({"apiVersion": "codeflare.dev/v1alpha1", **doc}) + "\n"
                   for doc in documents)


def test_generated_scalar_heavy_inputs_read_back_in_kubectl() -> None:
    """Hypothesis draws the inputs; each is compiled in-process and kept; kubectl reads them
    all in one call afterwards."""
    texts: list[tuple[str, list[Any]]] = []

    @settings(max_examples=25, database=None)
    @given(scalar_heavy_inputs())
    def compile_one(source: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "in.yaml"
            path.write_text(source)
            result = compile_paths([str(path)], [], Overrides())
        assert not result.diagnostics.has_errors, result.diagnostics.items
        texts.append(_as_documents(result.objects, dump_yaml_stream(result.objects)))

    compile_one()
    assert len(texts) >= 20
    _check(texts)
