"""Failure table and cost accounting per model.

- Decisions by failure class (all matches, voided ones included: that is where ``infra_error`` lives), the
  share of decisions that were not ``ok``, and the numbers of finished and voided matches.
- Token use and cost per finished match and per round of the model's own decisions. A decision reused
  from another match (``reused = 1``) is not counted again. The cost of a match is unknown (NaN) when one of
  the model's calls in it has no known price, and the model's cost per match is then unknown too.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.blas_threads import blas_single
from metrics.frames import StoreFrames, positions
from metrics.intervals import percentile_interval
from metrics.resampling import match_resamples
from metrics.turns import sides_of

FAILURE_CLASSES: Final = (
    "ok", "infra_error", "truncated", "refused", "unparseable", "schema_violation", "rule_violation",
    "over_budget",
)  # fmt: skip


def _lookup(index: pd.Index, values: object) -> NDArray[np.intp]:
    """Positions of ``values`` in ``index`` (-1 when absent or missing)."""
    return positions(index, values)


def _names(*columns: pd.Series) -> list[str]:
    """Sorted distinct non-missing values of text columns (hashing, not iterating, the long ones)."""
    return sorted({str(v) for c in columns for v in c.dropna().unique()})


def _usage_arrays(frames: StoreFrames) -> dict[str, NDArray[Any]]:
    """Per (model, finished match) participation with the model's token and cost totals (numpy arrays).

    Grouping is done on integer codes (match index, model code), never on the text columns. Cached on the
    frames object.
    """
    cached = frames.derived.get("usage")
    if cached is not None:
        return dict(cached)
    mt = frames.matches
    match_ids = pd.Index(mt["match_id"])
    models = pd.Index(_names(mt["model_a"], mt["model_b"]))
    finished = (mt["status"] == "finished").to_numpy(dtype=bool, na_value=False)
    n_m = len(mt)
    ma, mb = _lookup(models, mt["model_a"]), _lookup(models, mt["model_b"])
    fin = np.flatnonzero(finished)
    pm = np.concatenate([ma[fin], mb[fin]]).astype(np.int64)
    pk = np.unique(pm * n_m + np.concatenate([fin, fin]))  # (model, match) keys, self-play once
    d = frames.decisions
    dm = _lookup(match_ids, d["match_id"])
    dmod = _lookup(models, d["model"])
    reused = pd.to_numeric(d["reused"], errors="coerce").fillna(0).to_numpy() == 1
    ok = (dm >= 0) & (dmod >= 0) & ~reused
    ok[ok] &= finished[dm[ok]]
    dkey = dmod[ok].astype(np.int64) * n_m + dm[ok]
    pos = np.searchsorted(pk, dkey)
    inside = (pos < len(pk)) & (pk[np.minimum(pos, len(pk) - 1)] == dkey) if len(pk) else np.zeros(0, bool)
    pos, sel = pos[inside], np.flatnonzero(ok)[inside]

    def col(name: str) -> NDArray[np.float64]:
        values = pd.to_numeric(d[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        out: NDArray[np.float64] = values[sel]
        return out

    cost = col("cost_usd")
    unknown = np.bincount(pos, weights=np.isnan(cost), minlength=len(pk))
    rounds_per_match = np.bincount(
        _lookup(match_ids, frames.rounds["match_id"]).clip(min=0), minlength=max(n_m, 1)
    )[:n_m]
    match = pk % max(n_m, 1)
    frames.derived["usage"] = out = {
        "model_code": pk // max(n_m, 1),
        "match": match,
        "models": models.to_numpy(dtype=object),
        "match_ids": match_ids.to_numpy(dtype=object),
        "input_tokens": np.bincount(pos, weights=np.nan_to_num(col("input_tokens")), minlength=len(pk)),
        "output_tokens": np.bincount(pos, weights=np.nan_to_num(col("output_tokens")), minlength=len(pk)),
        "cost_usd": np.where(
            unknown > 0, np.nan, np.bincount(pos, weights=np.nan_to_num(cost), minlength=len(pk))
        ),
        "rounds": rounds_per_match[match].astype(np.float64),
    }
    return dict(out)


def per_match_usage(frames: StoreFrames) -> pd.DataFrame:
    """Per (model, finished match): tokens and cost of the model's own decisions, and the match's rounds.

    Columns ``model, match_id, input_tokens, output_tokens, cost_usd`` (NaN when a price is unknown),
    ``rounds``.
    """
    u = _usage_arrays(frames)
    return pd.DataFrame(
        {
            "model": u["models"][u["model_code"]],
            "match_id": u["match_ids"][u["match"]],
            **{k: u[k] for k in ("input_tokens", "output_tokens", "cost_usd", "rounds")},
        }
    )


def failure_table(frames: StoreFrames) -> pd.DataFrame:
    """Per model: decisions by failure class, failure rate, matches, tokens and cost per match and round."""
    d = frames.decisions
    mt = frames.matches
    models = _names(mt["model_a"], mt["model_b"], d["model"])
    midx = pd.Index(models)
    classes = [*FAILURE_CLASSES, "other"]
    cls = _lookup(pd.Index(FAILURE_CLASSES), d["failure_class"])
    cls = np.where(cls < 0, len(FAILURE_CLASSES), cls)
    dmod = _lookup(midx, d["model"])
    keep = dmod >= 0
    counts = np.bincount(dmod[keep] * len(classes) + cls[keep], minlength=len(models) * len(classes))
    table = pd.DataFrame(counts.reshape(len(models), len(classes)), columns=classes)
    table.insert(0, "model", models)
    total = table[classes].sum(axis=1)
    table.insert(1, "decisions", total)
    table["failure_rate"] = ((total - table["ok"]) / total.where(total > 0)).astype(float)
    for status in ("finished", "voided"):
        sel = (mt["status"] == status).to_numpy(dtype=bool, na_value=False)
        a = _lookup(midx, mt.loc[sel, "model_a"])
        b = _lookup(midx, mt.loc[sel, "model_b"])
        both = np.concatenate([a, b[b != a]])  # self-play counted once
        table[f"matches_{status}"] = np.bincount(both[both >= 0], minlength=len(models))
    u = _usage_arrays(frames)
    code = _lookup(midx, u["models"])[u["model_code"]]
    n = np.bincount(code, minlength=len(models)).astype(np.float64)
    rounds = np.bincount(code, weights=u["rounds"], minlength=len(models))
    tokens_in = np.bincount(code, weights=u["input_tokens"], minlength=len(models))
    tokens_out = np.bincount(code, weights=u["output_tokens"], minlength=len(models))
    cost_unknown = np.bincount(code, weights=np.isnan(u["cost_usd"]), minlength=len(models)) > 0
    cost = np.bincount(code, weights=np.nan_to_num(u["cost_usd"]), minlength=len(models))
    with np.errstate(invalid="ignore", divide="ignore"):
        table["input_tokens_per_match"] = np.where(n > 0, tokens_in / n, np.nan)
        table["output_tokens_per_match"] = np.where(n > 0, tokens_out / n, np.nan)
        table["tokens_per_round"] = np.where(rounds > 0, (tokens_in + tokens_out) / rounds, np.nan)
        table["cost_per_match"] = np.where((n > 0) & ~cost_unknown, cost / n, np.nan)
        table["cost_per_round"] = np.where((rounds > 0) & ~cost_unknown, cost / rounds, np.nan)
    return table


@blas_single
def cost_per_match(frames: StoreFrames, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Per model: mean cost (USD) per finished match, with an interval from the shared match bootstrap.

    Returns:
        Columns ``model, value, lo, hi, n`` (n = finished matches; NaN when a price is unknown).
    """
    u = _usage_arrays(frames)
    sr = sides_of(frames)
    plan = match_resamples(frames, n_boot, seed) if n_boot > 0 and sr.n_matches else None
    # The usage rows index all matches; the plan indexes finished ones: map through the match ids.
    fin_pos = _lookup(pd.Index(sr.match_ids), u["match_ids"])
    records = []
    order = np.argsort(u["model_code"], kind="stable")
    bounds = np.flatnonzero(np.diff(u["model_code"][order])) + 1
    for rows in np.split(order, bounds) if len(order) else []:
        model = str(u["models"][u["model_code"][rows[0]]])
        costs = u["cost_usd"][rows]
        value = float(costs.mean()) if not np.isnan(costs).any() else float("nan")
        lo = hi = float("nan")
        if plan is not None and not np.isnan(value):
            fm = fin_pos[u["match"][rows]]
            games = sr.m_game[fm]
            num = np.zeros(n_boot)
            den = np.zeros(n_boot)
            for g in np.unique(games):
                c = plan.rows(int(g), fm[games == g]).astype(np.float64)
                num += costs[games == g] @ c
                den += c.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                lo_a, hi_a = percentile_interval(np.where(den > 0, num / den, np.nan))
            lo, hi = float(lo_a), float(hi_a)
        records.append({"model": model, "value": value, "lo": lo, "hi": hi, "n": len(rows)})
    return pd.DataFrame(records, columns=["model", "value", "lo", "hi", "n"])


