"""Hostile input: each attack on the loader or the shell commands, with its exact diagnostic.

Alias bombs, deep nesting, huge files, binary and non-UTF-8 files, control characters, duplicate
keys, tabs, huge integers, symlink loops, unusable output folders; and strings full of shell
metacharacters that must reach the program intact, checked by running the rendered commands.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeflare_compile import source
from codeflare_compile.api.common import RESERVED_MOUNT_PATHS
from tests.helpers import Outcome, blocks, compile_files, run_cli, without_sources

APP = """\
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: app}
spec: {api: shell, image: "python:3.12-slim", command: "python3 show.py"}
"""
RUN = """\
apiVersion: codeflare.dev/v1alpha1
kind: Run
metadata: {name: run}
spec: {application: app}
"""


#: Write the files and compile them by name: diagnostics name them as written (`app.yaml:3:1`).
compile_in = functools.partial(compile_files, paths=None)


def first_lines(out: Outcome) -> tuple[str, str]:
    """The header and the help line of the only diagnostic."""
    (block,) = blocks(out)
    lines = block.splitlines()
    return lines[0], lines[-1]


# ---------------------------------------------------------------------------- the loader


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """A billion laughs: 9 levels of 10 aliases would expand to 10^9 values."""
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in itertools.pairwise("abcdefghi"))
    started = time.perf_counter()
    out = compile_in(tmp_path, {"laughs.yaml": laughs})
    assert time.perf_counter() - started < 10
    assert out.exit_code == 1
    assert blocks(out) == [
        "laughs.yaml:5:1: error[CF105]: document expands to more than 100000 values\n"
        " 5 | e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "   | ^\n"
        "  help: YAML aliases (*name) are expanded; reduce their nesting"]


def test_deep_nesting_is_refused_without_recursion_error(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"deep.yaml": "a: " + "[" * 10_000 + "\n"})
    assert out.exit_code == 1
    assert "ecursion" not in out.stderr
    assert first_lines(out) == (
        "deep.yaml:1:103: error[CF107]: document is nested more than 100 levels deep",
        "  help: resources are a few levels deep: look for unclosed '[' or '{'")


def test_deep_mappings_are_refused_too(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"deep.yaml": "a: " + "{b: " * 5_000 + "1" + "}" * 5_000})
    assert first_lines(out)[0] == \
        "deep.yaml:1:400: error[CF107]: document is nested more than 100 levels deep"


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    depth = source.MAX_DEPTH - 1  # the document's own mapping is the first level
    out = compile_in(tmp_path, {"ok.yaml": "a: " + "[" * depth + "x" + "]" * depth + "\n",
                                "ok2.yaml": "a: " + "[" * depth + "]" * depth + "\n"})
    assert [b.splitlines()[0] for b in blocks(out)] == [
        "ok.yaml:1:1: error[CF104]: document has no apiVersion",
        "ok2.yaml:1:1: error[CF104]: document has no apiVersion"]


def test_self_referencing_alias_is_refused(tmp_path: Path) -> None:
    """`&a [*a]` is a cycle: building it would recurse forever."""
    out = compile_in(tmp_path, {"cycle.yaml": "a: &a [*a]\nb: &b {<<: *b}\n"})
    assert blocks(out) == [
        "cycle.yaml:1:4: error[CF107]: document is nested more than 100 levels deep through "
        "YAML aliases\n"
        " 1 | a: &a [*a]\n"
        "   |    ^^^^^^^\n"
        "  help: an anchor's value refers to itself, or aliases are chained too deep"]


def test_alias_chains_deeper_than_the_limit_are_refused(tmp_path: Path) -> None:
    chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 150))
    out = compile_in(tmp_path, {"chain.yaml": chain})
    header, _ = first_lines(out)
    assert header.endswith("error[CF107]: document is nested more than 100 levels deep "
                           "through YAML aliases")
    assert header.startswith("chain.yaml:")


def test_reused_anchor_is_allowed_and_quiet(tmp_path: Path) -> None:
    """YAML lets an anchor be redefined (an alias means the latest): no Python warning."""
    app = APP.replace("metadata: {name: app}", "metadata: {name: &n app, labels: {x: *n}}")
    run = RUN.replace("metadata: {name: run}", "metadata: {name: &n run, labels: {y: *n}}")
    out = compile_in(tmp_path, {"jobs.yaml": app + "---\n" + run})
    assert out.exit_code == 0, out.stderr
    assert out.stderr == ""


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    assert source.MAX_FILE_BYTES == 8 * 1024 * 1024  # documented in docs/security.md
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(source.MAX_FILE_BYTES + 1)  # sparse: nothing is written
    out = run_cli("compile", "big.yaml", cwd=tmp_path)
    assert out.exit_code == 1
    assert blocks(out) == [
        "big.yaml:1:1: error[CF108]: file is 8388609 bytes, over the 8388608 limit\n"
        "  help: split large inputs into several files"]


@pytest.mark.parametrize(("content", "where"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "1:1"),
    ("kind: Run\n".encode("utf-16"), "1:1"),
    ("apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata:\n  name: caf\xe9\n".encode(
        "latin-1"), "4:12"),
], ids=["png", "utf-16", "latin-1"])
def test_files_that_are_not_utf8_are_refused(tmp_path: Path, content: bytes,
                                              where: str) -> None:
    out = compile_in(tmp_path, {"data.yaml": content})
    assert out.exit_code == 1
    assert blocks(out) == [f"data.yaml:{where}: error[CF101]: file is not valid UTF-8\n"
                           "  help: save the file as UTF-8 text"]


def test_control_characters_are_refused_and_never_printed(tmp_path: Path) -> None:
    """A NUL (binary data that happens to be UTF-8) and terminal escape sequences: the
    diagnostic points at the character and shows U+FFFD in its place."""
    out = compile_in(tmp_path, {
        "nul.yaml": b"kind: Run\nmetadata: {name: a\x00b}\n",
        "esc.yaml": b"kind: Run\n# \x1b]0;pwned\x07 \x1b[2J\n",
    })
    assert out.exit_code == 1
    assert "\x1b" not in out.stderr and "\x00" not in out.stderr and "\x07" not in out.stderr
    assert blocks(out) == [
        "esc.yaml:2:3: error[CF101]: the control character U+001B is not allowed in YAML\n"
        " 2 | # \ufffd]0;pwned\ufffd \ufffd[2J\n"
        "   |   ^\n"
        "  help: remove it; write it as an escape (\\x.. or \\u....) inside double quotes if "
        "it is meant",
        "nul.yaml:2:19: error[CF101]: the control character U+0000 is not allowed in YAML\n"
        " 2 | metadata: {name: a\ufffdb}\n"
        "   |                   ^\n"
        "  help: remove it; write it as an escape (\\x.. or \\u....) inside double quotes if "
        "it is meant"]


def test_escaped_control_characters_in_values_are_shown_escaped(tmp_path: Path) -> None:
    """Written as YAML escapes they are valid text; quoted back in a message, escaped."""
    out = compile_in(tmp_path, {"kind.yaml": 'apiVersion: codeflare.dev/v1alpha1\n'
                                             'kind: "Run\\e[2J"\nmetadata: {name: x}\n'})
    assert "\x1b" not in out.stderr
    assert first_lines(out)[0] == "kind.yaml:2:7: error[CF104]: unknown kind 'Run\\x1b[2J'"


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"jobs.yaml": ("\ufeff" + APP + "---\n" + RUN).encode()},
                     "--queueing", "none")
    assert out.exit_code == 0, out.stderr


def test_duplicate_key_in_a_flow_mapping(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"dup.yaml": APP.replace("{name: app}", "{name: app, name: b}")})
    assert blocks(out) == [
        "dup.yaml:3:23: error[CF102]: duplicate key 'name'\n"
        " 3 | metadata: {name: app, name: b}\n"
        "   |                       ^^^^\n"
        "  note: dup.yaml:3:12: first defined here\n"
        " 3 | metadata: {name: app, name: b}\n"
        "   |            ^^^^\n"
        "  help: remove one of the two; YAML would silently keep the last"]


def test_tab_indentation(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"tab.yaml": "kind: Run\nspec:\n\tapplication: app\n"})
    assert blocks(out) == [
        "tab.yaml:3:1: error[CF101]: YAML syntax error: found character '\\t' that cannot "
        "start any token\n"
        " 3 |  application: app\n"
        "   | ^\n"
        "  help: YAML indentation must use spaces, not tabs"]


HUGE = [
    ("workers: 1e400", "6:12", "invalid value inf for 'spec.workers': input should be a valid "
     "integer", "write a whole number, unquoted"),
    ("workers: " + "1" + "0" * 100, "6:12", f"invalid value {10**100} for 'spec.workers': input "
     "should be less than or equal to 100000", "use a value in the allowed range"),
    ("workers: " + "9" * 5_000, "6:12", "number with 5000 characters is too large",
     "write a number of a sensible size"),
    ("workers: -1", "6:12", "invalid value -1 for 'spec.workers': input should be greater than "
     "or equal to 0", "use a value in the allowed range"),
    ("timeout: 0s", "6:12", "invalid value '0s' for 'spec.timeout': must be between 1s and "
     "2147483647s (68 years)", "write a duration such as 90s, 30m, 2h or 1h30m"),
    ("timeout: 99999999999999999999h", "6:12", "invalid value '99999999999999999999h' for "
     "'spec.timeout': must be between 1s and 2147483647s (68 years)",
     "write a duration such as 90s, 30m, 2h or 1h30m"),
]


@pytest.mark.parametrize(("field", "where", "message", "help_text"), HUGE,
                         ids=["float-inf", "10^100", "5000-digits", "negative", "zero-timeout",
                              "huge-timeout"])
def test_huge_numbers_are_input_errors(tmp_path: Path, field: str, where: str, message: str,
                                       help_text: str) -> None:
    run = RUN.replace("spec: {application: app}", f"spec:\n  application: app\n  {field}")
    out = compile_in(tmp_path, {"app.yaml": APP, "run.yaml": run})
    assert out.exit_code == 1, out.stdout
    assert first_lines(out) == (f"run.yaml:{where}: error[CF203]: {message}",
                                f"  help: {help_text}")


@pytest.mark.parametrize(("field", "message"), [
    ("gpu: 1000000000000", "invalid value 1000000000000 for 'spec.config.xs.gpu': input should "
                           "be less than or equal to 100000"),
    ("workers: 100001", "invalid value 100001 for 'spec.config.xs.workers': input should be "
                        "less than or equal to 100000"),
])
def test_huge_counts_in_a_size_policy(tmp_path: Path, field: str, message: str) -> None:
    sizes = ("apiVersion: codeflare.dev/v1alpha1\nkind: RunSizeConfiguration\n"
             "metadata: {name: s}\nspec:\n  config:\n    xs:\n      cpu: '1'\n"
             f"      memory: 1Gi\n      {field}\n")
    if not field.startswith("workers"):
        sizes += "      workers: 1\n"
    out = compile_in(tmp_path, {"sizes.yaml": sizes})
    assert first_lines(out) == (f"sizes.yaml:9:{len(field.split(':')[0]) + 9}: error[CF203]: "
                                f"{message}", "  help: use a value in the allowed range")


def test_user_ids_beyond_int32_are_refused(tmp_path: Path) -> None:
    app = APP.replace('command: "python3 show.py"}',
                      'command: "python3 show.py", securityContext: {runAsUser: 2147483648}}')
    out = compile_in(tmp_path, {"app.yaml": app})
    assert first_lines(out) == (
        "app.yaml:4:104: error[CF203]: invalid value 2147483648 for "
        "'spec.securityContext.runAsUser': input should be less than or equal to 2147483647",
        "  help: use a value in the allowed range")


# ------------------------------------------------------------ values the cluster would refuse


BAD_VALUES = [
    ('metadata: {name: app, labels: {"bad key": x}}', "3:32",
     "invalid value 'bad key' for 'metadata.labels.bad key': not a label or annotation key "
     "([prefix/]name)", "keys are an optional DNS subdomain and '/', then at most 63 letters, "
     "digits, '-', '_' or '.', starting and ending with a letter or digit, such as 'team' or "
     "'example.com/owner'"),
    ('metadata: {name: app, labels: {team: "a b"}}', "3:38",
     "invalid value 'a b' for 'metadata.labels.team': not a label value",
     "label values are at most 63 letters, digits, '-', '_' or '.', starting and ending with a "
     "letter or digit, or empty"),
    ('metadata: {name: app, annotations: {"Example.com/x": y}}', "3:37",
     "invalid value 'Example.com/x' for 'metadata.annotations.Example.com/x': not a label or "
     "annotation key ([prefix/]name)", None),
]


@pytest.mark.parametrize(("metadata", "where", "message", "help_text"), BAD_VALUES,
                         ids=["label-key", "label-value", "annotation-key"])
def test_labels_and_annotations_are_checked(tmp_path: Path, metadata: str, where: str,
                                            message: str, help_text: str | None) -> None:
    """Labels go on every object: one Kubernetes would refuse is an input error, not exit 3."""
    out = compile_in(tmp_path, {"app.yaml": APP.replace("metadata: {name: app}", metadata)})
    assert out.exit_code == 1
    header, help_line = first_lines(out)
    assert header == f"app.yaml:{where}: error[CF203]: {message}"
    if help_text is not None:
        assert help_line == f"  help: {help_text}"


@pytest.mark.parametrize(("env", "where", "message", "help_text"), [
    ('{"A=B": x}', "4:81", "invalid value 'A=B' for 'spec.env.A=B': not an environment "
     "variable name", "use letters, digits, '_', '-' and '.', not starting with a digit, such "
     "as 'DATA_DIR'"),
    ('{X: "a\\0b"}', "4:84", "invalid value 'a\\x00b' for 'spec.env.X': contains a NUL "
     "character", "remove the NUL character (\\0): no program argument or environment value "
     "can hold one"),
    ('{X: {secretKeyRef: {name: s, key: "a b"}}}', "4:114", "invalid value 'a b' for "
     "'spec.env.X.secretKeyRef.key': not a Secret key",
     "Secret keys are letters, digits, '-', '_' and '.', such as 'password'"),
], ids=["env-name", "nul", "secret-key"])
def test_environment_is_checked(tmp_path: Path, env: str, where: str, message: str,
                                help_text: str) -> None:
    app = APP.replace('command: "python3 show.py"}', f'command: "python3 show.py", env: {env}}}')
    out = compile_in(tmp_path, {"app.yaml": app})
    assert first_lines(out) == (f"app.yaml:{where}: error[CF203]: {message}",
                                f"  help: {help_text}")


@pytest.mark.parametrize(("path", "message", "help_text"), [
    ("data", "invalid value 'data' for 'spec.inputs.0.mountPath': not an absolute path",
     "write an absolute path such as /mnt/data"),
    ("/workspace/", "invalid value '/workspace/' for 'spec.inputs.0.mountPath': /workspace is "
     "where codeflare-compile mounts a volume of its own", "mount it elsewhere, such as "
     "/mnt/data"),
], ids=["relative", "reserved"])
def test_mount_paths_are_checked(tmp_path: Path, path: str, message: str,
                                 help_text: str) -> None:
    app = APP.replace('command: "python3 show.py"}', 'command: "python3 show.py", inputs: '
                      f'[{{dataset: d, mountPath: {path}}}]}}')
    out = compile_in(tmp_path, {"app.yaml": app})
    header, help_line = first_lines(out)
    assert header.endswith(f"error[CF203]: {message}") and header.startswith("app.yaml:4:")
    assert help_line == f"  help: {help_text}"


def test_reserved_mount_paths_are_the_ones_the_lowerings_use() -> None:
    from codeflare_compile.ir import PodSet
    from codeflare_compile.lower import pods, ray, workqueue
    from codeflare_compile.podlayout import WORKSPACE

    used = {WORKSPACE, pods.SHM_MOUNT["mountPath"], workqueue.TASK_DIR, ray.RAY_LOGS[0]}
    logs = PodSet(("spec",), 1, "main").logs
    assert logs is not None
    used.add(logs[0])
    assert used == set(RESERVED_MOUNT_PATHS)


def test_image_with_spaces_is_refused(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"app.yaml": APP.replace('"python:3.12-slim"',
                                                        '"python:3.12 --privileged"')})
    assert first_lines(out) == (
        "app.yaml:4:27: error[CF203]: invalid value 'python:3.12 --privileged' for "
        "'spec.image': not an image reference: empty, or with spaces or control characters",
        "  help: write an image reference such as 'python:3.12-slim'")


# ---------------------------------------------------------------------------- input folders


def test_symlink_loops_in_input_folders_are_not_followed(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    (plain / "sub").mkdir(parents=True)
    (plain / "sub" / "jobs.yaml").write_text(APP + "---\n" + RUN)
    looped = tmp_path / "looped"
    (looped / "sub").mkdir(parents=True)
    (looped / "sub" / "jobs.yaml").write_text(APP + "---\n" + RUN)
    (looped / "self").symlink_to(".")  # a folder that contains itself
    (looped / "sub" / "up").symlink_to("..")  # and a loop through a parent
    (looped / "alias.yaml").symlink_to("sub/jobs.yaml")  # the same file twice: read once
    expected = run_cli("compile", "plain", cwd=tmp_path)
    started = time.perf_counter()
    out = run_cli("compile", "looped", cwd=tmp_path)
    assert time.perf_counter() - started < 10
    assert out.exit_code == 0, out.stderr
    assert without_sources(out.stdout) == without_sources(expected.stdout) != ""


@pytest.mark.parametrize("target", ["loop.yaml", "nowhere.yaml"], ids=["self-loop", "dangling"])
def test_broken_file_symlinks_are_usage_errors(tmp_path: Path, target: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "loop.yaml").symlink_to(target)
    out = run_cli("compile", "in", cwd=tmp_path)
    assert out.exit_code == 2
    assert out.stderr == ("codeflare-compile: in/loop.yaml: a symbolic link to nothing "
                          "(dangling, or in a loop)\n")


def test_out_dir_pointing_at_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "jobs.yaml").write_text(APP + "---\n" + RUN)
    (tmp_path / "rendered").write_text("a file\n")
    out = run_cli("compile", "jobs.yaml", "--out-dir", "rendered", cwd=tmp_path)
    assert (out.exit_code, out.stdout) == (2, "")
    assert out.stderr == "codeflare-compile: --out-dir rendered: not a folder\n"
    assert (tmp_path / "rendered").read_text() == "a file\n"


def test_out_dir_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "jobs.yaml").write_text(APP + "---\n" + RUN)
    (tmp_path / "rendered").write_text("a file\n")
    out = run_cli("compile", "jobs.yaml", "--out-dir", "rendered/sub", cwd=tmp_path)
    assert (out.exit_code, out.stdout) == (2, "")
    assert out.stderr == ("codeflare-compile: cannot write to rendered/sub: Not a directory "
                          "(nothing was changed)\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_out_dir_that_is_not_writable_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "jobs.yaml").write_text(APP + "---\n" + RUN)
    locked = tmp_path / "rendered"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        out = run_cli("compile", "jobs.yaml", "--out-dir", "rendered", cwd=tmp_path)
    finally:
        locked.chmod(0o700)
    assert (out.exit_code, out.stdout) == (2, "")
    assert out.stderr.startswith("codeflare-compile: cannot write to rendered")
    assert "Traceback" not in out.stderr
    assert list(locked.iterdir()) == []


# --------------------------------------------------------- strings that reach /bin/sh -c


#: Every kind of text a shell could mangle: quotes, expansions, separators, globs, newlines
#: (trailing ones too), backslashes, leading dashes, control characters, non-ASCII.
ADVERSARIAL = [
    "it's", '"double"', "$HOME", "${HOME:-x}", "`id`", "$(id)", "a;b", "a && b", "a | b",
    "a\nb", "trailing\n\n", " spaces  around ", "-rf", "--opt=x", "back\\slash", "tab\there",
    "*", "~", "#comment", "", "ctl\x01\x07\x1b[2J\x7f", "ünïcødé ✓", "\r\n", "!", "'", "\\",
    ">out", "<in", "&", "a\u2028b\x85c",
]

ECHO_ARGV = """\
import json, os, sys
with open(os.environ["ARGV_LOG"], "a") as log:
    log.write(json.dumps({"program": os.path.basename(sys.argv[0]), "argv": sys.argv[1:],
                          "env": {k: v for k, v in os.environ.items() if k.startswith("T_")},
                          "task": os.environ.get("CODEFLARE_TASK"), "cwd": os.getcwd()}) + "\\n")
