"""Side balance against the swept parameter: where does a game stop being fair?

Always (cheap): the **observed side-A round score** of every game at every point, the share of the rounds
side A won, a round without a winner counting half (so that it reads like the audit's win-equivalent),
with a 95% percentile bootstrap interval that resamples the point's matches of that game
(:func:`metrics.resampling.draw_counts` with :func:`metrics.intervals.stable_rng` keyed by point and game),
and its n (rounds, matches). It mixes the models' skills with the game's bias: the models on side A are
those of the design.

On request (slow: seconds to minutes a point): the **audit** (``docs/audit.md``,
:func:`games.analysis.audit.audit`) of every game whose parameters or ruleset the sweep varies, at every
point: A's equilibrium win-equivalent ``a_win_equiv`` (0.5 = fair), the supports and the unbeaten plans.
The game of a point is rebuilt from its stored matches (``matches.ruleset``, ``matches.params_json``);
points with the same game are audited once per call. Nothing is cached in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from metrics.intervals import percentile_interval, stable_rng
from metrics.resampling import draw_counts
from metrics.sweep_points import Sweep, values_columns
from metrics.sweep_stats import PointResult
from metrics.turns import sides_of

#: Audit size and seed a sweep report uses (``docs/audit.md``: ``small`` takes seconds a game).
AUDIT_SIZE: Final = "small"
AUDIT_SEED: Final = 0
BALANCE_COLUMNS: Final = ("game", "a_score", "lo", "hi", "n_rounds", "n_matches")
AUDIT_COLUMNS: Final = (
    "a_win_equiv",
    "audit_value",
    "support_a",
    "support_b",
    "unbeaten_a",
    "unbeaten_b",
    "audit_sims",
    "ruleset",
    "params_json",
)

#: What builds a game from its stored name, ruleset and parameters (tests pass their own).
GameBuilder = Callable[[str, str, str], Any]


def _observed(result: PointResult, n_boot: int, seed: int) -> list[dict[str, Any]]:
    sr = sides_of(result.frames)
    if sr.n_matches == 0:
        return []
    a_rows = sr.side == 0
    n_m = sr.n_matches
    rounds = np.bincount(sr.match[a_rows], minlength=n_m).astype(np.float64)
    win_a = np.bincount(sr.match[a_rows], weights=sr.win[a_rows], minlength=n_m)
    win_b = np.bincount(sr.match[~a_rows], weights=sr.win[~a_rows], minlength=n_m)
    score = win_a + 0.5 * (rounds - win_a - win_b)
    out = []
    for g, game in enumerate(str(x) for x in sr.games):
        ms = np.flatnonzero(sr.m_game == g)
        n, y = rounds[ms], score[ms]
        total = float(n.sum())
        value = float(y.sum()) / total if total > 0 else np.nan
        lo = hi = np.nan
        if n_boot > 0 and total > 0:
            counts = draw_counts(
                stable_rng(seed, "sweep-balance", str(result.point.index), game), len(ms), n_boot
            )
            c = counts.astype(np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                reps = (y @ c) / (n @ c)
            lo, hi = (float(v[0]) for v in percentile_interval(reps[:, None], axis=0))
        out.append(
            {"point": result.point.index, "game": game, "a_score": value, "lo": lo, "hi": hi,
             "n_rounds": int(total), "n_matches": len(ms)}
        )  # fmt: skip
    return out


def _stored_game(result: PointResult, game: str) -> tuple[str, str] | None:
    """``(ruleset, params_json)`` of the point's finished matches of ``game`` (the first, sorted)."""
    m = result.frames.matches
    sub = m.loc[(m["game"] == game) & (m["status"] == "finished")]
    if sub.empty or "ruleset" not in sub.columns or "params_json" not in sub.columns:
        return None
    pairs = sorted(
        {
            (str(r), str(p) if isinstance(p, str) else "{}")
            for r, p in zip(sub["ruleset"], sub["params_json"], strict=True)
        }
    )
    return pairs[0]


