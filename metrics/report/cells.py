"""Table cells for the HTML pages: a value, its sort key, an optional interval line and a footnote mark.

A :class:`Cell` holds text only; :func:`table_html` escapes all of it, so builders never write markup
around untrusted values themselves.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

#: What an undefined value shows.
UNDEFINED = "—"


@dataclass(frozen=True)
class Cell:
    """One table cell (or header cell).

    Attributes:
        text: The visible value.
        sort: The client-side sort key (``""``: undefined, always sorted last; ``None``: the text).
        sub: A muted second line, e.g. the 95% interval.
        tip: A tooltip (``title``), e.g. a metric's one-line definition on a header.
        note: A footnote number shown as a superscript.
        css: Extra CSS classes.
        numeric: On a header: the column sorts as numbers.
        href: Make the text a link (a relative path built by this package).
    """

    text: str
    sort: str | None = None
    sub: str = ""
    tip: str = ""
    note: int | None = None
    css: str = ""
    numeric: bool = False
    href: str = ""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def is_undefined(value: object) -> bool:
    """``None`` or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def fixed(value: float, digits: int) -> str:
    """``value`` with exactly ``digits`` decimals (``-0.000`` shown as ``0.000``)."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def number_cell(
    value: object,
    lo: object = None,
    hi: object = None,
    *,
    digits: int = 3,
    note: int | None = None,
) -> Cell:
    """A numeric cell: the value with ``digits`` decimals, its interval as a muted second line.

    An undefined value shows :data:`UNDEFINED`, sorts last and carries ``note`` (its footnote).
    """
    if is_undefined(value):
        return Cell(UNDEFINED, sort="", note=note, css="u")
    v = float(value)  # type: ignore[arg-type]
    sub = ""
    if not (is_undefined(lo) or is_undefined(hi)):
        sub = f"{fixed(float(lo), digits)}–{fixed(float(hi), digits)}"  # type: ignore[arg-type]
    return Cell(fixed(v, digits), sort=repr(v), sub=sub)


def count_cell(value: object) -> Cell:
    """A whole number (``—`` when undefined)."""
    if is_undefined(value):
        return Cell(UNDEFINED, sort="", css="u")
    return Cell(str(int(value)), sort=str(int(value)))  # type: ignore[call-overload]


def _td(cell: Cell, tag: str) -> str:
    attrs = ""
    classes = cell.css + (" v" if cell.sort not in (None, "") else "")
    if classes.strip():
        attrs += f' class="{_esc(classes.strip())}"'
    if cell.sort is not None:
        attrs += f' data-sort="{_esc(cell.sort)}"'
    if cell.tip:
        attrs += f' title="{_esc(cell.tip)}"'
    if tag == "th" and cell.numeric:
        attrs += ' data-type="num"'
    text = _esc(cell.text)
    if cell.href:
        text = f'<a href="{_esc(cell.href)}">{text}</a>'
    if cell.note is not None:
        text += f'<sup class="fn">{cell.note}</sup>'
    if cell.sub:
        text += f'<span class="ci">{_esc(cell.sub)}</span>'
    return f"<{tag}{attrs}>{text}</{tag}>"


def table_html(
    header: Sequence[Cell], rows: Sequence[Sequence[Cell]], *, table_id: str = "", sortable: bool = True
) -> str:
    """A table, every text escaped, in a wrapper that scrolls by itself rather than widen the page."""
    attrs = f' id="{_esc(table_id)}"' if table_id else ""
    if sortable:
        attrs += ' class="sortable"'
    head = "".join(_td(h, "th") for h in header)
    body = "".join("<tr>" + "".join(_td(c, "td") for c in r) + "</tr>" for r in rows)
    table = f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="wrap">{table}</div>'
