"""The answer rate's decisions and cache as columns: what a second report of a large store runs through.

:func:`decision_columns` finds every own-turn decision of the finished matches with whole-column operations
(the decisions :func:`metrics.answer_rate.decision_tasks` lists as objects), :func:`input_hashes` computes
their cache hashes (:func:`metrics.answer_cache.input_hash`, byte for byte) and :func:`cached_columns`
reads the store's cached rows of one search budget and version, matched to the decisions by key. Only the
decisions the cache does not answer become :class:`~metrics.answer_search.Task` objects, to be searched.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from metrics.answer_cache import TABLE
from metrics.answer_search import Task
from metrics.errors import StoreError
from metrics.frames import StoreFrames, positions
from metrics.sqlite_columns import read_columns
from metrics.store_file import connect_readonly

#: Ruleset of a match whose frame has no ``ruleset`` column (stores predating rulesets: the original engines).
DEFAULT_RULESET: Final = "v1"
#: The cached outcome columns (:data:`metrics.answer_cache.COLUMNS`).
OUTCOME_COLUMNS: Final = (
    "status", "beatable", "answered", "best_margin", "answer_margin", "search_sims", "best_plan",
)  # fmt: skip
_HASH_BLOCK: Final = 1 << 16  # decisions hashed per block: bounds the joined texts held at once

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def texts(values: Any, missing: str | None = None) -> pa.Array:
    """A column as Arrow strings: ``str()`` of each value, or ``missing`` where it is missing (when given).

    A text column read from a store (Arrow-backed) is converted without a Python object per value.
    """
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        arr = pa.array(series.array).cast(pa.large_string())
        return pc.fill_null(arr, "nan" if missing is None else missing)
    objs = series.to_numpy(dtype=object)
    if missing is not None:
        objs = np.where(series.isna().to_numpy(), missing, objs)
    return pa.array([str(v) for v in objs], type=pa.large_string())


def _numbers(series: pd.Series) -> NDArray[np.float64]:
    out: NDArray[np.float64] = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
    return out


def _take(arr: pa.Array, idx: NDArray[np.integer[Any]]) -> pa.Array:
    return pc.take(arr, pa.array(idx, type=pa.int64()))


def _by_side(side_a: pa.Array, side_b: pa.Array, use_a: BoolArray, idx: IntArray) -> pa.Array:
    """``side_a[idx]`` where ``use_a``, else ``side_b[idx]``."""
    return pc.if_else(pa.array(use_a), _take(side_a, idx), _take(side_b, idx))


@dataclass(frozen=True)
class DecisionColumns:
    """Own-turn decisions, one entry per decision (the fields of :class:`Task`, plus the deciding model)."""

    match_id: pa.Array
    round: IntArray
    side: IntArray  # 0 = A, 1 = B
    game: pa.Array
    ruleset: pa.Array
    params_json: pa.Array
    opponent_plan: pa.Array
    own_plan: pa.Array
    own_ok: BoolArray
    opponent_over: BoolArray
    model: pa.Array

    def __len__(self) -> int:
        return len(self.round)

    def task(self, i: int) -> Task:
        """Decision ``i`` as a :class:`Task`."""
        return Task(
            match_id=str(self.match_id[i].as_py()),
            round=int(self.round[i]),
            side="A" if self.side[i] == 0 else "B",
            game=str(self.game[i].as_py()),
            ruleset=str(self.ruleset[i].as_py()),
            params_json=str(self.params_json[i].as_py()),
            opponent_plan=str(self.opponent_plan[i].as_py()),
            own_plan=str(self.own_plan[i].as_py()),
            own_ok=bool(self.own_ok[i]),
            opponent_over=bool(self.opponent_over[i]),
        )


def decision_columns(frames: StoreFrames) -> DecisionColumns | None:
    """The own-turn decisions of the finished matches; None when the rounds carry no plans.

    A decision is round k of side s where ``reviser`` contains s and the match's previous record is round
    k − 1. Missing texts read as ``str()`` shows them (``"nan"``), as in :class:`Task`. Ordered by match
    (matches-table order), round, then side A before B.
    """
    rd = frames.with_columns("rounds", ("plan_a", "plan_b"))
    if "plan_a" not in rd.columns or "plan_b" not in rd.columns:
        return None
    fin = (frames.matches["status"] == "finished").to_numpy(dtype=bool, na_value=False)
    mt = frames.matches.loc[fin]
    m_at = positions(pd.Index(mt["match_id"]), rd["match_id"])
    rnd = pd.to_numeric(rd["round"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    kept = np.flatnonzero(m_at >= 0)
    rows = kept[np.lexsort((rnd[kept], m_at[kept]))]
    follows = np.zeros(len(rows), dtype=bool)  # the previous row is the same match's previous round
    follows[1:] = (m_at[rows][1:] == m_at[rows][:-1]) & (rnd[rows][1:] == rnd[rows][:-1] + 1)
    reviser = rd["reviser"].where(rd["reviser"].notna(), "").astype(str)
    picks = [follows & reviser.str.contains(s, regex=False).to_numpy(dtype=bool)[rows] for s in "AB"]
    at = np.concatenate([np.flatnonzero(p) for p in picks])
    side = np.concatenate([np.full(int(p.sum()), s, dtype=np.int64) for s, p in enumerate(picks)])
    order = np.lexsort((side, at))
    at, side = at[order], side[order]
    cur, prev = rows[at], rows[at - 1]
    is_a = side == 0

    def own(name: str, idx: IntArray, flip: bool = False) -> NDArray[Any]:
        a, b = (rd[f"{name}_b"], rd[f"{name}_a"]) if flip else (rd[f"{name}_a"], rd[f"{name}_b"])
        return np.where(is_a, _numbers(a)[idx], _numbers(b)[idx])

    viol = np.where(
        is_a, rd["violations_a"].to_numpy(dtype=object)[cur], rd["violations_b"].to_numpy(dtype=object)[cur]
    )
    clean = np.fromiter((v is None or v == "[]" for v in viol), dtype=bool, count=len(viol))
    plan_a, plan_b = texts(rd["plan_a"]), texts(rd["plan_b"])
    m = m_at[cur]

    def info(col: str, default: str | None = None) -> pa.Array:
        if col not in mt.columns:
            return pa.array([default] * len(m), type=pa.large_string())
        return _take(texts(mt[col], default), m)

    return DecisionColumns(
        match_id=_take(texts(rd["match_id"]), cur),
        round=rnd[cur],
        side=side,
        game=info("game"),
        ruleset=info("ruleset", DEFAULT_RULESET),
        params_json=info("params_json", "{}"),
        opponent_plan=_by_side(plan_b, plan_a, is_a, prev),
        own_plan=_by_side(plan_a, plan_b, is_a, cur),
        own_ok=clean & (own("cost", cur) <= own("budget", cur)),
        opponent_over=own("cost", prev, flip=True) > own("budget", prev, flip=True),
        model=_by_side(texts(mt["model_a"]), texts(mt["model_b"]), is_a, m),
    )


def input_hashes(dec: DecisionColumns) -> NDArray[np.object_]:
    """:func:`metrics.answer_cache.input_hash` of every decision (hex strings)."""
    out = np.empty(len(dec), dtype=object)
    flags = [pa.array(np.where(f, "1", "0"), type=pa.large_string()) for f in (dec.own_ok, dec.opponent_over)]
    blake = hashlib.blake2b
    for b0 in range(0, len(dec), _HASH_BLOCK):
        sl = slice(b0, min(len(dec), b0 + _HASH_BLOCK))
        parts = [
            dec.game[sl],
            dec.params_json[sl],
            dec.opponent_plan[sl],
            dec.own_plan[sl],
            *(f[sl] for f in flags),
        ]
        joined = pc.binary_join_element_wise(*parts, pa.scalar("\x1f", pa.large_string()))
        joined = pa.concat_arrays([joined]) if joined.offset else joined
        ends = np.frombuffer(joined.buffers()[1], dtype=np.int64)[: len(joined) + 1].tolist()
        data = memoryview(joined.buffers()[2] or b"")
        out[sl] = [blake(data[s:e], digest_size=12).hexdigest() for s, e in itertools.pairwise(ends)]
    return out


def cached_columns(
    path: Path, sims: int, version: str, dec: DecisionColumns
) -> tuple[IntArray, pd.DataFrame]:
    """The store's cached rows of ``sims`` and ``version``, matched to the decisions.

    Returns:
        Per decision the row of its key (match id, round, side, ruleset) in the returned frame, or -1; the
        frame has ``inputs`` and :data:`OUTCOME_COLUMNS`. A store without the table (or unreadable) has none.
    """
    cols = ["match_id", "round", "side", "ruleset", "inputs", *OUTCOME_COLUMNS]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    try:
        con = connect_readonly(path)
    except StoreError:
        return np.full(len(dec), -1, dtype=np.int64), empty
    try:
        found = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (TABLE,)).fetchone()
        if found is None:
            return np.full(len(dec), -1, dtype=np.int64), empty
        rows = read_columns(con, TABLE, cols, where="sims = ? AND version = ?", where_params=(sims, version))
    except sqlite3.Error:
        return np.full(len(dec), -1, dtype=np.int64), empty
    finally:
        con.close()
    return _match_keys(dec, rows), rows


def _match_keys(dec: DecisionColumns, rows: pd.DataFrame) -> IntArray:
    """Per decision the position of the cached row with the same key, or -1."""
    n = len(rows)
    if n == 0 or len(dec) == 0:
        return np.full(len(dec), -1, dtype=np.int64)
    codes = []
    for mine, theirs in (
        (dec.match_id, texts(rows["match_id"])),
        (pa.array(dec.round.astype(str), type=pa.large_string()), texts(rows["round"])),
        (pa.array(np.where(dec.side == 0, "A", "B"), type=pa.large_string()), texts(rows["side"])),
        (dec.ruleset, texts(rows["ruleset"])),
    ):
        encoded = pc.dictionary_encode(pa.concat_arrays([mine, theirs]))
        codes.append((np.asarray(encoded.indices, dtype=np.int64), len(encoded.dictionary)))
    key = np.zeros(len(dec) + n, dtype=np.int64)
    for c, size in codes:
        key = key * size + c
    at = pd.Index(key[len(dec) :]).get_indexer(pd.Index(key[: len(dec)]))
    return np.asarray(at, dtype=np.int64)


def _strings(values: pa.Array) -> Any:
    """A text column of the decisions table (all missing: object Nones, as ``from_records`` makes it)."""
    if values.null_count == len(values):
        return np.full(len(values), None, dtype=object)
    return pd.array(values.cast(pa.large_string()), dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _floats(values: NDArray[np.float64]) -> Any:
    """A float column of the decisions table (all missing: object Nones, as ``from_records`` makes it)."""
    return np.full(len(values), None, dtype=object) if np.isnan(values).all() else values


@dataclass(frozen=True)
class Outcomes:
    """Outcome columns (:data:`OUTCOME_COLUMNS`) of some decisions."""

    status: pa.Array
    beatable: IntArray
    answered: IntArray
    best_margin: NDArray[np.float64]
    answer_margin: NDArray[np.float64]
    search_sims: IntArray
    best_plan: pa.Array

    @classmethod
    def from_cache(cls, rows: pd.DataFrame, at: IntArray) -> Outcomes:
        """The cached rows ``at`` (positions in ``rows``)."""
        sub = rows.iloc[at]

        def flag(col: str) -> IntArray:
            values = pd.to_numeric(sub[col], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
            out: IntArray = (values != 0).astype(np.int64)
            return out

        plans = sub["best_plan"]
        return cls(
            status=texts(sub["status"]),
            beatable=flag("beatable"),
            answered=flag("answered"),
            best_margin=pd.to_numeric(sub["best_margin"], errors="coerce").to_numpy(dtype=np.float64),
            answer_margin=pd.to_numeric(sub["answer_margin"], errors="coerce").to_numpy(dtype=np.float64),
            search_sims=pd.to_numeric(sub["search_sims"], errors="coerce").fillna(0).to_numpy(dtype=np.int64),
            best_plan=pc.if_else(
                pa.array(plans.isna().to_numpy()), pa.scalar(None, pa.large_string()), texts(plans)
            ),
        )

    @classmethod
    def from_objects(cls, outcomes: list[Any]) -> Outcomes:
        """Outcomes computed now (:class:`~metrics.answer_search.Outcome` objects)."""

        def num(values: list[float | None]) -> NDArray[np.float64]:
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

        return cls(
            status=pa.array([o.status for o in outcomes], type=pa.large_string()),
            beatable=np.array([int(o.beatable) for o in outcomes], dtype=np.int64),
            answered=np.array([int(o.answered) for o in outcomes], dtype=np.int64),
            best_margin=num([o.best_margin for o in outcomes]),
            answer_margin=num([o.answer_margin for o in outcomes]),
            search_sims=np.array([o.search_sims for o in outcomes], dtype=np.int64),
            best_plan=pa.array([o.best_plan for o in outcomes], type=pa.large_string()),
        )


def decisions_table(
    dec: DecisionColumns, rows: IntArray, outcomes: Outcomes, columns: tuple[str, ...]
) -> pd.DataFrame:
    """The table (``columns``) of decisions ``rows`` with their outcomes, sorted by match id, round, side."""
    if len(rows) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    data = {
        "match_id": _strings(_take(dec.match_id, rows)),
        "round": dec.round[rows],
        "side": _strings(pa.array(np.where(dec.side[rows] == 0, "A", "B"))),
        "model": _strings(_take(dec.model, rows)),
        "game": _strings(_take(dec.game, rows)),
        "status": _strings(outcomes.status),
        "beatable": outcomes.beatable,
        "answered": outcomes.answered,
        "best_margin": _floats(outcomes.best_margin),
        "answer_margin": _floats(outcomes.answer_margin),
        "search_sims": outcomes.search_sims,
        "best_plan": _strings(outcomes.best_plan),
    }
    table = pd.DataFrame({c: data[c] for c in columns}, copy=False)
    return table.sort_values(["match_id", "round", "side"], kind="mergesort").reset_index(drop=True)


def concat_outcomes(parts: list[Outcomes]) -> Outcomes:
    """The outcomes of several parts, in order."""
    return Outcomes(
        status=pa.concat_arrays([p.status.cast(pa.large_string()) for p in parts]),
        beatable=np.concatenate([p.beatable for p in parts]),
        answered=np.concatenate([p.answered for p in parts]),
        best_margin=np.concatenate([p.best_margin for p in parts]),
        answer_margin=np.concatenate([p.answer_margin for p in parts]),
        search_sims=np.concatenate([p.search_sims for p in parts]),
        best_plan=pa.concat_arrays([p.best_plan.cast(pa.large_string()) for p in parts]),
    )
