"""Editor schemas: every `# yaml-language-server: $schema=` modeline in the shipped inputs points
at a schema that exists and that accepts the file (docs/integrations/editors.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from tests.helpers import REPO

MODELINE = re.compile(r"#\s*yaml-language-server:\s*\$schema=(\S+)")
INPUTS = sorted(p for folder in ("examples", "archetypes") for p in (REPO / folder).rglob("*.yaml")
                if "input" in p.parts or folder == "examples")
FILES = [p for p in INPUTS if MODELINE.search(p.read_text().split("\n", 1)[0])]


def test_examples_carry_a_modeline() -> None:
    assert {p.name for p in (REPO / "examples" / "ray-mnist").glob("*.yaml")} == \
        {p.name for p in FILES if p.parent.name == "ray-mnist"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_modeline_schema_exists_and_accepts_the_file(path: Path) -> None:
    match = MODELINE.search(path.read_text().split("\n", 1)[0])
    assert match is not None
    schema_path = (path.parent / match.group(1)).resolve()
    assert schema_path.is_file(), f"{path}: modeline points at a missing {schema_path}"
    assert schema_path.parent == REPO / "schemas"
    validator = Draft7Validator(json.loads(schema_path.read_text()))
    for document in yaml.safe_load_all(path.read_text()):
        errors = sorted(str(e.message) for e in validator.iter_errors(document))
        assert errors == [], f"{path}: {errors}"
