"""Rendering diagnostics for people: `path:line:col: error[CODE]: message`, the line, a caret."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from codeflare_compile.diagnostics import Diagnostic, Span


def _excerpt(span: Span, lines: Mapping[str, list[str]]) -> list[str]:
    """The source line with a caret under the span, or nothing when the text is unknown."""
    text = lines.get(span.file)
    if text is None or not 1 <= span.line <= len(text):
        return []
    source = text[span.line - 1].expandtabs(1)
    gutter = str(span.line)
    pad = " " * len(gutter)
    start = min(span.col, len(source) + 1)
    width = max(1, min(span.end_col, len(source) + 1) - start)
    return [
        f" {gutter} | {source}",
        f" {pad} | {' ' * (start - 1)}{'^' * width}",
    ]


def render_text(diagnostic: Diagnostic, lines: Mapping[str, list[str]]) -> str:
    """One diagnostic, rustc style: header, excerpt, notes with their excerpts, help."""
    where = f"{diagnostic.span}: " if diagnostic.span else ""
    out = [f"{where}{diagnostic.severity.value}[{diagnostic.code.value}]: {diagnostic.message}"]
    if diagnostic.span:
        out += _excerpt(diagnostic.span, lines)
    for note in diagnostic.notes:
        out.append(f"  note: {note.span}: {note.message}")
        out += _excerpt(note.span, lines)
    if diagnostic.help:
        out.append(f"  help: {diagnostic.help}")
    return "\n".join(out)


def render_all(diagnostics: Sequence[Diagnostic], lines: Mapping[str, list[str]]) -> str:
    """All diagnostics in source order and a closing count, as printed on stderr."""
    blocks = [render_text(d, lines) for d in diagnostics]
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    warnings = len(diagnostics) - errors
    summary = []
    if errors:
        summary.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        summary.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if summary:
        blocks.append(", ".join(summary))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
