"""The self-contained ``report.html``: tables and base64-embedded PNG plots, every text escaped.

Everything that reaches the page goes through :func:`html.escape` — model names, model replies, parse
errors, store paths — because model-written text is untrusted. A Content-Security-Policy that forbids
scripts and any network access adds a second line of defence, and keeps the page self-contained.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
pre { background: #f7f7f7; padding: 0.5em; white-space: pre-wrap; max-width: 1000px; font-size: 0.8em; }
.note { color: #555; font-size: 0.9em; } img { max-width: 100%; margin: 0.5em 0; }
"""


@dataclass
class Section:
    """One report section: a title and pre-rendered (escaped) HTML parts."""

    title: str
    parts: list[str] = field(default_factory=list)
    anchor: str = ""

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], table_id: str = "") -> Section:
        """Append a table; every cell is escaped."""
        tid = f' id="{html.escape(table_id)}"' if table_id else ""
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        self.parts.append(f"<table{tid}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return self

    def text(self, text: str, css: str = "") -> Section:
        """Append a paragraph of (escaped) text."""
        cls = f' class="{html.escape(css)}"' if css else ""
        self.parts.append(f"<p{cls}>{html.escape(text)}</p>")
        return self

    def pre(self, text: str) -> Section:
        """Append preformatted (escaped) text, e.g. a model reply."""
        self.parts.append(f"<pre>{html.escape(text)}</pre>")
        return self

    def image(self, png: bytes, alt: str) -> Section:
        """Append a PNG embedded as a data URI."""
        data = base64.b64encode(png).decode("ascii")
        self.parts.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">')
        return self

    def heading(self, text: str) -> Section:
        """Append a sub-heading."""
        self.parts.append(f"<h3>{html.escape(text)}</h3>")
        return self


def render(title: str, sections: Sequence[Section]) -> str:
    """The whole page."""
    toc = "".join(
        f'<li><a href="#{html.escape(s.anchor)}">{html.escape(s.title)}</a></li>'
        for s in sections
        if s.anchor
    )
    body = "".join(
        f'<section id="{html.escape(s.anchor)}"><h2>{html.escape(s.title)}</h2>{"".join(s.parts)}</section>'
        for s in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><ul>{toc}</ul>{body}</body></html>\n"
    )
