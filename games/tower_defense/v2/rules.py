"""What a model is told about tower defense ruleset v2: catalogue object and rules text.

Both come from the v2 catalogue and parameters through v1's generators (:mod:`games.tower_defense.rules`),
with the v2 sentences for lives, the mine fuse, the spawn-time limit and the FlyingDemon cap; so every
number the text mentions is a number of :func:`catalogue_dict` (a test checks this).
"""

from __future__ import annotations

from typing import Any

from games.core.types import SideKey
from games.tower_defense import rules as v1
from games.tower_defense.ruleset import TDRules
from games.tower_defense.v2.catalogue import FLYING
from games.tower_defense.v2.params import TowerDefenseV2Params

#: The v2 wording of the ruleset-dependent sentences (fields are filled from the catalogue object).
V2_SLOTS = {
    "spawn_range": "a number from {min_spawn_time} to {max_spawn_time}",
    "caps": " At most {flying_cap} " + FLYING + " entries per demon plan.",
    "goal_rule": "The Human side has {lives} lives. A demon whose left edge is at {goal_left_px} px or less "
    "(the left edge of column {min_x}) has reached the goal: it leaves the board and costs one life. The "
    "Demon side wins as soon as the last life is lost.",
    "fuse_rule": "A LinearExplosion explodes when its fuse has passed since a demon first stopped at it; "
    "an untouched one waits.",
}


def catalogue_dict(side: SideKey, params: TowerDefenseV2Params, tdr: TDRules) -> dict[str, Any]:
    """v1's catalogue object of the v2 units, with the v2 limits (lives, cap, latest spawn time)."""
    cat = v1.catalogue_dict(side, params, tdr)
    cat["limits"].update(
        {
            "lives": params.lives,
            "flying_cap": params.flying_cap,
            "unit_caps": dict(tdr.unit_caps),
            "max_spawn_time": params.max_spawn_time,
        }
    )
    cat["combat"]["mines"] = tdr.mines
    return cat


def rules_text(side: SideKey, params: TowerDefenseV2Params, tdr: TDRules) -> str:
    """The complete v2 rules for a model playing ``side``."""
    return v1.rules_text(side, params, tdr, V2_SLOTS, catalogue_dict(side, params, tdr))
