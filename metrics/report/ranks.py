"""Rank ranges from intervals: models whose intervals overlap share a range of ranks ("2–3")."""

from __future__ import annotations

import math
from collections.abc import Sequence


def _defined(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def rank_ranges(
    values: Sequence[float | None],
    lo: Sequence[float | None] | None = None,
    hi: Sequence[float | None] | None = None,
) -> list[tuple[int, int] | None]:
    """The best and worst rank each model can claim, higher values ranking first.

    A model's best rank is 1 plus the number of models clearly above it (their interval lies wholly above
    its own); its worst rank is the number of models not clearly below it, itself included. So models
    whose intervals overlap share ranks, and with no intervals (``lo``/``hi`` missing) only exact ties do.

    Args:
        values: Point estimates (``None``/NaN: undefined, unranked).
        lo: Lower interval bounds (a missing bound falls back to the value).
        hi: Upper interval bounds.

    Returns:
        ``(best, worst)`` per model (1-based), ``None`` where the value is undefined.
    """
    n = len(values)
    ranked = [i for i in range(n) if _defined(values[i])]

    def bound(bounds: Sequence[float | None] | None, i: int) -> float:
        b = bounds[i] if bounds is not None else None
        return float(b if _defined(b) else values[i])  # type: ignore[arg-type]  # defined: i is ranked

    lows = {i: bound(lo, i) for i in ranked}
    highs = {i: bound(hi, i) for i in ranked}
    out: list[tuple[int, int] | None] = [None] * n
    for i in ranked:
        above = sum(1 for j in ranked if j != i and lows[j] > highs[i])
        below = sum(1 for j in ranked if j != i and highs[j] < lows[i])
        out[i] = (1 + above, len(ranked) - below)
    return out


def rank_text(span: tuple[int, int] | None) -> str:
    """``"2"``, ``"2–3"`` or ``"—"``."""
    if span is None:
        return "—"
    best, worst = span
    return str(best) if best == worst else f"{best}–{worst}"
