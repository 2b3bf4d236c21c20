"""Loading input: files and folders, YAML documents whose every value knows its file:line:col.

The YAML is composed into nodes that keep their marks (libyaml's parser through `compose.py`,
or ruamel.yaml for what that declines) and turned into plain Python values by hand, so that
duplicate keys, alias bombs and non-mapping documents become diagnostics instead of exceptions,
and so that later stages can map any path in a document back to the text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from codeflare_compile.compose import compose_documents
from codeflare_compile.diagnostics import Diagnostics, Span
from codeflare_compile.problems.loading import (
    alias_limit,
    aliases_too_deep,
    control_character,
    document_not_a_mapping,
    duplicate_key,
    file_too_large,
    key_not_a_string,
    nested_too_deep,
    not_utf8,
    number_too_large,
    unpaired_surrogate,
    yaml_syntax,
)

#: A path into a document: mapping keys and sequence indexes.
DocPath = tuple[str | int, ...]

#: Refuse documents that expand to more nodes than this (YAML alias bombs).
MAX_NODES = 100_000
#: Refuse files larger than this; job specs are small.
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Refuse documents nested deeper than this (composing and building are recursive; a real
#: resource is about ten levels deep).
MAX_DEPTH = 100
YAML_SUFFIXES = (".yaml", ".yml")
#: The PATH that means standard input (as for ruff, kubectl -f and most linters).
STDIN = "-"


class Stdin(NamedTuple):
    """Standard input, read once by the command: what diagnostics call it, and its bytes."""

    name: str
    data: bytes


class InputError(Exception):
    """A usage or I/O problem (missing file, unreadable folder): exit code 2."""


@dataclass(frozen=True)
class Document:
    """One YAML document: its plain data and the span of every value and mapping key in it."""

    file: str
    index: int
    data: dict[str, Any]
    spans: dict[DocPath, Span]
    key_spans: dict[DocPath, Span]
    included: bool  # from an -I path: supplies definitions, its Runs are not compiled

    def span(self, path: DocPath) -> Span:
        """The span of the value at `path`, or of its nearest enclosing value that has one."""
        for end in range(len(path), -1, -1):
            span = self.spans.get(path[:end])
            if span is not None:
                return span
        return Span(self.file, 1, 1, 2)

    def key_span(self, path: DocPath) -> Span:
        """The span of the key that introduces `path`, falling back to the value's span."""
        return self.key_spans.get(path) or self.span(path)


@dataclass
class Sources:
    """Everything loaded: the documents and the text of each file, for rendering diagnostics."""

    documents: list[Document] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)


