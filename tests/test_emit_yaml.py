"""The fast YAML dumper (emit/yaml.py) against plain PyYAML, and its embedded-manifest registry.

The dumper builds yaml nodes itself and resolves scalar tags through a cache; its text must be
byte-identical to PyYAML's own representer's. Validation hands back the object a Workflow
manifest was dumped from instead of parsing the text: that is sound only if the dumper is round-
trip exact, which is checked here on generated data and on every golden Workflow.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from codeflare_compile.emit import yaml as emit
from codeflare_compile.validate.kinds import _parse_manifest
from tests.helpers import REPO, run_cli

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
OPTIONS: dict[str, Any] = {"default_flow_style": False, "sort_keys": False, "width": 1 << 16,
                           "allow_unicode": True}


def _reference_dumper(base: Any) -> Any:
    """PyYAML's dumper with only our two changes: no aliases, multi-line strings as blocks."""

    class Reference(base):  # type: ignore[misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def represent_str(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value and value == value.strip(" ") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Reference.add_representer(str, represent_str)
    return Reference


REFERENCE = _reference_dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper))

# ------------------------------------------------------------------------------ plain data

TRICKY_STRINGS = [
    "", " ", "yes", "No", "ON", "off", "y", "null", "Null", "~", "true", "False", "012", "0o12",
    "0x1F", "0b101", "1_000", "-1", "+1", "1e3", "1.0e+3", ".5", "3:25:45", ".nan", "-.inf",
    "2024-01-01", "2001-12-14t21:59:43.10-05:00", "<<", "=", "!", "&a", "*a", " lead", "trail ",
    "a\nb", "a\nb\n", "a\nb\n\n", "\nlead", "trail\n", " a\nb", "a\nb ", "a \nb", "a\n b",
    "a\r\nb", "a\rb", "tab\there", "\t", "a\n\tb", "ünïcödé ✓ 日本語", "é\nà", "a\u2028b",
    "a\u2029b", "a\x85b", "\ufeffbom", "- x", "key: value", "a #c", "#c", "'q'", '"d"', "@x",
    "`x", "[a]", "{a: 1}", "? x", "%x", "|", ">", "---", "...", "a" * 200, "\x00", "\x7f",
]
STRINGS = st.one_of(
    st.sampled_from(TRICKY_STRINGS),
    st.text(alphabet=" \n\t\r:-#'\"ynoYN01.e+_", max_size=12),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=16),
)
INTS = st.one_of(st.integers(-300, 300), st.integers(-(10**60), 10**60))
FLOATS = st.one_of(
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e20, -0.0, 0.0, 1e16, 1e17, 1e-7, 0.1,
                     -2.5e-300, 1.7976931348623157e308, 5e-324]),
)
SCALARS = st.one_of(STRINGS, INTS, FLOATS, st.booleans(), st.none())
KEYS = st.one_of(STRINGS, INTS, st.booleans(), st.none())
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=24,
)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down, key order included (nan is itself)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(ka, kb) and same(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b))
    return bool(a == b)


@settings(max_examples=300)
@given(st.lists(PLAIN, max_size=3))
def test_stream_is_pyyamls(documents: list[Any]) -> None:
    expected = yaml.dump_all(documents, Dumper=REFERENCE, explicit_start=True, **OPTIONS)
    assert emit.dump_yaml_stream(documents) == expected


@settings(max_examples=300)
@given(PLAIN)
def test_document_is_pyyamls_and_reads_back_the_same(data: Any) -> None:
    text = emit.dump_yaml(data)
    assert text == yaml.dump(data, Dumper=REFERENCE, **OPTIONS)
    assert same(yaml.load(text, Loader=LOADER), data)


def test_other_types_take_pyyamls_representers() -> None:
    """A tuple is written as PyYAML writes it (a sequence), but it reads back as a list: an
    object holding one is not remembered as an embedded manifest."""
    data = {"kind": "X", "spec": {"pair": ("a\nb", 1), "tags": ["yes"]}}
    text = emit.dump_embedded(data)
    assert text == yaml.dump(data, Dumper=REFERENCE, **OPTIONS)
    assert emit.embedded_object(text) is None


@pytest.fixture
def pure_python(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The dumper built as if libyaml were missing."""
    monkeypatch.delattr(yaml, "CSafeDumper")
    emit._dumper.cache_clear()
    yield
    emit._dumper.cache_clear()


@pytest.mark.usefixtures("pure_python")
def test_pure_python_dumper_is_pyyamls() -> None:
    data = [{"a": "x\ny", "b": [1, 2.5, None, True, "yes", "", " s"], "c": {}, "d": []},
            {"e": float("nan"), 7: -0.0, None: "日本"}]
    assert emit._dumper().__mro__[1] is yaml.SafeDumper
    expected = yaml.dump_all(data, Dumper=_reference_dumper(yaml.SafeDumper),
                             explicit_start=True, **OPTIONS)
    assert emit.dump_yaml_stream(data) == expected


# ------------------------------------------------------------------------------ golden Workflows


def _golden_workflows() -> list[Path]:
    """The golden cases whose expected output holds an Argo Workflow."""
    cases = sorted(p.parent for p in [*REPO.glob("tests/golden/*/input"),
                                      *REPO.glob("archetypes/*/example/input")])
    return [case for case in cases
            if any(isinstance(obj, dict) and obj.get("kind") == "Workflow"
                   for obj in yaml.load_all((case / "expected.yaml").read_text(), Loader=LOADER))]


@pytest.mark.parametrize("case", _golden_workflows(), ids=lambda case: str(case.relative_to(REPO)))
def test_golden_workflow_manifests_read_back_as_remembered(case: Path) -> None:
    """Compiled in this process, each manifest of each Workflow is remembered, parses to exactly
    the remembered object, and validation is handed that object."""
    args_file = case / "args"
    args = shlex.split(args_file.read_text()) if args_file.exists() else []
    _parse_manifest.cache_clear()  # a test that compiled the same text earlier parsed it then
    outcome = run_cli("compile", "input", *args, cwd=case)
    assert outcome.exit_code == 0, outcome.stderr
    manifests = [template["resource"]["manifest"]
                 for obj in yaml.load_all(outcome.stdout, Loader=LOADER)
                 if obj["kind"] == "Workflow"
                 for template in obj["spec"]["templates"] if "resource" in template]
    assert manifests
    for text in manifests:
        remembered = emit.embedded_object(text)
        assert remembered is not None
        assert same(yaml.load(text, Loader=LOADER), remembered)
        assert _parse_manifest(text) is remembered


def test_golden_workflows_exist() -> None:
    """The test above proves the registry only if some golden output holds a Workflow."""
    assert _golden_workflows()
