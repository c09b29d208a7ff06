"""Ruleset v2 of elemental_duel: same skills and duel chain, balanced (docs/rulesets.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from games.elemental_duel import ElementalDuel
from games.elemental_duel.catalogue import SkillSpec
from games.elemental_duel.engine import BattleOutcome
from games.elemental_duel.v2 import catalogue as cat
from games.elemental_duel.v2 import rules
from games.elemental_duel.v2.engine import run_battle
from games.elemental_duel.v2.params import DuelParamsV2

#: Fixed heuristic plans of the greedy bot: the heaviest equilibrium plans of the v2 audit (size default,
#: seed 0).
GREEDY_V2: dict[str, list[dict[str, Any]]] = {
    "invader": [
        {"element": "Dark", "skills": ["final_announcement", "shadow_claw", "soul_siphon"]},
        {"element": "Fire", "skills": ["hell_curtain", "magma_eruption"]},
        {"element": "Dark", "skills": ["final_announcement"]},
    ],
    "defender": [
        {"element": "Light", "skills": ["divine_sword", "divine_sword", "holy_glimmer"]},
        {"element": "Earth", "skills": ["earth_shock", "earth_shock", "earth_shock"]},
        {"element": "Wood", "skills": ["parasitic_seed", "parasitic_seed", "forest_reincarnation"]},
    ],
}


class ElementalDuelV2(ElementalDuel):
    """Ruleset v2 of elemental_duel, Defenders (A) vs Invaders (B)."""

    ruleset: ClassVar[str] = "v2"
    params_type: ClassVar[type[Any]] = DuelParamsV2
    skill_catalogue: ClassVar[Mapping[str, SkillSpec]] = cat.SKILLS
    skills_by_element: ClassVar[Mapping[str, tuple[str, ...]]] = cat.SKILLS_BY_ELEMENT
    greedy_plans: ClassVar[Mapping[str, list[dict[str, Any]]]] = GREEDY_V2

    def catalogue(self, side: Any) -> dict[str, Any]:  # noqa: D102
        return rules.catalogue_dict(self._role(side), self.params)

    def rules_text(self, side: Any) -> str:  # noqa: D102
        return rules.rules_text(self._role(side), self.params)

    def _engine(self, d: Any, i: Any, **kwargs: Any) -> BattleOutcome:
        """Run the v2 engine, with one skill slot per allowed skill."""
        return run_battle(d, i, slots=self.params.max_skills, **kwargs)


__all__ = ["ElementalDuelV2"]
