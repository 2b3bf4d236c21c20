"""The checked-in JSON Schemas match the models, and they accept the examples."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from codeflare_compile.schema import ALL_KINDS, schemas
from tests.helpers import REPO, run_cli


def test_checked_in_schemas_are_current() -> None:
    generated = schemas()
    on_disk = {p.name: p.read_text() for p in (REPO / "schemas").glob("*.json")}
    stale = sorted(n for n in generated.keys() | on_disk.keys()
                   if generated.get(n) != on_disk.get(n))
    assert stale == [], "schemas/ is stale: run `codeflare-compile schema` and commit"


def test_schema_command_writes_every_kind(tmp_path: Path) -> None:
    out = run_cli("schema", "--out-dir", str(tmp_path))
    assert out.exit_code == 0, out.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([ALL_KINDS, "application.json", "dataset.json", "image.json",
                            "platform.json", "run.json", "runsizeconfiguration.json"])


def test_examples_validate_against_the_union_schema() -> None:
    schema = json.loads((REPO / "schemas" / ALL_KINDS).read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    documents = [doc for path in sorted((REPO / "examples").rglob("*.yaml"))
                 for doc in yaml.safe_load_all(path.read_text())]
    assert documents
    for doc in documents:
        assert list(validator.iter_errors(doc)) == [], doc["metadata"]["name"]


def test_schema_rejects_what_the_compiler_rejects() -> None:
    schema = json.loads((REPO / "schemas" / "application.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    app = {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Application",
           "metadata": {"name": "x"}, "spec": {"api": "ray", "image": "i", "command": "c"}}
    assert validator.is_valid(app)
    assert not validator.is_valid({**app, "spec": {**app["spec"], "imag": "i"}})
    assert not validator.is_valid({**app, "metadata": {"name": "Bad_Name"}})
    assert not validator.is_valid({**app, "spec": {**app["spec"], "api": "spark"}})
