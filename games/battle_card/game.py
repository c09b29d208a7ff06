"""The :class:`BattleCard` game object: ties catalogue, validation, engine, rules and planning together."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from games.battle_card import planning, render, rules
from games.battle_card.catalogue import DEFENDER, INVADER, V1, Catalogue, catalogue_dict
from games.battle_card.engine import run_battle
from games.battle_card.minion import Minion
from games.battle_card.params import BattleCardParams
from games.battle_card.validate import validate_plan
from games.core.game import Game
from games.core.svg import side_infos
from games.core.types import BattleResult, Side, SideKey, ValidatedPlan


def _survivor(m: Minion) -> dict[str, Any]:
    return {"name": m.name, "tier": "Gold" if m.gold else "Bronze", "attack": m.atk, "health": m.hp}


class BattleCard(Game[BattleCardParams]):
    """Battle card auto-battler (spec §3), ruleset v1: Defenders (A) against Invaders (B)."""

    name = "battle_card"
    params_type = BattleCardParams
    default_initial_attempts = 3
    #: The ruleset's units and rule switches (a later ruleset's subclass sets its own).
    cat: ClassVar[Catalogue] = V1
    #: The greedy bot's fixed line-ups per role.
    lineups: ClassVar[dict[str, list[tuple[str, str]]]] = planning.GREEDY_LINEUPS

    @property
    def sides(self) -> tuple[Side, Side]:
        """Defenders (A) and Invaders (B) with the budgets of the parameters."""
        p = self.params
        return (
            Side("A", DEFENDER, "Defenders", "defenders", p.defenders_budget),
            Side("B", INVADER, "Invaders", "invaders", p.invaders_budget),
        )

    def _pair(self, side: SideKey) -> tuple[Side, Side]:
        own = self.side(side)
        return own, self.side("B" if own.key == "A" else "A")

    # ----------------------------------------------------------------- static facts
    def catalogue(self, side: SideKey) -> dict[str, Any]:
        """Own units, the opponent's units, tokens and every constant the rules text uses."""
        own, opp = self._pair(side)
        return catalogue_dict(own.name, own.budget, opp.budget, self.params.max_units, self.cat)

    def rules_text(self, side: SideKey) -> str:
        """Complete rules and both catalogues for a model playing ``side``."""
        own, opp = self._pair(side)
        return rules.rules_text(own, opp, self.params.max_units, self.cat)

    def example_plan(self, side: SideKey) -> dict[str, Any]:
        """The spec's example plan (one Bronze RockBeetle / FireLizard with a priority list)."""
        own = self.side(side)
        plan = rules.EXAMPLE_PLANS[own.name]
        return {k: (list(v) if isinstance(v, list) else v) for k, v in plan.items()}

    def plan_schema(self, side: SideKey) -> dict[str, Any]:
        """JSON Schema (draft 2020-12) of a valid plan."""
        return rules.plan_schema(self.side(side), self.params.max_units, self.cat)

    # ----------------------------------------------------------------- pure functions of plans
    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:
        """Strict v1 validation; never raises."""
        return validate_plan(self.side(side), obj, self.params.max_units, self.cat)

    def simulate(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> BattleResult:
        """Play the defenders' plan ``plan_a`` against the invaders' plan ``plan_b``."""
        return self.battle(plan_a, plan_b)

    def battle(
        self, plan_a: ValidatedPlan, plan_b: ValidatedPlan, log: list[dict[str, Any]] | None = None
    ) -> BattleResult:
        """Like :meth:`simulate`, optionally appending one record per attack to ``log`` (see ``run_battle``).

        Summary: ``result`` ("Defenders win" / "Invaders win"), ``simultaneous`` (both lines ended empty; the
        engine gives that tie to the invaders), ``attacks`` and ``survivors`` per side
        (``name``, ``tier``, ``attack``, ``health`` in line order).
        """
        defs = [(e["name"], e["tier"] == "Gold") for e in plan_a.plan["defenders"]]
        invs = [(e["name"], e["tier"] == "Gold") for e in plan_b.plan["invaders"]]
        cat = self.cat
        out = run_battle(defs, invs, self.params.max_units, log, cat.all_units, cat.taunt)
        winner: SideKey = "B" if out.invaders_win else "A"
        summary = {
            "result": "Invaders win" if winner == "B" else "Defenders win",
            "simultaneous": not out.defenders and not out.invaders,
            "attacks": out.attacks,
            "survivors": {
                "A": [_survivor(m) for m in out.defenders],
                "B": [_survivor(m) for m in out.invaders],
            },
        }
        return BattleResult(winner, summary)

    # ----------------------------------------------------------------- bot support
    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:
        """One to ``max_units`` random minions with random tiers within budget."""
        own = self.side(side)
        entries = planning.random_entries(own.name, own.budget, self.params.max_units, rng, self.cat)
        return {own.plan_key: entries}

    def greedy_plan(self, side: SideKey) -> dict[str, Any]:
        """A fixed strong line-up within budget."""
        own = self.side(side)
        entries = planning.greedy_entries(own.name, own.budget, self.params.max_units, self.lineups, self.cat)
        return {own.plan_key: entries}

    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """A small change of a plan that stays valid and within budget."""
        own = self.side(side)
        entries = self.validate(side, plan).plan[own.plan_key]
        new = planning.mutate_entries(own.name, entries, own.budget, self.params.max_units, rng, self.cat)
        return {own.plan_key: new}

    def margin(self, result: BattleResult, side: SideKey) -> float:
        """How comfortably ``side`` did: more own survivors on a win, fewer enemy survivors on a loss."""
        return planning.margin(result, side)

    def render_svg(self, plan_a: Mapping[str, Any], plan_b: Mapping[str, Any]) -> str:
        """Both line-ups as rows of cards (name, tier with its attack/health, position, cost, keywords).

        See :meth:`games.core.game.Game.render_svg` for the contract (any JSON value, never raises).
        """
        rosters = (self.cat.roster(self.side("A").name), self.cat.roster(self.side("B").name))
        infos = side_infos(self, plan_a, plan_b)
        return render.render(plan_a, plan_b, infos, rosters=rosters, max_units=self.params.max_units)
