"""Line numbers for TOML keys / TOML 键的行号.

``tomllib`` gives values but not positions. :func:`key_lines` scans the text once and maps each key
path to the line it is written on, so the template parser can say *file:line* for every error:

- ``[a.b]`` → ``("a", "b")``; ``[[a]]`` → ``("a", 0)``, ``("a", 1)`` … (array-of-tables index);
- ``k = …`` and dotted ``k.j = …`` under the current table;
- keys inside a one-line inline table ``in = { y = "x" }`` → ``(…, "in", "y")`` on that line;
- text inside multi-line strings is skipped.

A path that is not found falls back to its nearest written parent (see :func:`line_of`).
"""

from __future__ import annotations

import re

__all__ = ["key_lines", "line_of"]

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*((?:[A-Za-z0-9_-]+|"[^"]*")(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"))*)\s*=')
_INLINE_KEY = re.compile(r'[{,]\s*([A-Za-z0-9_-]+|"[^"]*")\s*=')


def _split_dotted(text: str) -> list[str]:
    return [p.strip().strip('"') for p in re.findall(r'"[^"]*"|[^.]+', text)]


def key_lines(text: str) -> dict[Path, int]:
    """Map of key path → 1-based line number."""
    lines: dict[Path, int] = {}
    counts: dict[Path, int] = {}
    table: Path = ()
    in_string: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            parts = tuple(_split_dotted(header.group(2)))
            if header.group(1) == "[[":
                index = counts.get(parts, 0)
                counts[parts] = index + 1
                table = (*parts, index)
            else:
                table = _resolve(parts, counts)
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if not key:
            continue
        path = (*table, *_split_dotted(key.group(1)))
        lines.setdefault(path, number)
        rest = line[key.end():]
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2 == 1:
                in_string = quote
        if rest.lstrip().startswith("{"):
            for inner in _INLINE_KEY.finditer(rest):
                lines.setdefault((*path, inner.group(1).strip('"')), number)
    return lines


def _resolve(parts: tuple[str, ...], counts: dict[Path, int]) -> Path:
    """``[analysis.params]`` after ``[[analysis]]`` belongs to the latest analysis element."""
    out: list[str | int] = []
    for i, part in enumerate(parts):
        out.append(part)
        prefix = tuple(p for p in parts[: i + 1])
        if prefix in counts and i < len(parts) - 1:
            out.append(counts[prefix] - 1)
    return tuple(out)


def line_of(lines: dict[Path, int], path: Path) -> int:
    """Line of ``path`` or of its nearest parent that is written in the file (0 if none)."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return 0
