"""Catalogue object, rules text, example plans and plan schema, all generated from the catalogue and params.

Every number in :func:`rules_text` is taken from the object :func:`catalogue_dict` returns (a test checks
this), so what a model reads cannot drift from what the engine does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from games.elemental_duel import catalogue as cat
from games.elemental_duel.params import DuelParams

#: Spec §4.2 example plans.
EXAMPLE_PLANS: dict[str, list[dict[str, Any]]] = {
    "invader": [
        {"element": "Fire", "skills": ["flame_splash", "residual_warmth", "burst_flame_bomb"]},
        {"element": "Dark", "skills": ["shadow_claw", "soul_siphon", "night_ambush"]},
        {"element": "Water", "skills": ["stream_pierce", "whirlpool_strangle", "ice_branded"]},
    ],
    "defender": [
        {"element": "Wood", "skills": ["bud_healing", "parasitic_seed", "life_totem"]},
        {"element": "Earth", "skills": ["rock_armor", "earth_shock", "granite_barrier"]},
        {"element": "Light", "skills": ["holy_glimmer", "faith_emblem", "divine_link"]},
    ],
}

#: HP at or below which a character is down.
DOWN_HP = 0


def fmt(x: float) -> str:
    """A number as the catalogue holds it (``40`` not ``40.0``; ``0.45``)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def side_info(role: str, params: Any) -> dict[str, Any]:
    """Key, role, label, plan key, budget and elements of ``role``'s side."""
    budget = params.defenders_budget if role == "defender" else params.invaders_budget
    return {
        "key": "A" if role == "defender" else "B",
        "role": role,
        "label": "Defenders" if role == "defender" else "Invaders",
        "plan_key": role + "s",
        "budget": budget,
        "elements": list(cat.DEFENDER_ELEMENTS if role == "defender" else cat.INVADER_ELEMENTS),
    }


def skills_of(
    elements: list[str], skill_list: Sequence[cat.SkillSpec] = cat.SKILL_LIST
) -> dict[str, list[dict[str, Any]]]:
    """The skills of ``elements`` as catalogue entries (key, cost, effect text, numbers), by element."""
    return {
        el: [
            {"key": s.key, "cost": s.cost, "effect": s.describe(), "numbers": dict(s.numbers)}
            for s in skill_list
            if s.element == el
        ]
        for el in elements
    }


def catalogue_dict(role: str, params: DuelParams) -> dict[str, Any]:
    """The structured catalogue for a model playing ``role`` (``defender`` / ``invader``)."""
    me = side_info(role, params)
    other = side_info("invader" if role == "defender" else "defender", params)
    return {
        "game": "elemental_duel",
        "side": me,
        "opponent": other,
        "limits": {"max_characters": params.max_characters, "max_skills": params.max_skills},
        "constants": {
            "start_hp": params.start_hp,
            "duel_action_cap": params.duel_action_cap,
            "max_duels": params.max_duels,
            "hp_cap": cat.HP_CAP,
            "min_damage": cat.MIN_DAMAGE,
            "down_hp": DOWN_HP,
            "neutral_multiplier": cat.NEUTRAL_MULTIPLIER,
            "reductions": dict(cat.REDUCTIONS),
        },
        "multipliers": {a: dict(row) for a, row in cat.MULTIPLIERS.items()},
        "skills": skills_of(me["elements"]),
        "opponent_skills": skills_of(other["elements"]),
    }


def example_plan(role: str) -> dict[str, Any]:
    """The spec's example plan for ``role``."""
    return {role + "s": [{"element": e["element"], "skills": list(e["skills"])} for e in EXAMPLE_PLANS[role]]}


