"""Rendering diagnostics: for people (text, coloured on a terminal) and for tools.

`text` is `path:line:col: error[CODE]: message`, the line, a caret; `json` is JSON lines, one
object per diagnostic; `github` is GitHub Actions workflow commands (`::error file=…::…`), which
become annotations on the pull request; `sarif` is a SARIF 2.1.0 log for code-scanning tools.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from codeflare_compile.codes import Code, Severity
from codeflare_compile.diagnostics import Diagnostic, Span

DiagnosticsFormat = Literal["text", "json", "github", "sarif"]

# ANSI styles for the text format on a terminal; the plain text is the same without them.
_RESET = "\x1b[0m"
_STYLES = {
    "error": "\x1b[1;31m", "warning": "\x1b[1;33m", "message": "\x1b[1m",
    "gutter": "\x1b[1;34m", "note": "\x1b[1;32m", "help": "\x1b[1;36m",
}


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLES[style]}{text}{_RESET}" if color and text else text


def use_color(stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM=dumb."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", "") != "" or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _excerpt(span: Span, lines: Mapping[str, list[str]], color: bool = False,
             caret: str = "error") -> list[str]:
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
        f" {_paint(f'{gutter} |', 'gutter', color)} {source}",
        f" {_paint(f'{pad} |', 'gutter', color)} {' ' * (start - 1)}"
        f"{_paint('^' * width, caret, color)}",
    ]


def render_text(diagnostic: Diagnostic, lines: Mapping[str, list[str]],
                color: bool = False) -> str:
    """One diagnostic, rustc style: header, excerpt, notes with their excerpts, help."""
    where = f"{diagnostic.span}: " if diagnostic.span else ""
    level = diagnostic.severity.value
    label = _paint(f"{level}[{diagnostic.code.value}]", level, color)
    out = [f"{_paint(where, 'message', color)}{label}"
           f"{_paint(': ' + diagnostic.message, 'message', color)}"]
    if diagnostic.span:
        out += _excerpt(diagnostic.span, lines, color, level)
    for note in diagnostic.notes:
        out.append(f"  {_paint('note:', 'note', color)} {note.span}: {note.message}")
        out += _excerpt(note.span, lines, color, "note")
    if diagnostic.help:
        out.append(f"  {_paint('help:', 'help', color)} {diagnostic.help}")
    return "\n".join(out)


def render_all(diagnostics: Sequence[Diagnostic], lines: Mapping[str, list[str]],
               color: bool = False) -> str:
    """All diagnostics in source order and a closing count, as printed on stderr."""
    blocks = [render_text(d, lines, color) for d in diagnostics]
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


# ---------------------------------------------------------------------------------------------
# Formats for tools: JSON lines, GitHub workflow commands, SARIF 2.1.0
# ---------------------------------------------------------------------------------------------

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SRCROOT = "%SRCROOT%"


def _relative(file: str, cwd: Path) -> str | None:
    """`file` relative to `cwd` in POSIX form, or None when it lies outside `cwd`."""
    path = Path(file)
    absolute = path if path.is_absolute() else cwd / path
    try:
        return Path(os.path.normpath(absolute)).relative_to(cwd).as_posix()
    except ValueError:
        return None


def _end_col(span: Span, lines: Mapping[str, list[str]]) -> int:
    """The exclusive end column, clipped to the line when the span runs past it."""
    text = lines.get(span.file)
    if text is not None and 1 <= span.line <= len(text):
        return max(span.col + 1, min(span.end_col, len(text[span.line - 1]) + 1))
    return span.end_col if span.end_col < 10_000 else span.col + 1


def _full_message(diagnostic: Diagnostic) -> str:
    """The message, the notes (with where they point) and the help, one per line."""
    parts = [diagnostic.message]
    parts += [f"note: {note.span}: {note.message}" for note in diagnostic.notes]
    if diagnostic.help:
        parts.append(f"help: {diagnostic.help}")
    return "\n".join(parts)


def render_json_lines(diagnostics: Sequence[Diagnostic],
                      lines: Mapping[str, list[str]]) -> str:
    """One JSON object per line and diagnostic; paths as the compiler read them."""
    out = []
    for d in diagnostics:
        span = d.span
        record: dict[str, Any] = {
            "severity": d.severity.value, "code": d.code.value, "message": d.message,
            "file": span.file if span else None, "line": span.line if span else None,
            "column": span.col if span else None,
            "endColumn": _end_col(span, lines) if span else None,
            "help": d.help,
            "notes": [{"file": n.span.file, "line": n.span.line, "column": n.span.col,
                       "message": n.message} for n in d.notes],
        }
        out.append(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
    return "".join(out)


def escape_github_data(value: str) -> str:
    """Escape a workflow command's message: `%`, CR and LF (as @actions/core does)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_github_property(value: str) -> str:
    """Escape a workflow command's property value: as the message, plus `:` and `,`."""
    return escape_github_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], lines: Mapping[str, list[str]],
                  cwd: Path) -> str:
    """`::error file=…,line=…,col=…,endColumn=…,title=CODE::message` per diagnostic.

    Paths are made relative to the current directory (the repository root in a workflow), which
    is what GitHub needs to place the annotation on the file.
    """
    out = []
    for d in diagnostics:
        props: list[tuple[str, str]] = []
        if d.span is not None:
            file = _relative(d.span.file, cwd) or d.span.file
            props += [("file", file), ("line", str(d.span.line)), ("col", str(d.span.col)),
                      ("endColumn", str(_end_col(d.span, lines)))]
        props.append(("title", d.code.value))
        rendered = ",".join(f"{key}={escape_github_property(value)}" for key, value in props)
        command = "error" if d.severity is Severity.ERROR else "warning"
        out.append(f"::{command} {rendered}::{escape_github_data(_full_message(d))}\n")
    return "".join(out)


