"""Properties of INVALID inputs (one mutation of a valid set each): exit 1, every diagnostic
pointing at a place that exists in the input (at least one with a code that fits the mutation),
never exit 3, never a traceback, nothing on stdout."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import compile_files
from tests.properties.strategies import (
    MUTATIONS,
    Case,
    ResourceSet,
    invalid_cases,
    valid_sets,
)

HEADER = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): "
                    r"(?P<severity>error|warning)\[(?P<code>CF\d{3})\]: ", re.MULTILINE)


@dataclass(frozen=True)
class Located:
    file: str
    line: int
    col: int
    code: str


def diagnostics(stderr: str) -> list[Located]:
    return [Located(os.path.normpath(m["file"]), int(m["line"]), int(m["col"]), m["code"])
            for m in HEADER.finditer(stderr) if m["severity"] == "error"]


def lines_of(content: str | bytes) -> list[bytes]:
    raw = content if isinstance(content, bytes) else content.encode()
    return raw.split(b"\n")


def inside(where: Located, files: dict[str, str | bytes]) -> bool:
    """Whether file:line:col names a place that exists in the input files (the column may be
    one past the end of the line, where something is missing)."""
    content = files.get(where.file)
    if content is None:
        return False
    lines = lines_of(content)
    if not 1 <= where.line <= len(lines):
        return False
    line = lines[where.line - 1].decode("utf-8", "replace")
    return 1 <= where.col <= len(line) + 1


def check(case: Case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = compile_files(Path(tmp), case.files)
    context = f"mutation {case.mutation}:\n{out.stderr}"
    assert out.exit_code == 1, context
    assert out.stdout == "", context
    assert "Traceback" not in out.stderr, context
    found = diagnostics(out.stderr)
    assert found, context
    outside = [d for d in found if not inside(d, case.files)]
    assert outside == [], context
    assert {d.code for d in found} & case.codes, f"expected one of {sorted(case.codes)}; " \
                                                 f"{context}"


#: Every mutation kind gets a share of the profile's budget (ci: 4 examples each).
PER_KIND = max(2, settings.default.max_examples // 5)


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
@settings(max_examples=PER_KIND)
@given(rs=valid_sets(max_runs=2), data=st.data())
def test_a_single_mutation_is_reported_inside_the_input(kind: str, rs: ResourceSet,
                                                       data: st.DataObject) -> None:
    check(MUTATIONS[kind](data.draw, rs))


@given(case=invalid_cases())
def test_a_random_mutation_is_reported_inside_the_input(case: Case) -> None:
    check(case)


def test_every_mutation_kind_is_registered() -> None:
    assert len(MUTATIONS) >= 20
    assert {"unknown_field", "bad_enum", "bad_name", "bad_quantity", "dangling_reference",
            "duplicate_resource", "wrong_type"} <= set(MUTATIONS)


def test_inside_rejects_places_outside_the_files() -> None:
    files: dict[str, str | bytes] = {"a.yaml": "x: 1\nyy: 2\n"}
    assert inside(Located("a.yaml", 2, 5, "CF201"), files)
    assert not inside(Located("a.yaml", 2, 7, "CF201"), files)
    assert not inside(Located("a.yaml", 9, 1, "CF201"), files)
    assert not inside(Located("b.yaml", 1, 1, "CF201"), files)
