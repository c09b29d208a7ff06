"""Strict validation of any JSON value as one side's elemental duel plan (ruleset policy item 2).

A character whose element is valid is kept with its valid skills only (each bad skill is a violation and is
dropped); a character with a bad or missing element, or with a missing/ill-typed skill list, is dropped.
Entries beyond ``max_characters`` and skills beyond ``max_skills`` are dropped with a violation each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from games.core.types import ValidatedPlan, Violation, json_type_name
from games.elemental_duel.catalogue import ALL_ELEMENTS, SKILLS, SkillSpec

_MISSING = object()


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def validate_plan(
    obj: Any,
    *,
    side: Any,
    role: str,
    plan_key: str,
    other_key: str,
    elements: tuple[str, ...],
    max_characters: int,
    max_skills: int,
    skills_catalogue: Mapping[str, SkillSpec] = SKILLS,
) -> ValidatedPlan:
    """Validate ``obj`` as the plan of one side; never raises.

    Args:
        obj: Any JSON value.
        side: The side key (``"A"``/``"B"``) recorded in the result.
        role: ``defender`` or ``invader`` (for messages).
        plan_key: The key the plan must be under.
        other_key: The other side's plan key (for a helpful message).
        elements: The elements this side may field.
        max_characters: Most characters allowed.
        max_skills: Most skills per character.
        skills_catalogue: The ruleset's skills by key (v1's by default).
    """
    violations: list[Violation] = []
    empty: dict[str, Any] = {plan_key: []}
    if not isinstance(obj, dict):
        msg = f'the plan must be a JSON object {{"{plan_key}": [...]}}, got {json_type_name(obj)}'
        return ValidatedPlan(side, empty, 0, (Violation("not_an_object", msg),))
    if plan_key not in obj:
        msg = f'the plan has no "{plan_key}" key'
        if other_key in obj:
            msg += f' ("{other_key}" is the other side\'s key; you play the {role}s)'
        return ValidatedPlan(side, empty, 0, (Violation("missing_plan_key", msg),))
    entries = obj[plan_key]
    if not isinstance(entries, list):
        msg = f'"{plan_key}" must be a list of characters, got {json_type_name(entries)}'
        return ValidatedPlan(side, empty, 0, (Violation("not_a_list", msg),))
    allowed = ", ".join(elements)
    kept: list[dict[str, Any]] = []
    cost = 0
    for i, entry in enumerate(entries):
        if i >= max_characters:
            violations.append(
                Violation("too_many_entries", f"at most {max_characters} characters are allowed; dropped", i)
            )
            continue
        if not isinstance(entry, dict):
            msg = 'each character must be an object {"element": ..., "skills": [...]}'
            msg += f", got {json_type_name(entry)}"
            violations.append(Violation("entry_not_object", msg, i))
            continue
        element = entry.get("element", _MISSING)
        element_ok = False
        if element is _MISSING:
            violations.append(
                Violation("missing_field", f'missing "element" (one of {allowed})', i, "element")
            )
        elif not isinstance(element, str):
            msg = f'"element" must be a string (one of {allowed}), got {json_type_name(element)}'
            violations.append(Violation("bad_type", msg, i, "element"))
        elif element not in elements:
            hint = ""
            matches = [e for e in elements if e.lower() == element.strip().lower()]
            if matches:
                hint = f' (write exactly "{matches[0]}")'
            elif element in ALL_ELEMENTS:
                hint = f" ({element} is an element of the other side)"
            msg = f"element {element!r} is not one of {allowed}{hint}; character dropped"
            violations.append(Violation("bad_element", msg, i, "element"))
        else:
            element_ok = True
        skills = entry.get("skills", _MISSING)
        good: list[str] = []
        skills_ok = False
        if skills is _MISSING:
            violations.append(
                Violation("missing_field", 'missing "skills" (a list of skill keys)', i, "skills")
            )
        elif not isinstance(skills, list):
            msg = f'"skills" must be a list of skill keys, got {json_type_name(skills)}'
            violations.append(Violation("bad_type", msg, i, "skills"))
        else:
            skills_ok = True
            for j, skill in enumerate(skills):
                el = element if element_ok else None
                problem = _skill_problem(skill, j, el, elements, max_skills, skills_catalogue)
                if problem is None:
                    good.append(skill)
                else:
                    code, msg = problem
                    violations.append(Violation(code, msg, i, f"skills[{j}]"))
        if element_ok and skills_ok:
            kept.append({"element": element, "skills": good})
            cost += sum(skills_catalogue[s].cost for s in good)
    return ValidatedPlan(side, {plan_key: kept}, cost, tuple(violations))


def _skill_problem(
    skill: Any,
    j: int,
    element: str | None,
    elements: tuple[str, ...],
    max_skills: int,
    catalogue: Mapping[str, SkillSpec],
) -> tuple[str, str] | None:
    """The (code, message) of what is wrong with one skill entry, or None if it is valid."""
    if j >= max_skills:
        return "too_many_skills", f"at most {max_skills} skills per character are allowed; dropped"
    if not isinstance(skill, str):
        return "bad_type", f"a skill must be a string key, got {json_type_name(skill)}"
    spec = catalogue.get(skill)
    if spec is None:
        guess = catalogue.get(_normalise(skill))
        hint = f' (write the exact key "{guess.key}")' if guess is not None else ""
        return "unknown_skill", f"{skill!r} is not a skill key{hint}; dropped"
    if element is not None and spec.element != element:
        return (
            "skill_wrong_element",
            f"{skill} is a {spec.element} skill, not usable by a {element} character",
        )
    if element is None and spec.element not in elements:
        return "skill_wrong_element", f"{skill} is a {spec.element} skill, an element of the other side"
    return None
