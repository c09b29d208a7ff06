"""Rules text, example plans and JSON Schema, generated from the catalogue and the engine constants.

Every number in the rules text is formatted from :mod:`games.battle_card.catalogue` or the parameters, so
the text describes exactly what :mod:`games.battle_card.engine` does (ruleset policy item 1). The prose
deliberately spells out small counts ("twice", "zero") so that no stray digit appears.
"""

from __future__ import annotations

import json
from typing import Any

from games.battle_card.catalogue import (
    DEFENDER,
    GOLD_COST_MULTIPLIER,
    GOLD_STAT_MULTIPLIER,
    INVADER,
    TIERS,
    V1,
    Catalogue,
    UnitSpec,
    ability_text,
)
from games.core.types import Side

#: The spec's example plans (§3.2), including the priority key v1 ignores.
EXAMPLE_PLANS: dict[str, dict[str, Any]] = {
    "defender": {
        "defenders": [{"name": "RockBeetle", "tier": "Bronze"}],
        "target_priority_for_defenders": ["FireLizard"],
    },
    "invader": {
        "invaders": [{"name": "FireLizard", "tier": "Bronze"}],
        "target_priority_for_invaders": ["RockBeetle"],
    },
}


def priority_key(side: Side) -> str:
    """The ignored ``target_priority_for_<plan_key>`` key of ``side``."""
    return f"target_priority_for_{side.plan_key}"


def _unit_line(spec: UnitSpec, max_units: int, with_cost: bool) -> str:
    g = GOLD_STAT_MULTIPLIER
    cost = f"cost {spec.cost} (Gold {spec.cost * GOLD_COST_MULTIPLIER}), " if with_cost else ""
    gold = f", Gold {spec.attack * g}/{spec.health * g}" if spec.has_gold else ""
    return (
        f"- {spec.name}: {cost}element {spec.element}, Bronze {spec.attack}/{spec.health}{gold} "
        f"(attack/health). {ability_text(spec, max_units)}"
    )


#: How attacks pick targets, without Taunt (v1) and with it.
_TARGETING = {
    False: (
        "its current leftmost minion attacks the first side's current leftmost minion.",
        "- Every attack targets the enemy's leftmost minion. There is no Taunt, no target priority and no "
        "elemental damage bonus; elements matter only for ForestSeer.",
    ),
    True: (
        "its current leftmost minion attacks the first side's line.",
        "- Every attack targets the enemy's leftmost minion with Taunt; if the enemy has no Taunt minion "
        "left, it targets the enemy's leftmost minion. There is no target priority and no elemental damage "
        "bonus; elements matter only for ForestSeer.",
    ),
}


def rules_text(side: Side, opponent: Side, max_units: int, cat: Catalogue = V1) -> str:
    """The complete rules of ruleset ``cat`` (v1 by default) for a model playing ``side``."""
    own = cat.roster(side.name)
    opp = cat.roster(opponent.name)
    answer, targeting = _TARGETING[cat.taunt]
    title = "BATTLE CARD." if cat is V1 else f"BATTLE CARD (ruleset {cat.ruleset})."
    example = json.dumps({side.plan_key: [{"name": next(iter(own)), "tier": "Bronze"}]})
    d_label = side.label if side.name == "defender" else opponent.label
    i_label = opponent.label if side.name == "defender" else side.label
    lines = [
        f'{title} You play the {side.label} (plan key "{side.plan_key}"); your opponent plays the '
        f"{opponent.label}.",
        "",
        "GOAL AND BUDGET",
        f"Buy a line of minions. Your budget is {side.budget} (the opponent's is {opponent.budget}). "
        "The battle is fully automatic. A side wins when the enemy line is empty; if both lines become "
        f"empty at the same time, the {i_label} win. Stay within your budget: a plan that costs more can "
        "lose the round whatever happens in the battle.",
        "",
        "PLAN FORMAT",
        f"Answer with one JSON object, for example {example}",
        f'- "{side.plan_key}": a list of at most {max_units} entries; the list order is your line order, '
        "leftmost first.",
        '- "name": exactly as written in YOUR catalogue below (case-sensitive); only your own side\'s '
        "minions. Tokens cannot be bought.",
        f'- "tier": "{TIERS[0]}" (the default when omitted) or "{TIERS[1]}". A Gold minion costs '
        f"{GOLD_COST_MULTIPLIER} times the base cost and starts with {GOLD_STAT_MULTIPLIER} times the attack "
        "and health; ability numbers change only where the catalogue gives a Gold value.",
        "- Cost of a plan = the sum of its entries' costs. An entry with an unknown name, a bad tier or "
        "beyond the entry limit is a violation and is not fielded.",
        f'- A "{priority_key(side)}" key is accepted but has no effect (targets are fixed, see below).',
        "",
        "SET-UP",
        "- If a line is empty there is no battle: the Invaders win if the Defender line is empty (also "
        "when both are), otherwise the Defenders win.",
        "- Start-of-battle abilities take effect (see the catalogue).",
        f"- Initiative: the {i_label} go first if their line has at least as many minions as the {d_label}' "
        f"line; otherwise the {d_label} go first.",
        "",
        "BATTLE",
        "- The battle runs in rounds. At the start of a round the first side's line is noted; each of those "
        "minions, left to right, makes one attack (minions that died meanwhile are skipped; minions summoned "
        "during the round join from the next round). After each such attack, the other side answers: "
        + answer
        + " The answering minion is always the leftmost one, it does not rotate.",
        targeting,
        "- An attack, in this order: growth abilities of the attacker; the attacker takes its burn as "
        "damage if it burns; the normal hit (target takes damage equal to the attacker's attack); the "
        "attacker's on-attack ability; counter-damage (the attacker takes damage equal to the target's "
        "current attack, even if the target died). Then every minion with zero or less health is removed "
        "(Invaders first, order of survivors kept) and deathrattles that summon take effect (Invaders' "
        "first). Tokens are added to the end of a line.",
        "- Damage: Divine Shield absorbs one whole hit (no health loss) and is then lost. Otherwise health "
        "drops by the damage; a minion at zero or less health dies unless an ability saves it. A minion "
        "that dies in an attack still finishes that attack (it is removed afterwards).",
        "- The battle ends as soon as a line is empty.",
        "",
        f"YOUR CATALOGUE ({side.label})",
        *[_unit_line(s, max_units, True) for s in own.values()],
        "",
        f"OPPONENT CATALOGUE ({opponent.label})",
        *[_unit_line(s, max_units, True) for s in opp.values()],
        "",
        "TOKENS (summoned by abilities, never bought)",
        *[_unit_line(s, max_units, False) for s in cat.tokens.values()],
        "- RockBeetle: summoned by StoneWarrior with its tier; same as the RockBeetle above.",
    ]
    return "\n".join(lines)


def plan_schema(side: Side, max_units: int, cat: Catalogue = V1) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a valid plan for ``side``."""
    names = list(cat.roster(side.name))
    other = list(cat.roster(INVADER if side.name == DEFENDER else DEFENDER))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Battle card plan ({side.label})",
        "type": "object",
        "required": [side.plan_key],
        "properties": {
            side.plan_key: {
                "type": "array",
                "maxItems": max_units,
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"enum": names},
                        "tier": {"enum": list(TIERS)},
                    },
                    "additionalProperties": False,
                },
            },
            priority_key(side): {
                "description": "Accepted and ignored (no targeting by priority).",
                "type": "array",
                "items": {"enum": other},
            },
        },
    }
