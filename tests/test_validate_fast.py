"""The fast validation path gives the same verdicts as the detailed one."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from codeflare_compile import validate
from codeflare_compile.validate import core
from codeflare_compile.validate.fast import FastValidator, jsonschema_rs
from tests.helpers import REPO

GOLDENS = sorted([*REPO.glob("tests/golden/*/expected.yaml"),
                  *REPO.glob("archetypes/*/example/expected.yaml")])


def _all_objects() -> list[dict[str, Any]]:
    return [o for path in GOLDENS for o in yaml.safe_load_all(path.read_text())]


def test_fast_path_is_in_use() -> None:
    validator = core.core_validator(validate.default_kube_version(), "batch", "v1", "Job")
    assert isinstance(validator, FastValidator)
    assert (validator.fast is not None) == (jsonschema_rs is not None)


def test_fast_and_slow_paths_agree(monkeypatch: Any) -> None:
    objects = _all_objects()
    broken = copy.deepcopy(objects)
    for obj in broken:  # one fault in each: an unknown field at the top of the spec
        obj.setdefault("spec", {})["surprise"] = True
    version = validate.default_kube_version()
    fast = [validate.validate_objects(o, kube_version=version, crds=None)
            for o in (objects, broken)]
    monkeypatch.setattr(FastValidator, "iter_errors",
                        lambda self, instance, floats=None: iter(self.slow.iter_errors(instance)))
    slow = [validate.validate_objects(o, kube_version=version, crds=None)
            for o in (objects, broken)]
    assert fast == slow
    assert fast[0] == []
    assert len(fast[1]) >= len(broken)


def test_floats_take_the_slow_path() -> None:
    validator = core.core_validator(validate.default_kube_version(), "batch", "v1", "Job")
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"backoffLimit": 2.0, "template": {"spec": {"containers": []}}}}
    errors = list(validator.iter_errors(job))
    assert [list(e.absolute_path) for e in errors] == [["spec", "backoffLimit"]]
