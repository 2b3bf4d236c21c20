"""Keeping credentials out of diagnostics: what an excerpt or a message may not print.

Credentials belong in Secrets; when someone pastes one into the input anyway (a token in a
repository URL, a key under a field the loader does not know), the compiler refuses the input,
and the diagnostic that says so must not copy the credential into a CI log or a pull-request
annotation. `scrub` hides, in one line of text, every URL that carries credentials (user
information, or a token-like query parameter) and the value of every credential-like key.
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


def scrub(text: str) -> str:
    """`text` with credential-carrying URLs and credential-like keys' values hidden."""
    match = _KEY.match(text)
    if match and _CREDENTIAL_WORD.search(match["key"]) and match["key"] not in _SECRET_NAMES \
            and match["value"].strip():
        return f"{match['head']} {REDACTED}"
    return _URL.sub(lambda m: REDACTED if has_credentials(m.group()) else m.group(), text)
