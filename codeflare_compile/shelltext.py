"""Appending words to a shell command line the user wrote, so that nothing can swallow them.

The compiler runs `command options` (and, for a workqueue, `command options "$CODEFLARE_TASK"`)
under `/bin/sh -c`. Pasting the parts together with a space is wrong when the first part ends in
a comment (`--lr 1  # best so far` would swallow the task), a backslash (which would escape the
space), an unclosed quote or substitution, or a here-document (the words would land on its
delimiter line). POSIX sh's token recognition (XCU 2.3: quotes, `\\`, `$(`, `${`, backquotes,
`#` at the start of a word) is enough to find where the last command's words end: the words go
there, before a trailing comment; where no such place exists the text is refused
(`swallow_problem`) instead of compiled into a command line that does something else.

Trailing blanks and newlines are not the user's: `command: |` ends in a newline, which would put
what follows on a line of its own. `strip_end` drops them (a newline inside is the user's script).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

#: What ends a shell word and starts a new one (blanks, newlines, control operators).
_BREAKS = frozenset(" \t\n;&|()<>")
#: Control and redirection operators: words after one of them are no arguments of the command.
_OPERATORS = frozenset(";&|()<>")
#: The trailing text `strip_end` drops: the shell's blanks and newlines.
_TRAILING = " \t\n"
#: What closes each construct the scanner enters (`(` is a subshell, `$(` a substitution).
_CLOSE = {'"': '"', "`": "`", "$(": ")", "(": ")", "${": "}"}
_NAMES = {'"': "a double quote", "`": "a backquote", "$(": "a `$(`", "(": "a `(`",
          "${": "a `${`"}


class ShellEnd(NamedTuple):
    """Where the last command's words end (the index after them), or why words appended there
    would not be its arguments."""

    end: int
    problem: str | None


def strip_end(text: str) -> str:
    """The text without trailing blanks and newlines."""
    return text.rstrip(_TRAILING)


@lru_cache(maxsize=256)
def shell_end(text: str) -> ShellEnd:
    """Scan `text` as sh tokenizes it, following nesting with a stack of open constructs."""
    stack: list[str] = []
    at_word_start, end, operator = True, 0, ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        inside = stack[-1] if stack else ""
        start = i
        if inside == '"' and c not in '\\"`$':
            i += 1  # in double quotes only \\, ", ` and $ are special
        elif c == "\\":
            if i + 1 == n:
                return ShellEnd(end, "ends with a backslash, which would escape what follows")
            if text[i + 1] == "\n":  # a line continuation: no part of any word
                i += 2
                continue
            i, at_word_start = i + 2, False
        elif inside == '"' and c == '"':
            stack.pop()
            i += 1
        elif c == "'" and inside != '"':
            close = text.find("'", i + 1)
            if close < 0:
                return ShellEnd(end, "has a single quote that is never closed")
            i, at_word_start = close + 1, False
        elif c == '"':
            stack.append('"')
            i, at_word_start = i + 1, False
        elif c == "`" and inside == "`":
            stack.pop()
            i, at_word_start = i + 1, False
        elif c == "`" or text.startswith(("$(", "${"), i):
            opened = "`" if c == "`" else text[i:i + 2]
            stack.append(opened)
            i, at_word_start = i + len(opened), opened != "${"
        elif inside == '"':
            i += 1  # a `$` that opens nothing
        elif inside and c == _CLOSE[inside]:
            stack.pop()
            i, at_word_start = i + 1, inside == "("
            if not stack:  # a subshell's `)` is an operator; a substitution's ends a word
                end, operator = i, ")" if inside == "(" else ""
            continue
        elif c == "#" and at_word_start and inside != "${":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        elif c == "(":
            stack.append("(")
            i, at_word_start = i + 1, True
        elif text.startswith("<<", i) and not inside:
            return ShellEnd(end, "holds a here-document (`<<`), whose delimiter line would "
                                 "take what follows")
        elif c in " \t\n":
            i, at_word_start = i + 1, True
            continue
        else:
            i, at_word_start = i + 1, c in _BREAKS
        if not stack:
            end = i
            operator = text[start] if text[start] in _OPERATORS else ""
    if stack:
        return ShellEnd(end, f"has {_NAMES[stack[-1]]} that is never closed")
    if operator:
        return ShellEnd(end, f"ends with `{operator}`, so what follows would be no argument "
                             "of its command")
    return ShellEnd(end, None)


def swallow_problem(text: str) -> str | None:
    """Why words appended to `text` would not reach its last command as arguments, or None."""
    return shell_end(text).problem


def append_words(text: str, words: str) -> str:
    """`text` with `words` (shell text) as further arguments of its last command: right after
    its last word, so before a comment that ends the text. The caller has refused the texts
    `swallow_problem` objects to."""
    end = shell_end(text).end
    return f"{text[:end]} {words}{text[end:]}" if end else f"{words} {text}".rstrip(_TRAILING)
