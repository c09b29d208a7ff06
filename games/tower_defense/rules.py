"""What a model is told about tower defense: catalogue object, rules text, example plans and plan schema.

Everything here is generated from :mod:`games.tower_defense.catalogue` and the game parameters, so the
text a model reads cannot disagree with what the engine does (ruleset policy item 1). Every number the
rules text mentions is a number of :func:`catalogue_dict` (a test checks this).
"""

from __future__ import annotations

import json
import re
from typing import Any

from games.core.types import SideKey
from games.tower_defense import catalogue as c
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.ruleset import V1_RULES, TDRules
from games.tower_defense.validate import DEFAULT_SPAWN_TIME, PLAN_KEYS

ROLES: dict[SideKey, tuple[str, str]] = {"A": ("human", "Human"), "B": ("demon", "Demon")}

EXAMPLE_PLANS: dict[SideKey, dict[str, Any]] = {
    "A": {
        "humans": [
            {"name": "HandgunSoldier", "x": 1, "y": 0, "spawn_time": 0},
            {"name": "HandgunSoldier", "x": 1, "y": 1, "spawn_time": 0},
        ]
    },
    "B": {
        "demons": [
            {"name": "NormalDemon", "y": 1, "spawn_time": 0},
            {"name": "NormalDemon", "y": 2, "spawn_time": 0},
        ]
    },
}


def budget(side: SideKey, params: TowerDefenseParams) -> int:
    """The budget of ``side``."""
    return params.human_budget if side == "A" else params.demon_budget


def _board(params: TowerDefenseParams) -> dict[str, int]:
    spawn_left = c.ORIGIN_PX + c.CELL_PX * params.board_cols
    return {
        "columns": params.board_cols,
        "rows": params.board_rows,
        "min_x": 0,
        "max_x": params.board_cols - 1,
        "min_y": 0,
        "max_y": params.board_rows - 1,
        "cell_px": c.CELL_PX,
        "origin_px": c.ORIGIN_PX,
        "demon_spawn_column": params.board_cols,
        "demon_spawn_left_px": spawn_left,
        "screen_width_px": spawn_left + c.CELL_PX,
        "goal_left_px": c.GOAL_LEFT_PX,
        "cell_right_offset_px": c.ORIGIN_PX + c.CELL_PX,
        "bullet_start_offset_px": c.ORIGIN_PX + c.CELL_PX,
        "last_summon_column": params.board_cols - 2,
        "summon_rows_up_from_bottom": 1,
        "unobstructed_walk_ticks": (spawn_left - c.GOAL_LEFT_PX) // c.BASE_SPEED_PX,
    }


def _timing() -> dict[str, Any]:
    return {
        "ticks_per_game_second": c.TICKS_PER_GAME_SECOND,
        "game_ms_per_game_second": c.MS_PER_GAME_SECOND,
        "spawn_ms_divisor": c.SPAWN_MS_DIVISOR,
        "spawn_real_ms_per_3_ticks": c.REAL_MS_PER_3_TICKS,
        "spawn_examples_ms_to_tick": {"1000": c.spawn_tick(1000), "5000": c.spawn_tick(5000)},
        "default_spawn_time": DEFAULT_SPAWN_TIME,
        "min_spawn_time": 0,
        "first_tick": 0,
    }


def _combat() -> dict[str, Any]:
    return {
        "death_hp": 0,
        "bullet_speed_px": c.BULLET_SPEED_PX,
        "bullet_width_px": c.BULLET_WIDTH_PX,
        "base_speed_px": c.BASE_SPEED_PX,
        "px_per_speed_unit": c.PX_PER_SPEED_UNIT,
        "base_ticks_per_cell": c.CELL_PX // c.BASE_SPEED_PX,
        "slow_speed_px": c.SLOW_SPEED_PX,
        "slow_ms": c.SLOW_MS,
        "slow_ticks": c.SLOW_TICKS,
        "melee_cooldown_ms": c.MELEE_COOLDOWN_MS,
        "melee_cooldown_ticks": c.MELEE_COOLDOWN_TICKS,
        "stagger_ticks": c.STAGGER_TICKS,
        "wobble_px": c.WOBBLE_PX,
        "melee_period_ticks": c.MELEE_PERIOD_TICKS,
        "bounce_px": c.BOUNCE_PX,
        "bounce_cells": c.BOUNCE_PX // c.CELL_PX,
        "explosion_damage": c.EXPLOSION_DAMAGE,
        "explosion_rows_above": c.EXPLOSION_ROWS_ABOVE,
        "summon_ms": c.SUMMON_MS,
        "summon_ticks": c.SUMMON_TICKS,
        "summoned_demon": c.SUMMONED_DEMON,
    }


