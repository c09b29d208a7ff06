"""Export a store to one file per table (``matches``, ``rounds``, ``decisions``) as CSV or Parquet.

Rows are sorted by match id (then round / seq) and volatile columns (:data:`~harness.store.schema.VOLATILE`)
are left out, so the same experiment run twice with the same seeds and cache exports byte-identical files,
and two stores can be compared file by file. ``advgamebench`` delegates to the metrics package's export of
the original evaluator's CSV layout.
"""

from __future__ import annotations

import csv
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from games.core.errors import UserError
from harness.store.readonly import open_readonly
from harness.store.schema import COLUMNS, VOLATILE
from harness.store.store import ResultStore, StoreError

ExportFormat = Literal["csv", "parquet", "advgamebench"]
TABLES = ("matches", "rounds", "decisions")
_ORDER = {"matches": "match_id", "rounds": 'match_id, "round"', "decisions": "match_id, seq"}


def exported_columns(table: str) -> list[tuple[str, str]]:
    """``(name, SQL type)`` of the columns ``table`` exports."""
    return [(n, t) for n, t in COLUMNS[table] if n not in VOLATILE[table]]


def table_rows(store: ResultStore, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Exported column names and sorted rows of ``table``."""
    cols = [n for n, _ in exported_columns(table)]
    quoted = ", ".join(f'"{c}"' for c in cols)
    rows = [tuple(r) for r in store.query(f"SELECT {quoted} FROM {table} ORDER BY {_ORDER[table]}")]
    return cols, rows


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # shortest round-tripping form: stable across runs and platforms
    return value


def _write_csv(path: Path, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])


def _write_parquet(path: Path, table: str, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"TEXT": pa.string(), "INTEGER": pa.int64(), "REAL": pa.float64()}
    schema = pa.schema([(n, types[t]) for n, t in exported_columns(table)])
    arrays = [pa.array([r[i] for r in rows], type=schema.field(i).type) for i in range(len(cols))]
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path, compression="zstd")


def export_store(
    store_path: str | Path,
    out_dir: str | Path,
    fmt: ExportFormat,
    on_note: Callable[[str], None] | None = None,
) -> list[Path]:
    """Export ``store_path`` into ``out_dir`` (created if needed); returns the files written.

    Args:
        store_path: The results store.
        out_dir: Output folder.
        fmt: ``csv``, ``parquet`` or ``advgamebench`` (ruleset v1 matches only, in the original layout).
        on_note: Receives remarks for the user, e.g. how many matches of other rulesets the
            ``advgamebench`` format left out.

    Raises:
        StoreError: The store does not exist or is unusable.
        UserError: Unknown format, ``advgamebench`` without the metrics exporter, or an ``advgamebench``
            export of a store without ruleset v1 matches (nothing is written).
    """
    src = Path(store_path)
    if not src.exists():
        raise StoreError(f"{src}: no such store")
    open_readonly(src).close()  # a file that is not a store is refused (saying what it is) before ``out``
    out = Path(out_dir)
    if fmt == "advgamebench":
        try:
            compat = importlib.import_module("metrics.compat_export")
        except ModuleNotFoundError:
            raise UserError(
                "--format advgamebench needs metrics.compat_export, which is not installed"
            ) from None
        written = compat.export_advgamebench(src, out, on_note=on_note)  # creates ``out`` itself
        return (
            sorted(Path(p) for p in written) if written else sorted(p for p in out.rglob("*") if p.is_file())
        )
    if fmt not in ("csv", "parquet"):
        raise UserError(f"unknown export format {fmt!r}; known: csv, parquet, advgamebench")
    out.mkdir(parents=True, exist_ok=True)
    written_files: list[Path] = []
    with ResultStore(src, readonly=True) as store:  # no lease, no file created beside the store
        for table in TABLES:
            cols, rows = table_rows(store, table)
            path = out / f"{table}.{fmt}"
            if fmt == "csv":
                _write_csv(path, cols, rows)
            else:
                _write_parquet(path, table, cols, rows)
            written_files.append(path)
    return written_files