"""


def _fake_programs(folder: Path, *names: str) -> dict[str, str]:
    """Programs that only log their arguments, first on PATH; the environment to run with."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    (bin_dir / "echo_argv.py").write_text(ECHO_ARGV)
    for name in names:
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} '
                          f'{shlex.quote(str(bin_dir / "echo_argv.py"))} "$@"\n')
        script.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "ARGV_LOG": str(folder / "argv.jsonl"), "HOME": str(folder)}
    return env


def _calls(folder: Path) -> list[dict[str, Any]]:
    log = folder / "argv.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _render(tmp_path: Path, documents: list[dict[str, Any]], *args: str) -> list[dict[str, Any]]:
    # JSON (which is YAML) with every non-ASCII character escaped: the strings reach the
    # compiler exactly, whatever a YAML writer would do with NEL or LINE SEPARATOR
    text = "".join("---\n" + json.dumps(d) + "\n" for d in documents)
    (tmp_path / "jobs.yaml").write_text(text)
    out = run_cli("compile", "jobs.yaml", "--queueing", "none", "--gang", "none", *args,
                  cwd=tmp_path)
    assert out.exit_code == 0, out.stderr
    return [o for o in yaml.safe_load_all(out.stdout) if o is not None]


def _workqueue_job(tmp_path: Path, objects: list[dict[str, Any]]) -> tuple[Path, dict[str, Any]]:
    """The folder holding the tasks of the ConfigMaps in `objects`, one file a key (their
    volume, on this machine), and the workqueue's Job."""
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    for config_map in (o for o in objects if o["kind"] == "ConfigMap"):
        for key, value in config_map["data"].items():
            (tasks / key).write_bytes(value.encode())
    (job,) = [o for o in objects if o["kind"] == "Job"]
    return tasks, job