def _damage_matrix() -> dict[str, dict[str, Any]]:
    """Damage per bullet type and explosion against each demon group (spec §2.6); ``None`` = flies through."""
    generic = {"normal": 1, "fire": 2, "ice": 1, "anti-air": None, "explosion": c.EXPLOSION_DAMAGE}
    return {
        "other demons": generic,
        "ShieldDemon": {**generic, "normal": c.SHIELD_DEMON_FACTOR},
        "FireDemon": {**generic, "fire": 0, "ice": c.ICE_VS_FIRE_DEMON},
        "FrostDemon": {**generic, "fire": c.FIRE_VS_FROST_DEMON, "ice": 0},
        "FlyingDemon": {"normal": None, "fire": None, "ice": None, "anti-air": 1, "explosion": 0},
    }


def _human_entry(spec: c.HumanSpec) -> dict[str, Any]:
    return {
        "cost": spec.cost,
        "hp": spec.hp,
        "weapon": c.WEAPON_NAMES[spec.weapon] if spec.weapon is not None else None,
        "damage": spec.damage,
        "interval_ms": spec.interval_ms,
        "interval_ticks": spec.interval_ticks,
        "summary_value": spec.cost,
        "description": spec.text,
    }


def _demon_entry(spec: c.DemonSpec) -> dict[str, Any]:
    return {
        "cost": spec.cost,
        "hp": spec.hp,
        "speed_px": spec.speed_px,
        "speed": spec.speed_px // c.PX_PER_SPEED_UNIT,
        "melee_damage": spec.damage,
        "summary_value": spec.value,
        "description": spec.text,
    }


def _units(side: SideKey, tdr: TDRules) -> dict[str, dict[str, Any]]:
    if side == "A":
        return {n: _human_entry(s) for n, s in tdr.humans.items()}
    return {n: _demon_entry(s) for n, s in tdr.demons.items()}


def catalogue_dict(side: SideKey, params: TowerDefenseParams, tdr: TDRules = V1_RULES) -> dict[str, Any]:
    """Structured catalogue for ``side``: both sides' units and every number the rules text uses."""
    other: SideKey = "B" if side == "A" else "A"

    def side_facts(s: SideKey) -> dict[str, Any]:
        role, label = ROLES[s]
        return {"key": s, "role": role, "label": label, "plan_key": PLAN_KEYS[s], "budget": budget(s, params)}

    return {
        "game": "tower_defense",
        "ruleset": tdr.ruleset,
        "side": side_facts(side),
        "opponent": side_facts(other),
        "units": _units(side, tdr),
        "opponent_units": _units(other, tdr),
        "board": _board(params),
        "timing": _timing(),
        "combat": _combat(),
        "damage_matrix": _damage_matrix(),
        "limits": {"max_entries": params.max_entries, "tick_cap": params.tick_cap, "humans_per_cell": 1},
    }


def _fmt(value: float) -> str:
    return f"{value:g}"


def _ticks(n: int) -> str:
    return "tick" if n == 1 else f"{n} ticks"


def _human_line(name: str, spec: c.HumanSpec) -> str:
    parts = [f"cost {spec.cost}", f"HP {spec.hp}"]
    if spec.weapon is not None:
        parts.append(
            f"{c.WEAPON_NAMES[spec.weapon]} bullet, {spec.damage} damage, "
            f"every {_ticks(spec.interval_ticks)} ({spec.interval_ms} ms)"
        )
    elif spec.explodes:
        parts.append(
            f"explosion, {spec.damage} damage, fuse {spec.interval_ticks} ticks ({spec.interval_ms} ms)"
        )
    return f"- {name}: {', '.join(parts)}. {spec.text}"


def _demon_line(name: str, spec: c.DemonSpec) -> str:
    melee = f"melee {spec.damage}" if spec.damage else "no melee"
    return (
        f"- {name}: cost {spec.cost}, HP {spec.hp}, speed {spec.speed_px // c.PX_PER_SPEED_UNIT} "
        f"({spec.speed_px} px per tick), {melee}. {spec.text}"
    )


def _catalogue_lines(side: SideKey, tdr: TDRules) -> list[str]:
    if side == "A":
        return [_human_line(n, s) for n, s in tdr.humans.items()]
    return [_demon_line(n, s) for n, s in tdr.demons.items()]


