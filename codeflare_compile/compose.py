"""Composing YAML into nodes that carry their positions, over libyaml's C parser.

ruamel.yaml's pure-Python scanner is the reference loader (YAML 1.2, with the error messages the
diagnostics quote), but it reads about 150 documents a second; libyaml reads thousands. This
module composes libyaml's parse events into the same node shapes (`tag`, `value`, `start_mark`,
`end_mark`) and resolves plain scalars by YAML 1.2's core schema, as ruamel does. It takes only
clean input: anything unusual — a syntax error, a `%YAML` directive or `...`, an undefined
alias, nesting past the limit, an empty value, tabs, a byte order mark, line breaks YAML 1.1
and 1.2 count differently, no final line break — returns None, and the caller loads that file
with ruamel.yaml, so every diagnostic stays the reference loader's.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: libyaml is optional for PyYAML; without it every file takes the reference path.
AVAILABLE: bool = bool(getattr(yaml, "__with_libyaml__", False))

_STR, _SEQ, _MAP = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
#: NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR break lines in YAML 1.1 (libyaml's marks) but
#: not in YAML 1.2: positions after one would disagree with the excerpts.
#: Tabs too: ruamel refuses some that libyaml takes as separation (`a:<TAB>b`); and a byte
#: order mark inside the text, which the two count differently in columns.
DECLINED = re.compile("[\t\x85\u2028\u2029\ufeff]")

#: YAML 1.2 implicit tags for plain scalars, in ruamel.yaml's order: (tag, pattern, first chars).
_IMPLICIT: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    ("tag:yaml.org,2002:float", re.compile(r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", re.X), "-+0123456789."),
    ("tag:yaml.org,2002:int", re.compile(r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", re.X), "-+0123456789"),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), "<"),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    ("tag:yaml.org,2002:timestamp", re.compile(r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X), "0123456789"),
    ("tag:yaml.org,2002:value", re.compile(r"^(?:=)$"), "="),
)
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _firsts in _IMPLICIT:
    for _first in _firsts:
        _BY_FIRST.setdefault(_first, []).append((_tag, _pattern))


class _Unsupported(Exception):
    """The text needs the reference loader."""


def resolve(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of an untagged scalar: YAML 1.2 core schema for plain ones, else a string."""
    if implicit[0]:
        if value == "":
            return "tag:yaml.org,2002:null"
        for tag, pattern in _BY_FIRST.get(value[0], ()):
            if pattern.match(value):
                return tag
    return _STR


def compose_documents(text: str, max_depth: int) -> list[Node | None] | None:
    """Every document of `text` as a node tree, or None when the text needs the reference
    loader (see the module's docstring)."""
    if not AVAILABLE or DECLINED.search(text) or not text.endswith(("\n", "\r")):
        # (without a final line break, the two end the last collection at different places)
        return None
    parser = yaml.cyaml.CParser(text)
    try:
        parser.get_event()  # stream start
        documents: list[Node | None] = []
        while not parser.check_event(StreamEndEvent):
            if parser.get_event().version is not None:  # a %YAML directive
                return None
            documents.append(_Composer(parser, max_depth).node(0))
            if parser.get_event().explicit:  # `...`, which ruamel reads differently when repeated
                return None
        return documents
    except (yaml.YAMLError, _Unsupported):
        return None
    finally:
        parser.dispose()


class _Composer:
    """One document's nodes; anchors are per document, a re-defined anchor means the latest."""

    def __init__(self, parser: Any, max_depth: int) -> None:
        self.parser = parser
        self.max_depth = max_depth
        self.anchors: dict[str, Node] = {}

    def node(self, depth: int) -> Node:
        event = self.parser.get_event()
        kind = type(event)
        if kind is AliasEvent:
            if event.anchor not in self.anchors:
                raise _Unsupported
            return self.anchors[event.anchor]
        node: Node
        if kind is ScalarEvent:
            if event.start_mark.index == event.end_mark.index:
                # an empty value: libyaml places it at the next token, ruamel after the colon
                raise _Unsupported
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(event.value, event.implicit)
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
            self._anchor(event, node)
            return node
        if depth >= self.max_depth:  # too deep: the reference loader reports where
            raise _Unsupported
        if kind is SequenceStartEvent:
            items: list[Node] = []
            node = SequenceNode(event.tag or _SEQ, items, event.start_mark, None)
            self._anchor(event, node)
            while not self.parser.check_event(SequenceEndEvent):
                items.append(self.node(depth + 1))
        elif kind is MappingStartEvent:
            pairs: list[tuple[Node, Node]] = []
            node = MappingNode(event.tag or _MAP, pairs, event.start_mark, None)
            self._anchor(event, node)
            while not self.parser.check_event(MappingEndEvent):
                key = self.node(depth + 1)
                pairs.append((key, self.node(depth + 1)))
        else:
            raise _Unsupported
        node.end_mark = self.parser.get_event().end_mark
        return node

    def _anchor(self, event: Any, node: Node) -> None:
        if event.anchor is not None:
            self.anchors[event.anchor] = node
