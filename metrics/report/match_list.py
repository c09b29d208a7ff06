"""The match viewer's folder: a filterable, sortable list of every match and one page per match.

Layout of ``out_dir``::

    index.html            matches 1 … page_size of the list (sorted as data.LIST_ORDER), with filters
    index-2.html, …       the next pages of the list, when there are more than page_size matches
    <match_id>.html       one page per match (match_page), linking back to its list page and ../report.html

The output is a pure function of the store: rerun on the same store, every file is byte-identical. The
store is streamed: the list cursor is read once, one page of list rows and one match's records are in
memory at a time, so a store of 100 k matches costs no more memory than a small one.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from metrics.report.cells import Cell, table_html
from metrics.report.html import esc, page
from metrics.report.match_data import (
    GameView,
    Row,
    count_matches,
    iter_list_rows,
    load_game,
    open_store,
    read_match,
    winner_text,
)
from metrics.report.match_page import render_match

#: Matches per list page (and the size above which the list is split into pages).
DEFAULT_PAGE_SIZE = 500
#: The list table's id (its filters and row counter refer to it).
TABLE_ID = "matches"

_SAFE_ID = re.compile(r"^[0-9A-Za-z_-]{1,80}$")
_RESERVED = re.compile(r"^index(-\d+)?$", re.IGNORECASE)

# (header, row key, numeric); the filters below refer to these positions.
_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("match", "match_id", False),
    ("game", "game", False),
    ("ruleset", "ruleset", False),
    ("model A", "model_a", False),
    ("model B", "model_b", False),
    ("first reviser", "first_reviser", False),
    ("seed", "seed", True),
    ("rep", "repetition", True),
    ("status", "status", False),
    ("winner", "winner", False),
    ("rounds", "n_rounds", True),
    ("failures", "failures", True),
)
_COL = {key: i for i, (_, key, _) in enumerate(_COLUMNS)}
_TEXT_FILTERS = (("match", "match_id"), ("model A", "model_a"), ("model B", "model_b"), ("winner", "winner"))
_SELECT_FILTERS = ("game", "ruleset", "status", "first_reviser")


def match_file_name(match_id: str) -> str:
    """The file name of a match's page: ``<match_id>.html`` for a plain id, else a hash of the id.

    Match ids are hex hashes; anything else (path separators, dots, an id that would be a list page's
    name) becomes ``m-<sha256 prefix>.html``, which is still unique per id.
    """
    if _SAFE_ID.match(match_id) and not _RESERVED.match(match_id):
        return f"{match_id}.html"
    return f"m-{hashlib.sha256(match_id.encode('utf-8')).hexdigest()[:24]}.html"


def index_file_name(number: int) -> str:
    """The file name of list page ``number`` (1-based): ``index.html``, ``index-2.html`` and so on."""
    return "index.html" if number == 1 else f"index-{number}.html"


def _row_cells(row: Row) -> list[Cell]:
    cells = []
    for _, key, numeric in _COLUMNS:
        value = row.get(key)
        if key == "match_id":
            cells.append(Cell(str(value), href=match_file_name(str(value)), css="t"))
        elif key == "winner":
            cells.append(Cell(winner_text(row), css="t model"))
        elif numeric:
            text = "" if value is None else str(value)
            cells.append(Cell(text or "—", sort=text))
        else:
            css = "t model" if key.startswith("model") else "t"
            cells.append(Cell("—" if value is None else str(value), css=css))
    return cells


def _filters_html(rows: Sequence[Row]) -> str:
    parts = ['<div class="filters">']
    for label, key in _TEXT_FILTERS:
        parts.append(
            f'<label>{esc(label)} <input type="search" data-filter="{TABLE_ID}" data-col="{_COL[key]}"'
            f' placeholder="contains…"></label>'
        )
    for key in _SELECT_FILTERS:
        values = sorted({"—" if r.get(key) is None else str(r.get(key)) for r in rows})
        options = "".join(f'<option value="{esc(v.lower())}">{esc(v)}</option>' for v in values)
        label = key.replace("_", " ")
        parts.append(
            f'<label>{esc(label)} <select data-filter="{TABLE_ID}" data-col="{_COL[key]}">'
            f'<option value="">all</option>{options}</select></label>'
        )
    parts.append(f'<span><span data-count-for="{TABLE_ID}">{len(rows)}</span> shown</span></div>')
    return "".join(parts)


def _pager_html(number: int, pages: int) -> str:
    if pages <= 1:
        return ""
    links = []
    for n in range(1, pages + 1):
        links.append(f"<b>{n}</b>" if n == number else f'<a href="{index_file_name(n)}">{n}</a>')
    return f'<nav class="toc">Pages: {" ".join(links)}</nav>'


def index_page_html(
    rows: Sequence[Row], *, number: int = 1, pages: int = 1, first: int = 1, total: int | None = None
) -> str:
    """One list page: ``rows`` (list rows with ``failures``) as a sortable, filterable table.

    Args:
        rows: This page's rows, in list order.
        number: This page's number (1-based).
        pages: How many list pages there are.
        first: The 1-based position of ``rows[0]`` in the whole list.
        total: Matches in the whole list (default: ``len(rows)``).
    """
    total = len(rows) if total is None else total
    header = [Cell(h, numeric=numeric, css="" if numeric else "t") for h, _, numeric in _COLUMNS]
    parts = ['<nav class="toc"><a href="../report.html">report</a></nav>', "<h1>Matches</h1>"]
    if pages > 1:
        last = first + len(rows) - 1
        parts.append(
            f'<p class="note">Matches {first}–{last} of {total}, page {number} of {pages}. The filters and '
            "the sorting apply to this page only.</p>"
        )
    else:
        parts.append(
            f'<p class="note">{total} matches. Click a header to sort; a match id opens its replay.</p>'
        )
    parts.append(_pager_html(number, pages))
    parts.append(_filters_html(rows))
    parts.append(table_html(header, [_row_cells(r) for r in rows], table_id=TABLE_ID, sortable=True))
    parts.append(_pager_html(number, pages))
    title = "Matches" if pages <= 1 else f"Matches, page {number} of {pages}"
    return page(title, "".join(parts))


def write_match_pages(
    store_path: Path | str,
    out_dir: Path | str,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write the match list and one page per match of the store ``store_path`` into ``out_dir``.

    Args:
        store_path: A results store.
        out_dir: The folder to write into (created if missing); see the module docstring for its layout.
        page_size: Matches per list page; more matches are split into ``index-2.html``, … (at least 1).
        on_progress: Called as ``on_progress(done, total)`` after each match page (and once with
            ``(0, total)`` before the first).

    Returns:
        The files written: the list pages, then the match pages in list order.

    Raises:
        StoreError: ``store_path`` is not a readable store.
    """
    page_size = max(1, int(page_size))
    out = Path(out_dir)
    written_index: list[Path] = []
    written_matches: list[Path] = []
    games: dict[tuple[str, str, str], GameView] = {}
    with open_store(store_path) as con:
        total = count_matches(con)
        pages = max(1, math.ceil(total / page_size))
        out.mkdir(parents=True, exist_ok=True)
        if on_progress is not None:
            on_progress(0, total)
        buffer: list[Row] = []
        number = 1

        def flush() -> None:
            nonlocal buffer, number
            path = out / index_file_name(number)
            first = (number - 1) * page_size + 1
            html = index_page_html(buffer, number=number, pages=pages, first=first, total=total)
            path.write_text(html, encoding="utf-8")
            written_index.append(path)
            buffer, number = [], number + 1

        # The list cursor streams on its own connection's statement; each match is read with another.
        for done, row in enumerate(iter_list_rows(con), start=1):
            record = read_match(con, str(row["match_id"]))
            html = render_match(
                record,
                load_game(record.match, games),
                back_href=index_file_name(number),
                report_href="../report.html",
            )
            path = out / match_file_name(record.match_id)
            path.write_text(html, encoding="utf-8")
            written_matches.append(path)
            buffer.append(row)
            if len(buffer) == page_size:
                flush()
            if on_progress is not None:
                on_progress(done, total)
        if buffer or not written_index:
            flush()
    return written_index + written_matches