def _location(span: Span, lines: Mapping[str, list[str]], cwd: Path) -> dict[str, Any]:
    relative = _relative(span.file, cwd)
    artifact: dict[str, Any]
    if relative is not None:
        artifact = {"uri": _uri(relative), "uriBaseId": _SRCROOT}
    else:
        artifact = {"uri": Path(os.path.abspath(span.file)).as_uri()}
    return {"physicalLocation": {
        "artifactLocation": artifact,
        "region": {"startLine": span.line, "startColumn": span.col,
                   "endLine": span.line, "endColumn": _end_col(span, lines)},
    }}


def _uri(relative: str) -> str:
    from urllib.parse import quote

    return quote(relative, safe="/")


def render_sarif(diagnostics: Sequence[Diagnostic], lines: Mapping[str, list[str]],
                 cwd: Path) -> str:
    """A SARIF 2.1.0 log with one run; rule ids are the CF codes, paths relative to `cwd`."""
    from codeflare_compile import __version__

    codes = list(Code)
    rules = [{
        "id": code.value, "name": code.rule,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": code.summary},
        "help": {"text": f"{code.value}: {code.summary}. See docs/errors.md."},
    } for code in codes]
    results = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code.value, "ruleIndex": codes.index(d.code),
            "level": "error" if d.severity is Severity.ERROR else "warning",
            "message": {"text": _full_message(d)},
        }
        if d.span is not None:
            result["locations"] = [_location(d.span, lines, cwd)]
        if d.notes:
            result["relatedLocations"] = [
                {"id": i, **_location(n.span, lines, cwd), "message": {"text": n.message}}
                for i, n in enumerate(d.notes)]
        results.append(result)
    log = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "codeflare-compile", "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }},
            "originalUriBaseIds": {_SRCROOT: {"uri": cwd.as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def render(diagnostics: Sequence[Diagnostic], lines: Mapping[str, list[str]],
           fmt: DiagnosticsFormat = "text", color: bool = False,
           cwd: Path | None = None) -> str:
    """Diagnostics in the requested format; SARIF is a whole log even when there are none."""
    where = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    if fmt == "json":
        return render_json_lines(diagnostics, lines)
    if fmt == "github":
        return render_github(diagnostics, lines, where)
    if fmt == "sarif":
        return render_sarif(diagnostics, lines, where)
    return render_all(diagnostics, lines, color)
