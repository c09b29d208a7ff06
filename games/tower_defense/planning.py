"""Plan generators for the baseline bots: random, greedy (fixed heuristic) and mutation (for search).

All of them return valid plans within the side's budget; randomness comes only from the ``rng`` passed in.
"""

from __future__ import annotations

import random
from typing import Any

from games.core.types import SideKey
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.rules import budget
from games.tower_defense.ruleset import V1_RULES, TDRules
from games.tower_defense.validate import PLAN_KEYS

#: Spawn times random plans pick from when an entry is not placed at once (game ms).
SPAWN_CHOICES = (0, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000)
#: Share of random entries that spawn at time 0.
P_SPAWN_AT_ZERO = 0.6
MAX_RANDOM_UNITS = 15


def affordable_names(
    costs: dict[str, int], left: int, entries: list[dict[str, Any]], rules: TDRules, freed: str | None = None
) -> list[str]:
    """Unit names that fit in ``left`` and stay within the ruleset's unit caps.

    ``freed`` names one entry of ``entries`` that is about to be replaced (it no longer counts).
    """
    names = [n for n, cost in costs.items() if cost <= left]
    caps = rules.unit_caps
    if not caps:
        return names
    used: dict[str, int] = {}
    for e in entries:
        used[e["name"]] = used.get(e["name"], 0) + 1
    if freed is not None:
        used[freed] -= 1
    return [n for n in names if n not in caps or used.get(n, 0) < caps[n]]


def _spawn_time(rng: random.Random) -> int:
    return 0 if rng.random() < P_SPAWN_AT_ZERO else rng.choice(SPAWN_CHOICES)


def _free_cell(
    taken: set[tuple[int, int]], rng: random.Random, params: TowerDefenseParams
) -> tuple[int, int] | None:
    n_cells = params.board_cols * params.board_rows
    if len(taken) >= n_cells:
        return None
    while True:
        cell = (rng.randrange(params.board_cols), rng.randrange(params.board_rows))
        if cell not in taken:
            return cell


def _entry(
    side: SideKey, name: str, rng: random.Random, taken: set[tuple[int, int]], params: TowerDefenseParams
) -> dict[str, Any] | None:
    if side == "B":
        return {"name": name, "y": rng.randrange(params.board_rows), "spawn_time": _spawn_time(rng)}
    cell = _free_cell(taken, rng, params)
    if cell is None:
        return None
    taken.add(cell)
    return {"name": name, "x": cell[0], "y": cell[1], "spawn_time": _spawn_time(rng)}


def random_plan(
    side: SideKey, rng: random.Random, params: TowerDefenseParams, rules: TDRules = V1_RULES
) -> dict[str, Any]:
    """A random valid plan within budget: 1 to 15 random units, random cells/rows, mostly early spawns."""
    costs = rules.costs(side)
    left = budget(side, params)
    target = rng.randint(1, min(MAX_RANDOM_UNITS, params.max_entries))
    entries: list[dict[str, Any]] = []
    taken: set[tuple[int, int]] = set()
    while len(entries) < target:
        affordable = affordable_names(costs, left, entries, rules)
        if not affordable:
            break
        name = rng.choice(affordable)
        entry = _entry(side, name, rng, taken, params)
        if entry is None:
            break
        entries.append(entry)
        left -= costs[name]
    return {PLAN_KEYS[side]: entries}


def greedy_plan(side: SideKey, params: TowerDefenseParams) -> dict[str, Any]:
    """A fixed, sensible plan within budget.

    Humans: an AntiAirSoldier at the back of every row (nothing else can touch a FlyingDemon), an
    EnhancedShieldSoldier forward in every row to stall walkers, LinearExplosions at the front placed late
    (6000 ms, after the usual spawn wave) so that they catch demons stalled at the shields in every row
    (each covers its row and the one above), and Handguns with the rest. Demons: a broad mix that no single
    counter stops (fast, armoured, flying, anti-shield), spread over all rows.
    """
    rows, cols = params.board_rows, params.board_cols
    entries: list[dict[str, Any]]
    if side == "A":
        front, shield_col = cols - 1, max(cols - 4, 0)
        blast_rows = sorted({min(y, rows - 1) for y in range(1, rows + 1, 2)} | {rows - 1})
        entries = [{"name": "AntiAirSoldier", "x": 0, "y": y, "spawn_time": 0} for y in range(rows)]
        if shield_col > 0:
            entries += [
                {"name": "EnhancedShieldSoldier", "x": shield_col, "y": y, "spawn_time": 0}
                for y in range(rows)
            ]
        if front > shield_col:
            entries += [
                {"name": "LinearExplosion", "x": front, "y": y, "spawn_time": 6000} for y in blast_rows
            ]
        if cols > 1:
            entries += [{"name": "HandgunSoldier", "x": 1, "y": y, "spawn_time": 0} for y in range(rows)]
    else:
        mix = [
            "SpeedyDemon",
            "FlyingDemon",
            "ShieldBreakerDemon",
            "GreatDemon",
            "ShieldDemon",
            "BouncingDemon",
        ]
        entries = [{"name": name, "y": i % rows, "spawn_time": 0} for i, name in enumerate(mix)]
    return fit_budget(side, {PLAN_KEYS[side]: entries}, params)


def fit_budget(
    side: SideKey, plan: dict[str, Any], params: TowerDefenseParams, rules: TDRules = V1_RULES
) -> dict[str, Any]:
    """Drop entries from the end until the plan is within budget (and the entry limit)."""
    costs = rules.costs(side)
    entries = list(plan[PLAN_KEYS[side]])[: params.max_entries]
    while entries and sum(costs[e["name"]] for e in entries) > budget(side, params):
        entries.pop()
    return {PLAN_KEYS[side]: entries}


def mutate_plan(
    side: SideKey,
    entries: list[dict[str, Any]],
    rng: random.Random,
    params: TowerDefenseParams,
    rules: TDRules = V1_RULES,
) -> dict[str, Any]:
    """A small random change of a canonical (valid) entry list that stays valid and within budget.

    One of: change a spawn time, move a unit, swap a unit's type, add a unit, remove a unit.
    """
    key = PLAN_KEYS[side]
    costs = rules.costs(side)
    entries = [dict(e) for e in entries]
    left = budget(side, params) - sum(costs[e["name"]] for e in entries)
    taken = {(e["x"], e["y"]) for e in entries} if side == "A" else set()
    ops = ["add"] if not entries else ["spawn", "move", "swap", "add", "remove"]
    for _ in range(8):
        op = rng.choice(ops)
        if op == "add":
            affordable = affordable_names(costs, left, entries, rules)
            if affordable and len(entries) < params.max_entries:
                entry = _entry(side, rng.choice(affordable), rng, taken, params)
                if entry is not None:
                    entries.insert(rng.randint(0, len(entries)), entry)
                    break
            continue
        i = rng.randrange(len(entries))
        e = entries[i]
        if op == "spawn":
            e["spawn_time"] = _spawn_time(rng)
            break
        if op == "remove" and len(entries) > 1:
            del entries[i]
            break
        if op == "swap":
            fits = affordable_names(costs, left + costs[e["name"]], entries, rules, freed=e["name"])
            options = [n for n in fits if n != e["name"]]
            if options:
                e["name"] = rng.choice(options)
                break
            continue
        if op == "move":
            if side == "B":
                e["y"] = rng.randrange(params.board_rows)
                break
            cell = _free_cell(taken, rng, params)
            if cell is not None:
                taken.discard((e["x"], e["y"]))
                taken.add(cell)
                e["x"], e["y"] = cell
                break
    return {key: entries}
