"""The chat's Markdown (a digest, the readiness card) as blocks a template lays out.

Only the shapes our own renderers write: headings, lists, tables, quotes, paragraphs.
Everything stays text; the template escapes it, so nothing here builds HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_EMPHASIS = re.compile(r"\*\*([^*]+)\*\*|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<!\w)_([^_\n]+)_(?!\w)")
_NUMBERED = re.compile(r"^\d+\.\s+")


@dataclass
class Block:
    kind: str  # h2, h3, ul, ol, table, quote, p
    text: str = ""
    items: list[str] = field(default_factory=list)
    depths: list[int] = field(default_factory=list)  # per item: 0, or 1 for a sub-item
    rows: list[list[str]] = field(default_factory=list)


def plain(text: str) -> str:
    """Without emphasis and code marks and chat escapes (`&lt;` is `<` again, for the
    template to escape)."""
    bare = _EMPHASIS.sub(lambda m: next(g for g in m.groups() if g), text).replace("`", "")
    return html.unescape(bare)


def blocks(markdown: str) -> list[Block]:
    out: list[Block] = []

    def open_(kind: str) -> Block:
        if not out or out[-1].kind != kind:
            out.append(Block(kind))
        return out[-1]

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line or line.startswith("!["):
            if out and out[-1].kind == "quote":
                out.append(Block("p"))  # a blank line ends a quote
            continue
        if line.startswith("## "):
            out.append(Block("h3", plain(line[3:])))
        elif line.startswith("# "):
            out.append(Block("h2", plain(line[2:])))
        elif line.startswith(("- ", "• ")):
            listed = open_("ul")
            listed.items.append(plain(line[2:]))
            listed.depths.append(1 if raw.startswith("  ") else 0)
        elif _NUMBERED.match(line):
            listed = open_("ol")
            listed.items.append(plain(_NUMBERED.sub("", line)))
            listed.depths.append(0)
        elif line.startswith("|"):
            cells = [plain(c.strip()) for c in line.strip("|").split("|")]
            if not all(set(c) <= {"-", ":"} for c in cells):
                open_("table").rows.append(cells)
        elif line.startswith(">"):
            quote = open_("quote")
            quote.items.append(plain(line.lstrip("> ")))
        else:
            out.append(Block("p", plain(line)))
    return [b for b in out if b.text or b.items or b.rows]