def _matrix_lines() -> list[str]:
    lines = []
    for group, row in _damage_matrix().items():
        cells = []
        for weapon, dmg in row.items():
            if dmg is None:
                cells.append(f"{weapon}: flies through")
            elif weapon == "ice" and dmg and group != "FlyingDemon":
                cells.append(f"{weapon}: {_fmt(dmg)} + slow")
            elif weapon == "ice" and not dmg:
                cells.append(f"{weapon}: no effect (bullet used up)")
            elif weapon == "explosion" and not dmg:
                cells.append(f"{weapon}: immune")
            else:
                cells.append(f"{weapon}: {_fmt(dmg)}")
        lines.append(f"- {group}: {'; '.join(cells)}")
    return lines


_TEMPLATE = """\
TOWER DEFENSE (ruleset {ruleset}). You play the {label} side ({plan_key}).
Your budget is {budget}; the {opp_label} side's budget is {opp_budget}. A plan that costs more than its
  budget loses the round. Units are bought at their catalogue cost.

PLAN FORMAT
Reply with one JSON object {{"{plan_key}": [entry, ...]}}; each entry is {entry_format}.
- name: exact, case-sensitive unit name from your catalogue.
- spawn_time: game milliseconds ({spawn_range}) before the unit appears; default
  {default_spawn_time}.
{placement}
- At most {max_entries} entries.{caps} Invalid entries are reported back as violations.
Example: {example}

BOARD
- {rows} rows (y = {min_y}..{max_y}) of {columns} human columns (x = {min_x}..{max_x}); a cell is {cell_px} px
  wide and column x spans {cell_px}x + {origin_px} .. {cell_px}x + {cell_right_offset_px} px.
- Demons enter at column {demon_spawn_column} (left edge {demon_spawn_left_px} px) and walk left along their
  row. Rows never interact except through LinearExplosion and summons.
- {goal_rule} The Human side wins when every demon, summoned ones included, is dead and no demon is still
  waiting to spawn. A battle undecided after {tick_cap} ticks is a Human win.

TIME
- The battle runs in ticks, starting at tick {first_tick}; {ticks_per_game_second} ticks = \
{game_ms_per_game_second} game ms.
- An interval of g game ms has passed after ceil({ticks_per_game_second} g / {game_ms_per_game_second}) ticks;
  the catalogue gives every interval in ticks.
- An entry with spawn_time s appears on tick ceil({ticks_per_game_second} floor(s / {spawn_ms_divisor}) / \
{spawn_real_ms_per_3_ticks})
  (e.g. 1000 ms -> tick {tick_1000}, 5000 ms -> tick {tick_5000}). Earlier spawn_time first; ties keep plan
  order; humans before demons.

EACH TICK, IN ORDER
1. Units whose spawn tick has come appear.
2. Each SummoningDemon that spawned or last summoned at least {summon_ticks} ticks ago creates a
   {summoned_demon} in its own row (a SummoningDemon in the bottom row summons into the row above), with its
   left edge on the column at or just left of the summoner's left edge (never right of column
   {last_summon_column}).
3. Bullet hits: each bullet (oldest first) hits the earliest-created demon its {bullet_width_px} px wide box
   overlaps, and only that one; if that demon is one the bullet flies through, nothing happens.
4. Humans act: a shooter fires when its interval has passed since its placement or last shot (so its first
   shot comes one full interval after it appears), whether or not any demon exists. {fuse_rule}
5. Demons act (oldest first), see DEMONS.
6. Bullets move {bullet_speed_px} px to the right; a bullet whose left edge passes {screen_width_px} px is
   gone.
7. Win checks as above.

BULLETS
- A bullet starts at its shooter's right edge ({cell_px}x + {bullet_start_offset_px} px) and flies right only,
  along the shooter's row, with unlimited range. It overlaps a demon whose left edge is L when its own left
  edge is strictly between L - {bullet_width_px} and L + {cell_px}.
- Overlap is only tested at tick positions and bullets move {bullet_speed_px} px per tick, so a bullet can
  skip over a demon between two tests. A shooter never hits a demon that overlaps the shooter or is left of
  it. Bullets pass through humans.

DAMAGE PER HIT (normal / fire / ice / anti-air bullets, explosion)
{matrix}
- Slow (ice): speed becomes {slow_speed_px} px per tick for {slow_ticks} ticks ({slow_ms} game ms; a new ice
  hit restarts it). When it ends the demon's speed becomes {base_speed_px} px per tick, whatever its type.
- Demon HP can become fractional; a unit dies when its HP reaches {death_hp} or less and vanishes at once.

DEMONS
- Speed s means {px_per_speed_unit}s px per tick (speed {base_speed}: {base_speed_px} px, \
{base_ticks_per_cell} ticks per cell;
  an unhindered demon needs {unobstructed_walk_ticks} ticks from its entry to the goal).
- A demon touches a human of its row when their left edges are less than {cell_px} px apart. A touching
  demon does not move. It attacks when at least {melee_cooldown_ticks} ticks ({melee_cooldown_ms} ms) have
  passed since its last attack or its spawn, dealing its melee damage to every human it touches, then
  staggers for {stagger_ticks} ticks (no moving or attacking; its position wobbles by {wobble_px} px). In
  sustained contact it therefore hits once every {melee_period_ticks} ticks. After its target dies it
  finishes the stagger, then walks on.
- LinearExplosion deals {explosion_damage} to every demon (except FlyingDemon) in its own row and the row
  above it (y - {explosion_rows_above}), anywhere on the board.

YOUR UNITS ({label})
{own_units}

OPPONENT UNITS ({opp_label})
{opp_units}

The battle summary values surviving units at their cost, except: {summary_values}.
"""


