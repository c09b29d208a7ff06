"""The report's HTML pages: sections of escaped parts, one stylesheet, one vendored script.

Everything that reaches a page goes through :func:`html.escape` — model names, model replies, parse
errors, store paths — because model-written text is untrusted. A Content-Security-Policy is the second
line of defence: it forbids any network access and every script except the page's own, which is allowed by
its SHA-256 hash, so a reply that smuggled a ``<script>`` past the escaping still would not run.
The pages are self-contained and work offline from ``file://``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from metrics.report.cells import Cell, table_html


@cache
def _asset(name: str) -> str:
    return resources.files("metrics.report").joinpath("assets", name).read_text(encoding="utf-8")


def compact_css(css: str) -> str:
    """``css`` without comments and needless whitespace: every match page carries it, 432 of them a run."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};,>])\s*|(:)\s+", r"\1\2", css).strip()


def _csp(script: str | None) -> str:
    if script is None:
        scripts = "'none'"
    else:
        scripts = (
            "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"
        )
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {scripts}; base-uri 'none'; form-action 'none'"
    )


def esc(text: object) -> str:
    """``text`` escaped for HTML element content and attribute values."""
    return html.escape(str(text), quote=True)


@dataclass
class Section:
    """One page section: a title and pre-rendered (escaped) HTML parts."""

    title: str
    parts: list[str] = field(default_factory=list)
    anchor: str = ""

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], table_id: str = "") -> Section:
        """Append a plain table of text cells; every cell is escaped."""
        head = [Cell(h) for h in header]
        body = [[Cell(c) for c in r] for r in rows]
        self.parts.append(table_html(head, body, table_id=table_id, sortable=False))
        return self

    def cells(self, header: Sequence[Cell], rows: Sequence[Sequence[Cell]], table_id: str = "") -> Section:
        """Append a client-side sortable table of :class:`~metrics.report.cells.Cell` s."""
        self.parts.append(table_html(header, rows, table_id=table_id, sortable=True))
        return self

    def text(self, text: str, css: str = "") -> Section:
        """Append a paragraph of (escaped) text."""
        cls = f' class="{esc(css)}"' if css else ""
        self.parts.append(f"<p{cls}>{esc(text)}</p>")
        return self

    def items(self, lines: Sequence[str], css: str = "fns", ordered: bool = False) -> Section:
        """Append a list of (escaped) lines, e.g. footnotes."""
        if lines:
            tag = "ol" if ordered else "ul"
            body = "".join(f"<li>{esc(x)}</li>" for x in lines)
            self.parts.append(f'<{tag} class="{esc(css)}">{body}</{tag}>')
        return self

    def pre(self, text: str) -> Section:
        """Append preformatted (escaped) text, e.g. a model reply."""
        self.parts.append(f"<pre>{esc(text)}</pre>")
        return self

    def image(self, png: bytes, alt: str) -> Section:
        """Append a PNG embedded as a data URI."""
        data = base64.b64encode(png).decode("ascii")
        self.parts.append(f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">')
        return self

    def heading(self, text: str) -> Section:
        """Append a sub-heading."""
        self.parts.append(f"<h3>{esc(text)}</h3>")
        return self

    def disclosure(self, summary: str, inner: Section) -> Section:
        """Append ``inner``'s parts behind a ``<details>`` disclosure, closed by default."""
        self.parts.append(f"<details><summary>{esc(summary)}</summary>{''.join(inner.parts)}</details>")
        return self

    def markup(self, trusted_html: str) -> Section:
        """Append markup built by this package's own builders (which escape every value they embed)."""
        self.parts.append(trusted_html)
        return self


def page(title: str, body_html: str, *, script: bool = True, css: str = "") -> str:
    """A whole page: ``body_html`` (already escaped) with the stylesheet, the CSP and the script.

    Args:
        title: The page title.
        body_html: The body, built by this package's builders.
        script: Include the vendored script (sorting, filters). Without it the CSP allows no script at all:
            a match page needs none, and leaving it out saves 1.5 MB over a run's 432 match pages.
        css: More style rules for this page, appended to the stylesheet.
    """
    code = _asset("report.js") if script else None
    tail = f"<script>{code}</script>" if code is not None else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp(code))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_style(css)}</style></head>"
        f"<body>{body_html}{tail}</body></html>\n"
    )


@cache
def _style(extra: str) -> str:
    return compact_css(_asset("report.css") + extra)


def render(title: str, sections: Sequence[Section], links: Sequence[tuple[str, str]] = ()) -> str:
    """The report page: a title, a table of contents (plus ``links``: ``(href, text)``), the sections."""
    toc = "".join(f'<a href="#{esc(s.anchor)}">{esc(s.title)}</a>' for s in sections if s.anchor)
    toc += "".join(f'<a href="{esc(href)}">{esc(text)}</a>' for href, text in links)
    body = "".join(
        f'<section id="{esc(s.anchor)}"><h2>{esc(s.title)}</h2>{"".join(s.parts)}</section>' for s in sections
    )
    return page(title, f'<h1>{esc(title)}</h1><nav class="toc">{toc}</nav>{body}')
