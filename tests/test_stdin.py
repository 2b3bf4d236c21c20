"""`-` as a PATH reads one YAML stream from standard input, as ruff and kubectl -f do;
`--stdin-filename NAME` is what diagnostics call it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO, without_sources
from tests.test_cli_errors import main, one_line

SHELL = REPO / "tests" / "golden" / "shell-plain" / "input"


def stream() -> bytes:
    return b"---\n".join(p.read_bytes() for p in sorted(SHELL.glob("*.yaml")))


def test_stdin_compiles_as_the_files_do(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(monkeypatch, capsys, str(SHELL))
    for args in (("-",), ("compile", "-"), ("compile", "-", "--format", "yaml")):
        read = main(monkeypatch, capsys, *args, stdin=stream())
        assert (read[0], without_sources(read[1]), read[2]) == (code, without_sources(out), err)
        assert read[1].startswith("# Source: <stdin>\n---\n")
    assert code == 0 and out.startswith("# Source: ")
    checked = main(monkeypatch, capsys, "check", "-", stdin=stream())
    assert checked == (0, "", "")
    code, out, _ = main(monkeypatch, capsys, "explain", "-", "--format", "json",
                        stdin=stream())
    assert code == 0 and json.loads(out)[0]["run"]["source"].startswith("<stdin>:")


def test_stdin_with_other_paths(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The Application from a file, the Run from standard input."""
    app, run = stream().split(b"\n---\n")
    (tmp_path / "app.yaml").write_bytes(app + b"\n")
    code, out, err = main(monkeypatch, capsys, str(tmp_path), "-", stdin=run)
    assert (code, err) == (0, "")
    assert without_sources(out) == without_sources(main(monkeypatch, capsys, str(SHELL))[1])


def test_diagnostics_name_stdin(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = stream().replace(b"api: shell", b"api: shel")
    code, out, err = main(monkeypatch, capsys, "-", stdin=bad)
    assert (code, out) == (1, "")
    assert err.startswith("<stdin>:")
    code, _, err = main(monkeypatch, capsys, "check", "-", "--stdin-filename", "runs/x.yaml",
                        stdin=bad)
    assert code == 1
    assert err.splitlines()[0].startswith("runs/x.yaml:")
    assert "error[CF203]: invalid value 'shel' for 'spec.api'" in err.splitlines()[0]


def test_stdin_that_is_not_utf8_is_a_diagnostic(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = main(monkeypatch, capsys, "-", stdin=b'x: "\xff"\n')
    assert code == 1
    assert err.startswith("<stdin>:1:5: error[CF101]: file is not valid UTF-8")


def test_stdin_is_not_an_include(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = main(monkeypatch, capsys, str(SHELL), "-I", "-")
    assert code == 2
    assert one_line(err) == ("codeflare-compile: -I -: standard input can be a PATH, not an -I "
                             "path")
