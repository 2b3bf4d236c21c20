"""No credential reaches stdout, stderr or a written file, wherever the input plants one: in
URLs (user information, token queries) of `repo` and `image`, under keys the loader does not
know, in every diagnostics format, with and without --out-dir. Each case plants a canary; a
case that compiles must not carry it into the manifests either (then it must be refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeflare_compile.redact import holds_credentials, scrub_source
from tests.helpers import run_cli

CANARY = "CANARYs3cr3tQ7"
APP = ("apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
       "  api: shell\n  image: {image}\n  command: echo hi\n{extra}")
RUN = ("---\napiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: r}\n"
       "spec:\n  application: a\n{run_extra}")
DATASET = ("---\napiVersion: codeflare.dev/v1alpha1\nkind: DataSet\nmetadata: {name: d}\n"
           "spec:\n{spec}")

#: (name, Application image, extra Application lines, extra Run lines, DataSet spec or "")
PLANTS = [
    ("repo-userinfo", "python:3.12", f"  repo: https://user:{CANARY}@github.com/org/r\n", "", ""),
    ("repo-userinfo-slash", "python:3.12",
     f"  repo: https://user:abc/{CANARY}@github.com/org/r\n", "", ""),
    ("repo-two-at", "python:3.12", f"  repo: https://user:p@{CANARY}@github.com/org/r\n", "",
     ""),
    ("repo-token-query", "python:3.12",
     f"  repo: https://github.com/o/r?access_token={CANARY}\n", "", ""),
    ("image-userinfo", f"https://u:{CANARY}@registry.example.com/img:1", "", "", ""),
    ("unknown-key-app", "python:3.12", f"  secret_access_key: {CANARY}\n", "", ""),
    ("unknown-key-run", "python:3.12", "", f"  repo: https://u:{CANARY}@github.com/o/r\n", ""),
    ("credentials-mapping", "python:3.12", f"  credentials: {{user: me, key: {CANARY}}}\n", "",
     ""),
    ("nfs-password", "python:3.12", "", "",
     f"  nfs: {{server: nfs.example.com, path: /x}}\n  password: {CANARY}\n"),
    ("s3-inline-key", "python:3.12", "", "",
     f"  s3:\n    endpoint: https://s3.example.com\n    bucket: b\n"
     f"    secretAccessKey: {CANARY}\n"),
    # found by tests/test_canary_properties.py: a credential-like key inside a flow mapping,
    ("flow-mapping-key", "python:3.12", "", f"  env: {{TOKEN: {{secretKeyRef: {{name: s, key: k}}, "
     f"value: {CANARY}}}}}\n", ""),
    # a line nested under a credential-like key that another mistake puts in an excerpt,
    ("nested-under-key", "python:3.12",
     f"  credentials:\n    user: me\n    key: {CANARY}\n    key: {CANARY}\n", "", ""),
    # and URLs with credentials in fields whose values are output: env, options, tasks, labels
    ("env-url-password", "python:3.12", f"  env: {{DB_URL: 'postgres://u:{CANARY}@db/x'}}\n",
     "", ""),
    ("options-token-query", "python:3.12", "", f"  options: --src https://h/p?token={CANARY}\n",
     ""),
    ("requirement-url", "python:3.12",
     f"  requirements: ['git+https://u:{CANARY}@github.com/o/pkg']\n", "", ""),
    ("s3-endpoint-userinfo", "python:3.12", "", "",
     f"  s3: {{endpoint: 'https://k:{CANARY}@s3.example.com', bucket: b}}\n"),
]


def _write(tmp_path: Path, image: str, extra: str, run_extra: str, dataset: str) -> None:
    text = APP.replace("{image}", image).replace("{extra}", extra)
    text += RUN.replace("{run_extra}", run_extra)
    if dataset:
        text += DATASET.replace("{spec}", dataset)
    (tmp_path / "in.yaml").write_text(text)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
@pytest.mark.parametrize(("name", "image", "extra", "run_extra", "dataset"), PLANTS,
                         ids=[p[0] for p in PLANTS])
def test_no_canary_reaches_any_output(tmp_path: Path, fmt: str, name: str, image: str,
                                      extra: str, run_extra: str, dataset: str) -> None:
    _write(tmp_path, image, extra, run_extra, dataset)
    out_dir = tmp_path / "out"
    for args in (["--diagnostics", fmt], ["--diagnostics", fmt, "--out-dir", str(out_dir)]):
        result = run_cli("compile", "in.yaml", "--queueing", "none", *args, cwd=tmp_path)
        assert result.exit_code == 1, (name, result.stdout[:200])  # refused, every time
        assert CANARY not in result.stdout and CANARY not in result.stderr, result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "in.yaml"]
    assert not any(CANARY in p.read_text(errors="replace") for p in written)


def test_a_url_holds_credentials_with_a_password_or_a_token() -> None:
    assert holds_credentials("curl https://u:p@host/x -o y")
    assert holds_credentials("--src=https://host/x?ref=main&access_token=t")
    assert not holds_credentials("git clone ssh://git@github.com/org/repo")  # a user alone
    assert not holds_credentials("see https://example.com/a?q=1 and mail me@example.com")


def test_source_lines_hide_credential_values_inline_and_nested() -> None:
    lines = ["spec:", "  env: {A: x, API_TOKEN: t0ken}", "  credentials:", "    user: me",
             "    - key: k3y", "  # a comment", "  image: python:3.12", "password: |",
             "  p4ss", "token:", "- t0k", "next: 1"]
    assert scrub_source(lines) == [
        "spec:", "  env: {A: x, API_TOKEN: <redacted>", "  credentials:", "    <redacted>",
        "    <redacted>", "  # a comment", "  image: python:3.12", "password: <redacted>",
        "  <redacted>", "token:", "<redacted>", "next: 1"]