def plan_schema(
    role: str, params: Any, by_element: Mapping[str, tuple[str, ...]] = cat.SKILLS_BY_ELEMENT
) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a valid plan for ``role`` (skills of the ruleset's ``by_element``)."""
    elements = cat.DEFENDER_ELEMENTS if role == "defender" else cat.INVADER_ELEMENTS
    character = {
        "oneOf": [
            {
                "type": "object",
                "required": ["element", "skills"],
                "properties": {
                    "element": {"const": el},
                    "skills": {
                        "type": "array",
                        "maxItems": params.max_skills,
                        "items": {"enum": list(by_element[el])},
                    },
                },
            }
            for el in elements
        ]
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"elemental_duel {role}s plan",
        "type": "object",
        "required": [role + "s"],
        "properties": {role + "s": {"type": "array", "maxItems": params.max_characters, "items": character}},
    }


def skill_lines(skills: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The rules-text lines listing ``skills`` (as :func:`skills_of` gives them) by element."""
    lines: list[str] = []
    for el, items in skills.items():
        lines.append(f"{el}:")
        lines += [f"  - {s['key']} (cost {s['cost']}): {s['effect']}" for s in items]
    return lines


def rules_text(role: str, params: DuelParams) -> str:
    """The complete rules as the engine behaves, for a model playing ``role``."""
    c = catalogue_dict(role, params)
    k = c["constants"]
    red = k["reductions"]
    skill_rule = SKILL_RULE.format(empty="just passes its turns")
    middle = [
        "HOW A BATTLE RUNS",
        f"- Every character starts with {k['start_hp']} HP. Nothing is random.",
        "- The teams fight a chain of one-on-one duels in plan order: the first invader duels the first "
        "defender; the loser is removed, and the winner stays at the front of its team for the next duel, "
        "keeping its HP, its statuses and its place in its skill cycle.",
        "- In every duel the invader acts first, then the two alternate.",
        "- On each of its turns a character uses the next skill of its list, strictly round-robin in the "
        "listed order (after the last skill it starts again from the first); the position carries over "
        "from one duel to the next. The target is always the current opponent.",
        AFTER_ACTION,
        f"- A duel ends right after the first action that leaves either duellist at {k['down_hp']} HP or "
        f"less. The invader wins the duel only if its HP is above {k['down_hp']}; otherwise the defender "
        f"wins, even at {k['down_hp']} HP or less (such a defender then loses its next duel before acting).",
        "- The Invaders win if any invader is left when the duels stop; the Defenders win when every "
        f"invader is gone. A duel still undecided after {k['duel_action_cap']} actions stops the whole "
        f"battle with no winner. The battle also stops after {k['max_duels']} duels.",
        "",
        "DAMAGE AND STATUSES",
        damage_line(k["min_damage"], red),
        f"- Heals are not limited by the starting HP (only capped at {k['hp_cap']} where stated).",
        STATUS_LINE,
    ]
    return compose_rules(c, example_plan(role), skill_rule, middle)


#: The plan-format bullet about skill keys; ``{empty}`` says what a character without skills does.
SKILL_RULE = (
    "- Skills are the exact snake_case keys listed under the character's own element below; no other "
    "spelling is accepted. A skill may be listed more than once (each listing costs again). An empty "
    "skill list is allowed: that character {empty}."
)
#: The after-action steps (reflect, seeds, Faith Emblem), as the rules text states them.
AFTER_ACTION = (
    "- After every action (every skill, also pure self-buffs, even if the target just dropped): first "
    "the actor loses r HP for each Reflective Shield or Rock Armor (amount r) the target carries; then "
    "the actor loses c HP for each Parasitic Seed (amount c) it carries itself; then every Faith Emblem "
    "and Divine Link on the target is removed."
)
#: How statuses behave, as the rules text states it.
STATUS_LINE = (
    "- Statuses never expire, never tick and never deal damage over time; they stay on a character "
    "across duels, and applying one again adds another instance (stacking). A status described as "
    "inert does nothing except where another skill looks for it."
)


def damage_line(min_damage: float, red: dict[str, float]) -> str:
    """The rules-text bullet defining D(P) with the reductions ``red`` (status name -> amount)."""
    return (
        f"- D(P) = trunc(P x m) - R, but at least {min_damage}: m is the elemental multiplier below, R "
        "the sum of the target's damage reductions (per instance: Fear Whisper "
        f"{fmt(red[cat.FEAR_WHISPER])}, "
        f"Granite Barrier {fmt(red[cat.GRANITE_BARRIER])}, Faith Emblem {fmt(red[cat.FAITH_EMBLEM])}, "
        f"Luminous Dispel {fmt(red[cat.LUMINOUS_DISPEL])}, Angelic Sanctuary "
        f'{fmt(red[cat.ANGELIC_SANCTUARY])}). "Deal D(P)" means the target loses D(P) HP. HP can become '
        "fractional."
    )


def compose_rules(
    c: dict[str, Any], ex: dict[str, Any], skill_rule: str, middle: list[str], title: str = "ELEMENTAL DUEL"
) -> str:
    """Assemble a rules text: header and plan format, the ruleset's ``middle`` sections, then tables.

    Args:
        c: The catalogue object (:func:`catalogue_dict` or a later ruleset's).
        ex: The example plan.
        skill_rule: The plan-format bullet about skill keys and lists.
        middle: The battle and damage sections (lines).
        title: The first words of the text.
    """
    me, other, k = c["side"], c["opponent"], c["constants"]
    lim = c["limits"]
    own_els = ", ".join(me["elements"])
    lines = [
        f'{title}. You play the {me["label"]} (your plan key is "{me["plan_key"]}"); '
        f"the opponent plays the {other['label']}.",
        f"Your budget is {me['budget']} skill points; the {other['label']} have {other['budget']}.",
        "",
        "PLAN FORMAT",
        f'Answer with one JSON object {{"{me["plan_key"]}": [ {{"element": ..., "skills": [...]}}, ... ]}}.',
        f"- At most {lim['max_characters']} characters, in fighting order. Each has an element, exactly "
        f"one of {own_els} (exact case), and a list of at most {lim['max_skills']} skills.",
        skill_rule,
        f"- Plan cost = the sum of the costs of every listed skill; it must not exceed your budget of "
        f"{me['budget']}.",
        "- A character with an invalid element is dropped; an invalid skill is dropped from its character.",
        "",
        *middle,
        "",
        "ELEMENTAL MULTIPLIERS m (attacker -> target; every pair not listed is "
        f"{fmt(k['neutral_multiplier'])}):",
    ]
    for a, row in c["multipliers"].items():
        special = [f"{t} {fmt(m)}" for t, m in row.items() if m != k["neutral_multiplier"]]
        if special:
            lines.append(f"  {a} -> " + ", ".join(special))
    lines += ["", f"YOUR SKILLS ({me['label']}; by element, with cost):", *skill_lines(c["skills"])]
    lines += ["", f"OPPONENT SKILLS ({other['label']}):", *skill_lines(c["opponent_skills"])]
    lines += ["", "EXAMPLE PLAN (valid):", json.dumps(ex)]
    return "\n".join(lines)
