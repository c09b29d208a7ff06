"""The ``advgamebench`` definition set: the authors' released evaluator, exactly (spec §5).

Per (model, role, setting tag) group, the rows of all the model's matches in that role and tag are put in
one sequence — matches ordered by opponent, then seed, repetition and match id (the original appended them in
its fixed-opponent order) — and:

- step 0: rows with label 1 are dropped, and rows are kept by parity of the label (tag ``first``: even,
  ``second``: odd); Battle Card / duel's extra final record (label R) is kept when R has that parity;
- w_t = the model's role won the round (no winner = loss); δ_t = the total cost changed between consecutive
  kept rows, **across match boundaries**;
- WR = Σw/n, OBR = Σ1[c > B]/n, ORR = K/(n−1) (K = Σδ), CSR = Σδ·w / K, β = OLS slope of w on t = 0…n−1;
  ORR, CSR and β are 0 when undefined and all five are 0 when n = 0 (the original's zeros);
- a model's value in a game is the unweighted mean over its groups.

Intervals (a Stratagem addition): the shared match bootstrap (:mod:`metrics.resampling`); each group's
resampled sequence is re-evaluated with the formulas above (see :func:`_group_replicates`).
Budgets come from the store's round records (the original's hard-coded budgets under default parameters);
:func:`evaluate_csv_tree` reads the original CSV layout and uses the hard-coded budgets, as the original.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.aggregate import Cells
from metrics.frames import StoreFrames
from metrics.games_info import original_budgets, role_names, winner_labels
from metrics.resampling import match_resamples
from metrics.turns import SideRounds, sides_of

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

METRICS: Final = ("wr", "orr", "csr", "beta", "obr")
TAGS: Final = ("first", "second")


def kept_mask(label: IntArray, tag_first: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Step 0: label ≠ 1 and label even for tag ``first`` / odd for tag ``second``."""
    out: NDArray[np.bool_] = (label != 1) & ((label % 2) == np.where(tag_first, 0, 1))
    return out


def _count(group: IntArray, weights: NDArray[Any] | None, n_groups: int) -> FloatArray:
    """Per-group sums of ``weights`` (counts when None) as floats."""
    return np.bincount(group, weights=weights, minlength=n_groups).astype(np.float64)


def evaluate_sequences(
    group: IntArray, cost: IntArray, win: NDArray[np.bool_], budget: IntArray, n_groups: int
) -> dict[str, FloatArray]:
    """The §5 formulas on kept rows, per group (each group's rows contiguous, in file order).

    Returns:
        ``{"wr", "orr", "csr", "beta", "obr", "n", "k"}`` arrays of length ``n_groups`` (``k`` = number of
        corrections).
    """
    n = _count(group, None, n_groups)
    sw = _count(group, win, n_groups)
    sb = _count(group, cost > budget, n_groups)
    delta = (group[1:] == group[:-1]) & (cost[1:] != cost[:-1])
    k = _count(group[1:], delta, n_groups)
    ks = _count(group[1:], delta & win[1:], n_groups)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64)
    t = np.arange(len(group), dtype=np.float64) - starts[group]
    stw = _count(group, t * win, n_groups)
    return _formulas(n, sw, sb, k, ks, stw) | {"n": n, "k": k}


