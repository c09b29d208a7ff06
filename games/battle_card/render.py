"""The battle card plan picture: both line-ups as rows of cards, leftmost first (the order they fight in).

Each card shows the minion's name, its tier with the attack/health that tier gives, its position and cost,
and its keywords (Taunt, Divine Shield). Gold cards are gold, Bronze ones bronze; a card whose name or tier
is not in the side's catalogue is grey with ``?`` for what cannot be known. Unused positions up to
``max_units`` are dashed outlines. Never raises; see :meth:`games.core.game.Game.render_svg`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from games.battle_card.catalogue import GOLD_STAT_MULTIPLIER, TIERS, UnitSpec, unit_cost
from games.core.svg import UNKNOWN, SideInfo, Svg, entries, field, rect_path, show

#: Card size and the gap between cards.
CARD_W, CARD_H, GAP = 84, 40, 4
#: Height of one side's band: caption line plus its row of cards.
BAND = 12 + CARD_H + 8
#: Fill per tier (anything else: grey).
TIER_FILL = {"Gold": "#ffe08a", "Bronze": "#e8c39e"}
#: Characters of a card's name line.
NAME_CHARS = 16

RULES: tuple[tuple[str, str], ...] = (
    (".c", "stroke:#777"),
    (".x", "fill:#ccc;stroke:#777"),
    (".f", "fill:none;stroke:#bbb;stroke-dasharray:3"),
    (".n", "fill:#666"),
)


def size(max_units: int) -> tuple[int, int]:
    """The canvas ``(width, height)`` for ``max_units`` cards per line-up."""
    return max(300, 4 + max_units * (CARD_W + GAP)), 2 * BAND + 2


def _card(spec: UnitSpec | None, name: Any, tier: Any, pos: int) -> tuple[str | None, list[str]]:
    """The fill (``None``: unknown) and three text lines of one card."""
    shown_name = show(name)
    if spec is None or tier not in TIERS or (tier == "Gold" and not spec.has_gold):
        stats = "?/?" if spec is None else f"{spec.attack}/{spec.health}"
        tier_text = show(tier) if isinstance(tier, str) else UNKNOWN
        return None, [shown_name, f"{tier_text[:8]} {stats}", f"#{pos}"]
    k = GOLD_STAT_MULTIPLIER if tier == "Gold" else 1
    keywords = [w for w, on in (("Taunt", spec.taunt), ("Shield", spec.divine_shield)) if on]
    line3 = " ".join([f"#{pos} cost {unit_cost(spec, tier)}", *keywords])
    return TIER_FILL[tier], [shown_name, f"{tier} {spec.attack * k}/{spec.health * k}", line3]


def render(
    plan_a: Any,
    plan_b: Any,
    infos: tuple[SideInfo, SideInfo],
    *,
    rosters: tuple[Mapping[str, UnitSpec], Mapping[str, UnitSpec]],
    max_units: int,
) -> str:
    """The SVG picture of a Defenders plan ``plan_a`` against an Invaders plan ``plan_b``.

    Args:
        plan_a: Side A's plan (any JSON value; cards under its plan key, e.g. ``defenders``).
        plan_b: Side B's plan likewise (``invaders``).
        infos: Both sides' captions (label, cost, budget).
        rosters: The buyable units of side A and of side B in the game's ruleset.
        max_units: Most cards a line-up holds (positions drawn).
    """
    width, height = size(max_units)
    svg = Svg(width, height, "sg-bc", RULES)
    paths: dict[str, list[str]] = {}
    texts: list[tuple[int, int, str, str | None, int]] = []
    for band, (info, plan, roster) in enumerate(zip(infos, (plan_a, plan_b), rosters, strict=True)):
        top = band * BAND
        svg.text(4, top + 10, info.caption(), "h o" if info.over else "h", limit=30)
        cards = entries(plan, info.plan_key)
        notes = []
        if len(cards) > max_units:
            notes.append(f"+{len(cards) - max_units} beyond {max_units}")
        priority = entries(plan, f"target_priority_for_{info.plan_key}")
        if priority:
            notes.append("priority: " + ", ".join(show(p) for p in priority[:8]))
        if notes:
            svg.text(width - 4, top + 10, "; ".join(notes), "e n", limit=60)
        for pos in range(max_units):
            x, y = 4 + pos * (CARD_W + GAP), top + 14
            if pos >= len(cards):
                paths.setdefault("f", []).append(rect_path(x, y, CARD_W, CARD_H))
                continue
            e = cards[pos]
            name = field(e, "name")
            spec = roster.get(name) if isinstance(name, str) else None
            fill, lines = _card(spec, name, field(e, "tier"), pos + 1)
            paths.setdefault(fill or "x", []).append(rect_path(x, y, CARD_W, CARD_H))
            texts.append((x + 4, y + 12, lines[0], "h", NAME_CHARS))
            texts.append((x + 4, y + 24, lines[1], None, NAME_CHARS))
            texts.append((x + 4, y + 35, lines[2], "n", NAME_CHARS))
    for key, parts in paths.items():
        if key.startswith("#"):
            svg.path("".join(parts), "c", key)
        else:
            svg.path("".join(parts), key)
    for x, y, text, cls, limit in texts:
        svg.text(x, y, text, cls, limit=limit)
    return svg.render()
