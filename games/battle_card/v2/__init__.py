"""Ruleset v2 of battle card: the same units and flow as v1, balanced (see ``docs/rulesets.md``).

The v2 changes, all read from :data:`games.battle_card.v2.catalogue.V2`:

* Taunt exists (RockBeetle, StoneWarrior, MountainGiant, LavaGolem): attacks target the enemy's leftmost
  Taunt minion, else its leftmost minion (the original prompt's rule, which the v1 engine never had).
* Phoenix splashes the minions directly beside its target instead of cleaving the whole enemy line.
* AncientTreant costs 5 instead of 4 (Gold 15).

Engine, validation, rules text, schema, example plans, bots' plan generators and the margin are v1's code
run on the v2 catalogue; the parameters are v1's (:class:`~games.battle_card.params.BattleCardParams`).
"""

from __future__ import annotations

from typing import ClassVar

from games.battle_card import BattleCard
from games.battle_card.catalogue import Catalogue
from games.battle_card.v2.catalogue import V2


class BattleCardV2(BattleCard):
    """Battle card auto-battler, ruleset v2: Defenders (A) against Invaders (B) with Taunt and splash."""

    ruleset: ClassVar[str] = "v2"
    cat: ClassVar[Catalogue] = V2


__all__ = ["BattleCardV2"]
