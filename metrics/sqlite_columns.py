r"""Reading SQLite columns straight into numpy and Arrow, without a Python object per cell.

``pandas.read_sql_query`` (and any DB-API cursor) makes one Python object per cell, then converts them: on
500,000 round records that is most of a report's time. Here SQLite itself does the per-row work. For each
column, one aggregate ``group_concat`` makes one text of all its values, separated by ``\\x1f``, and per-type
counts (``typeof``) in the same query say how to read it back:

- integers (no NULL): parsed by ``numpy.fromstring`` to ``int64``; with NULLs (written ``nan``): ``float64``;
- reals: printed by SQLite's ``printf('%!.17g')``, 17 significant digits, which read back to the same
  double (checked once per process on random doubles; otherwise reals are fetched through the cursor);
- text (NULL written ``\\x1e``): split by Arrow into a ``large_string`` array, NULLs restored;
- a column of NULLs only: ``object`` Nones;
- anything else (a BLOB column, text in a numeric column, a real in an integer column, a text holding the
  separator): fetched through the cursor and converted the way ``pandas.read_sql_query`` converts it.

The result is the same frame ``read_sql_query`` gives: ``int64``, ``float64`` with NaN, pandas' ``str``
dtype (Arrow ``large_string``, NaN for NULL) and ``object`` (all NULL), in the table's rowid order. Rows are
read in rowid ranges (about :data:`CHUNK_ROWS` rows per query), so no single text grows large.
"""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

#: Rows per query: bounds the size of one column's text (SQLite refuses texts over 1e9 bytes).
CHUNK_ROWS: Final = 1 << 17
_SEP: Final = "\x1f"
_NULL: Final = "\x1e"
_TYPES: Final = ("integer", "real", "text", "null")
_STR_DTYPE: Final = pd.StringDtype("pyarrow", na_value=np.nan)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@cache
def reals_round_trip() -> bool:
    """Whether SQLite's ``printf('%!.17g', x)`` reads back to ``x`` here (random doubles of every scale)."""
    rng = np.random.default_rng(12345)
    values = np.concatenate(
        [
            rng.random(400),
            rng.standard_normal(400) * 10.0 ** rng.integers(-300, 300, 400),
            [0.1, 1 / 3, 5e-324],
        ]
    )
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE TABLE t (x REAL)")
        con.executemany("INSERT INTO t VALUES (?)", [(float(v),) for v in values])
        text = con.execute("SELECT group_concat(printf('%!.17g', x), char(31)) FROM t").fetchone()[0]
    finally:
        con.close()
    back = _floats(str(text), len(values))
    return back is not None and bool(np.array_equal(back, values))


