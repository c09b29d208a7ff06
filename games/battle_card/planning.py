"""Plans for the baseline bots: random, greedy (a fixed strong line-up), mutations, and the margin score."""

from __future__ import annotations

import random

from games.battle_card.catalogue import TIERS, V1, Catalogue, unit_cost
from games.core.types import BattleResult, SideKey

#: Fixed strong line-ups (found by simulating against many random plans at the default budget of 20).
#: Entries are dropped from the end, and Gold downgraded, until a smaller budget or unit cap fits.
GREEDY_LINEUPS: dict[str, list[tuple[str, str]]] = {
    "defender": [
        ("Paladin", "Bronze"),
        ("BlackRock", "Bronze"),
        ("EliteSoldier", "Bronze"),
        ("Sapling", "Bronze"),
        ("King", "Bronze"),
        ("BlackRock", "Bronze"),
        ("AncientTreant", "Bronze"),
    ],
    "invader": [
        ("Phoenix", "Bronze"),
        ("Phoenix", "Bronze"),
        ("MoltenHound", "Bronze"),
        ("FireLizard", "Bronze"),
        ("WaterElemental", "Gold"),
        ("ShadowOverlord", "Bronze"),
        ("PoisonFrog", "Bronze"),
    ],
}

Entry = dict[str, str]


def _cost(role: str, entries: list[Entry], cat: Catalogue) -> int:
    own = cat.roster(role)
    return sum(unit_cost(own[e["name"]], e["tier"]) for e in entries)


def random_entries(
    role: str, budget: int, max_units: int, rng: random.Random, cat: Catalogue = V1
) -> list[Entry]:
    """Between one and ``max_units`` random affordable minions (Gold about a quarter of the time)."""
    units = list(cat.roster(role).values())
    if max_units <= 0:
        return []
    n = rng.randint(1, max_units)
    left = budget
    entries: list[Entry] = []
    for _ in range(n):
        affordable = [u for u in units if u.cost <= left]
        if not affordable:
            break
        spec = rng.choice(affordable)
        tier = "Gold" if unit_cost(spec, "Gold") <= left and rng.random() < 0.25 else "Bronze"
        entries.append({"name": spec.name, "tier": tier})
        left -= unit_cost(spec, tier)
    return entries


def greedy_entries(
    role: str,
    budget: int,
    max_units: int,
    lineups: dict[str, list[tuple[str, str]]] = GREEDY_LINEUPS,
    cat: Catalogue = V1,
) -> list[Entry]:
    """The fixed line-up of ``role``, shrunk (last entries dropped, Gold downgraded) to fit the limits."""
    entries = [{"name": n, "tier": t} for n, t in lineups[role]][:max_units]
    while entries and _cost(role, entries, cat) > budget:
        gold = [i for i, e in enumerate(entries) if e["tier"] == "Gold"]
        if gold:
            entries[gold[-1]] = {"name": entries[gold[-1]]["name"], "tier": "Bronze"}
        else:
            entries.pop()
    return entries


def mutate_entries(
    role: str, entries: list[Entry], budget: int, max_units: int, rng: random.Random, cat: Catalogue = V1
) -> list[Entry]:
    """One small random change (replace, re-tier, insert, delete or swap) that stays within the limits.

    Falls back to an unchanged copy when no tried change fits (e.g. a budget too small for any unit).
    """
    names = list(cat.roster(role))
    for _ in range(20):
        new = [dict(e) for e in entries]
        op = rng.randrange(5)
        if op == 0 and new:
            i = rng.randrange(len(new))
            new[i]["name"] = rng.choice(names)
        elif op == 1 and new:
            i = rng.randrange(len(new))
            new[i]["tier"] = TIERS[1] if new[i]["tier"] == TIERS[0] else TIERS[0]
        elif op == 2 and len(new) < max_units:
            new.insert(rng.randrange(len(new) + 1), {"name": rng.choice(names), "tier": "Bronze"})
        elif op == 3 and len(new) > 1:
            del new[rng.randrange(len(new))]
        elif op == 4 and len(new) > 1:
            i = rng.randrange(len(new) - 1)
            new[i], new[i + 1] = new[i + 1], new[i]
        else:
            continue
        if new != entries and _cost(role, new, cat) <= budget:
            return new
    return [dict(e) for e in entries]


def margin(result: BattleResult, side: SideKey) -> float:
    """Comfort in [0, 1) for the search bot's tie-breaks.

    A win scores 0.75 and up, more with more own survivors; a loss scores at most 0.5, less the more
    enemy minions survive.
    """
    survivors = result.summary.get("survivors", {})
    other: SideKey = "B" if side == "A" else "A"
    own = len(survivors.get(side, []))
    opp = len(survivors.get(other, []))
    if result.winner == side:
        return 0.5 + 0.5 * (own + 1) / (own + 2)
    return 0.5 / (1 + opp)