#: The ruleset-dependent sentences of the rules text, as ruleset v1 words them (see :func:`rules_text`).
V1_SLOTS = {
    "spawn_range": "a number >= {min_spawn_time}",
    "caps": "",
    "goal_rule": "The Demon side wins as soon as any demon's left edge is at {goal_left_px} px or less (the "
    "left edge of column {min_x}).",
    "fuse_rule": "A LinearExplosion explodes when its fuse has passed.",
}


def rules_text(
    side: SideKey,
    params: TowerDefenseParams,
    tdr: TDRules = V1_RULES,
    slots: dict[str, str] = V1_SLOTS,
    cat: dict[str, Any] | None = None,
) -> str:
    """The complete rules for a model playing ``side``, as the engine really behaves.

    Args:
        side: The side reading the rules.
        params: The game parameters.
        tdr: The ruleset's units and constants.
        slots: The ruleset-dependent sentences (they may use the same ``{fields}`` as the template).
        cat: The catalogue object (default: :func:`catalogue_dict` of ``side``); its limits, board, timing
            and combat sections fill the template.
    """
    cat = cat if cat is not None else catalogue_dict(side, params, tdr)
    me, opp, board = cat["side"], cat["opponent"], cat["board"]
    timing = cat["timing"]
    if side == "A":
        entry_format = (
            f'{{"name": <unit name>, "x": <column {board["min_x"]}..{board["max_x"]}>, '
            f'"y": <row {board["min_y"]}..{board["max_y"]}>, "spawn_time": <game ms>}}'
        )
        placement = (
            f"- Humans stand still on their cell, at most {cat['limits']['humans_per_cell']} human per "
            "cell. A human appears at its spawn_time and stays until destroyed."
        )
    else:
        entry_format = (
            f'{{"name": <unit name>, "y": <row {board["min_y"]}..{board["max_y"]}>, "spawn_time": <game ms>}}'
        )
        placement = '- Demons always enter at the right end of their row; an "x" key is ignored.'
    values = {
        **board,
        **{k: v for k, v in timing.items() if not isinstance(v, dict)},
        **cat["combat"],
        **{k: v for k, v in cat["limits"].items() if not isinstance(v, dict)},
        "ruleset": tdr.ruleset,
        "label": me["label"],
        "plan_key": me["plan_key"],
        "budget": me["budget"],
        "opp_label": opp["label"],
        "opp_budget": opp["budget"],
        "entry_format": entry_format,
        "placement": placement,
        "example": json.dumps(EXAMPLE_PLANS[side]),
        "tick_1000": timing["spawn_examples_ms_to_tick"]["1000"],
        "tick_5000": timing["spawn_examples_ms_to_tick"]["5000"],
        "base_speed": c.BASE_SPEED_PX // c.PX_PER_SPEED_UNIT,
        "matrix": "\n".join(_matrix_lines()),
        "own_units": "\n".join(_catalogue_lines(side, tdr)),
        "opp_units": "\n".join(_catalogue_lines("B" if side == "A" else "A", tdr)),
        "summary_values": ", ".join(f"{n} {s.value}" for n, s in tdr.demons.items() if s.value != s.cost),
    }
    values.update({k: v.format(**values) for k, v in slots.items()})
    # The template wraps for readability in code; continuation lines (indented) join their paragraph.
    return re.sub(r"\n {2,3}(?=\S)", " ", _TEMPLATE.format(**values))
