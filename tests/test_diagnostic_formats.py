"""`--diagnostics text|json|github|sarif`, and colour only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Span
from codeflare_compile.report import escape_github_data, escape_github_property, render_github
from tests.helpers import REPO, run_cli

EXAMPLE = REPO / "examples" / "ray-mnist"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The example with two mistakes: a misspelt archetype and a Run naming no Application."""
    folder = tmp_path / "jobs"
    folder.mkdir()
    (folder / "application.yaml").write_text(
        (EXAMPLE / "application.yaml").read_text().replace("api: ray", "api: ary"))
    (folder / "run.yaml").write_text((EXAMPLE / "run.yaml").read_text())
    (folder / "sizes.yaml").write_text((EXAMPLE / "sizes.yaml").read_text())
    return folder


def test_json_lines_one_object_per_diagnostic(broken: Path) -> None:
    out = run_cli("check", "jobs", "--diagnostics", "json", cwd=broken.parent)
    assert out.exit_code == 1
    records = [json.loads(line) for line in out.stderr.splitlines()]
    assert len(records) == 2
    text = run_cli("check", "jobs", cwd=broken.parent).stderr
    help_line = next(line for line in text.splitlines() if line.startswith("  help: "))
    assert records[0] == {
        "severity": "error", "code": "CF203",
        "message": "invalid value 'ary' for 'spec.api'", "file": "jobs/application.yaml",
        "line": 10, "column": 8, "endColumn": 11,
        "help": help_line.removeprefix("  help: "),
        "notes": [],
    }
    assert "did you mean 'ray'?" in records[0]["help"]
    assert records[1]["code"] == "CF216"  # the Run uses an invalid Application
    assert (records[1]["file"], records[1]["line"]) == ("jobs/run.yaml", 8)


def test_github_escapes_data_and_properties() -> None:
    assert escape_github_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_github_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    # the message keeps `:` and `,` as they are: only properties escape them
    assert escape_github_data("a:b,c") == "a:b,c"


def test_github_command_for_a_diagnostic_with_notes_and_help(tmp_path: Path) -> None:
    file = tmp_path / "dir,with:odd%chars" / "run.yaml"
    diagnostic = Diagnostic(Code.DUPLICATE_RESOURCE, "Run 'a' is defined twice, 100% sure",
                            Span(str(file), 3, 9, 10), help="rename one\nof them")
    lines = {str(file): ["", "", "  name: a"]}
    text = render_github([diagnostic], lines, tmp_path)
    assert text == (
        "::error file=dir%2Cwith%3Aodd%25chars/run.yaml,line=3,col=9,endColumn=10,title=CF302"
        "::Run 'a' is defined twice, 100%25 sure%0Ahelp: rename one%0Aof them\n")


def test_github_format_end_to_end(broken: Path) -> None:
    out = run_cli("check", str(broken), "--diagnostics", "github", cwd=broken.parent)
    assert out.exit_code == 1
    lines = out.stderr.splitlines()
    first = json.loads(run_cli("check", "jobs", "--diagnostics", "json",
                               cwd=broken.parent).stderr.splitlines()[0])
    assert lines[0] == (
        "::error file=jobs/application.yaml,line=10,col=8,endColumn=11,title=CF203::invalid "
        f"value 'ary' for 'spec.api'%0Ahelp: {first['help']}")
    assert lines[1].startswith("::error file=jobs/run.yaml,line=8,col=16,")
    assert len(lines) == 2  # no summary line: every line is a workflow command


def test_warnings_are_github_warnings(tmp_path: Path) -> None:
    for name in ("application.yaml", "run.yaml", "sizes.yaml"):
        (tmp_path / name).write_text((EXAMPLE / name).read_text())
    out = run_cli("compile", ".", "--queueing", "none", "--diagnostics", "github", cwd=tmp_path)
    assert out.exit_code == 0
    assert out.stderr.startswith("::warning file=run.yaml,line=")
    assert "title=CF502::" in out.stderr


def test_sarif_log(broken: Path) -> None:
    out = run_cli("check", "jobs", "--diagnostics", "sarif", cwd=broken.parent)
    assert out.exit_code == 1
    log = json.loads(out.stderr)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "codeflare-compile"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [code.value for code in Code]  # stable: every code, in code order
    assert all(r["shortDescription"]["text"] for r in driver["rules"])
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == broken.parent.as_uri() + "/"
    first, second = run["results"]
    assert first["ruleId"] == "CF203"
    assert ids[first["ruleIndex"]] == "CF203"
    assert first["level"] == "error"
    assert first["message"]["text"].startswith("invalid value 'ary' for 'spec.api'\nhelp: ")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "jobs/application.yaml",
                                            "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 10, "startColumn": 8, "endLine": 10,
                                  "endColumn": 11}
    assert second["ruleId"] == "CF216"


def test_sarif_paths_given_absolute_are_made_relative(broken: Path) -> None:
    out = run_cli("check", str(broken), "--diagnostics", "sarif", cwd=broken.parent)
    uri = json.loads(out.stderr)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "jobs/application.yaml"


def test_sarif_related_locations_for_notes(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text((EXAMPLE / "application.yaml").read_text())
    out = run_cli("check", ".", "--diagnostics", "sarif", cwd=tmp_path)
    (result,) = json.loads(out.stderr)["runs"][0]["results"]
    assert result["ruleId"] == "CF302"
    (related,) = result["relatedLocations"]
    assert related["message"]["text"] == "first defined here"
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "a.yaml"


def test_sarif_on_success_is_an_empty_log(tmp_path: Path) -> None:
    out = run_cli("check", str(EXAMPLE), "--diagnostics", "sarif", cwd=tmp_path)
    assert out.exit_code == 0
    assert json.loads(out.stderr)["runs"][0]["results"] == []


def test_text_is_unchanged_when_not_a_terminal(broken: Path) -> None:
    default = run_cli("check", "jobs", cwd=broken.parent)
    explicit = run_cli("check", "jobs", "--diagnostics", "text", cwd=broken.parent)
    assert default.stderr == explicit.stderr
    assert "\x1b[" not in default.stderr
    assert default.stderr.startswith(
        "jobs/application.yaml:10:8: error[CF203]: invalid value 'ary' for 'spec.api'\n")


def _stderr_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the program with stderr on a pseudo-terminal and return what it wrote there."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "codeflare_compile", *args], cwd=cwd,
                              env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=follower, check=False, timeout=60)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert proc.returncode == 1
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_colour_on_a_terminal_and_never_with_no_color(broken: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["PYTHONPATH"] = str(REPO)
    coloured = _stderr_on_a_terminal(["check", "jobs"], broken.parent, env)
    assert "\x1b[1;31merror[CF203]\x1b[0m" in coloured
    plain = run_cli("check", "jobs", cwd=broken.parent).stderr
    assert ANSI.sub("", coloured) == plain  # the same text, only painted
    no_color = _stderr_on_a_terminal(["check", "jobs"], broken.parent, {**env, "NO_COLOR": "1"})
    assert no_color == plain
    for fmt in ("json", "github"):
        other = _stderr_on_a_terminal(["check", "jobs", "--diagnostics", fmt], broken.parent, env)
        assert "\x1b[" not in other
