"""A game wrapper that counts simulations, so an audit can report (and show progress on) all it ran.

It delegates every part of the :class:`~games.core.Game` API to the wrapped game, so bots, searches and
the payoff matrix use it unchanged; only :meth:`simulate` does extra work (one increment, and a callback
every :data:`REPORT_EVERY` simulations so a progress bar costs nothing per battle).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from games.core.game import Game
from games.core.types import BattleResult, Side, SideKey, ValidatedPlan

#: How many simulations pass between two progress callbacks.
REPORT_EVERY = 256


class CountingGame(Game[Any]):
    """``inner`` with a simulation counter.

    Args:
        inner: The game to wrap.
        on_sims: Told how many simulations ran since it was last told (every :data:`REPORT_EVERY`).
    """

    def __init__(self, inner: Game[Any], on_sims: Callable[[int], None] | None = None) -> None:
        # Game.__init__ would rebuild params from defaults; the wrapper shares the inner game's instead.
        self.inner = inner
        self.params = inner.params
        self.name = inner.name  # type: ignore[misc]
        self.ruleset = inner.ruleset  # type: ignore[misc]
        self.final_extra_round = inner.final_extra_round  # type: ignore[misc]
        self.default_initial_attempts = inner.default_initial_attempts  # type: ignore[misc]
        self.sims = 0
        self._unreported = 0
        self._on_sims = on_sims

    def flush(self) -> None:
        """Report the simulations not yet reported."""
        if self._on_sims is not None and self._unreported:
            self._on_sims(self._unreported)
        self._unreported = 0

    def simulate(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> BattleResult:  # noqa: D102
        self.sims += 1
        self._unreported += 1
        if self._unreported >= REPORT_EVERY:
            self.flush()
        return self.inner.simulate(plan_a, plan_b)

    @property
    def sides(self) -> tuple[Side, Side]:  # noqa: D102
        return self.inner.sides

    def params_dict(self) -> dict[str, Any]:  # noqa: D102
        return self.inner.params_dict()

    def catalogue(self, side: SideKey) -> dict[str, Any]:  # noqa: D102
        return self.inner.catalogue(side)

    def rules_text(self, side: SideKey) -> str:  # noqa: D102
        return self.inner.rules_text(side)

    def example_plan(self, side: SideKey) -> dict[str, Any]:  # noqa: D102
        return self.inner.example_plan(side)

    def plan_schema(self, side: SideKey) -> dict[str, Any]:  # noqa: D102
        return self.inner.plan_schema(side)

    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:  # noqa: D102
        return self.inner.validate(side, obj)

    def empty_plan(self, side: SideKey) -> ValidatedPlan:  # noqa: D102
        return self.inner.empty_plan(side)

    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:  # noqa: D102
        return self.inner.random_plan(side, rng)

    def greedy_plan(self, side: SideKey) -> dict[str, Any]:  # noqa: D102
        return self.inner.greedy_plan(side)

    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:  # noqa: D102
        return self.inner.mutate_plan(side, plan, rng)

    def margin(self, result: BattleResult, side: SideKey) -> float:  # noqa: D102
        return self.inner.margin(result, side)
