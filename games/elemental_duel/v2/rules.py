"""v2 catalogue object and rules text, generated from the v2 catalogue and params (as v1's are).

The plan format, the tables and the example plan are composed by v1's helpers; the battle and damage
sections are v2's own, because that is where the rules differ.
"""

from __future__ import annotations

from typing import Any

from games.elemental_duel import rules as v1rules
from games.elemental_duel.v2 import catalogue as cat
from games.elemental_duel.v2.engine import FIRST_MOVER_TEXT


def catalogue_dict(role: str, params: Any) -> dict[str, Any]:
    """The structured v2 catalogue for a model playing ``role`` (``defender`` / ``invader``)."""
    c = v1rules.catalogue_dict(role, params)
    k = c["constants"]
    del k["hp_cap"]
    k["reductions"] = dict(cat.REDUCTIONS)
    k["skill_slots"] = params.max_skills
    c["ruleset"] = "v2"
    c["multipliers"] = {a: dict(row) for a, row in cat.MULTIPLIERS.items()}
    c["skills"] = v1rules.skills_of(c["side"]["elements"], cat.SKILL_LIST)
    c["opponent_skills"] = v1rules.skills_of(c["opponent"]["elements"], cat.SKILL_LIST)
    return c


def rules_text(role: str, params: Any) -> str:
    """The complete v2 rules as the v2 engine behaves, for a model playing ``role``."""
    c = catalogue_dict(role, params)
    k = c["constants"]
    down = k["down_hp"]
    skill_rule = v1rules.SKILL_RULE.format(empty="rests on all its turns")
    middle = [
        "HOW A BATTLE RUNS",
        f"- Every character starts with {k['start_hp']} HP, which is also its max HP: heals never raise "
        "HP above it. Nothing is random.",
        "- The teams fight a chain of one-on-one duels in plan order: the first invader duels the first "
        "defender; the loser is removed, and the winner stays at the front of its team for the next duel, "
        "keeping its HP, its statuses and its place in its skill cycle.",
        f"- {FIRST_MOVER_TEXT}",
        f"- Every character has {k['skill_slots']} skill slots, filled by its skills in the listed order; "
        "slots left empty are rests. On each of its turns a character uses its next slot, strictly "
        "round-robin (after the last slot it starts again from the first); the position carries over from "
        "one duel to the next. A rest does nothing at all. The target is always the current opponent. So "
        f"a character listing one skill uses it once every {k['skill_slots']} turns.",
        "- After every skill a character uses (also pure self-buffs, even if the target just dropped; "
        "never after a rest): first the actor loses r HP for each Reflective Shield or Rock Armor (amount "
        "r) the target carries; then the actor loses c HP for each Parasitic Seed (amount c) it carries "
        "itself; then every Faith Emblem and Divine Link on the target is removed.",
        f"- A duel ends right after the first action that leaves either duellist at {down} HP or "
        f"less. The invader wins the duel only if its HP is above {down}; otherwise the defender "
        f"wins, even at {down} HP or less (such a defender then loses its next duel before acting).",
        "- The Invaders win if any invader is left when the duels stop; the Defenders win when every "
        f"invader is gone. A duel still undecided after {k['duel_action_cap']} turns stops the whole "
        f"battle with no winner. The battle also stops after {k['max_duels']} duels.",
        "",
        "DAMAGE AND STATUSES",
        v1rules.damage_line(k["min_damage"], k["reductions"]),
        v1rules.STATUS_LINE,
    ]
    title = "ELEMENTAL DUEL (ruleset v2)"
    return v1rules.compose_rules(c, v1rules.example_plan(role), skill_rule, middle, title)
