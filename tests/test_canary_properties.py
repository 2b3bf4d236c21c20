"""No planted credential reaches stdout, stderr or a written file (-o, --out-dir), in any
diagnostics format, wherever in any input kind it is planted (issue 17, item 3).

A command, an option, an env value or a description is output by design, so a canary written
there as plain text would be output too, rightly. The test plants only where the input itself
says that a value is a credential (tests/test_canaries.py holds the explicit cases):

- **URL credentials** in every string field of every kind — the field paths are found by
  walking the pydantic models of codeflare_compile/api, nested models, lists, mapping keys and
  values included: user information with a password (`scheme://user:CANARY@host/…`) or a
  token-like query parameter (`?access_token=CANARY`), as the whole value or inside it (a URL in
  a command line).
- **Credential-like keys** (password, secret, token, apiKey, credentials…): under keys the
  loader does not know, at every mapping level of every kind, holding a scalar, a list or a
  mapping; and the inline keys a DataSet's s3 source refuses (`secretAccessKey`, …).

Outside the set, because they are output by design and say nothing certain about a
credential: fields that only *name* a Secret (secretRef, repoSecret, secretKeyRef, pullSecrets,
imagePullSecrets), and the values of environment variables whatever their name
(TOKENIZERS_PARALLELISM holds no token) unless they carry a URL as above.

Each planted line may also carry another mistake (a duplicate key, a value of the wrong type, a
YAML syntax error), so that the diagnostics that excerpt that line are reached too.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from codeflare_compile.api import KINDS
from tests.helpers import run_cli

CANARY = "CANARYs3cr3tQ7"
#: A field path: keys of mappings, 0 for a list's element, KEY for a key of a free mapping.
Path_ = tuple[str | int, ...]
KEY = "<key>"


def fields(model: type[BaseModel], prefix: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """The path of every string and of every mapping a document of `model` can hold, as
    written (camelCase): (path, "string") or (path, "mapping")."""
    yield prefix, "mapping"
    for name, field in model.model_fields.items():
        yield from _fields(field.annotation, (*prefix, field.alias or name))


def _fields(annotation: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        yield from _fields(args[0], path)
    elif origin in (Union, types.UnionType):
        for arg in args:
            yield from _fields(arg, path)
    elif origin is list:
        yield from _fields(args[0], (*path, 0))
    elif origin is dict:  # a free mapping: its keys and values are strings, not fields
        yield from ((p, kind) for p, kind in _fields(args[0], (*path, KEY)) if kind == "string")
        yield from _fields(args[1], (*path, "VALUE"))
    elif origin is Literal:
        if all(isinstance(a, str) for a in args):
            yield path, "string"
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from fields(annotation, path)
    elif annotation is str:
        yield path, "string"


FIELDS = {(kind, path, what) for kind, model in KINDS.items() for path, what in fields(model)}
STRING_FIELDS = sorted(((kind, path) for kind, path, what in FIELDS
                        if what == "string" and path[:1] != ("kind",)), key=str)
MAPPINGS = sorted(((kind, path) for kind, path, what in FIELDS if what == "mapping"), key=str)

#: One valid document of each kind, all used by one Run (the Platform turns Fluent Bit on).
BASE: dict[str, dict[str, Any]] = {
    "Platform": {"metadata": {"name": "p"}, "spec": {"logging": "fluentbit"}},
    "RunSizeConfiguration": {"metadata": {"name": "s"},
                             "spec": {"config": {"xs": {"workers": 1, "cpu": 1,
                                                        "memory": "1Gi"}}}},
    "Image": {"metadata": {"name": "img"}, "spec": {"image": "python:3.12"}},
    "DataSet": {"metadata": {"name": "d"},
                "spec": {"s3": {"endpoint": "https://s3.example.com", "bucket": "b",
                                "secretRef": {"name": "creds"}}}},
    "Application": {"metadata": {"name": "a"},
                    "spec": {"api": "workqueue", "image": {"name": "img"},
                             "command": "python3 work.py", "tasks": ["one", "two"],
                             "inputs": [{"dataset": "d", "useAs": "env"}]}},
    "Run": {"metadata": {"name": "r"}, "spec": {"application": "a", "size": "xs"}},
}
#: Keys whose values are credentials, as people write them (none of them a field of the API).
CREDENTIAL_KEYS = ["password", "secret_access_key", "apiToken", "credentials", "privateKey",
                   "auth", "clientSecret", "passphrase", "GITHUB_TOKEN"]
TOKEN_PARAMETERS = ["access_token", "private_token", "token", "api_key", "sig",
                    "X-Amz-Signature", "password"]


@st.composite
def urls(draw: st.DrawFn) -> str:
    """A URL carrying the canary as a password or as a token parameter."""
    host = draw(st.sampled_from(["github.com/org/repo", "registry.example.com/img:1",
                                 "s3.example.com/bucket", "db.internal:5432/app"]))
    if draw(st.booleans()):
        scheme = draw(st.sampled_from(["https", "http", "s3", "postgres", "git+https"]))
        user = draw(st.sampled_from(["user", "oauth2", "x-access-token", "u"]))
        return f"{scheme}://{user}:{CANARY}@{host}"
    parameter = draw(st.sampled_from(TOKEN_PARAMETERS))
    return f"https://{host}?ref=main&{parameter}={CANARY}"


@st.composite
def url_values(draw: st.DrawFn) -> str:
    """The URL as the whole value, or inside text (a command line, an option)."""
    url = draw(urls())
    return draw(st.sampled_from([url, f"curl -fsS {url} -o out", f"--source={url}"]))


def credential_values() -> st.SearchStrategy[Any]:
    return st.sampled_from([CANARY, f"{CANARY}-{CANARY}", [CANARY], {"user": "me", "key": CANARY},
                            {"nested": {"deeper": CANARY}}, f"'{CANARY}'"])


def _set(doc: dict[str, Any], path: Path_, value: Any) -> None:
    """Put `value` at `path`, making the mappings and lists on the way."""
    node: Any = doc
    for step, following in zip(path, (*path[1:], None), strict=True):
        if following is None:
            break
        fresh: Any = [] if following == 0 else {}
        if step == 0:
            if not node or not isinstance(node[0], type(fresh)):
                node[:1] = [fresh]
            node = node[0]
            continue
        key = "k" if step == KEY else step
        if not isinstance(node.get(key), type(fresh)):
            node[key] = fresh
        node = node[key]
    last = path[-1]
    if last == 0:
        node[:] = [value]
    elif last == KEY:
        node[value] = "v"
    else:
        node[last] = value


@st.composite
def planted(draw: st.DrawFn) -> dict[str, str]:
    """An input set with one canary planted where a credential is implied; the files by name."""
    docs = {kind: yaml.safe_load(yaml.safe_dump(doc)) for kind, doc in BASE.items()}
    if draw(st.integers(0, 3)):  # mostly strings: there are more of them than mappings
        kind, path = draw(st.sampled_from(STRING_FIELDS))
        _set(docs[kind], path, draw(url_values()))
    else:
        kind, path = draw(st.sampled_from(MAPPINGS))
        _set(docs[kind], (*path, draw(st.sampled_from(CREDENTIAL_KEYS))),
             draw(credential_values()))
    if draw(st.booleans()):
        s3 = docs["DataSet"]["spec"]["s3"]
        s3[draw(st.sampled_from(["secretAccessKey", "accessKeyID", "token", "apiKey"]))] = CANARY
    flow = draw(st.sampled_from([False, None]))  # block style, or leaf mappings on one line
    texts = {kind: yaml.safe_dump({"apiVersion": "codeflare.dev/v1alpha1", "kind": kind, **doc},
                                  sort_keys=False, default_flow_style=flow, width=1 << 16)
             for kind, doc in docs.items()}
    mistake = draw(st.sampled_from(["none", "duplicate", "syntax", "wrong-type"]))
    texts[kind] = _with_mistake(texts[kind], mistake)
    return {f"{kind.lower()}.yaml": text for kind, text in texts.items()}


def _with_mistake(text: str, mistake: str) -> str:
    """`text` with a second mistake on the canary's line."""
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if CANARY in line), None)
    if at is None or mistake == "none":  # the canary sits on a line of its own (block style)
        return text
    line = lines[at]
    if mistake == "duplicate" and ":" in line:  # the key again (a list item's, after its dash)
        width = len(line) - len(line.lstrip(" -"))
        lines.insert(at + 1, " " * width + line.lstrip(" -"))
    elif mistake == "syntax":
        lines[at] = line + " ]"
    elif mistake == "wrong-type" and ": " in line:
        key, _, value = line.partition(": ")
        lines[at] = f"{key}: [{value}]"
    return "\n".join(lines) + "\n"