def _default_builder(name: str, ruleset: str, params_json: str) -> Any:
    from metrics.answer_search import build_game  # lazy: the games and scipy only when auditing

    return build_game(name, ruleset, params_json)


def audit_rows(
    sweep: Sweep,
    results: Sequence[PointResult],
    *,
    size: str = AUDIT_SIZE,
    seed: int = AUDIT_SEED,
    build: GameBuilder | None = None,
    on_point: Callable[[int, str], None] | None = None,
) -> list[dict[str, Any]]:
    """The audit of every swept game at every point (one dict per (point, game) audited).

    Args:
        sweep: The sweep.
        results: Its points' results.
        size: The audit size (``small``, ``default``, ``large``).
        seed: The audit seed.
        build: Builds a game from ``(name, ruleset, params_json)`` (default: the registry's).
        on_point: Told ``(point index, game)`` before each audit (progress).
    """
    from games.analysis.audit import audit  # lazy: scipy's optimiser, only when asked

    builder = build or _default_builder
    done: dict[tuple[str, str, str], dict[str, Any]] = {}
    out = []
    for r in results:
        for game in sweep.games_swept():
            stored = _stored_game(r, game)
            if stored is None:
                continue
            ruleset, params = stored
            key = (game, ruleset, params)
            if key not in done:
                if on_point is not None:
                    on_point(r.point.index, game)
                rep = audit(builder(game, ruleset, params), seed=seed, size=size).report
                done[key] = {
                    "a_win_equiv": float(rep["a_win_equiv"]),
                    "audit_value": float(rep["value"]),
                    "support_a": int(rep["support"]["A"]),
                    "support_b": int(rep["support"]["B"]),
                    "unbeaten_a": len(rep["unbeaten"]["A"]),
                    "unbeaten_b": len(rep["unbeaten"]["B"]),
                    "audit_sims": int(rep["sims"]),
                }
            out.append(
                {"point": r.point.index, "game": game, **done[key], "ruleset": ruleset, "params_json": params}
            )
    return out


def side_balance(
    sweep: Sweep,
    results: Sequence[PointResult],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    audit: bool = False,
    audit_size: str = AUDIT_SIZE,
    audit_seed: int = AUDIT_SEED,
    build: GameBuilder | None = None,
) -> pd.DataFrame:
    """Side A's observed round score per (point, game), and with ``audit`` the audit's equilibrium.

    Returns:
        ``point, base, label, <paths…>, game, a_score, lo, hi, n_rounds, n_matches`` and the
        :data:`AUDIT_COLUMNS` (NaN / empty where not audited), by point then game.
    """
    rows = [row for r in results for row in _observed(r, n_boot, seed)]
    obs = pd.DataFrame(rows, columns=["point", *BALANCE_COLUMNS])
    # Every game at every point: a point without a finished match of a game says so (— with n = 0).
    grid = pd.DataFrame({"point": [r.point.index for r in results]}).merge(
        pd.DataFrame({"game": sorted(set(obs["game"]))}), how="cross"
    )
    obs = grid.merge(obs, on=["point", "game"], how="left")
    if audit and sweep.games_swept():
        aud = pd.DataFrame(
            audit_rows(sweep, results, size=audit_size, seed=audit_seed, build=build),
            columns=["point", "game", *AUDIT_COLUMNS],
        )
        obs = obs.merge(aud, on=["point", "game"], how="outer")
    for col in AUDIT_COLUMNS:
        if col not in obs.columns:
            obs[col] = np.nan if col not in ("ruleset", "params_json") else ""
    obs = obs.sort_values(["point", "game"], kind="mergesort")
    out = values_columns(sweep).merge(obs, on="point", how="inner")
    for col in ("n_rounds", "n_matches"):
        out[col] = out[col].fillna(0).astype(np.int64)
    return out.reset_index(drop=True)
