"""What earlier runs say about a model: reply length, latency, initial attempts; and cached replies.

Sources, in order of preference for each figure:

1. the results store (``decisions`` of this model, any experiment: shared initial plans reused from
   another match and infrastructure failures left out): mean output tokens per call, mean latency of
   the calls not answered from the cache, and the mean number of attempts per initial phase;
2. the response cassette (``responses`` rows of this model): mean output tokens and latency;
3. the defaults below, stated in the estimate's notes.

A figure is taken from a source only when it rests on at least :data:`MIN_CALLS` calls
(:data:`MIN_PHASES` initial phases). Both files are opened read-only and nothing is written beside them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.estimate.tally import Reader
from harness.store.readonly import connect_readonly, open_readonly
from harness.store.reads import StoreReads

#: Calls a mean must rest on before it replaces the default.
MIN_CALLS = 5
#: Initial phases the mean number of attempts must rest on.
MIN_PHASES = 2
_IN_CHUNK = 500


@dataclass(frozen=True)
class Observed:
    """One model's figures from one source (``None``: not enough data).

    Attributes:
        source: ``store`` or ``cache``.
        calls: Calls the figures rest on.
        output_tokens: Mean output tokens per call.
        latency_s: Mean wall time of a call made to the provider.
        initial_attempts: Mean attempts per initial phase (store only).
    """

    source: str
    calls: int
    output_tokens: float | None
    latency_s: float | None
    initial_attempts: float | None = None


StoreSource = StoreReads | sqlite3.Connection | str | Path


def _connection_query(con: sqlite3.Connection) -> Reader:
    def query(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return con.execute(sql, params).fetchall()

    return query


def _store_query(store: StoreReads) -> Reader:
    def query(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(store.query(sql, params))

    return query


@contextmanager
def store_reader(store: StoreSource | None) -> Iterator[Reader | None]:
    """Read-only SQL on ``store``: an open store, a connection, a path (opened read-only) or ``None``.

    A path that does not exist yet is an empty store (``None`` is yielded).

    Raises:
        StoreError: The path exists but is not a store this version reads.
    """
    if store is None:
        yield None
    elif isinstance(store, StoreReads):
        yield _store_query(store)
    elif isinstance(store, sqlite3.Connection):
        yield _connection_query(store)
    elif not Path(store).exists():
        yield None
    else:
        con = open_readonly(store)
        try:
            yield _connection_query(con)
        finally:
            con.close()


@contextmanager
def cache_reader(path: str | Path | None) -> Iterator[Reader | None]:
    """Read-only SQL on the response cassette at ``path`` (``None`` when absent or unreadable)."""
    if path is None or not Path(path).is_file():
        yield None
        return
    try:
        con = connect_readonly(path)
        con.execute("SELECT 1 FROM responses LIMIT 1").fetchall()
    except Exception:  # not a cassette: no history from it
        yield None
        return
    try:
        yield _connection_query(con)
    finally:
        con.close()


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _IN_CHUNK):
        yield list(items[i : i + _IN_CHUNK])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def store_observations(reader: Reader | None, models: Sequence[str]) -> dict[str, Observed]:
    """Figures per model from the store's ``decisions`` (models without enough data are left out)."""
    if reader is None or not models:
        return {}
    calls: dict[str, tuple[int, float | None, int, float | None]] = {}
    phases: dict[str, tuple[int, float]] = {}
    try:
        for part in _chunks(models):
            marks = _marks(len(part))
            for model, n, out, n_live, lat in reader(
                "SELECT model, COUNT(*), AVG(output_tokens), SUM(cache_hit = 0),"
                " AVG(CASE WHEN cache_hit = 0 THEN latency_s END) FROM decisions"
                f" WHERE reused = 0 AND failure_class != 'infra_error' AND model IN ({marks}) GROUP BY model",
                part,
            ):
                calls[str(model)] = (int(n), out, int(n_live or 0), lat)
            for model, n, mean in reader(
                "SELECT model, COUNT(*), AVG(n) FROM (SELECT model, MAX(attempt) AS n FROM decisions"
                f" WHERE phase = 'initial' AND reused = 0 AND failure_class != 'infra_error'"
                f" AND model IN ({marks}) GROUP BY match_id, side, model) GROUP BY model",
                part,
            ):
                phases[str(model)] = (int(n), float(mean))
    except sqlite3.Error:  # a store without tables yet
        return {}
    out_: dict[str, Observed] = {}
    for model, (n, out, n_live, lat) in calls.items():
        if n < MIN_CALLS:
            continue
        n_phases, mean_attempts = phases.get(model, (0, 1.0))
        out_[model] = Observed(
            source="store",
            calls=n,
            output_tokens=float(out) if out is not None else None,
            latency_s=float(lat) if lat is not None and n_live >= MIN_CALLS else None,
            initial_attempts=mean_attempts if n_phases >= MIN_PHASES else None,
        )
    return out_


def cache_observations(reader: Reader | None, models: Sequence[str]) -> dict[str, Observed]:
    """Figures per model from the cassette's ``responses`` (models without enough data are left out)."""
    if reader is None or not models:
        return {}
    out: dict[str, Observed] = {}
    try:
        for part in _chunks(models):
            for model, n, tokens, lat in reader(
                "SELECT model, COUNT(*), AVG(json_extract(completion_json, '$.usage.output_tokens')),"
                " AVG(json_extract(completion_json, '$.latency_s')) FROM responses"
                f" WHERE model IN ({_marks(len(part))}) GROUP BY model",
                part,
            ):
                if int(n) >= MIN_CALLS:
                    out[str(model)] = Observed(
                        "cache", int(n), _float(tokens), _float(lat) if _float(lat) else None
                    )
    except sqlite3.Error:
        return {}
    return out


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def cached_keys(reader: Reader | None, keys: Sequence[str]) -> set[str]:
    """Those of ``keys`` (response-cache keys) the cassette holds."""
    if reader is None or not keys:
        return set()
    found: set[str] = set()
    try:
        for part in _chunks(keys):
            sql = f"SELECT key FROM responses WHERE key IN ({_marks(len(part))})"
            found |= {str(r[0]) for r in reader(sql, part)}
    except sqlite3.Error:
        return set()
    return found
