"""A small parse of the report's HTML for tests: tables (headers with tooltips, cell texts), scripts, and
every attribute seen, using only the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Table:
    id: str
    header: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    sort_keys: list[list[str | None]] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Table] = {}
        self.scripts: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []  # (tag, name, value)
        self.tags: list[str] = []
        self._table: Table | None = None
        self._cell: list[str] | None = None
        self._in_script = False
        self._in_sub = 0
        self._row: list[str] | None = None
        self._keys: list[str | None] | None = None
        self._in_head = False
        self._n = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        self.attributes += [(tag, k, v) for k, v in attrs]
        if tag == "table":
            self._n += 1
            self._table = Table(a.get("id") or f"table-{self._n}")
            self.tables[self._table.id] = self._table
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and self._table is not None:
            self._row, self._keys = [], []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            if self._in_head and self._table is not None:
                self._table.tips.append(a.get("title") or "")
            elif self._keys is not None:
                self._keys.append(a.get("data-sort"))
        elif tag == "span" and "ci" in (a.get("class") or "").split():
            self._in_sub += 1
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._in_head:
                self._table.header = self._row
            else:
                self._table.rows.append(self._row)
                self._table.sort_keys.append(self._keys or [])
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "span" and self._in_sub:
            self._in_sub -= 1
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        elif self._cell is not None and not self._in_sub:
            self._cell.append(data)


def parse(page: str) -> _Parser:
    """Parse a report page."""
    p = _Parser()
    p.feed(page)
    p.close()
    return p
