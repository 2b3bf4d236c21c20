"""The catalogue of codes: each declared once, documented once, used by a constructor; and what
the collector does with what the constructors make (one of each, in order; redaction)."""

from __future__ import annotations

import re

from codeflare_compile import pipeline
from codeflare_compile.codes import Code, Severity
from codeflare_compile.diagnostics import Diagnostic, Diagnostics, Note, Span
from codeflare_compile.problems.loading import duplicate_key
from codeflare_compile.source import Sources
from tests.helpers import REPO

#: A row of the table in docs/errors.md: code and severity.
_ROW = re.compile(r"^\| (CF\d{3}) \| (error|warning) \|", re.M)


def test_every_code_is_declared_once() -> None:
    # a second member with the same value would silently become an alias of the first
    assert len(Code.__members__) == len(Code)
    assert all(re.fullmatch(r"CF[1-6]\d\d", code.value) for code in Code)
    rules = [code.rule for code in Code]
    assert len(set(rules)) == len(rules)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule) for rule in rules)
    assert all(code.summary and not code.summary.endswith(".") for code in Code)


def test_every_code_has_exactly_one_documented_row_with_its_severity() -> None:
    rows = _ROW.findall((REPO / "docs" / "errors.md").read_text())
    documented = [code for code, _ in rows]
    assert len(documented) == len(set(documented))
    assert dict(rows) == {code.value: code.severity.value for code in Code}


def test_every_code_has_a_constructor() -> None:
    """A code nothing can report is dead; constructors live in codeflare_compile/problems."""
    text = "".join(p.read_text() for p in (REPO / "codeflare_compile" / "problems").glob("*.py"))
    assert [code.value for code in Code if f"Code.{code.name}," not in text] == []


def test_diagnostics_keep_one_of_each_in_first_seen_order() -> None:
    made = [Diagnostic(Code.INVALID_VALUE, f"bad {i}", Span("f.yaml", 10_000 - i, 1, 2))
            for i in range(10_000)]
    diags = Diagnostics()
    for diagnostic in [*made, *reversed(made), *made]:
        diags.add(diagnostic)
    assert diags.items == tuple(made)
    assert diags.sorted() == made[::-1]


def test_diagnostics_compare_as_printed() -> None:
    """Control characters are escaped before comparing: the printed text is what counts."""
    diags = Diagnostics()
    diags.add(duplicate_key("a\x1b", Span("f.yaml", 2, 1, 2), Span("f.yaml", 1, 1, 2)))
    diags.add(duplicate_key("a\\x1b", Span("f.yaml", 2, 1, 2), Span("f.yaml", 1, 1, 2)))
    (only,) = diags.items
    assert only.message == "duplicate key 'a\\x1b'"
    assert only.notes == (Note(Span("f.yaml", 1, 1, 2), "first defined here"),)


def test_severity_and_redaction_come_from_the_code() -> None:
    span = Span("f.yaml", 1, 1, 2)
    assert Diagnostic(Code.UNPINNED_IMAGE, "m", span).severity is Severity.WARNING
    assert Diagnostic(Code.INVALID_VALUE, "m", span).severity is Severity.ERROR
    assert Diagnostic(Code.INLINE_CREDENTIALS, "m", span).redacts_value
    assert not Diagnostic(Code.INVALID_VALUE, "m", span).redacts_value


def test_the_excerpt_hides_the_value_after_a_key_when_the_code_says_so() -> None:
    """`bucketName` is no credential-like key: only the code's property hides its value."""
    sources = Sources(lines={"a.yaml": ["  bucketName: xyz"], "b.yaml": ["  bucketName: xyz"]})
    diags = Diagnostics()
    diags.add(Diagnostic(Code.INLINE_CREDENTIALS, "inline", Span("a.yaml", 1, 3, 13)))
    diags.add(Diagnostic(Code.INVALID_VALUE, "invalid", Span("b.yaml", 1, 3, 13)))
    pipeline._redact(sources, diags)
    assert sources.lines == {"a.yaml": ["  bucketName: <redacted>"],
                             "b.yaml": ["  bucketName: xyz"]}


def test_redaction_scrubs_messages_and_keeps_one_of_each() -> None:
    sources = Sources()
    diags = Diagnostics()
    for token in ("one", "two"):  # the same message once the credentials are hidden
        diags.add(Diagnostic(Code.BAD_REPO, f"https://bot:{token}@host/org/repo", None))
    pipeline._redact(sources, diags)
    assert [d.message for d in diags.items] == ["<redacted>"]
