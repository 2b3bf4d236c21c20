"""Argo's success/failure conditions, evaluated as Argo evaluates them, for lifecycle tests.

Argo's executor (argo-workflows `workflow/executor/resource.go`, WaitResource and
matchConditions) parses each condition with Kubernetes' label-selector parser (`labels.Parse`,
apimachinery `pkg/labels/selector.go`) and reads every key as a gjson path into the created
object's JSON (`gjsonLabels`: Has = `Exists()`, Get/Lookup = `String()`). The step fails as soon
as any one failure requirement matches; it succeeds when every success requirement matches;
otherwise it polls again. This module reproduces the parser (lexer, operators, key and value
validation, integer operands of `<`/`>`), the requirement semantics (`Requirement.Matches`) and
the part of gjson a label key can express (dot-separated keys, numeric array indexes), so a
condition that would not parse, or that fires on the wrong status, fails a test here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

Outcome = Literal["failed", "succeeded", "waiting"]

#: Tokens of the selector lexer (selector.go, string2token).
_SYMBOLS = ("==", "!=", "=", "!", ">", "<", "(", ")", ",")
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
#: content.IsLabelKey / validation.IsValidLabelValue.
_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_INT64 = re.compile(r"^[+-]?[0-9]+$")
_IDENTIFIER = frozenset({"id", "in", "notin"})
_OPERATORS = frozenset({"in", "notin", "=", "==", "!=", ">", "<"})


class ConditionError(ValueError):
    """The condition does not parse: Argo fails the step with CodeBadRequest."""


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # exists, !, =, ==, !=, in, notin, >, <
    values: tuple[str, ...]

    def matches(self, obj: Any) -> bool:
        exists, value = gjson_get(obj, self.key)
        if self.operator in ("=", "==", "in"):
            return exists and value in self.values
        if self.operator in ("!=", "notin"):
            return not exists or value not in self.values
        if self.operator == "exists":
            return exists
        if self.operator == "!":
            return not exists
        # > and <: both sides parsed as int64; a value that is not one never matches
        if not exists or not _INT64.match(value):
            return False
        left, right = int(value), int(self.values[0])
        return left > right if self.operator == ">" else left < right


def parse(selector: str) -> list[Requirement]:
    """`labels.Parse`: the requirements, sorted by key as the parser sorts them."""
    return sorted(_Parser(_lex(selector)).selector(), key=lambda r: r.key)


def outcome(success: str, failure: str, obj: Any) -> Outcome:
    """What Argo's executor concludes from one read of `obj` (matchConditions)."""
    if any(r.matches(obj) for r in parse(failure)):
        return "failed"
    required = parse(success)
    if all(r.matches(obj) for r in required):  # an empty success condition succeeds at once
        return "succeeded"
    return "waiting"


def gjson_get(obj: Any, path: str) -> tuple[bool, str]:
    """gjson's `Get(json, path)` as (Exists(), String()) for a plain dotted path."""
    value: Any = obj
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, ""
    return True, _gjson_string(value)


def _gjson_string(value: Any) -> str:
    """gjson `Result.String()`: strings as they are, numbers as written, objects as JSON."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _lex(selector: str) -> list[tuple[str, str]]:
    """selector.go's Lexer: identifiers run up to whitespace or a special symbol."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(selector)
    while True:
        while i < n and selector[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append(("end", ""))
            return tokens
        if selector[i] in _SPECIAL:
            symbol = next((s for s in _SYMBOLS if selector.startswith(s, i)), None)
            if symbol is None:
                raise ConditionError(f"error expected: keyword found '{selector[i]}'")
            tokens.append((symbol, symbol))
            i += len(symbol)
            continue
        start = i
        while i < n and selector[i] not in _SPECIAL and selector[i] not in _WHITESPACE:
            i += 1
        word = selector[start:i]
        tokens.append((word if word in ("in", "notin") else "id", word))


class _Parser:
    """selector.go's Parser over the lexed tokens (`in`/`notin` read as identifiers where a
    value is expected, as its Values context does)."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str]:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def selector(self) -> list[Requirement]:
        found: list[Requirement] = []
        while True:
            kind, text = self.peek()
            if kind == "end":
                return found
            if kind not in _IDENTIFIER and kind != "!":
                raise ConditionError(f"found '{text}', expected: !, identifier, or end of string")
            found.append(self.requirement())
            kind, text = self.take()
            if kind == "end":
                return found
            if kind != ",":
                raise ConditionError(f"found '{text}', expected: ',' or 'end of string'")
            if self.peek()[0] not in _IDENTIFIER and self.peek()[0] != "!":
                raise ConditionError(f"found '{self.peek()[1]}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        kind, key = self.take()
        negated = kind == "!"
        if negated:
            kind, key = self.take()
        if kind not in _IDENTIFIER:
            raise ConditionError(f"found '{key}', expected: identifier")
        _check_key(key)
        if self.peek()[0] in ("end", ","):
            return Requirement(key, "!" if negated else "exists", ())
        if negated:  # `!key` followed by anything else
            raise ConditionError(f"found '{self.peek()[1]}', expected: ',' or 'end of string'")
        operator, text = self.take()
        if operator not in _OPERATORS:
            raise ConditionError(f"found '{text}', expected an operator")
        values = self.value_set() if operator in ("in", "notin") else self.exact_value()
        for value in values:
            if value and (len(value) > 63 or not _NAME.match(value)):
                raise ConditionError(f"invalid label value '{value}' for key '{key}'")
        if operator in (">", "<") and not _INT64.match(values[0]):
            raise ConditionError(f"for '>' and '<' the value must be an integer: {key}")
        return Requirement(key, operator, values)

    def exact_value(self) -> tuple[str, ...]:
        if self.peek()[0] in ("end", ","):
            return ("",)
        kind, text = self.take()
        if kind not in _IDENTIFIER:
            raise ConditionError(f"found '{text}', expected: identifier")
        return (text,)

    def value_set(self) -> tuple[str, ...]:
        if self.take()[0] != "(":
            raise ConditionError("expected: '('")
        values: list[str] = []
        while True:
            kind, text = self.take()
            if kind == ")":
                return tuple(values) or ("",)
            if kind == ",":
                if not values or self.peek()[0] in (",", ")"):
                    values.append("")
                continue
            if kind not in _IDENTIFIER:
                raise ConditionError(f"found '{text}', expected: ',', or identifier")
            values.append(text)
            if self.peek()[0] not in (",", ")"):
                raise ConditionError(f"found '{self.peek()[1]}', expected: ',' or ')'")


def _check_key(key: str) -> None:
    """content.IsLabelKey: an optional DNS-subdomain prefix and '/', then a name of ≤ 63."""
    parts = key.split("/")
    if len(parts) > 2:
        raise ConditionError(f"invalid key '{key}'")
    name = parts[-1]
    if len(parts) == 2 and (not parts[0] or len(parts[0]) > 253
                            or not _DNS_SUBDOMAIN.match(parts[0])):
        raise ConditionError(f"invalid key prefix in '{key}'")
    if not name or len(name) > 63 or not _NAME.match(name):
        raise ConditionError(f"invalid key '{key}': a label key (qualified name) is required")
