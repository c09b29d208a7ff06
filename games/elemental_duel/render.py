"""The elemental duel plan picture: both teams' fighters, in duel order, each with its element and skills.

A fighter is a box coloured by its element, headed by its position and element, listing its skills with
their costs. A skill the catalogue does not know is shown with ``?`` as its cost, one of another element
with ``!`` after the cost (the validator drops both); an element that is not one of the side's is a grey
box headed ``?``. Unused positions up to ``max_characters`` are dashed outlines. Never raises; see
:meth:`games.core.game.Game.render_svg`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from games.core.svg import UNKNOWN, UNKNOWN_FILL, SideInfo, Svg, entries, field, rect_path, show
from games.elemental_duel.catalogue import SkillSpec

#: Fighter box width, the gap between boxes, the height of its head and of one skill line.
BOX_W, GAP, HEAD, LINE = 132, 4, 14, 11
#: Fill per element.
ELEMENT_FILL = {
    "Fire": "#fb8072",
    "Water": "#80b1d3",
    "Dark": "#bc80bd",
    "Wood": "#b3de69",
    "Earth": "#e5c494",
    "Light": "#ffffb3",
}
#: Characters of one skill line.
SKILL_CHARS = 26

RULES: tuple[tuple[str, str], ...] = (
    (".c", "stroke:#777"),
    (".f", "fill:none;stroke:#bbb;stroke-dasharray:3"),
    (".n", "fill:#555"),
)


def _box_h(max_skills: int) -> int:
    return HEAD + max(1, max_skills) * LINE + 4


def size(max_characters: int, max_skills: int) -> tuple[int, int]:
    """The canvas ``(width, height)`` for the team and skill-list limits."""
    return max(300, 4 + max_characters * (BOX_W + GAP)), 2 * (12 + _box_h(max_skills) + 6) + 2


def _skill_line(skill: Any, element: str | None, catalogue: Mapping[str, SkillSpec]) -> str:
    """``"name cost"``; ``?`` for an unknown skill, ``!`` for one of another element."""
    if not isinstance(skill, str):
        return f"{UNKNOWN} ?"
    key = skill.strip().lower().replace(" ", "_").replace("-", "_")
    spec = catalogue.get(key)
    if spec is None:
        return f"{skill} ?"
    return f"{key} {spec.cost}" + ("" if spec.element == element else " !")


def render(
    plan_a: Any,
    plan_b: Any,
    infos: tuple[SideInfo, SideInfo],
    *,
    elements: tuple[Sequence[str], Sequence[str]],
    skills: Mapping[str, SkillSpec],
    max_characters: int,
    max_skills: int,
) -> str:
    """The SVG picture of a Defenders plan ``plan_a`` against an Invaders plan ``plan_b``.

    Args:
        plan_a: Side A's plan (any JSON value; fighters under its plan key, e.g. ``defenders``).
        plan_b: Side B's plan likewise (``invaders``).
        infos: Both sides' captions (label, cost, budget).
        elements: The elements side A and side B may field.
        skills: The ruleset's skill catalogue by key.
        max_characters: Most fighters a team holds (positions drawn).
        max_skills: Most skills one fighter lists (lines drawn).
    """
    width, height = size(max_characters, max_skills)
    box_h = _box_h(max_skills)
    room = max(1, max_skills)
    band = 12 + box_h + 6
    svg = Svg(width, height, "sg-ed", RULES)
    paths: dict[str, list[str]] = {}
    texts: list[tuple[int, int, str, str | None]] = []
    for b, (info, plan, allowed) in enumerate(zip(infos, (plan_a, plan_b), elements, strict=True)):
        top = b * band
        svg.text(4, top + 10, info.caption(), "h o" if info.over else "h", limit=30)
        team = entries(plan, info.plan_key)
        if len(team) > max_characters:
            svg.text(width - 4, top + 10, f"+{len(team) - max_characters} beyond {max_characters}", "e n")
        for pos in range(max_characters):
            x, y = 4 + pos * (BOX_W + GAP), top + 14
            if pos >= len(team):
                paths.setdefault("f", []).append(rect_path(x, y, BOX_W, box_h))
                continue
            e = team[pos]
            raw = field(e, "element")
            element = raw if isinstance(raw, str) and raw in allowed else None
            fill = ELEMENT_FILL.get(element, UNKNOWN_FILL) if element else UNKNOWN_FILL
            paths.setdefault(fill, []).append(rect_path(x, y, BOX_W, box_h))
            head = element or (f"{UNKNOWN} {raw}" if isinstance(raw, str) else UNKNOWN)
            texts.append((x + 4, y + 11, f"#{pos + 1} {head}", "h"))
            listed = field(e, "skills")
            if isinstance(listed, list):
                lines = [_skill_line(s, element, skills) for s in listed]
            else:
                lines = [f"skills: {show(listed)}"]
            if len(lines) > room:
                lines = [*lines[: room - 1], f"+{len(lines) - room + 1} more"]
            for i, line in enumerate(lines):
                texts.append((x + 4, y + HEAD + 8 + i * LINE, line, None))
    for key, parts in paths.items():
        svg.path("".join(parts), "c" if key.startswith("#") else key, key if key.startswith("#") else None)
    for x, y, text, cls in texts:
        svg.text(x, y, text, cls, limit=SKILL_CHARS)
    return svg.render()
