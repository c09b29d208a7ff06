"""The options of ``stratagem run`` that steer how much is played: ``--adaptive`` and ``--max-cost``.

:class:`Steering` holds them and checks them before anything is read or written (exit 2, one line);
:func:`plan_budget` and :func:`adaptive_budget` build the ``--max-cost`` ledger of a plain and of an
adaptive run (:mod:`harness.runner.budget`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from games.core.errors import UserError
from harness.experiments.config import ExperimentConfig
from harness.experiments.jobs import MatchJob
from harness.models.pricing import Price
from harness.runner.budget import CostBudget, ExpectedCost, check_priced, stored_cost

if TYPE_CHECKING:
    from harness.runner.adaptive import AdaptiveOptions

#: Default level of ``--confidence`` and resamples of ``--n-boot``.
DEFAULT_CONFIDENCE = 0.95
DEFAULT_N_BOOT = 200
#: Planned jobs whose stored cost is summed per query.
_CHUNK = 1000


class SteeringError(UserError):
    """A bad ``--adaptive`` / ``--confidence`` / ``--n-boot`` / ``--max-cost`` combination (exit 2)."""


@dataclass(frozen=True)
class Steering:
    """``run``'s ``--adaptive``, ``--confidence``, ``--n-boot`` and ``--max-cost``.

    Attributes:
        adaptive: Play in batches until the leaderboard is settled (:mod:`harness.runner.adaptive`).
        confidence: The level adjacent pairs must be separated at (``None``: the default).
        n_boot: Bootstrap resamples per refit (``None``: the default).
        max_cost: Stop before the spend would pass this many USD (``None``: no limit).
    """

    adaptive: bool = False
    confidence: float | None = None
    n_boot: int | None = None
    max_cost: float | None = None

    def check(self, *, ray: bool = False) -> None:
        """Raise :class:`SteeringError` for a bad value or combination."""
        if self.confidence is not None and not 0.0 < self.confidence < 1.0:
            raise SteeringError(f"--confidence must be between 0 and 1 (exclusive), got {self.confidence:g}")
        if self.n_boot is not None and self.n_boot < 1:
            raise SteeringError(f"--n-boot must be at least 1, got {self.n_boot}")
        if not self.adaptive and (self.confidence is not None or self.n_boot is not None):
            raise SteeringError("--confidence and --n-boot apply to --adaptive runs; add --adaptive")
        if self.max_cost is not None and self.max_cost < 0:
            raise SteeringError(f"--max-cost must not be negative, got {self.max_cost:g}")
        if ray and (self.adaptive or self.max_cost is not None):
            raise SteeringError("--adaptive and --max-cost run on the asyncio executor; drop --executor ray")

    def adaptive_options(self, max_matches: int | None) -> AdaptiveOptions:
        """The :class:`AdaptiveOptions` of these flags (``max_matches``: ``--max-matches``, a total cap)."""
        from harness.runner.adaptive import AdaptiveOptions

        return AdaptiveOptions(
            confidence=self.confidence if self.confidence is not None else DEFAULT_CONFIDENCE,
            n_boot=self.n_boot if self.n_boot is not None else DEFAULT_N_BOOT,
            max_matches=max_matches,
        )


def plan_budget(
    store: Any,
    jobs: Iterable[MatchJob],
    config: ExperimentConfig,
    prices: Mapping[str, Price],
    limit: float,
) -> CostBudget:
    """The ledger of a plain run: spent = the stored cost of the plan's matches (read a chunk at a time).

    Raises:
        BudgetError: A model's price is unknown, or the limit is negative.
    """
    check_priced(config.all_models(), prices, limit)
    spent, unknown = 0.0, 0
    if store.has_matches():
        it = iter(jobs)
        while chunk := [j.match_id for j in islice(it, _CHUNK)]:
            cost, n = stored_cost(store, chunk)
            spent, unknown = spent + cost, unknown + n
    return CostBudget(limit, ExpectedCost(store, config, prices), spent=spent, unknown=unknown)


def adaptive_budget(
    store: Any, config: ExperimentConfig, prices: Mapping[str, Price], limit: float
) -> CostBudget:
    """The ledger of an adaptive run (each batch adds the stored cost of its matches as it comes).

    Raises:
        BudgetError: A model's price is unknown, or the limit is negative.
    """
    check_priced(config.all_models(), prices, limit)
    return CostBudget(limit, ExpectedCost(store, config, prices))
