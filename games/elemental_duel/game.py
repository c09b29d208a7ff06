"""The :class:`ElementalDuel` game object: ruleset v1 of the Turn-based game (spec §4)."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any, ClassVar

from games.core.errors import ParameterError
from games.core.game import Game
from games.core.svg import side_infos
from games.core.types import BattleResult, Side, SideKey, ValidatedPlan
from games.elemental_duel import planning, render, rules
from games.elemental_duel.catalogue import (
    DEFENDER_ELEMENTS,
    INVADER_ELEMENTS,
    SKILLS,
    SKILLS_BY_ELEMENT,
    SkillSpec,
)
from games.elemental_duel.engine import BattleOutcome, run_battle
from games.elemental_duel.fighter import ActionLog
from games.elemental_duel.params import DuelParams
from games.elemental_duel.validate import validate_plan

_RESULT = {"A": "Defenders win", "B": "Invaders win", None: "No winner"}
#: Sensible JSON precision for HP (sums of 0.1 / 0.45 / 0.2 reductions).
HP_DECIMALS = 4

#: Fixed heuristic plans. The invader's is unbeatable in the engine: it acts first in every duel and
#: final_announcement always deals D(127) (>= 100 HP). The defender's was chosen by simulation against
#: random invader plans: earth_pulse always deals D(90) and survivors keep their HP.
GREEDY: dict[str, list[dict[str, Any]]] = {
    "invader": [
        {"element": "Dark", "skills": ["final_announcement"]},
        {"element": "Dark", "skills": ["final_announcement"]},
        {"element": "Dark", "skills": ["final_announcement"]},
    ],
    "defender": [
        {"element": "Earth", "skills": ["earth_pulse"]},
        {"element": "Earth", "skills": ["earth_pulse"]},
        {"element": "Earth", "skills": ["earth_pulse"]},
    ],
}


def _hp(x: float) -> float:
    """HP for JSON: rounded, always finite."""
    value = round(float(x), HP_DECIMALS)
    return value if math.isfinite(value) else 0.0


class ElementalDuel(Game[DuelParams]):
    """Elemental Turn-based duels, Defenders (A) vs Invaders (B)."""

    name: ClassVar[str] = "elemental_duel"
    params_type: ClassVar[type[Any]] = DuelParams
    default_initial_attempts: ClassVar[int] = 3
    #: The ruleset's skills by key and their keys by element (a later ruleset swaps these).
    skill_catalogue: ClassVar[Mapping[str, SkillSpec]] = SKILLS
    skills_by_element: ClassVar[Mapping[str, tuple[str, ...]]] = SKILLS_BY_ELEMENT
    #: The greedy bot's fixed plans by role.
    greedy_plans: ClassVar[Mapping[str, list[dict[str, Any]]]] = GREEDY

    @property
    def sides(self) -> tuple[Side, Side]:
        """Defenders (A) and Invaders (B)."""
        p = self.params
        return (
            Side("A", "defender", "Defenders", "defenders", p.defenders_budget),
            Side("B", "invader", "Invaders", "invaders", p.invaders_budget),
        )

    def _role(self, side: SideKey) -> str:
        return self.side(side).name

    def _elements(self, side: SideKey) -> tuple[str, ...]:
        return DEFENDER_ELEMENTS if side == "A" else INVADER_ELEMENTS

    # ------------------------------------------------------------------ static facts
    def catalogue(self, side: SideKey) -> dict[str, Any]:  # noqa: D102
        return rules.catalogue_dict(self._role(side), self.params)

    def rules_text(self, side: SideKey) -> str:  # noqa: D102
        return rules.rules_text(self._role(side), self.params)

    def example_plan(self, side: SideKey) -> dict[str, Any]:  # noqa: D102
        return rules.example_plan(self._role(side))

    def plan_schema(self, side: SideKey) -> dict[str, Any]:  # noqa: D102
        return rules.plan_schema(self._role(side), self.params, self.skills_by_element)

    # ------------------------------------------------------------------ validation and simulation
    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:  # noqa: D102
        me = self.side(side)
        other = self.sides[1] if side == "A" else self.sides[0]
        return validate_plan(
            obj,
            side=side,
            role=me.name,
            plan_key=me.plan_key,
            other_key=other.plan_key,
            elements=self._elements(side),
            max_characters=self.params.max_characters,
            max_skills=self.params.max_skills,
            skills_catalogue=self.skill_catalogue,
        )

    def _teams(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> tuple[list[Any], list[Any]]:
        if plan_a.side != "A" or plan_b.side != "B":
            raise ParameterError("simulate takes the defenders' plan (side A) first, then the invaders' (B)")
        d = [(e["element"], e["skills"]) for e in plan_a.plan.get("defenders", [])]
        i = [(e["element"], e["skills"]) for e in plan_b.plan.get("invaders", [])]
        return d, i

    def outcome(
        self, plan_a: ValidatedPlan, plan_b: ValidatedPlan, log: list[ActionLog] | None = None
    ) -> BattleOutcome:
        """The engine's raw :class:`BattleOutcome` (optionally filling ``log`` with every action)."""
        d, i = self._teams(plan_a, plan_b)
        p = self.params
        return self._engine(
            d, i, start_hp=p.start_hp, duel_action_cap=p.duel_action_cap, max_duels=p.max_duels, log=log
        )

    def _engine(self, d: Any, i: Any, **kwargs: Any) -> BattleOutcome:
        """Run the ruleset's battle engine (a later ruleset overrides this)."""
        return run_battle(d, i, **kwargs)

    def simulate(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> BattleResult:  # noqa: D102
        out = self.outcome(plan_a, plan_b)
        summary = {
            "result": _RESULT[out.winner],
            "duels": [
                {
                    "invader": r.invader,
                    "defender": r.defender,
                    "winner": r.winner,
                    "actions": r.actions,
                    "hp_after": {"A": _hp(r.defender_hp), "B": _hp(r.invader_hp)},
                }
                for r in out.duels
            ],
            "survivors": {
                "A": [{"element": el, "hp": _hp(hp)} for _, el, hp in out.defenders],
                "B": [{"element": el, "hp": _hp(hp)} for _, el, hp in out.invaders],
            },
            "capped": out.capped,
        }
        winner: SideKey | None = "A" if out.winner == "A" else "B" if out.winner == "B" else None
        return BattleResult(winner, summary)

    def battle_log(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> list[dict[str, Any]]:
        """Every action of the battle: duel index, actor side, skill, both duellists' HP after it."""
        log: list[ActionLog] = []
        self.outcome(plan_a, plan_b, log)
        return [
            {
                "duel": a.duel,
                "actor": a.actor,
                "skill": a.skill,
                "hp": {"A": _hp(a.defender_hp), "B": _hp(a.invader_hp)},
            }
            for a in log
        ]

    # ------------------------------------------------------------------ bots
    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:  # noqa: D102
        p = self.params
        entries = planning.random_entries(
            self._elements(side),
            self.side(side).budget,
            p.max_characters,
            p.max_skills,
            rng,
            self.skill_catalogue,
            self.skills_by_element,
        )
        return {self.side(side).plan_key: entries}

    def greedy_plan(self, side: SideKey) -> dict[str, Any]:
        """A fixed strong plan, trimmed to the limits and the budget."""
        me = self.side(side)
        p = self.params
        entries: list[dict[str, Any]] = []
        left = me.budget
        for e in self.greedy_plans[me.name][: p.max_characters]:
            skills = []
            for s in e["skills"][: p.max_skills]:
                cost = self.skill_catalogue[s].cost
                if cost <= left:
                    skills.append(s)
                    left -= cost
            if skills:
                entries.append({"element": e["element"], "skills": skills})
        return {me.plan_key: entries}

    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:  # noqa: D102
        me = self.side(side)
        p = self.params
        entries = self.validate(side, plan).plan[me.plan_key]
        new = planning.mutate_entries(
            entries,
            self._elements(side),
            me.budget,
            p.max_characters,
            p.max_skills,
            rng,
            cat=self.skill_catalogue,
            by_el=self.skills_by_element,
        )
        return {me.plan_key: new}

    def margin(self, result: BattleResult, side: SideKey) -> float:
        """Share of the side's characters still standing, plus a little for their HP; in [0, 0.99]."""
        survivors = result.summary.get("survivors", {}).get(side, [])
        alive = [float(s["hp"]) for s in survivors if s["hp"] > 0]
        n = max(self.params.max_characters, len(alive), 1)
        hp_share = min(1.0, sum(alive) / (max(self.params.start_hp, 1) * n))
        return float(0.9 * len(alive) / n + 0.09 * hp_share)

    # ------------------------------------------------------------------ pictures
    def render_svg(self, plan_a: Mapping[str, Any], plan_b: Mapping[str, Any]) -> str:
        """Both teams' fighters in duel order, each with its element and its skills with their costs.

        See :meth:`games.core.game.Game.render_svg` for the contract (any JSON value, never raises).
        """
        p = self.params
        return render.render(
            plan_a,
            plan_b,
            side_infos(self, plan_a, plan_b),
            elements=(self._elements("A"), self._elements("B")),
            skills=self.skill_catalogue,
            max_characters=p.max_characters,
            max_skills=p.max_skills,
        )
