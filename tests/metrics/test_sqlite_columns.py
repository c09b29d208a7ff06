"""The columnar SQLite reader gives exactly the frame ``pandas.read_sql_query`` gives, edge cases included."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from metrics import sqlite_columns
from metrics.sqlite_columns import affinity, read_columns, reals_round_trip, table_columns

ROWS = [
    (1, 2**62 + 1, 0.1, "a", None, None, 3, None, 1.5, b"x", "p\x1fq", "\x1e"),
    (2, -5, 1 / 3, None, None, 2.5, 4, 7.0, "t", b"y", "r", "s"),
    (3, 0, 5e-324, 'c\nd,e|"f"', None, None, 5, None, 2, None, None, "u"),
]
SCHEMA = (
    "CREATE TABLE t (i INTEGER, big INTEGER, r REAL, s TEXT, n TEXT, ir INTEGER, k INTEGER, rn REAL, "
    "num NUMERIC, b BLOB, sep TEXT, marker TEXT)"
)


def _con(rows: list[tuple[object, ...]]) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute(SCHEMA)
    con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * 12)})", rows)
    return con


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    for c in a.columns:
        assert a[c].dtype == b[c].dtype, c
        pd.testing.assert_series_equal(a[c], b[c], check_exact=True)


@pytest.mark.parametrize("chunk", [1, 2, 1 << 17])
def test_same_frame_as_read_sql_query(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(sqlite_columns, "CHUNK_ROWS", chunk)
    con = _con(ROWS)
    cols = table_columns(con, "t")
    _same(read_columns(con, "t", cols), pd.read_sql_query("SELECT * FROM t", con))


def test_empty_table_and_rowids() -> None:
    con = _con([])
    cols = table_columns(con, "t")
    _same(read_columns(con, "t", cols), pd.read_sql_query("SELECT * FROM t", con))
    con = _con(ROWS)
    con.execute("DELETE FROM t WHERE i = 2")
    out = read_columns(con, "t", ["i"], with_rowid=True)
    assert out["rowid"].tolist() == [1, 3] and out["i"].tolist() == [1, 3]


def test_reals_read_back_exactly() -> None:
    assert reals_round_trip()
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (x REAL)")
    values = [0.1 * k + 1e-17 * k for k in range(1000)]
    con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    assert read_columns(con, "t", ["x"])["x"].tolist() == values


def test_affinity() -> None:
    assert [affinity(t) for t in ("INTEGER", "varchar(3)", "", "DOUBLE", "DECIMAL")] == [
        "integer", "text", "blob", "real", "numeric",
    ]  # fmt: skip
