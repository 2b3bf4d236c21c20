"""Problems with one resource: its kind, its fields and their values (CF104, CF2xx, CF302,
CF303). The models' own checks word the message of most value errors; these add the code and
the help."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Note, Span, suggestion

_SKIP_UNRELATED = ("; to skip files that do not mention codeflare.dev (CI workflows, charts), "
                   "pass --skip-unrelated")
_FIELD_REFERENCE = "see the field reference in docs/input-api.md"
#: What a pattern-checked field looks like, keyed by the field name.
_PATTERN_HELP = {
    "timeout": "write a duration such as 90s, 30m, 2h or 1h30m",
    "digest": "write the digest as sha256: followed by 64 lowercase hex digits",
    "kubernetesVersion": "write a version such as 1.31",
}
#: How to write a valid value, keyed by the type of the error the models raise.
_VALUE_HELP = {
    "bool_type": "write true or false, unquoted",
    "int_type": "write a whole number, unquoted",
    "string_type": "write a string; quote it if YAML reads it as a number or boolean",
    "greater_than_equal": "use a value in the allowed range",
    "less_than_equal": "use a value in the allowed range",
    "invalid_label_key": "keys are an optional DNS subdomain and '/', then at most 63 letters, "
                         "digits, '-', '_' or '.', starting and ending with a letter or digit, "
                         "such as 'team' or 'example.com/owner'",
    "invalid_label_value": "label values are at most 63 letters, digits, '-', '_' or '.', "
                           "starting and ending with a letter or digit, or empty",
    "invalid_env_name": "use letters, digits, '_', '-' and '.', not starting with a digit, "
                        "such as 'DATA_DIR'",
    "invalid_secret_key": "Secret keys are letters, digits, '-', '_' and '.', such as "
                          "'password'",
    "nul_character": "remove the NUL character (\\0): no program argument or environment "
                     "value can hold one",
    "invalid_image": "write an image reference such as 'python:3.12-slim'",
    "invalid_path": "write an absolute path such as /mnt/data",
    "reserved_path": "mount it elsewhere, such as /mnt/data",
    "duration_range": "write a duration such as 90s, 30m, 2h or 1h30m",
    "too_short": "add at least one entry",
    "duplicate_port": "list each port once",
}


def no_api_version(expected: str, span: Span, unrelated: bool) -> Diagnostic:
    """`unrelated`: the document does not look like one of ours, so --skip-unrelated helps."""
    return Diagnostic(Code.UNKNOWN_KIND, "document has no apiVersion", span,
                      f"set apiVersion: {expected}{_SKIP_UNRELATED if unrelated else ''}")


def unknown_api_version(found: object, expected: str, span: Span, unrelated: bool
                        ) -> Diagnostic:
    return Diagnostic(Code.UNKNOWN_KIND, f"unknown apiVersion '{found}'", span,
                      f"only {expected} resources are compiled; keep other manifests out of "
                      f"the input paths{_SKIP_UNRELATED if unrelated else ''}")


def unknown_kind(kind: object, kinds: Collection[str], span: Span) -> Diagnostic:
    message = ("document has no kind" if kind is None else f"unknown kind '{kind}'"
               if isinstance(kind, str) else "kind must be a string")
    return Diagnostic(Code.UNKNOWN_KIND, message, span, suggestion(str(kind), kinds, "kind"))


def wrong_scope(kind: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.WRONG_SCOPE, f"{kind} is cluster-scoped and has no namespace", span,
                      "remove metadata.namespace")


def second_platform(span: Span, first: Span) -> Diagnostic:
    return Diagnostic(Code.SECOND_PLATFORM, "a second Platform is defined", span,
                      "keep one Platform; command-line flags override its settings",
                      (Note(first, "the first Platform"),))


def duplicate_resource(kind: str, name: str, namespace: str | None, span: Span, first: Span
                       ) -> Diagnostic:
    where = f" in namespace '{namespace}'" if namespace else ""
    return Diagnostic(Code.DUPLICATE_RESOURCE, f"{kind} '{name}'{where} is defined twice", span,
                      "rename or remove one of them", (Note(first, "first defined here"),))


def unknown_field(field: str, kind: object, allowed: Collection[str], span: Span
                  ) -> Diagnostic:
    return Diagnostic(Code.UNKNOWN_FIELD, f"unknown field '{field}' in {kind}", span,
                      suggestion(field, allowed, "field") if allowed else "remove this field")


def missing_field(dotted: str, field: str, parent: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.MISSING_FIELD, f"missing required field '{dotted}'", span,
                      f"add '{field}' under '{parent}'" if parent else f"add '{field}'")


def invalid_choice(value: object, dotted: str, choices: Sequence[str], span: Span
                   ) -> Diagnostic:
    close = suggestion(str(value), choices, "value")
    valid = f"valid values: {', '.join(choices)}"
    return Diagnostic(Code.INVALID_VALUE, f"invalid value '{value}' for '{dotted}'", span,
                      f"{close.rstrip('?')}? {valid}" if close.startswith("did you mean")
                      else valid)


def pattern_mismatch(value: object, dotted: str, field: str, pattern: str, span: Span
                     ) -> Diagnostic:
    return Diagnostic(Code.INVALID_VALUE, f"invalid value '{value}' for '{dotted}'", span,
                      _PATTERN_HELP.get(field, f"match the pattern {pattern}"))


def invalid_value(message: str, error_type: str, span: Span) -> Diagnostic:
    """A value the models refused, with how to write one of the `error_type` they raised."""
    return Diagnostic(Code.INVALID_VALUE, message, span,
                      _VALUE_HELP.get(error_type, _FIELD_REFERENCE))


def sweep_inside_a_list(dotted: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.INVALID_VALUE, f"'{dotted}': a sweep inside a list; 'tasks' is "
                      "either a list of strings or one sweep", span,
                      "write the sweep without the list: tasks: {sweep: {min: 1, max: 50, "
                      "step: 1}}")


def env_as_a_list(dotted: str, pairs: Sequence[tuple[object, object]], span: Span
                  ) -> Diagnostic:
    """A Kubernetes-style `env` list of {name, value}; `pairs` are its first entries."""
    example = ", ".join(f"{n}: {v!r}" if isinstance(v, str) else f"{n}: ..."
                        for n, v in pairs[:2] if isinstance(n, str)) or "NAME: value"
    return Diagnostic(Code.INVALID_VALUE, f"'{dotted}' is a list; env is a mapping of names to "
                      "values, not a Kubernetes list of {name, value}", span,
                      f"write env: {{{example}}}; a value from a Secret is "
                      "NAME: {secretKeyRef: {name: <secret>, key: <key>}}")


def invalid_name(message: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.INVALID_NAME, message, span,
                      "names are DNS-1123 labels, such as 'train-mnist'")


def invalid_quantity(message: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.INVALID_QUANTITY, message, span,
                      "quantities are strings such as \"500m\", \"2\", \"1536Mi\" or \"4Gi\"")


def impossible_quantity(message: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.IMPOSSIBLE_QUANTITY, message, span,
                      "write the amount with its unit, such as \"500m\" or \"2\" for cpu and "
                      "\"512Mi\" or \"4Gi\" for memory")


def inline_credentials(message: str, span: Span) -> Diagnostic:
    """`span` is the key; the catalogue has the excerpt hide the value after it."""
    return Diagnostic(Code.INLINE_CREDENTIALS, message, span,
                      "store the keys accessKeyID and secretAccessKey in a Secret and "
                      "reference it with secretRef: {name: <secret>}")


def credentials_in_url(span: Span) -> Diagnostic:
    """Any string holding a URL with credentials: it would be written into the output."""
    return Diagnostic(Code.INLINE_CREDENTIALS, "a URL here holds credentials "
                      "(user:password@host, or a token in the query), which would be written "
                      "into the output", span, "remove them; give the program a credential from "
                      "a Secret (env: {NAME: {secretKeyRef: {name: <secret>, key: <key>}}})")


def reserved_label(message: str, instead: str, span: Span) -> Diagnostic:
    """`instead`: the setting that does the job the label was meant for."""
    return Diagnostic(Code.RESERVED_LABEL, message, span, instead)
