"""Sequential non-inferiority test on paired differences: the statistics of ``stratagem check``.

The CI gate plays a candidate and a baseline on the same games, opponents, seeds and settings, so results
come in **pairs**; each pair yields one difference ``d = metric(candidate) − metric(baseline)`` of a metric
in [0, 1] (higher is better), hence ``d ∈ [−1, 1]``. This module decides, after every batch of pairs,
whether the evidence already settles the question. It is pure: numbers in, verdict out.

Hypotheses (δ = the mean paired difference E[d]; ``margin`` = M > 0 is the tolerated regression):

* H0 "worse": δ ≤ −M — the candidate is worse than the baseline by at least the margin;
* H1 "not worse": δ ≥ 0 — the candidate is at least as good as the baseline.

Verdicts: **pass** rejects H0 (the candidate is not worse by M or more), with
P(pass | δ ≤ −M) ≤ ``alpha``; **fail** rejects H1 (the candidate is worse), with P(fail | δ ≥ 0) ≤ ``beta``
— so ``beta`` is the *false-fail* rate of a candidate as good as the baseline and ``alpha`` the rate at
which a real regression of M slips through. Between −M and 0 (the indifference zone) either verdict may
come. **inconclusive** means neither boundary was crossed when the budget (``--max-matches``) ran out.
If both boundaries are crossed at the same pair, δ lies confidently in (−M, 0): worse, but within the
tolerated margin, so the verdict is pass.

Method: a **sequential probability-ratio test by betting** (Waudby-Smith & Ramdas 2023, "Estimating means
of bounded random variables by betting", JRSS-B; Shafer & Vovk's testing by betting). For H0 the test
holds a capital ``K⁺_n = Π (1 + λ_i (d_i + M))``: a nonnegative supermartingale whenever every pair's
conditional mean is ≤ −M, so by Ville's inequality P(sup_n K⁺_n ≥ 1/α) ≤ α. The bets λ_i ≥ 0 are
*predictable* (computed from pairs 1…i−1 only; the aGRAPA rule — the growth-optimal bet of a
variance-adaptive plug-in — capped so the capital can never reach 0 on one pair). Symmetrically
``K⁻_n = Π (1 − μ_i d_i)`` tests H1 and crossing 1/β fails the candidate. This is an SPRT in which the
likelihood ratio against a fixed alternative is replaced by a bet learnt from the data; we chose it over
the two classic alternatives because:

* **Exact at small n.** LLM matches cost money, so checks stop after tens of pairs, not the thousands of
  games chess engines play. Fishtest's GSPRT uses a normal (Brownian) approximation of the pentanomial
  likelihood ratio, which is only asymptotically right: on a skewed bounded difference (rare large losses)
  its false-pass rate at δ = −M exceeds α at small n. Ville's inequality holds for every n and every
  distribution on [−1, 1] — no normality, no variance estimate to trust.
* **Any metric.** Per-pair differences of a composite, CSR or per-turn win rate are not pentanomial; the
  betting test only needs boundedness.
* **Any looks.** The guarantee holds under optional stopping at *every* pair, so batch sizes, the number of
  looks and ``--max-matches`` need not be fixed in advance (a group-sequential alpha-spending design needs
  its maximum information and, for exact levels, its look schedule up front). We check the boundary after
  every pair of a batch, in the planned (outcome-independent) order, not just at batch ends.

The price is some power at the design point compared with an SPRT that knew the alternative; stopping early
still happens whenever the difference is clear (see ``docs/check.md`` for measured sample sizes).

Alongside the verdict the test reports an anytime-valid confidence sequence for δ at the stop: a lower
bound at level 1 − α and an upper bound at level 1 − β, obtained by running the same betting test at every
δ on a grid; ``pass`` ⇔ the lower bound is above −M and ``fail`` ⇔ the upper bound is below 0 (up to the
grid step).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from games.core.errors import ParameterError

Verdict = Literal["pass", "fail", "inconclusive", "continue"]
FloatArray = npt.NDArray[np.float64]

#: Step of the grid over δ on which the confidence sequence is computed.
GRID_STEP = 0.002


@dataclass(frozen=True)
class SequentialDesign:
    """Parameters of the sequential non-inferiority test.

    Attributes:
        margin: M, the largest tolerated regression of the mean paired difference (0 < M < 1).
        alpha: Bound on P(pass) when the candidate is worse by at least M.
        beta: Bound on P(fail) when the candidate is at least as good as the baseline.
        bet_cap: Largest fraction c of the "all-in" bet (0 < c < 1): one pair can lose at most a fraction c
            of the capital. Higher is bolder (faster on clean data, more fragile after an outlier).
        prior_var: Variance of the pseudo-observation that starts the plug-in variance estimate; it keeps
            the first bets small until real data arrive.
    """

    margin: float
    alpha: float = 0.05
    beta: float = 0.05
    bet_cap: float = 0.75
    prior_var: float = 0.25

    def __post_init__(self) -> None:
        if not 0.0 < self.margin < 1.0 or math.isnan(self.margin):
            raise ParameterError(
                f"margin must be in (0, 1) (a difference of metrics in [0, 1]), got {self.margin}"
            )
        for name in ("alpha", "beta"):
            value = getattr(self, name)
            if not 0.0 < value < 0.5:
                raise ParameterError(f"{name} must be in (0, 0.5), got {value}")
        if not 0.0 < self.bet_cap < 1.0:
            raise ParameterError(f"bet_cap must be in (0, 1), got {self.bet_cap}")
        if not self.prior_var > 0.0:
            raise ParameterError(f"prior_var must be > 0, got {self.prior_var}")


@dataclass(frozen=True)
class SequentialResult:
    """The state of the test after the pairs seen so far.

    Attributes:
        verdict: ``pass``, ``fail``, ``inconclusive`` (budget exhausted) or ``continue`` (play more).
        n_pairs: Pairs seen.
        n_used: Pairs up to and including the one at which a boundary was crossed (``n_pairs`` if none).
        mean_diff: Mean of the first ``n_used`` differences (NaN when there are none).
        lower: Anytime-valid (1 − α) lower confidence bound on δ after ``n_used`` pairs (−1 if no data).
        upper: Anytime-valid (1 − β) upper confidence bound on δ after ``n_used`` pairs (+1 if no data).
        log_capital_pass: log K⁺ against H0 (δ ≤ −M) after ``n_used`` pairs; pass at ``log(1/α)``.
        log_capital_fail: log K⁻ against H1 (δ ≥ 0) after ``n_used`` pairs; fail at ``log(1/β)``.
        pass_threshold: ``log(1/α)``.
        fail_threshold: ``log(1/β)``.
    """

    verdict: Verdict
    n_pairs: int
    n_used: int
    mean_diff: float
    lower: float
    upper: float
    log_capital_pass: float
    log_capital_fail: float
    pass_threshold: float
    fail_threshold: float


def log_capital(
    diffs: npt.ArrayLike, null_mean: npt.ArrayLike, *, bet_cap: float, prior_var: float
) -> FloatArray:
    """Log-capital path of the betting test of "E[d] ≤ null_mean" (evidence that the mean is larger).

    Vectorised: ``diffs`` has shape ``(..., n)`` (the last axis is time, values in [−1, 1]) and
    ``null_mean`` broadcasts against ``diffs[..., :1]``; every null mean must lie in (−1, 1).

    Args:
        diffs: Paired differences in their planned order.
        null_mean: The mean m under the null hypothesis.
        bet_cap: Fraction c of the largest bet that keeps the capital nonnegative.
        prior_var: Variance of the pseudo-observation starting the variance estimate.

    Returns:
        ``log K_t`` for t = 1…n, shape of the broadcast of ``diffs`` and ``null_mean``.
    """
    d = np.asarray(diffs, dtype=np.float64)
    m = np.asarray(null_mean, dtype=np.float64)
    n = d.shape[-1]
    if n == 0:
        lead = np.broadcast_shapes(d.shape[:-1], m.shape[:-1] if m.ndim else ())
        return np.zeros((*lead, 0))
    # Predictable plug-in estimates: the estimate used at pair i only sees pairs 1..i-1, starting from one
    # pseudo-observation (mean 0, variance prior_var) so the first bets are cautious.
    count = np.arange(1, n + 1, dtype=np.float64)
    mu_after = np.cumsum(d, axis=-1) / (count + 1.0)  # mean after pair t, pseudo-obs at 0 included
    var_after = (prior_var + np.cumsum((d - mu_after) ** 2, axis=-1)) / (count + 1.0)
    pad_mu = np.zeros((*d.shape[:-1], 1))
    pad_var = np.full((*d.shape[:-1], 1), prior_var)
    mu_before = np.concatenate([pad_mu, mu_after[..., :-1]], axis=-1)
    var_before = np.concatenate([pad_var, var_after[..., :-1]], axis=-1)
    gap = mu_before - m
    # aGRAPA: the bet maximising the expected log growth of a distribution with this mean and variance,
    # never negative (one-sided) and capped so that 1 + λ(d − m) ≥ 1 − c > 0 for every d ≥ −1.
    lam = np.clip(gap / (var_before + gap**2), 0.0, bet_cap / (1.0 + m))
    growth: FloatArray = np.cumsum(np.log1p(lam * (d - m)), axis=-1)
    return growth


def _first_crossing(path: FloatArray, threshold: float) -> int | None:
    hits = np.flatnonzero(path >= threshold)
    return int(hits[0]) if hits.size else None


def _confidence_bounds(d: FloatArray, design: SequentialDesign) -> tuple[float, float]:
    """Anytime-valid lower (level 1 − α) and upper (level 1 − β) bounds on δ after all of ``d``."""
    if d.size == 0:
        return -1.0, 1.0
    grid = np.arange(-1.0 + GRID_STEP, 1.0, GRID_STEP)[:, None]
    # Running maximum: a δ once rejected stays rejected (intersection of the sequence's intervals).
    up = np.max(log_capital(d, grid, bet_cap=design.bet_cap, prior_var=design.prior_var), axis=-1)
    down = np.max(log_capital(-d, -grid, bet_cap=design.bet_cap, prior_var=design.prior_var), axis=-1)
    grid = grid[:, 0]
    kept_low = grid[up < math.log(1.0 / design.alpha)]
    kept_high = grid[down < math.log(1.0 / design.beta)]
    lower = float(kept_low[0]) if kept_low.size else float(np.clip(d.mean(), -1.0, 1.0))
    upper = float(kept_high[-1]) if kept_high.size else float(np.clip(d.mean(), -1.0, 1.0))
    return lower, upper


def sequential_test(
    diffs: Sequence[float] | npt.ArrayLike, design: SequentialDesign, *, final: bool
) -> SequentialResult:
    """Run the test on the paired differences seen so far, in their planned order.

    Args:
        diffs: Differences ``metric(candidate) − metric(baseline)`` per pair, each in [−1, 1], in the order
            the pairs were planned (never in order of completion: the order must not depend on outcomes).
        design: Margin, error rates and betting parameters.
        final: True when no more pairs will come (the budget is spent): an undecided test is then
            ``inconclusive`` instead of ``continue``.

    Returns:
        The verdict with the evidence behind it.

    Raises:
        ParameterError: A difference outside [−1, 1] or not finite.
    """
    d = np.asarray(diffs, dtype=np.float64).reshape(-1)
    if d.size and (not np.all(np.isfinite(d)) or np.any(np.abs(d) > 1.0 + 1e-12)):
        raise ParameterError("paired differences must be finite and within [-1, 1]")
    d = np.clip(d, -1.0, 1.0)
    pass_threshold = math.log(1.0 / design.alpha)
    fail_threshold = math.log(1.0 / design.beta)
    up = log_capital(d, -design.margin, bet_cap=design.bet_cap, prior_var=design.prior_var)
    down = log_capital(-d, 0.0, bet_cap=design.bet_cap, prior_var=design.prior_var)
    i_pass = _first_crossing(up, pass_threshold)
    i_fail = _first_crossing(down, fail_threshold)
    verdict: Verdict
    if i_pass is not None and (i_fail is None or i_pass <= i_fail):
        verdict, n_used = "pass", i_pass + 1
    elif i_fail is not None:
        verdict, n_used = "fail", i_fail + 1
    else:
        verdict, n_used = ("inconclusive" if final else "continue"), int(d.size)
    used = d[:n_used]
    lower, upper = _confidence_bounds(used, design)
    return SequentialResult(
        verdict=verdict,
        n_pairs=int(d.size),
        n_used=n_used,
        mean_diff=float(used.mean()) if used.size else math.nan,
        lower=lower,
        upper=upper,
        log_capital_pass=float(up[n_used - 1]) if n_used else 0.0,
        log_capital_fail=float(down[n_used - 1]) if n_used else 0.0,
        pass_threshold=pass_threshold,
        fail_threshold=fail_threshold,
    )


def first_verdicts(
    diffs: npt.ArrayLike, design: SequentialDesign
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Verdicts of many independent replications at once (for simulations of the error rates).

    Args:
        diffs: Shape ``(replications, n)``: each row one replication's differences in planned order; ``n``
            is the budget.
        design: The test design.

    Returns:
        ``(verdict, n_used)`` per row: verdict +1 pass, −1 fail, 0 inconclusive; ``n_used`` as in
        :class:`SequentialResult`.
    """
    d = np.clip(np.asarray(diffs, dtype=np.float64), -1.0, 1.0)
    if d.ndim != 2:
        raise ParameterError("diffs must have shape (replications, n)")
    n = d.shape[1]
    up = log_capital(d, -design.margin, bet_cap=design.bet_cap, prior_var=design.prior_var)
    down = log_capital(-d, 0.0, bet_cap=design.bet_cap, prior_var=design.prior_var)
    hit_up = up >= math.log(1.0 / design.alpha)
    hit_down = down >= math.log(1.0 / design.beta)
    big = n + 1
    t_up = np.where(hit_up.any(axis=1), hit_up.argmax(axis=1), big)
    t_down = np.where(hit_down.any(axis=1), hit_down.argmax(axis=1), big)
    verdict = np.zeros(d.shape[0], dtype=np.int8)
    verdict[(t_up <= t_down) & (t_up < big)] = 1
    verdict[(t_down < t_up)] = -1
    n_used = np.where(verdict == 0, n, np.minimum(t_up, t_down) + 1).astype(np.int64)
    return verdict, n_used
