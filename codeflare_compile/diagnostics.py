"""Diagnostics: what went wrong, where in the user's text, and what to do about it.

Every stage reports problems as `Diagnostic` values into a `Diagnostics` collector instead of
raising, so one run reports all errors at once. Codes are stable: docs/errors.md lists them, and
tests pin the exact rendering.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Code(str, Enum):
    """Stable error codes. Never renumber; retire a code by leaving it unused."""

    # loading
    YAML_SYNTAX = "CF101"
    DUPLICATE_KEY = "CF102"
    NOT_A_MAPPING = "CF103"
    UNKNOWN_KIND = "CF104"
    ALIAS_LIMIT = "CF105"
    NESTING_LIMIT = "CF107"
    # shape of a resource
    UNKNOWN_FIELD = "CF201"
    MISSING_FIELD = "CF202"
    INVALID_VALUE = "CF203"
    INVALID_NAME = "CF204"
    INVALID_QUANTITY = "CF205"
    WRONG_SCOPE = "CF206"
    INLINE_CREDENTIALS = "CF207"
    UNSUPPORTED_KUBE_VERSION = "CF210"
    IMPOSSIBLE_QUANTITY = "CF215"
    USES_INVALID = "CF216"
    # references between resources
    UNKNOWN_REFERENCE = "CF301"
    DUPLICATE_RESOURCE = "CF302"
    SECOND_PLATFORM = "CF303"
    # policy passes
    SIZE_NOT_CONFIGURED = "CF401"
    AMBIGUOUS_SIZE_POLICY = "CF402"
    NO_VARIANT_FOR_SIZE = "CF403"
    MOUNT_PATH_CLASH = "CF404"
    NO_ENV_NAME = "CF405"
    BACKEND_CANNOT = "CF406"
    BAD_REPO = "CF407"
    BAD_CODE_FILE = "CF408"
    # workqueue tasks (CF410 to CF419)
    NO_TASKS = "CF410"
    BAD_SWEEP = "CF411"
    TOO_MANY_TASKS = "CF412"
    DUPLICATE_STEP = "CF420"
    NESTED_WORKFLOW = "CF421"
    UNKNOWN_STEP = "CF422"
    STEP_CYCLE = "CF423"
    # queueing targets (CF440 to CF444)
    CANNOT_FINISH = "CF440"
    # pod security (CF460 to CF469)
    POD_SECURITY_OPT_OUT = "CF460"
    POD_SECURITY_VOLUME = "CF461"
    # lowering
    UNSUPPORTED = "CF501"
    IGNORED_SETTING = "CF502"
    UNPINNED_IMAGE = "CF503"
    GPU_REFUSED = "CF510"
    NO_EFFECT_ON_WORKFLOW = "CF511"
    # output
    EMPTY_OUTPUT = "CF601"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Span(NamedTuple):
    """A place in a source file; line and column are 1-based, `end_col` is exclusive.

    Spans, notes and diagnostics are NamedTuples: immutable, compared and ordered field by field
    like frozen dataclasses, but made at import by one compiled method instead of ten.
    """

    file: str
    line: int
    col: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Note(NamedTuple):
    """A secondary place that explains the diagnostic (the other definition, the other file)."""

    span: Span
    message: str


class Diagnostic(NamedTuple):
    code: Code
    message: str
    span: Span | None
    help: str | None = None
    notes: tuple[Note, ...] = ()
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        s = self.span
        return (s.file if s else "", s.line if s else 0, s.col if s else 0, self.code.value,
                self.message)


@dataclass
class Diagnostics:
    """Collects diagnostics across stages; `has_errors` decides the exit code."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        diagnostic = _printable(diagnostic)
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def error(self, code: Code, message: str, span: Span | None, help: str | None = None,
              notes: Sequence[Note] = ()) -> None:
        self.add(Diagnostic(code, message, span, help, tuple(notes)))

    def warning(self, code: Code, message: str, span: Span | None, help: str | None = None,
                notes: Sequence[Note] = ()) -> None:
        self.add(Diagnostic(code, message, span, help, tuple(notes), Severity.WARNING))

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)


#: Control characters a message may quote from the input (through a YAML escape such as
#: "\e"), written as escapes: diagnostics must not send escape sequences to a terminal, nor
#: break their one-line header with a newline.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 9}
_CONTROL |= {0x0A: "\\n", 0x0D: "\\r"}


def _printable(d: Diagnostic) -> Diagnostic:
    def clean(text: str) -> str:
        return text.translate(_CONTROL)

    return d._replace(message=clean(d.message), help=clean(d.help) if d.help else d.help,
                      notes=tuple(Note(n.span, clean(n.message)) for n in d.notes))


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelled word, if one is close enough to suggest."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggestion(word: str, candidates: Iterable[str], what: str) -> str:
    """A help line: did-you-mean when a candidate is close, else the list of what exists."""
    names = sorted(set(candidates))
    close = did_you_mean(word, names)
    if close is not None:
        return f"did you mean '{close}'?"
    if not names:
        return f"no {what} is defined"
    return f"expected one of: {', '.join(names)}"