def _doc(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "codeflare.dev/v1alpha1", "kind": kind, "metadata": {"name": name},
            "spec": spec}


def _run_sh(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    assert command[:2] == ["/bin/sh", "-c"]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_requirements_and_env_arrive_intact(tmp_path: Path) -> None:
    """Each requirement is one argument of pip, exactly; env values are set as written."""
    requirements = [r for r in ADVERSARIAL if r]
    env_values = {f"T_{i}": v for i, v in enumerate(ADVERSARIAL)}
    objects = _render(tmp_path, [
        _doc("Application", "app", {"api": "shell", "image": "python:3.12-slim",
                                    "command": "python3 -c pass", "requirements": requirements,
                                    "env": env_values}),
        _doc("Run", "run", {"application": "app"})])
    (job,) = [o for o in objects if o["kind"] == "Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = _fake_programs(tmp_path, "python3")
    env.update({e["name"]: e["value"] for e in container["env"] if "value" in e})
    _run_sh(container["command"], tmp_path, env)
    pip, program = _calls(tmp_path)
    assert pip["argv"] == ["-m", "pip", "install", "--no-cache-dir", "--user", *requirements]
    assert program["argv"] == ["-c", "pass"]
    assert program["env"] == env_values


def test_workqueue_tasks_arrive_intact(tmp_path: Path) -> None:
    """Each pod gets its task as the last argument and as CODEFLARE_TASK, byte for byte."""
    from codeflare_compile.lower.workqueue import TASK_DIR

    objects = _render(tmp_path, [
        _doc("Application", "app", {"api": "workqueue", "image": "python:3.12-slim",
                                    "command": "python3 work.py --flag 'quoted value'",
                                    "tasks": ADVERSARIAL}),
        _doc("Run", "run", {"application": "app", "workers": 4})])
    tasks, job = _workqueue_job(tmp_path, objects)
    (container,) = job["spec"]["template"]["spec"]["containers"]
    shell, flag, line = container["command"]
    assert line.count(TASK_DIR) == 1
    line = line.replace(TASK_DIR, str(tasks))  # the ConfigMaps' volume, on this machine
    env = _fake_programs(tmp_path, "python3")
    for index in range(len(ADVERSARIAL)):
        _run_sh([shell, flag, line], tmp_path, {**env, "JOB_COMPLETION_INDEX": str(index)})
    calls = _calls(tmp_path)
    assert [c["argv"] for c in calls] == [
        ["work.py", "--flag", "quoted value", task] for task in ADVERSARIAL]
    assert [c["task"] for c in calls] == ADVERSARIAL


def test_torch_compound_command_reaches_every_rank_intact(tmp_path: Path) -> None:
    """A command torchrun cannot start as python runs under its own shell: the whole line
    is one argument of `/bin/sh -c`, quoted by the compiler."""
    line = "A='x y'; printf '%s\\n' \"$A\" 'it'\"'\"'s' `echo $((1+1))` && echo $'tab\\there'"
    options = "--msg 'a\nb' \\\\ \x01 ünï"
    objects = _render(tmp_path, [
        _doc("Application", "app", {"api": "torch", "image": "pytorch/pytorch:2.5.1",
                                    "command": line}),
        _doc("Run", "run", {"application": "app", "options": options})])
    (job,) = [o for o in objects if o["kind"] == "Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = _fake_programs(tmp_path, "torchrun")
    _run_sh(container["command"], tmp_path, {**env, "JOB_COMPLETION_INDEX": "0"})
    (call,) = _calls(tmp_path)
    assert call["argv"][-4:] == ["--no-python", "/bin/sh", "-c", f"{line} {options}"]


@pytest.mark.parametrize(("branch", "subdir"), [
    ("main", "it's/$(id)/a;b"),
    ("feature/x", None),
    ("--upload-pack=touch", "`id`"),
], ids=["quotes-in-subdir", "slash-branch", "dash-branch"])
def test_clone_and_working_directory_arrive_intact(tmp_path: Path, branch: str,
                                                   subdir: str | None) -> None:
    """The clone command gets the branch and URL as single arguments; Ray's entrypoint
    changes into the subfolder, whatever its name."""
    if "/" in branch:  # `/tree/<branch>/<subdir>`: the first segment is the branch
        branch, subdir = branch.split("/", 1)
    url = "https://github.com/org/repo/tree/" + branch + (f"/{subdir}" if subdir else "")
    if " " in url:
        pytest.skip("a URL has no spaces")
    objects = _render(tmp_path, [
        _doc("Application", "app", {"api": "ray", "image": "rayproject/ray:2.52.0",
                                    "command": "pwd", "repo": url, "repoSecret": "git-creds"}),
        _doc("Run", "run", {"application": "app"})])
    (job,) = [o for o in objects if o["kind"] == "RayJob"]
    head = job["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    (clone,) = head["initContainers"]
    env = _fake_programs(tmp_path, "git")
    _run_sh(clone["command"], tmp_path, env)
    (call,) = _calls(tmp_path)
    assert call["argv"][:2] == ["-c", call["argv"][1]]
    assert call["argv"][2:] == ["clone", "--depth", "1", "--branch", branch,
                                "https://github.com/org/repo.git", "/workspace/src"]
    entrypoint = job["spec"]["entrypoint"]
    workdir = tmp_path / "ws" / "src" / (subdir or "")
    workdir.mkdir(parents=True)
    local = entrypoint.replace("/workspace", str(tmp_path / "ws"), 1)
    done = subprocess.run(["/bin/sh", "-c", local], capture_output=True, text=True, timeout=30,
                          check=False, env={"PATH": os.environ["PATH"]})
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == workdir


# ------------------------------------------------------------ found by the fuzzer (see also
# tests/fuzz_crashes): the exact diagnostics now given


def test_a_kind_that_is_a_mapping(tmp_path: Path) -> None:
    out = compile_in(tmp_path, {"app.yaml": "apiVersion: codeflare.dev/v1alpha1\n"
                                            "kind: {name: Run}\nmetadata: {name: x}\n"})
    assert out.exit_code == 1
    assert first_lines(out) == ("app.yaml:2:7: error[CF104]: kind must be a string",
                                "  help: expected one of: Application, DataSet, Image, Platform, "
                                "Run, RunSizeConfiguration")


def test_surrogate_escapes(tmp_path: Path) -> None:
    """JSON writes 😀 as the pair "\\ud83d\\ude00": read as the character; a lone half is
    refused (it used to crash pydantic's error rendering)."""
    app = APP.replace('command: "python3 show.py"}', 'command: "python3 show.py \\ud83d\\ude00"}')
    ok = compile_in(tmp_path, {"app.yaml": app, "run.yaml": RUN}, "--queueing", "none",
                    "--gang", "none")
    assert ok.exit_code == 0, ok.stderr
    assert "python3 show.py 😀" in yaml.safe_load_all(ok.stdout).__next__()["spec"][
        "template"]["spec"]["containers"][0]["command"][-1]
    lone = compile_in(tmp_path, {"lone.yaml": APP.replace("{name: app}", '{name: "\\udc00"}')},
                      paths=["lone.yaml"])
    assert first_lines(lone) == (
        "lone.yaml:3:18: error[CF203]: text with an unpaired surrogate escape (\\ud800 to "
        "\\udfff) is not text", "  help: escape the character itself, such as \\U0001F600")


def test_torch_for_kubernetes_before_1_29_validates(tmp_path: Path) -> None:
    """Before 1.29 a pod failure rule must list onPodConditions, even beside onExitCodes: the
    output failed validation (exit 3) for `--kube-version 1.28`."""
    torch_app = APP.replace("api: shell", "api: torch")
    out = compile_in(tmp_path, {"app.yaml": torch_app, "run.yaml": RUN}, "--kube-version",
                     "1.28", "--queueing", "none")
    assert out.exit_code == 0, out.stderr
    (job,) = [o for o in yaml.safe_load_all(out.stdout) if o["kind"] == "Job"]
    assert job["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"] == []
    newer = compile_in(tmp_path, {}, "--queueing", "none", paths=["app.yaml", "run.yaml"])
    (job,) = [o for o in yaml.safe_load_all(newer.stdout) if o["kind"] == "Job"]
    assert "onPodConditions" not in job["spec"]["podFailurePolicy"]["rules"][0]


def test_line_separators_do_not_shift_line_numbers(tmp_path: Path) -> None:
    """YAML 1.2 ends lines at LF and CR only: U+2028 and NEL in text are not line
    breaks, and the excerpt shows the line the diagnostic means."""
    text = ("apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\n"
            "spec:\n  api: shell\n  image: python:3.12\n"
            "  command: python3 show.py \u2028 \x85\n  imag: typo\n")
    out = compile_in(tmp_path, {"app.yaml": text})
    (block,) = blocks(out)
    assert block.splitlines()[:2] == [
        "app.yaml:8:3: error[CF201]: unknown field 'imag' in Application",
        " 8 |   imag: typo"]


def test_a_final_newline_in_a_value_is_not_taken_as_valid(tmp_path: Path) -> None:
    """`re.match` with `^…$` lets "1\\n" through (`$` matches before a final newline): a CPU of
    "1\\n" reached the output, which then failed validation (exit 3). Messages show the newline
    escaped, on one line."""
    sizes = ('apiVersion: codeflare.dev/v1alpha1\nkind: RunSizeConfiguration\n'
             'metadata: {name: s}\nspec: {config: {xs: {workers: 1, cpu: "1\\n", memory: 1Gi}}}\n')
    app = APP.replace('command: "python3 show.py"}',
                      'command: "python3 show.py", env: {"A\\n": x, '
                      'B: {secretKeyRef: {name: s, key: "k\\n"}}}}')
    out = compile_in(tmp_path, {"sizes.yaml": sizes, "app.yaml": app})
    assert out.exit_code == 1
    assert [b.splitlines()[0] for b in blocks(out)] == [
        "app.yaml:4:81: error[CF203]: invalid value 'A\\n' for 'spec.env.A\\n': not an "
        "environment variable name",
        "app.yaml:4:124: error[CF203]: invalid value 'k\\n' for 'spec.env.B.secretKeyRef.key': "
        "not a Secret key",
        "sizes.yaml:4:39: error[CF205]: '1\\n' is not a Kubernetes quantity such as 500m, 2, "
        "1.5Gi or 512Mi"]
