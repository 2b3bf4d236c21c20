"""Keeping credentials out of diagnostics: what an excerpt or a message may not print.

Credentials belong in Secrets; when someone pastes one into the input anyway (a token in a
repository URL, a key under a field the loader does not know), the compiler refuses the input,
and the diagnostic that says so must not copy the credential into a CI log or a pull-request
annotation. `scrub` hides, in one line of text, every URL that carries credentials (user
information, or a token-like query parameter) and the value of every credential-like key;
`scrub_source` does so for the lines of a YAML file, where a credential-like key's value may
also stand in a flow mapping (`{user: me, password: …}`) or in the block nested under it.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"
#: Query parameters that carry credentials in the URLs of git hosts, object stores and APIs.
_TOKEN_QUERY = re.compile(
    r"[?&#](access_token|private_token|token|password|passwd|secret|key|api_key|apikey|"
    r"sig|signature|x-amz-signature|x-amz-credential|auth|authorization|code)=", re.I)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")
#: Keys whose values are credentials, in YAML (`key: value`) or JSON (`"key": value`) form.
_KEY = re.compile(
    r"""^(?P<head>\s*(-\s+)?["']?(?P<key>[A-Za-z0-9_.-]+)["']?\s*:)(?P<value>.*)$""")
#: A key inside a line, after the start of the line, a flow collection's `{`, `[` or `,`, or a
#: list item's dash, with the value after its colon.
_INNER_KEY = re.compile(r"""(?:^|[{\[,-])\s*["']?(?P<key>[A-Za-z0-9_.-]+)["']?\s*:(?=\s|$)""")
#: A key whose value is the block below it (nothing, an anchor, a tag or a block scalar
#: indicator after the colon).
_BLOCK_KEY = re.compile(
    r"""^(?P<indent>\s*)(-\s+)?["']?(?P<key>[A-Za-z0-9_.-]+)["']?\s*:\s*"""
    r"""([&!][^\s]*\s*)?([|>][-+0-9]*)?\s*(#.*)?$""")
_CREDENTIAL_WORD = re.compile(
    r"pass(word|wd|phrase)?|secret|token|credential|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|auth", re.I)
#: Keys of the input API that name a Secret (its name is no credential).
_SECRET_NAMES = frozenset({"secretRef", "repoSecret", "secretKeyRef", "imagePullSecrets",
                           "pullSecrets"})


def has_credentials(url: str) -> bool:
    """Whether a URL-like value carries credentials: user information or a token query."""
    rest = url.partition("://")[2]
    return "@" in rest or bool(_TOKEN_QUERY.search(url))


def holds_credentials(text: str) -> bool:
    """Whether any URL in `text` carries a credential: a password in its user information
    (`user:password@host`; a user alone, as in `ssh://git@host`, is none) or a token-like query
    parameter."""
    for match in _URL.finditer(text):
        url = match.group()
        authority = url.partition("://")[2].split("/", 1)[0]
        if ":" in authority.rpartition("@")[0] or _TOKEN_QUERY.search(url):
            return True
    return False


def _is_credential_key(key: str) -> bool:
    return bool(_CREDENTIAL_WORD.search(key)) and key not in _SECRET_NAMES


def scrub(text: str) -> str:
    """`text` with credential-carrying URLs and credential-like keys' values hidden."""
    match = _KEY.match(text)
    if match and _is_credential_key(match["key"]) and match["value"].strip():
        return f"{match['head']} {REDACTED}"
    return _URL.sub(lambda m: REDACTED if has_credentials(m.group()) else m.group(), text)


def scrub_source(lines: list[str]) -> list[str]:
    """The lines of a YAML file as an excerpt may show them: `scrub`bed, a credential-like
    key's value hidden where it stands inside a line too, and every line of the block nested
    under such a key hidden whole."""
    out: list[str] = []
    block: int | None = None  # the indentation of the credential-like key being hidden
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        inside = line.strip() and block is not None and (
            indent > block or (indent == block and line.lstrip().startswith("- ")))
        if inside:
            out.append(line[:indent] + REDACTED)
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            block = None
        opens = _BLOCK_KEY.match(line)
        if opens and _is_credential_key(opens["key"]):  # its block is indented past the key
            block = len(line) - len(line.lstrip(" -\"'"))
        out.append(_scrub_inner(scrub(line)))
    return out


def _scrub_inner(line: str) -> str:
    """`line` cut after the colon of the first credential-like key inside it."""
    for match in _INNER_KEY.finditer(line):
        if _is_credential_key(match["key"]) and line[match.end():].strip():
            return f"{line[:match.end()]} {REDACTED}"
    return line
