"""Properties of VALID inputs: they compile; the output validates, is deterministic, sizes each
Run's pods by SPEC §2, names every object validly and once, is safe and leaks no Secret."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codeflare_compile import validate
from tests.helpers import Outcome, compile_files, without_sources
from tests.properties import checks
from tests.properties.oracle import expected
from tests.properties.strategies import ResourceSet, one_file, split, valid_sets


def compile_fresh(files: dict[str, str | bytes], *paths: str,
                  environ: dict[str, str] | None = None) -> Outcome:
    """`files` compiled in a folder of their own, on PATHS (the files by name when none)."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, environ or {}):
        return compile_files(Path(tmp), files, paths=paths or None)


def secret_environment(rs: ResourceSet) -> dict[str, str]:
    """The Secrets' values where CI jobs keep them: in the compiler's own environment, under
    the names the output refers to and the usual credential names."""
    env = {"GIT_USERNAME": "ci-bot-s3cr3t-user", "GIT_PASSWORD": "s3cr3t-git-password",
           "AWS_SECRET_ACCESS_KEY": "s3cr3t-aws-key"}
    for name, values in rs.secrets.items():
        for key, value in values.items():
            env[f"SECRET_{name}_{key}".upper().replace("-", "_").replace(".", "_")] = value
    return env


@given(rs=valid_sets(), data=st.data())
def test_valid_sets_compile_to_deterministic_sized_safe_output(rs: ResourceSet,
                                                               data: st.DataObject) -> None:
    environ = secret_environment(rs)
    first = compile_fresh(one_file(rs.docs), environ=environ)
    assert first.exit_code == 0, first.stderr
    assert "Traceback" not in first.stderr

    # byte-identical: compiled twice, shuffled and split across files differently, given as
    # files in another order on the command line or as a folder
    again = compile_fresh(one_file(rs.docs))
    order = data.draw(st.permutations(range(len(rs.docs))), label="order")
    cuts = data.draw(st.lists(st.integers(1, max(1, len(rs.docs) - 1)), max_size=4),
                     label="cuts")
    names = data.draw(st.lists(st.sampled_from(["a", "z", "m/n", "sub/deep/x", "0"]),
                               min_size=1, max_size=3), label="names")
    files = split(rs.docs, order, cuts, names)
    as_folder = compile_fresh(files, ".")
    as_files = compile_fresh(files, *sorted(files, reverse=True))
    assert again.exit_code == 0 and again.stdout == first.stdout
    for other in (as_folder, as_files):  # the `# Source:` comments name other files
        assert other.exit_code == 0, other.stderr
        assert without_sources(other.stdout) == without_sources(first.stdout)

    objects = checks.parse(first.stdout)
    assert objects
    checks.check_sizes(objects, expected(rs))
    checks.check_names(objects)
    checks.check_integers(objects)
    checks.check_mounts(objects)
    checks.check_safe(objects)
    checks.check_no_secret_values(first.stdout, objects, {**rs.secrets, "ci": environ})


@given(rs=valid_sets())
def test_valid_sets_output_validates_against_the_bundled_crds(rs: ResourceSet) -> None:
    out = compile_fresh(one_file(rs.docs))
    assert out.exit_code == 0, out.stderr
    objects = checks.parse(out.stdout)
    platform = rs.platform
    version = (platform or {}).get("spec", {}).get("kubernetesVersion") or \
        validate.default_kube_version()
    failures = validate.validate_objects(objects, kube_version=version, crds=None)
    assert failures == []


def test_the_oracle_knows_the_built_in_table() -> None:
    """A guard on the oracle itself: SPEC §2's table, one size per row."""
    from tests.properties.oracle import BUILT_IN

    assert BUILT_IN["xxs"] == (1, "500m", "1536Mi", 0)
    assert BUILT_IN["xxl"] == (40, "8", "64Gi", 1)
    assert list(BUILT_IN) == ["xxs", "xs", "sm", "md", "lg", "xl", "xxl"]


@pytest.mark.parametrize("size", ["xxs", "lg"])
def test_a_run_gets_its_size_from_the_built_in_table(size: str) -> None:
    """One concrete set through the same checks, so a broken check fails loudly here too."""
    rs = ResourceSet([
        {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Application",
         "metadata": {"name": "app"},
         "spec": {"api": "shell", "image": "python:3.12", "command": "echo"}},
        {"apiVersion": "codeflare.dev/v1alpha1", "kind": "Run", "metadata": {"name": "r"},
         "spec": {"application": "app", "size": size}},
    ])
    out = compile_fresh(one_file(rs.docs))
    assert out.exit_code == 0, out.stderr
    objects = checks.parse(out.stdout)
    (exp,) = expected(rs)
    assert (exp.size, exp.workers) == (size, {"xxs": 1, "lg": 8}[size])
    checks.check_sizes(objects, [exp])
    wrong = type(exp)(**{**exp.__dict__, "cpu": "999"})
    with pytest.raises(AssertionError):
        checks.check_sizes(objects, [wrong])
