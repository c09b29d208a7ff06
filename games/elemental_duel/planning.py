"""Plan generators for the bots: random, greedy (fixed heuristic) and mutation (for the search bot).

Plans here are lists of canonical entries ``{"element": ..., "skills": [...]}``; the game wraps them under
the side's plan key. Everything random draws only from the ``rng`` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from games.elemental_duel.catalogue import SKILLS, SKILLS_BY_ELEMENT, SkillSpec

Entry = dict[str, Any]
Skills = Mapping[str, SkillSpec]
ByElement = Mapping[str, tuple[str, ...]]


def plan_cost(entries: list[Entry], catalogue: Skills = SKILLS) -> int:
    """Catalogue cost of a list of canonical entries (``catalogue``: the ruleset's skills)."""
    return sum(catalogue[s].cost for e in entries for s in e["skills"])


def _random_skills(
    element: str, count: int, budget: int, rng: random.Random, cat: Skills, by_el: ByElement
) -> list[str]:
    """Up to ``count`` random skills of ``element`` whose total cost stays within ``budget``."""
    skills: list[str] = []
    for _ in range(count):
        options = [s for s in by_el[element] if cat[s].cost <= budget]
        if not options:
            break
        pick = rng.choice(options)
        skills.append(pick)
        budget -= cat[pick].cost
    return skills


def random_entries(
    elements: tuple[str, ...],
    budget: int,
    max_characters: int,
    max_skills: int,
    rng: random.Random,
    cat: Skills = SKILLS,
    by_el: ByElement = SKILLS_BY_ELEMENT,
) -> list[Entry]:
    """1 to ``max_characters`` characters of random elements, 1 to ``max_skills`` skills each, within budget.

    A character for which not even one skill is affordable is left out, so a tiny budget gives fewer
    characters (and a zero budget the empty plan). ``cat`` / ``by_el`` are the ruleset's skills and their
    keys by element (v1's by default).
    """
    entries: list[Entry] = []
    if max_characters < 1 or max_skills < 1:
        return entries
    left = budget
    for _ in range(rng.randint(1, max_characters)):
        element = rng.choice(elements)
        skills = _random_skills(element, rng.randint(1, max_skills), left, rng, cat, by_el)
        if not skills:
            continue
        left -= sum(cat[s].cost for s in skills)
        entries.append({"element": element, "skills": skills})
    return entries


def mutate_entries(
    entries: list[Entry],
    elements: tuple[str, ...],
    budget: int,
    max_characters: int,
    max_skills: int,
    rng: random.Random,
    tries: int = 20,
    cat: Skills = SKILLS,
    by_el: ByElement = SKILLS_BY_ELEMENT,
) -> list[Entry]:
    """A small random change of a valid plan that stays valid and within budget.

    Tries up to ``tries`` random edits (replace, add, drop or reorder a skill; change an element; add, drop
    or swap a character) and falls back to a fresh random plan if none fits the budget. ``cat`` /
    ``by_el`` as in :func:`random_entries`.
    """
    for _ in range(tries):
        new = [{"element": e["element"], "skills": list(e["skills"])} for e in entries]
        if not _edit(new, elements, budget, max_characters, max_skills, rng, cat, by_el):
            continue
        if new != entries and plan_cost(new, cat) <= budget:
            return new
    return random_entries(elements, budget, max_characters, max_skills, rng, cat, by_el)


def _edit(
    plan: list[Entry],
    elements: tuple[str, ...],
    budget: int,
    max_characters: int,
    max_skills: int,
    rng: random.Random,
    cat: Skills,
    by_el: ByElement,
) -> bool:
    """Apply one random edit to ``plan`` in place; False if the drawn edit does not apply."""
    op = rng.randrange(8)
    if op == 6 or not plan:  # add a character
        if len(plan) >= max_characters or max_skills < 1:
            return False
        element = rng.choice(elements)
        skills = _random_skills(
            element, rng.randint(1, max_skills), budget - plan_cost(plan, cat), rng, cat, by_el
        )
        if not skills:
            return False
        plan.insert(rng.randint(0, len(plan)), {"element": element, "skills": skills})
        return True
    char = rng.choice(plan)
    skills = char["skills"]
    pool = by_el[char["element"]]
    if op == 0 and skills:  # replace a skill
        skills[rng.randrange(len(skills))] = rng.choice(pool)
    elif op == 1 and len(skills) < max_skills:  # add a skill
        skills.insert(rng.randint(0, len(skills)), rng.choice(pool))
    elif op == 2 and len(skills) > 1:  # drop a skill
        del skills[rng.randrange(len(skills))]
    elif op == 3 and len(skills) > 1:  # reorder the skill cycle
        rng.shuffle(skills)
    elif op == 4:  # change the element (and redraw skills of the new element)
        char["element"] = rng.choice(elements)
        rest = budget - plan_cost(plan, cat) + sum(cat[s].cost for s in skills)
        count = min(max(len(skills), 1), max_skills)
        char["skills"] = _random_skills(char["element"], count, rest, rng, cat, by_el)
    elif op == 5 and len(plan) > 1:  # drop a character
        plan.remove(char)
    elif op == 7 and len(plan) > 1:  # swap two characters
        i, j = rng.sample(range(len(plan)), 2)
        plan[i], plan[j] = plan[j], plan[i]
    else:
        return False
    return True
