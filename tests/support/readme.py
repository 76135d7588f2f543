"""The README's shell examples as data: each command with the output the README shows for it.

An example is a `sh` block that calls the service at http://127.0.0.1:8000. In it, a command is
a line that is not a comment (with its `\\`-continued lines); the comment lines right after it
are its output as the README shows it; comment lines after a blank line describe what follows.
In shown output, `...` stands for any text, and values that differ on every run (timestamps,
cursors, list ETag digests) are matched by their shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

BASE_URL = "http://127.0.0.1:8000"

_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_CURSOR = re.compile(r'"endCursor":"[A-Za-z0-9_-]{20,}"')
_DIGEST = re.compile(r'"(\d+)-[0-9a-f]{16}"')
_HEADER = re.compile(r"[A-Za-z][A-Za-z0-9-]*: ")


@dataclass
class Example:
    command: str
    shown: list[str] = field(default_factory=list)


def examples(readme: Path) -> list[Example]:
    """Every command of the README's examples against the local service, in order."""
    found: list[Example] = []
    for block in _BLOCK.findall(readme.read_text(encoding="utf-8")):
        if BASE_URL in block:
            found.extend(_commands(block))
    return found


def _commands(block: str) -> list[Example]:
    commands: list[Example] = []
    current: list[str] = []
    showing = False  # comment lines now are the last command's output
    for line in block.splitlines():
        if current:
            current.append(line)
            if not line.endswith("\\"):
                commands.append(Example(" ".join(current).replace("\\ ", " ")))
                current, showing = [], True
        elif not line.strip():
            showing = False
        elif line.startswith("#"):
            if showing:
                commands[-1].shown.append(line.removeprefix("#").strip())
        else:
            current = [line]
            if not line.endswith("\\"):
                commands.append(Example(line))
                current, showing = [], True
    return commands


def pattern(shown: str) -> re.Pattern[str]:
    """A regular expression for one line of shown output."""
    text = _CURSOR.sub('"endCursor":"\0CURSOR"', shown)
    text = _DIGEST.sub(lambda match: f'"{match[1]}-\0DIGEST"', text)
    text = _TIMESTAMP.sub("\0TIMESTAMP", text)
    expression = re.escape(text)
    for placeholder, shape in {
        r"\.\.\.": ".*?",
        "\0CURSOR": "[A-Za-z0-9_-]+",
        "\0DIGEST": "[0-9a-f]{16}",
        "\0TIMESTAMP": _TIMESTAMP.pattern,
    }.items():
        expression = expression.replace(placeholder, shape)
    # Header names are case-insensitive; curl prints them as the server sent them.
    flags = re.IGNORECASE if _HEADER.match(shown) else 0
    return re.compile(expression, flags)


def unmatched(shown: list[str], output: list[str]) -> list[str]:
    """The shown lines that do not appear, in order, among the output's lines."""
    missing: list[str] = []
    position = 0
    for line in shown:
        expression = pattern(line)
        for index in range(position, len(output)):
            if expression.fullmatch(output[index]):
                position = index + 1
                break
        else:
            missing.append(line)
    return missing
