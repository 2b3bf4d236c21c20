"""The same inputs give byte-identical output whatever their order in files and arguments."""

from __future__ import annotations

import tempfile
from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import REPO, run_cli, without_sources

CASE = REPO / "tests" / "golden" / "ray-policies"
DOCUMENTS = [
    doc.strip() + "\n"
    for path in sorted((CASE / "input").glob("*.yaml"))
    for doc in path.read_text().split("\n---\n")
]
EXPECTED = (CASE / "expected.yaml").read_text()


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(DOCUMENTS), cuts=st.sets(st.integers(1, len(DOCUMENTS) - 1),
                                                      max_size=3),
       names=st.lists(st.text("abcxyz", min_size=1, max_size=6), min_size=4, max_size=4,
                      unique=True))
def test_shuffled_and_resplit_inputs_give_identical_bytes(
        order: list[str], cuts: set[int], names: list[str]) -> None:
    bounds = [0, *sorted(cuts), len(order)]
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, (start, end) in zip(names, pairwise(bounds), strict=False):
            path = Path(tmp) / f"{name}.yaml"
            path.write_text("---\n".join(order[start:end]))
            files.append(path.name)
        out = run_cli("compile", *reversed(files), cwd=Path(tmp))
    assert out.exit_code == 0, out.stderr
    assert without_sources(out.stdout) == without_sources(EXPECTED)  # the comments name files


def test_compiling_twice_gives_identical_bytes() -> None:
    first = run_cli("compile", "input", cwd=CASE)
    second = run_cli("compile", "input", cwd=CASE)
    assert first.exit_code == 0
    assert first.stdout == second.stdout
