"""The gated metric of each arm in each pair, from stored round records.

Uses the metrics package's per-match sufficient statistics (:func:`metrics.definitions_stratagem.match_stats`,
the ``stratagem`` definitions), summed over an arm's matches in a pair — the same pooling the metrics use
for a (model, game) cell, so a pair's value is exactly what ``stratagem report`` would print for those
matches. Before summing, the arm's side is relabelled ``~arm`` and the opponent's ``~opponent``, so an arm
that also sits in the panel (self-play) is never credited with its opponent's turns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from harness.gate.pairs import ArmMatch
from harness.gate.spec import Arm, GateMetric
from metrics.aggregate import composite, normalise_weights
from metrics.definitions_stratagem import METRICS, STATS, match_stats, values_from_sums
from metrics.load import StoreFrames

_ARM_LABEL = "~arm"
_OPPONENT_LABEL = "~opponent"


@dataclass(frozen=True)
class ArmValue:
    """One arm's value in one pair.

    Attributes:
        value: The metric pooled over the arm's matches of the pair; NaN when undefined (e.g. CSR without
            a correction) or when a match is missing.
        n: The metric's sample size (own turns, corrections or matches).
        complete: Whether every match of the arm in the pair was found finished.
    """

    value: float
    n: int
    complete: bool


def arm_values(
    frames: StoreFrames,
    matches: Sequence[ArmMatch],
    metric: GateMetric,
    weights: Mapping[str, float] | None = None,
) -> dict[tuple[int, Arm], ArmValue]:
    """The metric of every (pair, arm) among ``matches``, read from ``frames``.

    Args:
        frames: A store's frames holding (at least) these matches, found by ``match_id``.
        matches: The arm matches to evaluate.
        metric: The gated metric.
        weights: Composite weights (``wr``, ``csr``, ``obr``); the metrics' defaults when ``None``.

    Returns:
        One :class:`ArmValue` per (pair index, arm) present in ``matches``.
    """
    wanted = {m.job.match_id: m for m in matches}
    mt = frames.matches
    keep = mt["match_id"].isin(list(wanted)) & (mt["status"] == "finished")
    sub_matches = mt.loc[keep].copy()
    arm_side = sub_matches["match_id"].map(lambda mid: wanted[mid].side)
    sub_matches["model_a"] = np.where(arm_side == "A", _ARM_LABEL, _OPPONENT_LABEL)
    sub_matches["model_b"] = np.where(arm_side == "B", _ARM_LABEL, _OPPONENT_LABEL)
    ids = set(sub_matches["match_id"])
    sub = StoreFrames.from_frames(
        sub_matches.reset_index(drop=True),
        frames.rounds.loc[frames.rounds["match_id"].isin(ids)].reset_index(drop=True),
        source=frames.source,
    )
    stats = match_stats(sub) if ids else pd.DataFrame(columns=["model", "match_id", *STATS])
    stats = stats.loc[stats["model"] == _ARM_LABEL].set_index("match_id")

    groups: dict[tuple[int, Arm], list[ArmMatch]] = {}
    for m in matches:
        groups.setdefault((m.pair, m.arm), []).append(m)
    w = normalise_weights(weights)
    col = {name: j for j, name in enumerate(METRICS)}
    out: dict[tuple[int, Arm], ArmValue] = {}
    for key, group in groups.items():
        found = [g.job.match_id for g in group if g.job.match_id in stats.index]
        complete = len(found) == len(group)
        if not complete:
            out[key] = ArmValue(math.nan, 0, False)
            continue
        sums = stats.loc[found, list(STATS)].to_numpy(dtype=np.float64).sum(axis=0)
        values, ns = values_from_sums(sums)
        if metric.name == "composite":
            value = float(composite(values[col["wr"]], values[col["csr"]], values[col["obr"]], w))
            n = int(ns[col["wr"]])
        else:
            value, n = float(values[col[metric.name]]), int(ns[col[metric.name]])
        out[key] = ArmValue(value, n, True)
    return out


def oriented_difference(metric: GateMetric, candidate: float, baseline: float) -> float:
    """``candidate − baseline`` if higher is better, else ``baseline − candidate`` (positive = better)."""
    return candidate - baseline if metric.higher_is_better else baseline - candidate
