"""Which plain scalars Go's YAML readers read as something other than a string.

Everything that reads our output is written in Go: kubectl, the API server, Argo CD and the
controllers read YAML through sigs.k8s.io/yaml, which uses go-yaml v2 (YAML 1.1 rules); kustomize's
kyaml reads through go-yaml v3. PyYAML's resolver (what the emitter consults to decide
whether a string may stay unquoted) does not know their rules: it leaves `y`, `n`, `1e-3`,
`1.5e3`, `0o17`, `08` and `+1_0` bare, which Go then reads as booleans and numbers. The emitter
quotes a string when either resolver below answers "not a string".

The rules are the `resolve` functions of go-yaml (github.com/go-yaml/yaml, `resolve.go`):

- v2 `resolve`, as sigs.k8s.io/yaml calls it (an untagged plain scalar): the `resolveMap` words
  (`y Y yes Yes YES n N no No NO on On ON off Off OFF true … false … null Null NULL ~ ""`,
  `.nan`, `±.inf`, `<<`) are looked up first; a scalar starting with `.` is a float when
  `strconv.ParseFloat` takes it; one starting with a digit or a sign is a timestamp when
  `parseTimestamp` takes it, else an int when `strconv.ParseInt(plain, 0, 64)`
  or `ParseUint` takes it with every `_` removed (Go's base prefixes `0x`, `0o`, `0b` and a
  leading-`0` octal), else a float when it matches `yamlStyleFloat` (no dot needed: `1e-3`,
  `08`), else a binary int after `0b`/`-0b`.
- v3 `resolve` has the same table without the YAML 1.1 words (`yes`, `on`, `y` …); its extra
  `0o`/`-0o` fallback is already taken by `ParseInt`'s base prefixes (Go 1.13 and later). Its
  decoder hands a timestamp to an `interface{}` as a `time.Time` where v2's hands over the
  string (v2 `decode.go`, `scalar`): timestamps are quoted for v3's sake.
- kyaml (kubernetes-sigs/kustomize `kyaml/yaml/compatibility.go`, `IsValueNonString`) reads
  with go-yaml v3 and quotes what go-yaml v2 would read as a non-string: the union above.

Where a Go parse would fail only for range (an int beyond 64 bits, a float beyond float64, a
date that does not exist), the string is quoted all the same: a quoted string is a string for
every reader, so erring that way changes only how the text looks.
"""

from __future__ import annotations

import re

#: go-yaml v2 `resolveMap` (v3's is a subset of it), the words read as bool, null, float or merge.
_WORDS = frozenset([
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    "", "~", "null", "Null", "NULL",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
    "-.inf", "-.Inf", "-.INF", "<<",
])
#: `strconv.ParseFloat` on a text starting with `.` (Go's decimal float literal, `_` between
#: digits allowed).
_DOT_FLOAT = re.compile(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?")
#: `parseTimestamp`: YYYY- first, then one of `allowedTimestampFormats` (`2006-1-2`, with
#: `T`/`t` and a `Z07:00` zone, or with a space and no zone).
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})"
    r"| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?")
#: With every `_` removed: `strconv.ParseInt(s, 0, 64)` / `ParseUint` (sign, then `0x` hex,
#: `0o` octal, `0b` binary, `0…` octal or decimal), `yamlStyleFloat`, and the `0b`/`-0b`/`0o`/
#: `-0o` fallbacks.
_NUMBER = re.compile(
    r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def go_reads_as_non_string(value: str) -> bool:
    """Whether go-yaml v2 or v3 resolves `value`, written as a plain scalar, to anything but a
    string (the union of both `resolve` functions; see the module docstring)."""
    if value in _WORDS:
        return True
    first = value[0]
    if first == ".":
        return _DOT_FLOAT.fullmatch(value) is not None
    if first not in "+-0123456789":
        return False
    return (_TIMESTAMP.fullmatch(value) is not None
            or _NUMBER.fullmatch(value.replace("_", "")) is not None)
