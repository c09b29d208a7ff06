"""Strict plan validation for tower defense, ruleset v1 (ruleset policy item 2; spec §2.2, §2.12).

Any JSON value goes in, a :class:`~games.core.types.ValidatedPlan` comes out, nothing raises. The
canonical plan keeps the fully valid entries in plan order, normalised to ``{"name", "x", "y",
"spawn_time"}`` (humans) or ``{"name", "y", "spawn_time"}`` (demons); a missing ``spawn_time`` defaults
to 0 (spec RECOMMENDATION), a demon's ``x`` and any other extra key are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from games.core.types import SideKey, ValidatedPlan, Violation
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.ruleset import V1_RULES, TDRules

#: Plan keys per side.
PLAN_KEYS: dict[SideKey, str] = {"A": "humans", "B": "demons"}
#: Default ``spawn_time`` when an entry omits it (spec §2.12).
DEFAULT_SPAWN_TIME = 0


def unit_costs(side: SideKey, rules: TDRules = V1_RULES) -> Mapping[str, int]:
    """Budget cost of every unit name of ``side``."""
    return rules.costs(side)


def _is_int(value: Any) -> bool:
    """True for JSON integers, including integral floats such as ``3.0`` (JSON Schema's notion)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def _name_problem(side: SideKey, name: Any, rules: TDRules) -> Violation | None:
    """The violation of a ``name`` value, or ``None`` when it names a unit of ``side``."""
    own = rules.units(side)
    if not isinstance(name, str):
        return Violation("bad_type", f"name must be a string, got {type(name).__name__}", field="name")
    if name in own:
        return None
    other = rules.units("B" if side == "A" else "A")
    folded = {n.lower(): n for n in own}
    if name.lower() in folded:
        hint = f"names are case-sensitive: did you mean {folded[name.lower()]!r}?"
    elif name in other:
        hint = f"{name!r} belongs to the other side"
    else:
        hint = f"known units: {', '.join(own)}"
    return Violation("unknown_unit", f"unknown unit {name!r}; {hint}", field="name")


def _coordinate(
    entry: Mapping[str, Any], key: str, limit: int, what: str
) -> tuple[int | None, Violation | None]:
    """Check an integer board coordinate ``0 <= entry[key] < limit``."""
    if key not in entry:
        return None, Violation("missing_field", f"missing field {key!r} ({what})", field=key)
    value = entry[key]
    if not _is_int(value):
        return None, Violation("bad_type", f"{key} must be an integer ({what}), got {value!r}", field=key)
    value = int(value)
    if not 0 <= value < limit:
        return None, Violation(
            "out_of_board", f"{key}={value} is outside the board ({what} must be 0..{limit - 1})", field=key
        )
    return value, None


def _spawn_time(entry: Mapping[str, Any], latest: int | None) -> tuple[int | float | None, Violation | None]:
    """Check ``spawn_time``: a finite number >= 0 (game ms) and at most ``latest``; missing means 0."""
    if "spawn_time" not in entry:
        return DEFAULT_SPAWN_TIME, None
    value = entry["spawn_time"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, Violation(
            "bad_type", f"spawn_time must be a number of game ms, got {value!r}", field="spawn_time"
        )
    if isinstance(value, float) and not math.isfinite(value):
        return None, Violation(
            "out_of_range", f"spawn_time must be finite, got {value!r}", field="spawn_time"
        )
    if value < 0:
        return None, Violation("out_of_range", f"spawn_time must be >= 0, got {value!r}", field="spawn_time")
    if latest is not None and value > latest:
        return None, Violation(
            "out_of_range", f"spawn_time must be <= {latest}, got {value!r}", field="spawn_time"
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value, None


def _cap_problem(name: str, counts: dict[str, int], rules: TDRules) -> Violation | None:
    """The violation of one more ``name`` entry over the ruleset's cap for it (counting it in if allowed)."""
    cap = rules.unit_caps.get(name)
    n = counts.get(name, 0)
    if cap is not None and n >= cap:
        return Violation("unit_cap", f"at most {cap} {name} per plan; this entry was dropped", field="name")
    counts[name] = n + 1
    return None


def validate_plan(
    side: SideKey, obj: Any, params: TowerDefenseParams, rules: TDRules = V1_RULES
) -> ValidatedPlan:
    """Validate any JSON value as ``side``'s plan (see the module docstring). Never raises."""
    key = PLAN_KEYS[side]
    other_key = PLAN_KEYS["B" if side == "A" else "A"]
    violations: list[Violation] = []
    entries: list[dict[str, Any]] = []

    def done() -> ValidatedPlan:
        costs = rules.costs(side)
        cost = sum(costs[e["name"]] for e in entries)
        return ValidatedPlan(side, {key: entries}, cost, tuple(violations))

    if not isinstance(obj, dict):
        violations.append(Violation("not_an_object", f"the plan must be a JSON object {{{key!r}: [...]}}"))
        return done()
    if key not in obj:
        hint = f" (found {other_key!r}, the other side's key)" if other_key in obj else ""
        violations.append(Violation("missing_plan_key", f"the plan must have the key {key!r}{hint}"))
        return done()
    items = obj[key]
    if not isinstance(items, list):
        violations.append(Violation("not_a_list", f"{key!r} must be a list of unit entries", field=key))
        return done()
    if len(items) > params.max_entries:
        violations.append(
            Violation(
                "too_many_entries",
                f"{len(items)} entries listed; at most {params.max_entries} are allowed, entries from index "
                f"{params.max_entries} on were dropped",
            )
        )
        items = items[: params.max_entries]
    occupied: dict[tuple[int, int], int] = {}
    counts: dict[str, int] = {}
    for index, entry in enumerate(items):
        if not isinstance(entry, dict):
            violations.append(Violation("entry_not_object", "each entry must be a JSON object", index))
            continue
        problems: list[Violation] = []
        if "name" not in entry:
            problems.append(Violation("missing_field", "missing field 'name'", field="name"))
        else:
            bad_name = _name_problem(side, entry["name"], rules)
            if bad_name is not None:
                problems.append(bad_name)
        x: int | None = None
        if side == "A":
            x, bad = _coordinate(entry, "x", params.board_cols, "column")
            if bad is not None:
                problems.append(bad)
        y, bad = _coordinate(entry, "y", params.board_rows, "row")
        if bad is not None:
            problems.append(bad)
        spawn, bad = _spawn_time(entry, rules.max_spawn_time)
        if bad is not None:
            problems.append(bad)
        if not problems and x is not None and y is not None:
            first = occupied.get((x, y))
            if first is not None:
                problems.append(
                    Violation(
                        "cell_occupied",
                        f"cell (x={x}, y={y}) is already taken by entry {first}; one human per cell",
                        field="x",
                    )
                )
            else:
                occupied[(x, y)] = index
        if not problems and rules.unit_caps:
            over = _cap_problem(entry["name"], counts, rules)
            if over is not None:
                problems.append(over)
        if problems:
            violations.extend(Violation(v.code, v.message, index, v.field) for v in problems)
            continue
        if side == "A":
            entries.append({"name": entry["name"], "x": x, "y": y, "spawn_time": spawn})
        else:
            entries.append({"name": entry["name"], "y": y, "spawn_time": spawn})
    return done()


def plan_schema(side: SideKey, params: TowerDefenseParams, rules: TDRules = V1_RULES) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a valid plan for ``side``."""
    names = list(rules.units(side))
    props: dict[str, Any] = {"name": {"enum": names}}
    required = ["name", "y"]
    if side == "A":
        props["x"] = {"type": "integer", "minimum": 0, "maximum": params.board_cols - 1}
        required = ["name", "x", "y"]
    props["y"] = {"type": "integer", "minimum": 0, "maximum": params.board_rows - 1}
    props["spawn_time"] = {"type": "number", "minimum": 0, "default": DEFAULT_SPAWN_TIME}
    if rules.max_spawn_time is not None:
        props["spawn_time"]["maximum"] = rules.max_spawn_time
    key = PLAN_KEYS[side]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"tower_defense {key} plan",
        "type": "object",
        "required": [key],
        "properties": {
            key: {
                "type": "array",
                "maxItems": params.max_entries,
                "items": {"type": "object", "required": required, "properties": props},
            }
        },
    }
