"""Interval machinery: Wilson score intervals, seeded generators, bootstrap percentile intervals.

The bootstrap itself (resampling matches) lives in :mod:`metrics.resampling`: callers aggregate each match to
a row of sufficient statistics first; a resample is then a vector of match counts, and every statistic of
every resample is one matrix product ``stats.T @ counts`` — never a loop over rows or over resamples.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
from numpy.typing import NDArray

from metrics.errors import ParameterError

FloatArray = NDArray[np.float64]

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054


def wilson(k: FloatArray | float, n: FloatArray | float, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for a binomial proportion k / n (vectorised; NaN where n = 0).

    Args:
        k: Successes.
        n: Trials.
        z: Normal quantile (default: 95% two-sided).

    Returns:
        ``(lo, hi)`` arrays.
    """
    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k_arr / n_arr
        denom = 1.0 + z * z / n_arr
        centre = (p + z * z / (2.0 * n_arr)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n_arr + z * z / (4.0 * n_arr * n_arr)) / denom
    lo = np.where(n_arr > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    hi = np.where(n_arr > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def _key_word(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def stable_rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator seeded from ``seed`` and string keys (e.g. a game name).

    Each key gets its own stream, so the same store and seed always give the same numbers, and what is drawn
    for one game does not depend on the other games.

    Raises:
        ParameterError: ``seed`` is negative.
    """
    if seed < 0:
        raise ParameterError(f"bootstrap seed must be >= 0, got {seed}")
    return np.random.default_rng(np.random.SeedSequence([seed, *(_key_word(k) for k in keys)]))


def percentile_interval(
    reps: FloatArray, axis: int = 0, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Percentile interval of bootstrap replicates along ``axis``, ignoring undefined (NaN) replicates.

    A replicate is NaN when its resample has an empty denominator (e.g. no corrections drawn); the interval
    is taken over the defined ones, and is NaN when none is defined.
    """
    alpha = (1.0 - level) / 2.0
    if reps.shape[axis] == 0:
        shape = list(reps.shape)
        del shape[axis]
        nan = np.full(shape, np.nan)
        return nan, nan.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices are expected and give NaN
        if np.isnan(reps).any():
            q = np.nanquantile(reps, [alpha, 1.0 - alpha], axis=axis)
        else:
            q = np.quantile(reps, [alpha, 1.0 - alpha], axis=axis)
    return np.asarray(q[0], dtype=np.float64), np.asarray(q[1], dtype=np.float64)
