"""Two inputs that emit the same object (apiVersion, kind, namespace, name) are an error naming
both (CF304): in the cluster one would overwrite the other.

Workloads are named with a hash of their content (lower/names.py), so Runs `1abc` and `r-1abc`
no longer share names; the check runs on the final objects whatever the names are, which the
tests show by taking the hash away (names as they were before, when both emitted `r-1abc`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codeflare_compile import pipeline
from codeflare_compile.namefit import fit_name
from tests.helpers import run_cli

APP = ("---\napiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: app}\n"
       "spec: {api: ray, image: rayproject/ray:2.52.0, command: python3 main.py}\n")


def _runs(*names: str) -> str:
    return "".join(f"---\napiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {{name: {n}}}\n"
                   "spec: {application: app}\n" for n in names)


@pytest.fixture
def unhashed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Object names without the content hash."""
    monkeypatch.setattr(pipeline, "content_hash", lambda objects: "")


@pytest.mark.usefixtures("unhashed")
def test_a_digit_first_run_and_its_prefixed_twin_collide(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(APP + _runs("1abc", "r-1abc"))
    out = run_cli("compile", "in.yaml", cwd=tmp_path)
    assert (out.exit_code, out.stdout) == (1, "")
    assert re.search(r"in\.yaml:14:12: error\[CF304\]: Run 'r-1abc' emits \w+ 'r-1abc' "
                     r"\([\w./-]+\) in namespace 'default', as does Run '1abc': one would "
                     r"overwrite the other", out.stderr), out.stderr
    assert "note: in.yaml:9:12: Run '1abc' is here" in out.stderr
    assert "help: rename one of the Runs" in out.stderr


@pytest.mark.usefixtures("unhashed")
def test_a_long_run_and_one_named_after_its_cut_form_collide(tmp_path: Path) -> None:
    long = "a" * 63
    cut = fit_name(long, 47, letter_first=True)
    (tmp_path / "in.yaml").write_text(APP + _runs(long, cut))
    out = run_cli("compile", "in.yaml", cwd=tmp_path)
    assert (out.exit_code, out.stdout) == (1, "")
    assert re.search(rf"emits \w+ '{cut}' \([\w./-]+\) in namespace 'default'", out.stderr)
    assert out.stderr.count("error[CF304]") == 1


def test_with_content_hashes_the_same_runs_compile(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(APP + _runs("1abc", "r-1abc", "a" * 63,
                                                  fit_name("a" * 63, 47, letter_first=True)))
    out = run_cli("compile", "in.yaml", cwd=tmp_path)
    assert out.exit_code == 0, out.stderr


@pytest.mark.usefixtures("unhashed")
def test_same_names_in_two_namespaces_do_not_collide(tmp_path: Path) -> None:
    text = APP + _runs("1abc") + APP.replace("{name: app}", "{name: app, namespace: other}") \
        + _runs("r-1abc").replace("{name: r-1abc}", "{name: r-1abc, namespace: other}")
    (tmp_path / "in.yaml").write_text(text)
    out = run_cli("compile", "in.yaml", cwd=tmp_path)
    assert out.exit_code == 0, out.stderr
