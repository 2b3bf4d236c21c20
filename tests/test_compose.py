"""The libyaml composer against the reference loader (ruamel.yaml): same documents, same spans,
same diagnostics — or it declines and the reference loader takes the file."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codeflare_compile import compose, fuzz, source
from codeflare_compile.diagnostics import Diagnostics
from tests.properties.strategies import ResourceSet, dump_stream, valid_sets

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not compose.AVAILABLE, reason="PyYAML is built without libyaml")


def loaded(text: str, reference: bool) -> tuple[list[Any], list[Any]]:
    sources, diags = source.Sources(), Diagnostics()
    if reference:
        source._load_reference("in.yaml", text, sources, diags, False)
    else:
        source.load_text("in.yaml", text, sources, diags)
    docs = [(d.index, d.data, d.spans, d.key_spans) for d in sources.documents]
    return docs, [(d.code, d.message, d.span) for d in diags.sorted()]


def assert_same(text: str) -> bool:
    """Whether the fast path took `text`; when it did, its result is the reference's."""
    if compose.compose_documents(text, source.MAX_DEPTH) is None:
        return False
    fast, reference = loaded(text, False), loaded(text, True)
    # NaN is not equal to itself: compare the printed form
    assert repr(fast) == repr(reference), text
    return True


def repo_yaml() -> list[Path]:
    return sorted(p for p in REPO.rglob("*.y*ml") if ".venv" not in p.parts
                  and ".git" not in p.parts and p.suffix in (".yaml", ".yml"))


def test_every_yaml_file_in_the_repository_loads_the_same() -> None:
    files = repo_yaml()
    assert len(files) > 50
    fast = [f for f in files if assert_same(f.read_text(encoding="utf-8-sig"))]
    assert len(fast) > 0.9 * len(files)  # the fast path is the common path


@pytest.mark.parametrize("text", [
    "a: 1\n", "a: yes\nb: no\nc: on\n", "a: 012\nb: 0o12\nc: 0x1F\nd: 1_000\ne: 0b101\n",
    "a: .inf\nb: -.Inf\nc: .nan\nd: 1e3\ne: 1.5\nf: .5\n", "a: ~\nb: null\nc:\nd: ''\n",
    "a: 2024-01-02\nb: =\n", "a: &x {b: [1, 2]}\nc: *x\nd: {<<: *x, e: 3}\n",
    "a: !!str 12\nb: ! 12\nc: !local 12\n", "- a\n- b\n", "---\n---\na: 1\n...\n",
    "a: |\n  line\n  line2\nb: >-\n  folded\n  text\n", 'a: "\\u00e9\\t\\x41"\n',
    "a: 'it''s'\n", "a:\n  - {b: c}\n  - [d, e]\n", "? [a]\n: b\n", "a: 1\na: 2\n",
    "a: &x 1\nb: &x 2\nc: *x\n", "a: [\n", "a: *missing\n", "%YAML 1.1\n---\na: yes\n",
    "a: b\u2028c: d\n", "a:\tb\n", "\ta: b\n", "a: 'x\n", "a: 1 # note\n", "a: _\n",
    "[" * 150 + "]" * 150 + "\n", "a: &a [*a]\n", "a: \"\\/\"\n", "{a: 1, b: 2}\n",
    "apiVersio\ufeffn: v1\n",
])
def test_tricky_inputs_match_or_decline(text: str) -> None:
    assert_same(text)


def test_the_fast_path_declines_what_it_cannot_reproduce() -> None:
    for text in ("%YAML 1.1\n---\na: 1\n", "a: [\n", "a: *missing\n", "a: b\u2028c\n",
                 "[" * 150 + "]" * 150 + "\n"):
        assert compose.compose_documents(text, source.MAX_DEPTH) is None, text
    assert compose.compose_documents("a: 1\n", source.MAX_DEPTH) is not None


def test_resolution_is_yaml_1_2() -> None:
    tags = {value: compose.resolve(value, (True, False)) for value in
            ("yes", "on", "true", "012", "0o12", "1:30", "~", "", "1e3", "1_0", "<<")}
    assert tags == {
        "yes": "tag:yaml.org,2002:str", "on": "tag:yaml.org,2002:str",
        "true": "tag:yaml.org,2002:bool", "012": "tag:yaml.org,2002:int",
        "0o12": "tag:yaml.org,2002:int", "1:30": "tag:yaml.org,2002:str",
        "~": "tag:yaml.org,2002:null", "": "tag:yaml.org,2002:null",
        "1e3": "tag:yaml.org,2002:float", "1_0": "tag:yaml.org,2002:int",
        "<<": "tag:yaml.org,2002:merge"}
    assert compose.resolve("12", (False, True)) == "tag:yaml.org,2002:str"


SCALARS = st.sampled_from([
    "a", "b c", "yes", "No", "true", "FALSE", "012", "0o17", "0x1f", "0b11", "1_000", "-1",
    "+.5", "1e3", "1.", ".inf", "-.INF", ".NaN", "~", "null", "", "2024-01-02", "=", "<<",
    "'q''t'", '"d\\tq"', '"\\u00e9"', "x: y", "#c", "a #c", "*a", "&a v", "!!str 1", "! 1",
    "!t v", "|\n  lit", ">\n  fold", "[1, 2]", "{k: v}", "[a, {b: c}]", "{a: [b]}", "é",
    "{a: 1, a: 2}", "'", '"', "[", "}", "@x", "`x", "%x", "- x", "?", ": x", "\t",
    "|2\n    lit", "|+\n  keep\n", ">-\n  a\n\n  b", "'multi\n  line'", '"esc\\\n  x"',
    "[a,\n  b]", "{a: &b [1], c: *b}", "&c {x: 1}", "*c", "!!binary aGk=", "- - x", "'\u00e9'",
])
KEYS = st.sampled_from(["a", "b", "kind", "spec", "'q'", '"k"', "1", "true", "<<", "? x",
                        "&k a", "é", "a b", ""])


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        indent = " " * draw(st.sampled_from([0, 0, 2, 4, 1]))
        shape = draw(st.sampled_from(["pair", "pair", "item", "key", "sep", "comment"]))
        if shape == "pair":
            lines.append(f"{indent}{draw(KEYS)}: {draw(SCALARS)}")
        elif shape == "item":
            lines.append(f"{indent}- {draw(SCALARS)}")
        elif shape == "key":
            lines.append(f"{indent}{draw(KEYS)}:")
        elif shape == "sep":
            lines.append(draw(st.sampled_from(["---", "...", "--- x", "%YAML 1.2"])))
        else:
            lines.append(f"{indent}# {draw(SCALARS)}")
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return newline.join(lines) + draw(st.sampled_from([newline, "", newline * 2]))


@given(documents())
def test_generated_documents_match_or_decline(text: str) -> None:
    assert_same(text)


def test_mutated_inputs_load_the_same() -> None:
    """The fuzzer's mutations of the seed corpus (what found the byte order mark case)."""
    rng = random.Random(7)
    mutator = fuzz.Mutator(rng, fuzz.seed_corpus(fuzz.default_corpus()))
    taken = 0
    for _ in range(150):
        try:
            text = mutator.mutate(rng.choice(mutator.corpus)).decode("utf-8")
        except UnicodeDecodeError:
            continue
        taken += assert_same(text)
    assert taken > 30


@given(valid_sets())
def test_generated_resource_sets_load_the_same(resources: ResourceSet) -> None:
    text = dump_stream(resources.docs)
    # generated text may hold a NEL (U+0085), which only the reference loader reads right
    assert assert_same(text) or compose.DECLINED.search(text)
