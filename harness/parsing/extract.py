"""Finding the JSON-looking pieces of a model's reply, in the order the parser tries them.

Candidates, best first:

1. the body of the first fenced block opened with ```` ```json ```` (case-insensitive); an unterminated
   fence (a truncated reply) runs to the end of the text;
2. the bodies of the other fenced blocks (any or no language tag), in order;
3. the whole reply;
4. every top-level balanced ``{...}`` or ``[...]`` region of the reply (strings respected, both quote
   kinds), in order — this is how a JSON object amid prose is found.

Work is bounded (text length, number of regions, scan starts), so any input returns quickly.
"""

from __future__ import annotations

import re

#: Longer replies are cut to this many characters before any scanning.
MAX_TEXT = 200_000
#: At most this many prose regions and this many unmatched opening brackets are tried.
MAX_REGIONS = 32
MAX_FAILED_STARTS = 16

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n`]*\n?(.*?)(?:```|\Z)", re.DOTALL)


def fenced_blocks(text: str) -> list[str]:
    """Bodies of the fenced blocks, the first ```` ```json ```` block first, then the rest in order."""
    blocks: list[tuple[str, str]] = [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]
    first_json = next((i for i, (tag, _) in enumerate(blocks) if tag == "json"), None)
    order = list(range(len(blocks)))
    if first_json is not None:
        order.remove(first_json)
        order.insert(0, first_json)
    return [blocks[i][1] for i in order]


def _match_close(text: str, start: int) -> int | None:
    """Index just past the bracket closing ``text[start]``, or None when it is never closed."""
    stack: list[str] = []
    quote: str | None = None
    escaped = False
    pairs = {"{": "}", "[": "]"}
    for i in range(start, len(text)):
        ch = text[i]
        if quote is not None:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote or (ch == "\n" and quote == "'"):
                # A single quote is often an apostrophe in prose; a newline ends that "string".
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in pairs:
            stack.append(pairs[ch])
        elif ch in "}]":
            if not stack or stack[-1] != ch:
                return None
            stack.pop()
            if not stack:
                return i + 1
    return None


def bracket_regions(text: str) -> list[str]:
    """Top-level balanced ``{...}`` / ``[...]`` regions of ``text`` in order (bounded work)."""
    regions: list[str] = []
    failed = 0
    i = 0
    n = len(text)
    while i < n and len(regions) < MAX_REGIONS and failed < MAX_FAILED_STARTS:
        ch = text[i]
        if ch in "{[":
            end = _match_close(text, i)
            if end is not None:
                regions.append(text[i:end])
                i = end
                continue
            failed += 1
        i += 1
    return regions


def candidates(text: str) -> list[tuple[str, str]]:
    """All candidate texts as ``(origin, text)``; origin is ``fenced``, ``whole`` or ``prose``."""
    text = text[:MAX_TEXT]
    out: list[tuple[str, str]] = [("fenced", b) for b in fenced_blocks(text)]
    out.append(("whole", text))
    out.extend(("prose", r) for r in bracket_regions(text))
    return out