def _floats(text: str, n: int, dtype: type = np.float64) -> NDArray[Any] | None:
    """``n`` numbers parsed from ``text`` (None when it does not hold exactly ``n`` numbers)."""
    if n == 0:
        return np.zeros(0, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            out: NDArray[Any] = np.fromstring(text, dtype=dtype, sep=_SEP)
        except (ValueError, DeprecationWarning):
            return None
    return out if len(out) == n else None


def _texts(text: str, n: int, nulls: int) -> pa.Array | None:
    """``n`` strings split from ``text``, ``nulls`` of them NULL (None when either count does not match)."""
    parts = pc.split_pattern(pa.array([text], type=pa.large_string()), _SEP).flatten()
    if len(parts) != n:
        return None
    if not nulls:
        return parts
    null = pc.equal(parts, _NULL)
    if pc.sum(null).as_py() != nulls:
        return None  # a text equal to the NULL marker: read the column the slow way
    return pc.if_else(null, pa.scalar(None, pa.large_string()), parts)


def affinity(declared: str) -> str:
    """SQLite's affinity of a declared column type: ``integer``, ``text``, ``blob``, ``real``, ``numeric``."""
    t = declared.upper()
    if "INT" in t:
        return "integer"
    if any(k in t for k in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if not t or "BLOB" in t:
        return "blob"
    if any(k in t for k in ("REAL", "FLOA", "DOUB")):
        return "real"
    return "numeric"


def _expression(name: str, kind: str) -> str:
    """The aggregate giving one text of a column's values (placeholders: the NULL marker, the separator)."""
    q = _quote(name)
    real = f"printf('%!.17g', {q})" if reals_round_trip() else "'?'"  # '?' fails to parse: slow path
    if kind == "real":
        return f"group_concat(CASE WHEN {q} IS NULL THEN ? ELSE {real} END, ?)"
    if kind == "numeric":
        return f"group_concat(CASE typeof({q}) WHEN 'real' THEN {real} WHEN 'null' THEN ? ELSE {q} END, ?)"
    # text; or integer affinity, where a non-integral real prints with 15 digits only: caught after parsing
    return f"group_concat(ifnull({q}, ?), ?)"


def _read_sql_column(
    con: sqlite3.Connection, table: str, name: str, where: str, params: Sequence[Any]
) -> Any:
    """One column through the cursor, converted as ``read_sql_query`` converts it (the slow, general path)."""
    sql = f"SELECT {_quote(name)} AS c FROM {_quote(table)} {where} ORDER BY rowid"
    return pd.read_sql_query(sql, con, params=tuple(params))["c"].array


def _all_null(n: int) -> NDArray[np.object_]:
    return np.full(n, None, dtype=object)


def _numbers(texts: list[str], n: int, nulls: int, kind: str) -> Any:
    """A numeric column from its chunks' texts (None: not readable here, take the slow path)."""
    text = _SEP.join(texts)
    if kind == "integer" and "nan" not in text:
        exact = _floats(text, n, np.int64)
        if exact is not None:
            return exact
    values = _floats(text, n)
    if values is None:
        return None
    nan = np.isnan(values)
    if int(nan.sum()) != nulls:
        return None  # a text 'nan' in a numeric column
    if nulls == n:
        return _all_null(n)
    if kind == "integer" and not np.array_equal(values[~nan], np.round(values[~nan])):
        return None  # a real in an integer column: it printed with 15 digits only, so read it exactly
    return values


def _strings(texts: list[str], sizes: list[int], nulls: list[int]) -> Any:
    """A text column from its chunks' texts (None: not readable here, take the slow path)."""
    arrays = [_texts(t, n, k) for t, n, k in zip(texts, sizes, nulls, strict=True)]
    if any(a is None for a in arrays):
        return None
    values = pa.chunked_array(arrays, type=pa.large_string()).combine_chunks()
    if values.null_count == len(values):
        return _all_null(len(values))
    return pd.array(values, dtype=_STR_DTYPE)


def _ranges(con: sqlite3.Connection, table: str) -> list[tuple[int, int]]:
    """Rowid ranges of about :data:`CHUNK_ROWS` rows each (one range when the rowids are sparse)."""
    lo, hi, n = con.execute(f"SELECT min(rowid), max(rowid), count(*) FROM {_quote(table)}").fetchone()
    if not n:
        return []
    lo, hi = int(lo), int(hi)
    if hi - lo + 1 > 4 * int(n) or n <= CHUNK_ROWS:
        return [(lo, hi)]
    return [(a, min(hi, a + CHUNK_ROWS - 1)) for a in range(lo, hi + 1, CHUNK_ROWS)]


def table_columns(con: sqlite3.Connection, table: str) -> list[str]:
    """The column names of ``table``, in order."""
    return [str(r[1]) for r in con.execute(f"PRAGMA table_info({_quote(table)})")]


def read_columns(
    con: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    *,
    with_rowid: bool = False,
    where: str = "",
    where_params: Sequence[Any] = (),
) -> pd.DataFrame:
    """Read ``columns`` of ``table`` into a DataFrame (rowid order), as ``read_sql_query`` would give them.

    Args:
        con: An open connection (call inside a transaction for one consistent snapshot of several tables).
        table: The table.
        columns: Column names (each must exist).
        with_rowid: Add the rowid as a first column ``rowid`` (int64).
        where: An SQL condition on the rows (e.g. ``"sims = ?"``).
        where_params: The parameters of ``where``.
    """
    declared = {str(r[1]): str(r[2] or "") for r in con.execute(f"PRAGMA table_info({_quote(table)})")}
    kinds = [affinity(declared.get(c, "")) for c in columns]
    aggs = ["count(*)", "group_concat(rowid, ?)" if with_rowid else "NULL"]
    params: list[str] = [_SEP] if with_rowid else []
    for c, kind in zip(columns, kinds, strict=True):
        if kind == "blob":
            aggs += ["NULL", "0"]
        else:
            aggs += [_expression(c, kind), f"count({_quote(c)})"]
            params += [_NULL if kind == "text" else "nan", _SEP]
    cond = f" AND ({where})" if where else ""
    sql = f"SELECT {', '.join(aggs)} FROM {_quote(table)} WHERE rowid BETWEEN ? AND ?{cond}"
    texts: list[list[str]] = [[] for _ in columns]
    nulls: list[list[int]] = [[] for _ in columns]
    sizes: list[int] = []
    rowids: list[str] = []
    for start, end in _ranges(con, table):
        row = con.execute(sql, (*params, start, end, *where_params)).fetchone()
        n = int(row[0])
        if n == 0:
            continue
        sizes.append(n)
        rowids.append(str(row[1]))
        for j in range(len(columns)):
            texts[j].append(str(row[2 + 2 * j] or ""))
            nulls[j].append(n - int(row[3 + 2 * j]))
    total = sum(sizes)
    data: dict[str, Any] = {}
    if with_rowid:
        rid = _floats(_SEP.join(rowids), total, np.int64)
        data["rowid"] = rid if rid is not None else np.zeros(0, dtype=np.int64)
    for j, (c, kind) in enumerate(zip(columns, kinds, strict=True)):
        values: Any = None
        if not total:
            values = np.array([], dtype=object)
        elif kind == "text":
            values = _strings(texts[j], sizes, nulls[j])
        elif kind != "blob":
            values = _numbers(texts[j], total, sum(nulls[j]), kind)
        if values is None:
            values = _read_sql_column(con, table, c, f"WHERE {where}" if where else "", where_params)
        data[c] = values
    return pd.DataFrame(data, copy=False)
