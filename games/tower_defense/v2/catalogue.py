"""The units and engine constants of tower defense ruleset v2: v1's catalogue with the v2 changes.

Every v2 number lives here (or in :class:`~games.tower_defense.v2.params.TowerDefenseV2Params`, for the
ones a user may sweep); the engine, the validator, the bots and the rules text all read them from here.
The changes from v1 (see ``docs/rulesets.md`` for the audit evidence):

* the Human side has lives: a demon that reaches the goal costs one life and leaves the board;
* LinearExplosion is a mine: its fuse starts when a demon stops at it, and it costs more;
* at most two FlyingDemons per plan;
* spawn times are limited, and battles are capped at fewer ticks.
"""

from __future__ import annotations

import dataclasses

from games.tower_defense.catalogue import DEMONS as V1_DEMONS
from games.tower_defense.catalogue import HUMANS as V1_HUMANS
from games.tower_defense.catalogue import DemonSpec, HumanSpec
from games.tower_defense.ruleset import V1_RULES, TDRules

#: Name of the ruleset.
RULESET = "v2"
#: LinearExplosion's v2 cost (v1: 200): as a mine it is both a 50-HP blocker and a sure area hit.
MINE_COST = 250
#: The capped unit and its default cap (a parameter: ``flying_cap``).
FLYING = "FlyingDemon"

_MINE_TEXT = (
    "A mine: it stands in its cell like a blocker, and its fuse starts the first time a walking demon stops "
    "at it (a FlyingDemon, or a BouncingDemon jumping over it, does not start it). When the fuse ends it "
    "deals its damage to every demon (except FlyingDemon) in its own row AND in the row above it (y - 1), "
    "across the whole board; then it disappears. A mine no demon touched never explodes; one destroyed "
    "before its fuse ends never explodes."
)

# fmt: off
HUMANS: dict[str, HumanSpec] = {
    name: dataclasses.replace(spec, cost=MINE_COST, text=_MINE_TEXT) if name == "LinearExplosion" else spec
    for name, spec in V1_HUMANS.items()
}
# fmt: on
DEMONS: dict[str, DemonSpec] = dict(V1_DEMONS)


def v2_rules(lives: int, flying_cap: int, max_spawn_time: int) -> TDRules:
    """The engine rules of ruleset v2 for the given parameter values."""
    return dataclasses.replace(
        V1_RULES,
        ruleset=RULESET,
        humans=HUMANS,
        demons=DEMONS,
        lives=lives,
        unit_caps={FLYING: flying_cap},
        max_spawn_time=max_spawn_time,
        mines=True,
    )