def _formulas(
    n: FloatArray, sw: FloatArray, sb: FloatArray, k: FloatArray, ks: FloatArray, stw: FloatArray
) -> dict[str, FloatArray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        wr = np.where(n > 0, sw / n, 0.0)
        obr = np.where(n > 0, sb / n, 0.0)
        orr = np.where(n >= 2, k / (n - 1), 0.0)
        csr = np.where(k > 0, ks / k, 0.0)
        sxx = n * (n * n - 1.0) / 12.0
        beta = np.where(n >= 2, (stw - (n - 1.0) / 2.0 * sw) / sxx, 0.0)
    return {"wr": wr, "orr": orr, "csr": csr, "beta": beta, "obr": obr}


def _group_replicates(us: FloatArray, counts: NDArray[np.floating[Any]]) -> FloatArray:
    """``(n_boot, 5)`` replicates of one group (its sequence re-evaluated on each resample).

    Args:
        us: ``(M, 9)`` statistics of the group's non-empty matches in evaluator order (see
            :func:`_unit_stats`).
        counts: ``(M, n_boot)`` how often each match is drawn.

    A resample lists the drawn matches in evaluator order, each as often as it was drawn. Each match carries
    its within-match cost changes plus the change at its leading boundary in the evaluator's sequence (as
    the evaluator counted it), so with every count 1 the replicate equals the point estimate exactly. The
    slope uses the positions of the resampled sequence: a match's copies start at the running total of the
    kept rows before them.
    """
    lead = np.zeros(len(us), dtype=np.bool_)
    if len(us) > 1:
        lead[1:] = us[1:, 5] != us[:-1, 6]
    lead_w = lead & (us[:, 7] > 0)
    n, sw = us[:, 0], us[:, 1]
    add = np.stack([n, sw, us[:, 2], us[:, 3] + lead, us[:, 4] + lead_w, us[:, 8]]).astype(np.float32)
    c = counts.astype(np.float32, copy=False)
    sums = (add @ c).astype(np.float64)  # (6, B); float32 sums of small integers are exact
    # Kept rows of the earlier matches of each resampled sequence: a running sum over the group's matches,
    # one vector operation over all resamples per match (numpy's cumsum along this axis is ~10x slower).
    cn = c * n.astype(np.float32)[:, None]
    before = np.empty_like(cn)
    before[0] = 0.0
    for j in range(1, len(cn)):
        np.add(before[j - 1], cn[j - 1], out=before[j])
    before *= c
    cross = sw.astype(np.float32) @ before + ((n * sw / 2.0).astype(np.float32) @ (c * (c - 1.0)))
    stw = sums[5] + cross.astype(np.float64)
    vals = _formulas(sums[0], sums[1], sums[2], sums[3], sums[4], stw)
    return np.stack([vals[name] for name in METRICS], axis=1)


def _ordered_units(sr: SideRounds) -> tuple[IntArray, IntArray]:
    """Units in evaluator order and the group key of every unit.

    Group key = ((model · G + game) · 2 + side) · 2 + tag (tag 0 = first); within a group, matches by
    opponent name, seed, repetition, match id.
    """
    n_m = sr.n_matches
    side = np.tile(np.array([0, 1], dtype=np.int64), n_m)
    match = np.repeat(np.arange(n_m, dtype=np.int64), 2)
    model = sr.m_model.ravel()
    opp = sr.m_model[:, ::-1].ravel()
    tag_second = (sr.m_first[match] != side).astype(np.int64)
    gkey = ((model * max(len(sr.games), 1) + sr.m_game[match]) * 2 + side) * 2 + tag_second
    match_rank = np.argsort(np.argsort(sr.match_ids.astype(str), kind="stable"), kind="stable")
    order = np.lexsort((match_rank[match], sr.m_rep[match], sr.m_seed[match], opp, gkey))
    return order.astype(np.int64), gkey


def advgamebench_cells(frames: StoreFrames, n_boot: int = 1000, seed: int = 0) -> Cells:
    """Every (model, game) cell of the finished matches under the ``advgamebench`` definitions."""
    sr = sides_of(frames)
    n_games = max(len(sr.games), 1)
    uorder, gkey = _ordered_units(sr)
    lens = np.diff(sr.unit_start)[uorder]
    offsets = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    rows = np.repeat(sr.unit_start[:-1][uorder] - offsets, lens) + np.arange(int(lens.sum()), dtype=np.int64)
    upos = np.repeat(np.arange(len(uorder), dtype=np.int64), lens)  # position of the row's unit in uorder
    tag_first = (gkey[uorder] % 2 == 0)[upos]
    keep = kept_mask(sr.label[rows], tag_first)
    rows, upos = rows[keep], upos[keep]

    groups, first_unit = np.unique(gkey[uorder], return_index=True)  # sorted; uorder is sorted by gkey
    n_groups = len(groups)
    grp_of_upos = np.searchsorted(groups, gkey[uorder])
    grp = grp_of_upos[upos]
    cost, win, budget = sr.cost[rows], sr.win[rows], sr.budget[rows]
    point = evaluate_sequences(grp, cost, win, budget, n_groups)

    g_model = groups // 4 // n_games
    g_game = groups // 4 % n_games
    cell_key = g_model * n_games + g_game
    cells, g_cell = np.unique(cell_key, return_inverse=True)
    n_c = len(cells)
    cnt = np.bincount(g_cell, minlength=n_c).astype(np.float64)
    values = np.stack([np.bincount(g_cell, weights=point[m], minlength=n_c) / cnt for m in METRICS], axis=1)
    n_rows = np.bincount(g_cell, weights=point["n"], minlength=n_c)
    n_k = np.bincount(g_cell, weights=point["k"], minlength=n_c)
    ns = np.stack([n_k if m == "csr" else n_rows for m in METRICS], axis=1).astype(np.int64)
    models = [str(sr.models[c // n_games]) for c in cells]
    games = [str(sr.games[c % n_games]) for c in cells]

    reps = None
    if n_boot > 0:
        plan = match_resamples(frames, n_boot, seed)
        us = _unit_stats(upos, cost, win, budget, len(uorder))
        unit_match = uorder // 2
        reps = np.zeros((n_c, n_boot, len(METRICS)))
        unit_bounds = np.concatenate([first_unit, [len(uorder)]])
        for g in range(n_groups):
            sel = np.arange(unit_bounds[g], unit_bounds[g + 1])
            sel = sel[us[sel, 0] > 0]
            if len(sel):
                counts = plan.rows(int(g_game[g]), unit_match[sel])
                reps[g_cell[g]] += _group_replicates(us[sel], counts)
        reps /= cnt[:, None, None]
    nan = np.full((n_c, len(METRICS)), np.nan)
    return Cells(models, games, METRICS, values, ns, reps, nan, nan.copy())


def _unit_stats(
    upos: IntArray, cost: IntArray, win: NDArray[np.bool_], budget: IntArray, n_units: int
) -> FloatArray:
    """Per-unit statistics of the kept rows (units in evaluator order); see :func:`_group_replicates`."""
    out = np.zeros((n_units, 9))
    out[:, 0] = n = np.bincount(upos, minlength=n_units)
    out[:, 1] = np.bincount(upos, weights=win, minlength=n_units)
    out[:, 2] = np.bincount(upos, weights=cost > budget, minlength=n_units)
    same = upos[1:] == upos[:-1]
    delta = same & (cost[1:] != cost[:-1])
    out[:, 3] = np.bincount(upos[1:], weights=delta, minlength=n_units)
    out[:, 4] = np.bincount(upos[1:], weights=delta & win[1:], minlength=n_units)
    if len(upos):
        first = np.concatenate([[True], ~same])
        last = np.concatenate([~same, [True]])
        out[upos[first], 5] = cost[first]
        out[upos[last], 6] = cost[last]
        out[upos[first], 7] = win[first]
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])
        t = np.arange(len(upos)) - starts[upos]
        out[:, 8] = np.bincount(upos, weights=t * win, minlength=n_units)
    return out


# --- the original CSV layout -------------------------------------------------------------------------------


def evaluate_csv_rows(
    rows: pd.DataFrame, model: str, role: str, tag: str, budget: int, winner_label: str
) -> dict[str, float]:
    """Evaluate one original CSV (rows in file order) for ``model`` in ``role`` and ``tag`` (§5).

    Args:
        rows: Columns ``round``, ``<role>_cost``, ``winner``, ``<role>_LLM``.
        model: The model name as in the file name.
        role: ``human``, ``demon``, ``defender`` or ``invader``.
        tag: ``first`` or ``second``.
        budget: The role's budget.
        winner_label: The role's winner label (``Human``, ``Defenders`` …).
    """
    label = pd.to_numeric(rows["round"]).to_numpy(dtype=np.int64)
    keep = kept_mask(label, np.full(len(label), tag == "first"))
    kept = rows.loc[keep]
    cost = pd.to_numeric(kept[f"{role}_cost"]).to_numpy(dtype=np.int64)
    win = (kept[f"{role}_LLM"].astype(str).to_numpy() == model) & (
        kept["winner"].fillna("").astype(str).to_numpy() == winner_label
    )
    res = evaluate_sequences(np.zeros(len(cost), dtype=np.int64), cost, win, np.full(len(cost), budget), 1)
    return {m: float(res[m][0]) for m in (*METRICS, "n", "k")}


def evaluate_csv_tree(root: Path, game: str) -> pd.DataFrame:
    """Run the §5 evaluator over one game's original-layout tree ``root/<role>_results/<tag>/*_results.csv``.

    Returns:
        Columns ``model, metric, value``: per model the mean over its (role, tag) files, as the original.
    """
    records: list[dict[str, object]] = []
    for side, role in enumerate(role_names(game)):
        budget, label = original_budgets(game)[side], winner_labels(game)[side]
        for tag in TAGS:
            for path in sorted((root / f"{role}_results" / tag).glob("*_results.csv")):
                model = path.name[: -len("_results.csv")]
                rows = pd.read_csv(path, keep_default_na=False, dtype=str)
                res = evaluate_csv_rows(rows, model, role, tag, budget, label)
                records += [{"model": model, "metric": m, "value": res[m]} for m in METRICS]
    if not records:
        return pd.DataFrame({"model": [], "metric": [], "value": []})
    df = pd.DataFrame(records)
    return df.groupby(["model", "metric"], sort=True).agg(value=("value", "mean")).reset_index()