def failure_examples(frames: StoreFrames, per_model: int = 3, max_chars: int = 300) -> pd.DataFrame:
    """A few failed decisions per model with the start of the raw reply (model-written: escape it!).

    Only the chosen decisions' replies are read (from the store, when the loader deferred them).
    """
    d = frames.decisions
    cols = ["model", "match_id", "seq", "failure_class"]
    if d.empty:
        return pd.DataFrame({c: [] for c in [*cols, "parse_error", "excerpt"]})
    failed = np.flatnonzero((d["failure_class"].astype(object) != "ok").to_numpy(dtype=bool))
    picked = d.iloc[failed][cols].assign(_at=failed).sort_values(["model", "match_id", "seq"])
    picked = picked.groupby("model", sort=True).head(per_model)
    bad = frames.with_columns("decisions", ("raw_text", "parse_error"), picked["_at"].to_numpy())
    raw = bad["raw_text"] if "raw_text" in bad.columns else pd.Series("", index=bad.index)
    perr = bad["parse_error"] if "parse_error" in bad.columns else pd.Series("", index=bad.index)
    return pd.DataFrame(
        {
            **{c: bad[c].to_numpy() for c in cols},
            "parse_error": perr.fillna("").astype(str).to_numpy(),
            "excerpt": raw.fillna("").astype(str).str.slice(0, max_chars).to_numpy(),
        }
    ).reset_index(drop=True)
