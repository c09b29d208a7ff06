"""What a reader needs beside the numbers: legends, the n behind each row, why a value is undefined.

Also what the ``rounds`` setting meant in each game. Used by :mod:`metrics.report.build` for the
``stratagem`` definitions (the ``advgamebench`` outputs stay exactly as the released evaluator's layout).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

import pandas as pd

from games.core.rounds import rounds_meaning
from metrics.frames import StoreFrames
from metrics.report.tables import LABELS

#: What the ``n`` of each metric counts; the ``stratagem`` CSV tables name their n columns ``m_n_<unit>``.
N_UNITS: Final[dict[str, str]] = {
    "composite": "own_turns",
    "wr": "own_turns",
    "orr": "own_turns",
    "obr": "own_turns",
    "beta": "own_turns",
    "csr": "corrections",
    "csr_win": "corrections_of_a_loss",
    "csr_fix": "corrections_of_a_violation",
    "unforced_revision_rate": "turns_after_a_win",
    "overcorrection_harm": "unforced_revisions",
    "round_wr": "rounds",
    "match_wr": "matches",
    "ar": "beatable_decisions",
    "ar_margin": "answered_with_margin",
    "missed_wins": "scored_decisions",
    "rating": "rounds",
}

#: One short explanation per displayed column label (the legend under each table).
LEGEND: Final[dict[str, str]] = {
    "Matches": "finished matches the model played",
    "Rounds": "battles it played in them",
    "Composite": "mean of WR, CSR and 1 − OBR",
    "WR": "share of its own turns won (the rounds played right after its own revision step)",
    "CSR": "share of corrections (revisions of a lost or violating plan) that won or removed the violation",
    "CSR (win)": "share of revisions of a lost plan that won",
    "CSR (fix)": "share of revisions of a violating plan that removed the violation",
    "ORR": "share of own turns with a revised plan",
    "β": "within-match slope of wins over own turns",
    "OBR": "share of own turns over budget",
    "Unforced rev.": "share of turns after a won round that revised anyway",
    "Over-corr. harm": "share of those unforced revisions that then lost",
    "Round WR": "share of all rounds won, round 1 included",
    "Match WR": "share of matches won (the winner of the last round)",
    "AR": "answer rate: share of beatable decisions whose plan beat the opponent's plan it answered",
    "AR margin": "share of the best winning margin found that its wins achieved",
    "Missed wins": "beatable decisions it did not win (a count)",
    "Rating": "Bradley–Terry rating on round outcomes, bot/random = 1000",
    "Cost/match (USD)": "API cost per finished match",
}

#: Why a metric has no value (its denominator is 0), by metric.
_WHY: Final[dict[str, str]] = {
    "csr": "0 corrections: it never revised a plan that lost or violated",
    "csr_win": "it never revised a plan that lost",
    "csr_fix": "it never revised a plan that violated the rules or the budget",
    "wr": "it had no own revision turn",
    "orr": "it had no own revision turn",
    "obr": "it had no own revision turn",
    "beta": "no match gave it 2 or more own turns",
    "unforced_revision_rate": "no own turn followed a won round",
    "overcorrection_harm": "it made no unforced revision",
    "round_wr": "it played no round",
    "match_wr": "it finished no match",
    "ar": "none of its decisions was beatable",
    "ar_margin": "none of its wins came in a game that measures a margin",
    "missed_wins": "none of its decisions was scored",
    "rating": "it played no round",
}


#: The legend line of the correlation table.
CORRELATIONS_LEGEND: Final = (
    "Columns — x, y: the two metrics, each model's value in that game; n: models with both defined; "
    "pearson_r, pearson_p: Pearson r and its two-sided p; pearson_lo, pearson_hi: its 95% Fisher-z interval; "
    "spearman_rho, spearman_p: Spearman ρ and its p; — is undefined (n < 3 or no variance)."
)

#: The legend line of the failures table.
FAILURES_LEGEND: Final = (
    "Columns — decisions: model calls and bot decisions; ok … other: decisions per failure class (the first "
    "that applies); failure rate: share of decisions that failed; matches: finished and voided; tokens and "
    "cost per finished match and per round (— where a price is unknown)."
)


def n_column_names(columns: Iterable[str]) -> dict[str, str]:
    """``{m}_n`` → ``{m}_n_<what it counts>`` for the metrics in :data:`N_UNITS` (a rename mapping)."""
    out = {}
    for c in columns:
        metric = c[:-2] if c.endswith("_n") else ""
        if metric in N_UNITS:
            out[c] = f"{c}_{N_UNITS[metric]}"
    return out


def legend_line(header: Sequence[str]) -> str:
    """One line explaining every column of ``header`` that has an entry in :data:`LEGEND`."""
    parts = [f"{h}: {LEGEND[h]}" for h in header if h in LEGEND]
    tail = "Values are shown as value [95% interval]; — is undefined (n = 0; see the notes)."
    return "Columns — " + "; ".join(parts) + ". " + tail if parts else tail


def _undefined(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def reason(metric: str, row: pd.Series) -> str:
    """Why ``metric`` is undefined (—) in ``row`` of a wide table, in a few words."""
    if metric == "composite":
        parts = [LABELS.get(m, m) for m in ("wr", "csr", "obr") if m in row.index and _undefined(row[m])]
        missing = " and ".join(parts) if parts else "all three"
        return f"the mean of WR, CSR and 1 − OBR needs {missing}"
    if metric == "csr" and row.get("orr") == 0:
        return "0 corrections: it never revised a plan (ORR = 0)"
    return _WHY.get(metric, "its denominator is 0 (n = 0)")


def undefined_notes(table: pd.DataFrame, metrics: Sequence[str]) -> list[str]:
    """One footnote per model with an undefined (—) value among ``metrics``, saying why.

    Args:
        table: A wide table (``model`` and one column per metric).
        metrics: The metric columns shown.
    """
    notes = []
    shown = [m for m in metrics if m in table.columns]
    for _, row in table.iterrows():
        undefined = {m for m in shown if _undefined(row[m])}
        if not undefined:
            continue
        reasons = "; ".join(f"{LABELS.get(m, m)} — {reason(m, row)}" for m in shown if m in undefined)
        notes.append(f"{row['model']}: {reasons}.")
    return notes


def model_counts(frames: StoreFrames) -> pd.DataFrame:
    """Per model: the finished matches it played and the rounds (battles) of those matches.

    Returns:
        Columns ``model, matches, rounds`` (a model on both sides of a match counts it once).
    """
    fin = frames.matches.loc[frames.matches["status"] == "finished", ["match_id", "model_a", "model_b"]]
    per_match = frames.rounds.groupby("match_id").size()
    long = pd.concat(
        [
            pd.DataFrame({"model": fin["model_a"], "match_id": fin["match_id"]}),
            pd.DataFrame({"model": fin["model_b"], "match_id": fin["match_id"]}),
        ],
        ignore_index=True,
    ).drop_duplicates()
    long["rounds"] = long["match_id"].map(per_match).fillna(0).astype("int64")
    out = long.groupby("model", sort=True).agg(matches=("match_id", "size"), rounds=("rounds", "sum"))
    return out.reset_index()


def rounds_note(frames: StoreFrames) -> str:
    """What the ``rounds`` setting meant in each game of the finished matches.

    For example ``battle_card: rounds 4: 4 revision rounds → 5 battles (the last labelled 4 again)``.
    """
    fin = frames.matches.loc[frames.matches["status"] == "finished"]
    if fin.empty:
        return ""
    played = frames.rounds.groupby("match_id")["round"].max()
    parts = []
    for game, rows in fin.groupby("game", sort=True):
        phrases = []
        for r in sorted({int(x) for x in rows["rounds"].dropna()}):
            ids = rows.loc[rows["rounds"] == r, "match_id"]
            battles = int(played.reindex(ids).max()) if len(ids) else r
            revision = str(rows["revision"].iloc[0]) if "revision" in rows.columns else None
            phrases.append(f"rounds {r}: {rounds_meaning(r, battles > r, revision)}")
        parts.append(f"{game}: {', '.join(phrases)}")
    return "Rounds (the original's loop; docs/records.md): " + "; ".join(parts) + "."


def decision_counts(frames: StoreFrames) -> pd.Series:
    """Per model: the decisions (model calls, bot decisions) it made in finished matches."""
    fin = frames.matches.loc[frames.matches["status"] == "finished", "match_id"]
    dec = frames.decisions
    if dec.empty:
        return pd.Series(dtype="int64")
    counts: pd.Series = dec.loc[dec["match_id"].isin(fin)].groupby("model").size()
    return counts