def _written(folder: Path, inputs: dict[str, str]) -> Iterator[Path]:
    return (p for p in folder.rglob("*") if p.is_file() and p.name not in inputs)


@settings(max_examples=max(40, settings.default.max_examples))
@given(files=planted(), fmt=st.sampled_from(["text", "json", "sarif", "github"]))
def test_no_planted_credential_reaches_any_output(tmp_path_factory: Any, files: dict[str, str],
                                                   fmt: str) -> None:
    folder = tmp_path_factory.mktemp("canary")
    for name, text in files.items():
        (folder / name).write_text(text)
    for output in (["-o", "out.yaml"], ["--out-dir", "out"]):
        result = run_cli("compile", *sorted(files), "--diagnostics", fmt, *output, cwd=folder)
        assert CANARY not in result.stdout, result.stdout
        assert CANARY not in result.stderr, result.stderr
    leaked = [p.name for p in _written(folder, files) if CANARY in p.read_text(errors="replace")]
    assert not leaked, leaked


def test_the_walk_reaches_nested_lists_and_mappings() -> None:
    """The planting sites include strings in lists, mapping keys and values, nested models."""
    paths = set(STRING_FIELDS)
    assert ("Application", ("spec", "repo")) in paths
    assert ("Application", ("spec", "code", 0, "source")) in paths
    assert ("Application", ("spec", "env", "VALUE")) in paths
    assert ("Run", ("metadata", "annotations", KEY)) in paths
    assert ("DataSet", ("spec", "s3", "endpoint")) in paths
    assert ("Platform", ("spec", "fluentBit", "image")) in paths
    assert ("Application", ("spec", "steps", 0)) in set(MAPPINGS)
