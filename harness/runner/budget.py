"""``--max-cost USD``: stop cleanly before the spend would pass a limit (``run`` and ``run --adaptive``).

**Spend** is the ``cost_usd`` of the run's matches already in the store (for ``run``: the plan's matches;
for ``--adaptive``: the scheduled ones) plus what this run's decisions cost, voided tries included. So
the limit is a total over the store: rerunning with the same limit plays nothing more, and rerunning with a
higher one goes on.

**Admission.** Before a match starts, the runner asks :meth:`CostBudget.admit`: the match is refused when
``spent + the cost reserved for the matches in flight + this match's reserved cost > limit``. A refusal stops
the run: no new match starts, those in flight finish and are stored, nothing is lost, and a rerun plays the
refused match first. For ``--adaptive`` both matches of a side-swapped pair are admitted together (their
partner is reserved with the first), so a stop never leaves a pair half played.

**Reserved cost of a match** (:class:`ExpectedCost`), deliberately on the high side of the expected one:
the *largest* ``cost_usd`` of the finished matches with the same fingerprint, the same model on each side
and the same first reviser (the store's, then this run's as they finish), so that the spread of a pair's
costs never takes the spend past the limit; without one, :data:`ESTIMATE_MARGIN` × the expected cost from
:func:`harness.estimate.estimate_run` on that job (prompts counted, output tokens from the store's history
or the estimate's default, the price table); if the estimate fails, the match's bound of model calls ×
:data:`FALLBACK_TOKENS` at the price. Bot-only matches cost 0.

The limit is enforced on reserved costs: only a match dearer than every earlier one of its kind (or, for
the first of its kind, dearer than the margin allows) can take the spend past the limit, by its excess
(the stop line then says so). Where the stop falls depends on the costs seen so far, so with several
matches in flight it can vary from run to run; what is stored never does. A model whose price is unknown (its
``cost_usd`` would be NULL) makes the limit unenforceable: ``--max-cost`` refuses to start (exit 2) and
names it (:func:`unpriced_models`). Stored matches of the plan whose cost is NULL count as 0, and the
spend is shown as ``≥ $…``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from games.core.errors import UserError
from harness.experiments.jobs import MatchJob
from harness.experiments.names import is_bot
from harness.models.pricing import Price, price_for
from harness.models.providers import parse_model_name
from harness.models.types import Usage
from harness.store.reads import IN_CHUNK, StoreReads

#: ``(input, output)`` tokens per call assumed when the estimate cannot be made.
FALLBACK_TOKENS = (4000, 600)
#: The estimate of a match of a kind not seen yet is reserved with this margin.
ESTIMATE_MARGIN = 1.25


class BudgetError(UserError):
    """``--max-cost`` cannot be enforced (exit 2, one line)."""


def unpriced_models(models: Iterable[str], prices: Mapping[str, Price]) -> list[str]:
    """The models (not bots) whose price is unknown, in order."""
    out = []
    for m in models:
        if is_bot(m):
            continue
        parsed = parse_model_name(m)
        if price_for(parsed.provider, parsed.model, prices) is None:
            out.append(m)
    return out


def check_priced(models: Iterable[str], prices: Mapping[str, Price], limit: float) -> None:
    """Raise :class:`BudgetError` if a model has no known price (or the limit is negative)."""
    if limit < 0:
        raise BudgetError(f"--max-cost must not be negative, got {limit:g}")
    unpriced = unpriced_models(models, prices)
    if unpriced:
        raise BudgetError(
            f"--max-cost cannot be enforced: no price is known for {', '.join(unpriced)} (its cost would be"
            " unknown); run without --max-cost, or price it in the model settings"
        )


def stored_cost(store: StoreReads, match_ids: Sequence[str]) -> tuple[float, int]:
    """Summed ``cost_usd`` of those of ``match_ids`` stored, and how many of them have a NULL cost."""
    total, unknown = 0.0, 0
    for i in range(0, len(match_ids), IN_CHUNK):
        chunk = list(match_ids[i : i + IN_CHUNK])
        marks = ", ".join("?" * len(chunk))
        row = store.query(
            "SELECT COALESCE(SUM(cost_usd), 0), SUM(cost_usd IS NULL) FROM matches"
            f" WHERE match_id IN ({marks})",
            chunk,
        )[0]
        total += float(row[0] or 0.0)
        unknown += int(row[1] or 0)
    return total, unknown


def decisions_cost(decisions: Iterable[Any]) -> float | None:
    """What a match's (or a voided try's) own decisions cost (``None``: some price unknown)."""
    total = 0.0
    for d in decisions:
        if d.reused:
            continue
        if d.cost_usd is None:
            return None
        total += float(d.cost_usd)
    return total


class ExpectedCost:
    """The cost reserved for a match before it starts (see the module docstring).

    Args:
        store: The store (its finished matches give the observed means; also read by the estimate).
        config: The experiment (cache mode, for the estimate), if any.
        prices: Price overrides (the run's model settings).
    """

    def __init__(self, store: Any, config: Any = None, prices: Mapping[str, Price] | None = None) -> None:
        self.store = store
        self.config = config
        self.prices = dict(prices or {})
        self._top: dict[tuple[str, str, str, str], float] = {}
        self._estimates: dict[tuple[str, str, str, str], float] = {}
        self._tokens: Any = None
        for fp, a, b, fr, top in store.query(
            "SELECT fingerprint, model_a, model_b, first_reviser, MAX(cost_usd) FROM matches"
            " WHERE status='finished' AND cost_usd IS NOT NULL"
            " GROUP BY fingerprint, model_a, model_b, first_reviser"
        ):
            self._top[(str(fp), str(a), str(b), str(fr))] = float(top)

    def observe(self, job: MatchJob, cost: float) -> None:
        """Count a finished match's cost (the largest of its kind is what the next one reserves)."""
        key = (job.fingerprint, job.model_a, job.model_b, job.first_reviser)
        self._top[key] = max(cost, self._top.get(key, cost))

    def __call__(self, job: MatchJob) -> float:
        """The cost to reserve for ``job``."""
        if job.bot_only:
            return 0.0
        key = (job.fingerprint, job.model_a, job.model_b, job.first_reviser)
        top = self._top.get(key)
        if top is not None:
            return top
        if key not in self._estimates:
            self._estimates[key] = ESTIMATE_MARGIN * self._estimate(job)
        return self._estimates[key]

    def _estimate(self, job: MatchJob) -> float:
        try:
            from harness.estimate import TokenCounter, estimate_run

            if self._tokens is None:
                self._tokens = TokenCounter()
            est = estimate_run(
                [job], config=self.config, store=self.store, prices=self.prices, tokens=self._tokens
            )
            costs = [m.cost_expected for m in est.models]
            if all(c is not None for c in costs) and est.to_play:
                return float(sum(c for c in costs if c is not None))
        except Exception:  # the estimate is a convenience; the fallback below is always available
            pass
        return self._fallback(job)

    def _fallback(self, job: MatchJob) -> float:
        rounds = int(job.settings.get("rounds", 10))
        attempts = int(job.settings.get("initial_attempts") or 3)
        calls = attempts + rounds + 1  # the initial attempts, then at most a revision per round (both sides)
        total = 0.0
        for model in (job.model_a, job.model_b):
            if is_bot(model):
                continue
            parsed = parse_model_name(model)
            price = price_for(parsed.provider, parsed.model, self.prices)
            if price is not None:
                total += calls * price.cost(Usage(*FALLBACK_TOKENS))
        return total


class CostBudget:
    """The ``--max-cost`` ledger the runner consults before each match (see the module docstring).

    Args:
        limit_usd: The limit.
        expected: The cost to reserve for a match (an :class:`ExpectedCost`).
        spent: Cost of the run's matches already stored.
        unknown: How many of those have an unknown cost (counted as 0).
    """

    def __init__(
        self, limit_usd: float, expected: Callable[[MatchJob], float], *, spent: float = 0.0, unknown: int = 0
    ) -> None:
        self.limit_usd = limit_usd
        self.expected = expected
        self.spent = spent
        self.unknown = unknown
        self.stopped = False
        #: ``match_id`` → the match admitted together with it (``--adaptive``: the side swap).
        self.partners: dict[str, MatchJob] = {}
        self._reserved: dict[str, float] = {}

    @property
    def in_flight(self) -> float:
        """Cost reserved for the matches admitted and not yet finished."""
        return sum(self._reserved.values())

    def add_stored(self, cost: float, unknown: int = 0) -> None:
        """Count the cost of matches found stored (``--adaptive``: those of a new batch)."""
        self.spent += cost
        self.unknown += unknown

    def admit(self, job: MatchJob) -> bool:
        """Whether ``job`` may start; a refusal stops the run (``stopped`` becomes true)."""
        if job.match_id in self._reserved:  # reserved with its partner
            return True
        if self.stopped:
            return False
        need = {job.match_id: self.expected(job)}
        partner = self.partners.get(job.match_id)
        if partner is not None and partner.match_id not in self._reserved:
            need[partner.match_id] = self.expected(partner)
        if self.spent + self.in_flight + sum(need.values()) > self.limit_usd + 1e-12:
            self.stopped = True
            return False
        self._reserved.update(need)
        return True

    def settle(self, job: MatchJob, cost: float | None, *, finished: bool) -> None:
        """Book what a match (or a voided try) of ``job`` cost; its reservation ends."""
        self._reserved.pop(job.match_id, None)
        if cost is None:
            self.unknown += 1
        else:
            self.spent += cost
            if finished and isinstance(self.expected, ExpectedCost):
                self.expected.observe(job, cost)

    def spend_text(self) -> str:
        """``$1.2345 of $5.00`` (``≥ $…`` when some cost is unknown)."""
        return f"{'≥ ' if self.unknown else ''}${self.spent:.4f} of ${self.limit_usd:.2f}"

    def stop_line(self) -> str:
        """The line printed when the budget stopped the run."""
        over = ""
        if self.spent > self.limit_usd:
            over = " (matches dearer than reserved took it past the limit)"
        return (
            f"stopped at --max-cost {self.limit_usd:g}: spent {'≥ ' if self.unknown else ''}${self.spent:.4f}"
            f" of ${self.limit_usd:.2f}{over}; rerun with a higher limit to go on"
        )
