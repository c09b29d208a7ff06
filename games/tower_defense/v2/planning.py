"""Plan generators of ruleset v2: random plans with structure, and mutations that can regroup a plan.

A tower defense plan is strong or weak as a whole (which rows a side concentrates on, which unit types it
relies on, when its units appear), and one-unit changes of a uniform random plan rarely find that. So v2's
random plans pick a few focus rows, a small palette of unit types and a few spawn times, and v2's
mutations may also clone an entry or move an entry into another entry's row or time. The v1 operations
(change a spawn time, move, swap a type, add, remove) stay. Randomness comes only from the ``rng``
passed in; every plan returned is valid and within budget.
"""

from __future__ import annotations

import random
from typing import Any

from games.core.types import SideKey
from games.tower_defense import planning as v1
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.rules import budget
from games.tower_defense.ruleset import TDRules
from games.tower_defense.validate import PLAN_KEYS

#: Spawn times (game ms) a random plan's waves start at.
WAVE_TIMES = (0, 0, 0, 1000, 2000, 3000, 5000, 8000)
#: Share of random entries drawn from the plan's palette of unit types.
P_PALETTE = 0.8


def _free_cell_in_row(taken: set[tuple[int, int]], row: int, rng: random.Random, cols: int) -> int | None:
    free = [x for x in range(cols) if (x, row) not in taken]
    return rng.choice(free) if free else None


def random_plan(
    side: SideKey, rng: random.Random, params: TowerDefenseParams, rules: TDRules
) -> dict[str, Any]:
    """A random valid plan that spends most of the budget on a few rows, types and spawn times."""
    costs = rules.costs(side)
    names = list(costs)
    left = budget(side, params)
    rows = rng.sample(range(params.board_rows), rng.choice([1, 2, 3, params.board_rows]))
    palette = rng.sample(names, rng.randint(1, min(4, len(names))))
    waves = [rng.choice(WAVE_TIMES) for _ in range(rng.randint(1, 3))]
    entries: list[dict[str, Any]] = []
    taken: set[tuple[int, int]] = set()
    for _ in range(min(2 * v1.MAX_RANDOM_UNITS, params.max_entries)):
        affordable = v1.affordable_names(costs, left, entries, rules)
        if not affordable:
            break
        pal = [n for n in palette if n in affordable]
        name = rng.choice(pal) if pal and rng.random() < P_PALETTE else rng.choice(affordable)
        row = rng.choice(rows) if rng.random() < 0.85 else rng.randrange(params.board_rows)
        entry: dict[str, Any] = {"name": name, "y": row, "spawn_time": rng.choice(waves)}
        if side == "A":
            col = _free_cell_in_row(taken, row, rng, params.board_cols)
            if col is None:
                continue
            taken.add((col, row))
            entry = {"name": name, "x": col, "y": row, "spawn_time": entry["spawn_time"]}
        entries.append(entry)
        left -= costs[name]
        if rng.random() < 0.05:
            break
    return {PLAN_KEYS[side]: entries}


def mutate_plan(
    side: SideKey,
    entries: list[dict[str, Any]],
    rng: random.Random,
    params: TowerDefenseParams,
    rules: TDRules,
) -> dict[str, Any]:
    """A small change of a valid entry list: a v1 mutation, or clone / regroup / resync one entry."""
    if not entries or rng.random() < 0.5:
        return v1.mutate_plan(side, entries, rng, params, rules)
    key = PLAN_KEYS[side]
    costs = rules.costs(side)
    entries = [dict(e) for e in entries]
    left = budget(side, params) - sum(costs[e["name"]] for e in entries)
    taken = {(e["x"], e["y"]) for e in entries} if side == "A" else set()
    i = rng.randrange(len(entries))
    e, other = entries[i], entries[rng.randrange(len(entries))]
    op = rng.choice(("clone", "regroup", "resync"))
    if op == "clone":
        name = e["name"]
        if name in v1.affordable_names(costs, left, entries, rules) and len(entries) < params.max_entries:
            twin = dict(e)
            if side == "A":
                col = _free_cell_in_row(taken, e["y"], rng, params.board_cols)
                if col is None:
                    return {key: entries}
                twin["x"] = col
            entries.insert(i + 1, twin)
    elif op == "regroup":
        if side == "B":
            e["y"] = other["y"]
        else:
            col = _free_cell_in_row(taken, other["y"], rng, params.board_cols)
            if col is not None:
                e["x"], e["y"] = col, other["y"]
    else:
        e["spawn_time"] = other["spawn_time"]
    return {key: entries}


def greedy_plan(side: SideKey, params: TowerDefenseParams, rules: TDRules) -> dict[str, Any]:
    """A fixed, sensible v2 plan within budget.

    Humans: an AntiAirSoldier at the back of every row (only it can hit a FlyingDemon), mines at the front
    of rows 1, 3 and 4 (each covers its row and the one above, so every row is covered), an
    EnhancedShieldSoldier behind them in every row to hold what the mines leave, and Handguns with the
    rest. Demons: v1's broad mix, which no single counter stops.
    """
    if side == "B":
        return v1.fit_budget(side, v1.greedy_plan(side, params), params, rules)
    rows, cols = params.board_rows, params.board_cols
    mine_rows = sorted({min(y, rows - 1) for y in range(1, rows + 1, 2)} | {rows - 1})
    entries = [{"name": "AntiAirSoldier", "x": 0, "y": y, "spawn_time": 0} for y in range(rows)]
    if cols > 2:
        entries += [{"name": "LinearExplosion", "x": cols - 1, "y": y, "spawn_time": 0} for y in mine_rows]
        entries += [
            {"name": "EnhancedShieldSoldier", "x": max(cols - 4, 1), "y": y, "spawn_time": 0}
            for y in range(rows)
        ]
        entries += [{"name": "HandgunSoldier", "x": 1, "y": y, "spawn_time": 0} for y in range(rows)]
    return v1.fit_budget(side, {PLAN_KEYS[side]: entries}, params, rules)
