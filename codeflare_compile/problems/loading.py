"""Problems reading a file as YAML: syntax, encoding, limits, keys (CF101 to CF108), and values
no program could read (CF203)."""

from __future__ import annotations

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Note, Span


def yaml_syntax(problem: object, span: Span, help: str) -> Diagnostic:
    return Diagnostic(Code.YAML_SYNTAX, f"YAML syntax error: {problem}", span, help)


def control_character(character: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.YAML_SYNTAX, f"the control character U+{character:04X} is not "
                      "allowed in YAML", span, "remove it; write it as an escape (\\x.. or "
                      "\\u....) inside double quotes if it is meant")


def not_utf8(span: Span) -> Diagnostic:
    return Diagnostic(Code.YAML_SYNTAX, "file is not valid UTF-8", span,
                      "save the file as UTF-8 text")


def file_too_large(size: int, limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.FILE_TOO_LARGE, f"file is {size} bytes, over the {limit} limit",
                      span, "split large inputs into several files")


def duplicate_key(key: str, span: Span, first: Span) -> Diagnostic:
    return Diagnostic(Code.DUPLICATE_KEY, f"duplicate key '{key}'", span,
                      "remove one of the two; YAML would silently keep the last",
                      (Note(first, "first defined here"),))


def document_not_a_mapping(number: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.NOT_A_MAPPING, f"document {number} is not a mapping", span,
                      "each document must be a resource with apiVersion, kind, metadata and "
                      "spec")


def key_not_a_string(span: Span) -> Diagnostic:
    return Diagnostic(Code.NOT_A_MAPPING, "mapping keys must be plain strings", span,
                      "quote the key")


def alias_limit(limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.ALIAS_LIMIT, f"document expands to more than {limit} values", span,
                      "YAML aliases (*name) are expanded; reduce their nesting")


def nested_too_deep(limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.NESTING_LIMIT, f"document is nested more than {limit} levels deep",
                      span, "resources are a few levels deep: look for unclosed '[' or '{'")


def aliases_too_deep(limit: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.NESTING_LIMIT, f"document is nested more than {limit} levels deep "
                      "through YAML aliases", span, "an anchor's value refers to itself, or "
                      "aliases are chained too deep")


def number_too_large(characters: int, span: Span) -> Diagnostic:
    return Diagnostic(Code.INVALID_VALUE, f"number with {characters} characters is too large",
                      span, "write a number of a sensible size")


def unpaired_surrogate(span: Span) -> Diagnostic:
    return Diagnostic(Code.INVALID_VALUE, "text with an unpaired surrogate escape (\\ud800 to "
                      "\\udfff) is not text", span,
                      "escape the character itself, such as \\U0001F600")
