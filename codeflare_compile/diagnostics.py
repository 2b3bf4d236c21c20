"""Diagnostics: what went wrong, where in the user's text, and what to do about it.

Every stage reports problems as `Diagnostic` values into a `Diagnostics` collector instead of
raising, so one run reports all errors at once. Each code is declared once in `codes`; the
constructors in `problems` word each kind of diagnostic; tests pin the exact rendering.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import NamedTuple

from codeflare_compile.codes import Code, Severity


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
    """One problem; its severity and redaction are those its code declares."""

    code: Code
    message: str
    span: Span | None
    help: str | None = None
    notes: tuple[Note, ...] = ()

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def redacts_value(self) -> bool:
        """Whether the span is a key whose value is a credential the excerpt must hide."""
        return self.code.redacts_value

    def sort_key(self) -> tuple[str, int, int, str, str]:
        s = self.span
        return (s.file if s else "", s.line if s else 0, s.col if s else 0, self.code.value,
                self.message)


class Diagnostics:
    """Collects diagnostics across stages, each once, in the order first seen; `has_errors`
    decides the exit code.

    The same problem can be found twice (a shared definition checked for each Run that uses
    it); an insertion-ordered dict keeps one of each in constant time per diagnostic.
    """

    def __init__(self) -> None:
        self._seen: dict[Diagnostic, None] = {}

    @property
    def items(self) -> tuple[Diagnostic, ...]:
        return tuple(self._seen)

    def add(self, diagnostic: Diagnostic) -> None:
        self._seen.setdefault(_printable(diagnostic))

    def rewrite(self, change: Callable[[Diagnostic], Diagnostic]) -> None:
        """Replace every diagnostic by `change(diagnostic)` (such as with credentials hidden),
        keeping the order and one of each."""
        self._seen = dict.fromkeys(change(d) for d in self._seen)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._seen)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self._seen, key=Diagnostic.sort_key)


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