def discover(paths: Sequence[str]) -> list[str]:
    """Expand files and folders (recursively, `*.yaml`/`*.yml`) into a sorted list of files."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if raw == STDIN:
            found.append(raw)
        elif path.is_dir():
            inside = os.path.realpath(path)
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                        found.append(_within(os.path.join(root, name), inside))
        elif path.is_file():
            found.append(raw)  # as the user wrote it: diagnostics show the same path
        elif path.is_symlink() and not path.exists():
            raise InputError(f"{raw}: a symbolic link to nothing (dangling, or in a loop)")
        elif path.exists():
            raise InputError(f"{raw}: not a regular file or folder")
        else:
            raise InputError(f"{raw}: no such file or folder")
    return found


def _within(file: str, folder: str) -> str:
    """A file found in a folder; a symbolic link out of the folder is refused: a change that
    adds `x.yaml -> ~/.ssh/id_rsa` must not get its target read (and quoted in a diagnostic)
    by a CI job that compiles the folder."""
    if os.path.islink(file):
        real = os.path.realpath(file)
        if os.path.commonpath([real, folder]) != folder:
            raise InputError(f"{file}: a symbolic link to a file outside the input folder; "
                             "pass that file itself if it is meant")
    return file


def load(paths: Sequence[str], includes: Sequence[str], diags: Diagnostics,
         stdin: Stdin | None = None, texts: Mapping[str, str] | None = None) -> Sources:
    """Load every document from in-memory `texts` (name → YAML, in their order; compiled like
    a PATH), PATH arguments and -I paths (`-`: `stdin`); problems go to `diags`."""
    sources = Sources()
    for name, text in (texts or {}).items():
        if not _too_large(name, len(text.encode("utf-8", "surrogatepass")), diags):
            load_text(name, text, sources, diags)
    seen: set[str] = set()
    for files, included in ((discover(paths), False), (discover(includes), True)):
        for file in files:
            if file == STDIN:
                if stdin is None:
                    raise InputError("-: standard input was not read")
                if stdin.name not in sources.lines and \
                        not _too_large(stdin.name, len(stdin.data), diags):  # `- -`: once
                    _load_bytes(stdin.name, stdin.data, included, sources, diags)
                continue
            real = os.path.realpath(file)
            if real in seen:
                continue
            seen.add(real)
            _load_file(file, included, sources, diags)
    return sources


def load_text(file: str, text: str, sources: Sources, diags: Diagnostics,
              included: bool = False) -> None:
    """Parse `text` as the contents of `file` and add its documents to `sources`."""
    sources.lines[file] = source_lines(text)
    nodes = compose_documents(text, MAX_DEPTH)
    if nodes is None:  # unusual input: the reference loader, with its diagnostics
        _load_reference(file, text, sources, diags, included)
        return
    for index, node in enumerate(nodes):
        _add_document(file, index, node, sources, diags, included)


def _add_document(file: str, index: int, node: Any, sources: Sources, diags: Diagnostics,
                  included: bool) -> None:
    if node is None:
        return
    builder = _Builder(file, diags)
    data = builder.build(node, ())
    if builder.failed or data is None:  # an empty document, as after a final `---`
        return
    if not isinstance(data, dict):
        diags.add(document_not_a_mapping(index + 1, builder.spans[()]))
        return
    sources.documents.append(
        Document(file, index, data, builder.spans, builder.key_spans, included))


def _load_reference(file: str, text: str, sources: Sources, diags: Diagnostics,
                    included: bool) -> None:
    """ruamel.yaml's pure-Python loader: YAML 1.2 to the letter, and the error messages."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _composer()
    try:
        for index, node in enumerate(yaml.compose_all(text)):
            _add_document(file, index, node, sources, diags, included)
    except _TooDeep as exc:
        line, col = exc.mark.line + 1, exc.mark.column + 1
        diags.add(nested_too_deep(MAX_DEPTH, Span(file, line, col, col + 1)))
    except ReaderError as exc:  # a character YAML does not allow, such as NUL
        line, col = _position(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        diags.add(control_character(code, Span(file, line, col, col + 1)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diags.add(yaml_syntax(problem, Span(file, line, col, col + 1),
                              _syntax_help(problem, text, mark)))
    except Exception as exc:  # the pure-Python scanner raises a few unmarked errors
        diags.add(yaml_syntax(exc, Span(file, 1, 1, 2), "check the file is valid YAML"))


class _TooDeep(Exception):
    """Raised by the composer at the node that passes MAX_DEPTH."""

    def __init__(self, mark: Any) -> None:
        super().__init__(f"nested more than {MAX_DEPTH} levels deep")
        self.mark = mark


def _composer() -> type[Any]:
    """ruamel's composer with a nesting limit (it recurses once per level, so 10,000 `[` would
    exhaust Python's stack), and quiet about a re-used anchor: YAML allows redefining one (an
    alias then means the latest), so it is not worth a Python warning on stderr."""
    from ruamel.yaml.composer import Composer

    class LimitedComposer(Composer):
        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader)
            self.warn_double_anchors = False
            self.nesting = 0

        def compose_sequence_node(self, anchor: Any) -> Any:
            return self._nested(super().compose_sequence_node, anchor)

        def compose_mapping_node(self, anchor: Any) -> Any:
            return self._nested(super().compose_mapping_node, anchor)

        def _nested(self, compose: Any, anchor: Any) -> Any:
            self.nesting += 1
            try:
                if self.nesting > MAX_DEPTH:
                    raise _TooDeep(self.parser.peek_event().start_mark)
                return compose(anchor)
            finally:
                self.nesting -= 1

    return LimitedComposer


_SURROGATE = re.compile("[\ud800-\udfff]")
#: What YAML 1.2 counts as a line break, as ruamel's marks do (NEL and LINE SEPARATOR, breaks
#: in YAML 1.1 and for Python's `splitlines`, are not).
_LINE_BREAK = re.compile("\r\n|[\n\r]")
#: Control characters other than tab, shown as U+FFFD in excerpts: a file must not be able to
#: send escape sequences to the terminal or CI log that shows its diagnostics.
_UNPRINTABLE = {c: "\ufffd" for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x09}


def source_lines(text: str) -> list[str]:
    """The lines of a file as YAML counts them, safe to print."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return [line.translate(_UNPRINTABLE) for line in lines]


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `text[index]`."""
    before = _LINE_BREAK.split(text[:index])
    return len(before), len(before[-1]) + 1


_KEY_LINE = re.compile(r"( *)([^\s:#'\"{\[-][^:#]*?):( |$)")


def _syntax_help(problem: str, text: str, mark: Any) -> str:
    if "\\t" in problem or "tab" in problem:
        return "YAML indentation must use spaces, not tabs"
    misplaced = _misindented(problem, text, mark)
    if misplaced is not None:
        return misplaced
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted"
    return "check the indentation and quoting around this point"


def _misindented(problem: str, text: str, mark: Any) -> str | None:
    """Help for a key indented unlike the keys around it (YAML reads it as part of the value
    above, or as the end of the mapping), told apart from a ': ' inside a value."""
    if mark is None or not ("mapping values are not allowed" in problem
                            or "expected <block end>" in problem):
        return None
    lines = _LINE_BREAK.split(text)
    if mark.line >= len(lines):
        return None
    key = _KEY_LINE.match(lines[mark.line])
    if key is None or mark.column not in (key.end(1), key.end(2)):
        return None  # the error is further along the line: a ': ' inside a value
    above = next((m for line in reversed(lines[:mark.line])
                  if (m := _KEY_LINE.match(line)) is not None), None)
    if above is None:
        return None
    name, indent = key.group(2), len(key.group(1))
    near = f"'{above.group(2)}' above is indented {len(above.group(1))}"
    deeper = indent > len(above.group(1))
    return (f"'{name}' is indented {indent} space{'s' if indent != 1 else ''} ({near}): "
            "indent a key exactly like the other keys of its mapping"
            + ("; if the value above goes on over this line instead, quote that value"
               if deeper else ""))


def _load_file(file: str, included: bool, sources: Sources, diags: Diagnostics) -> None:
    try:
        if _too_large(file, os.path.getsize(file), diags):
            return
        raw = Path(file).read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from exc
    _load_bytes(file, raw, included, sources, diags)


def _too_large(file: str, size: int, diags: Diagnostics) -> bool:
    if size > MAX_FILE_BYTES:
        diags.add(file_too_large(size, MAX_FILE_BYTES, Span(file, 1, 1, 2)))
    return size > MAX_FILE_BYTES


def _load_bytes(file: str, raw: bytes, included: bool, sources: Sources, diags: Diagnostics
                ) -> None:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8-sig")
        line, col = _position(before, len(before))
        diags.add(not_utf8(Span(file, line, col, col + 1)))
        return
    load_text(file, text, sources, diags, included)


class _Builder:
    """Turns a composed node tree into plain values, recording spans as it goes."""

    def __init__(self, file: str, diags: Diagnostics) -> None:
        self.file = file
        self.diags = diags
        self.spans: dict[DocPath, Span] = {}
        self.key_spans: dict[DocPath, Span] = {}
        self.nodes = 0
        self.depth = 0
        self.failed = False

    def span(self, node: Any) -> Span:
        start, end = node.start_mark, node.end_mark
        end_col = end.column + 1 if end.line == start.line else 10_000
        return Span(self.file, start.line + 1, start.column + 1, max(end_col, start.column + 2))

    def build(self, node: Any, path: DocPath) -> Any:
        self.depth += 1
        try:
            return self._build(node, path)
        finally:
            self.depth -= 1

    def _build(self, node: Any, path: DocPath) -> Any:
        self.nodes += 1
        # the composer let MAX_DEPTH collections through; with a scalar in the innermost, one
        # more call: any deeper is through aliases and merge keys
        if self.depth > MAX_DEPTH + 1 and not self.failed:
            self.diags.add(aliases_too_deep(MAX_DEPTH, self.span(node)))
            self.failed = True
        if self.nodes > MAX_NODES:
            if not self.failed:  # at the top-level field whose value expands that far
                self.diags.add(alias_limit(MAX_NODES,
                                           self.key_spans.get(path[:1]) or self.span(node)))
            self.failed = True
            return None
        if self.failed:
            return None
        self.spans.setdefault(path, self.span(node))
        kind = type(node).__name__
        if kind == "MappingNode":
            return self._mapping(node, path)
        if kind == "SequenceNode":
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: Any) -> Any:
        try:
            value = _scalar(node)
        except ValueError:  # Python reads integers of at most 4300 digits
            self.diags.add(number_too_large(len(str(node.value)), self.span(node)))
            self.failed = True
            return None
        if isinstance(value, str) and _SURROGATE.search(value):
            try:  # "\ud83d\ude00", as JSON writes 😀: a pair is one character
                value = value.encode("utf-16", "surrogatepass").decode("utf-16")
            except UnicodeDecodeError:
                self.diags.add(unpaired_surrogate(self.span(node)))
                self.failed = True
                return None
        return value

    def _mapping(self, node: Any, path: DocPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first: dict[str, Span] = {}
        for key_node, value_node in node.value:
            if _tag(key_node) == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        for key, value in source.items():
                            result.setdefault(key, value)
                continue
            key = self._scalar(key_node) if type(key_node).__name__ == "ScalarNode" else None
            key_span = self.span(key_node)
            if not isinstance(key, str):
                key = str(key) if isinstance(key, (int, float, bool)) else None
            if key is None:
                self.diags.add(key_not_a_string(key_span))
                continue
            if key in first:
                self.diags.add(duplicate_key(key, key_span, first[key]))
                continue
            first[key] = key_span
            child: DocPath = (*path, key)
            self.key_spans[child] = key_span
            result[key] = self.build(value_node, child)
        return result


def _tag(node: Any) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag))


def _scalar(node: Any) -> Any:
    """Resolve a scalar by its YAML 1.2 core-schema tag; timestamps and binaries stay strings."""
    tag, value = _tag(node), node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        text = value.replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if digits.lower().startswith(prefix):
                return sign * int(digits[2:], base)
        return sign * int(digits)
    if tag == "tag:yaml.org,2002:float":
        text = value.replace("_", "").lower()
        if text in (".inf", "+.inf"):
            return float("inf")
        if text == "-.inf":
            return float("-inf")
        if text == ".nan":
            return float("nan")
        return float(text)
    return str(value)

