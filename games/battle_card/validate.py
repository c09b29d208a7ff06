"""Strict v1 validation of battle card plans (ruleset policy item 2; spec §3.2–3.3 with loopholes closed).

Accepts any JSON value and never raises. The canonical plan keeps the fully valid entries among the first
``max_units`` as ``{"name", "tier"}``; the cost is what those entries cost.
"""

from __future__ import annotations

from typing import Any

from games.battle_card.catalogue import DEFENDER, INVADER, TIERS, V1, Catalogue, UnitSpec, unit_cost
from games.core.types import Side, ValidatedPlan, Violation, json_type_name


def _name_problem(name: str, role: str, own: dict[str, UnitSpec], cat: Catalogue) -> str:
    """Explain why ``name`` is not a unit of ``role``'s catalogue."""
    folded = {n.lower(): n for n in own}
    if name.lower() in folded:
        return (
            f"unknown unit {_short(name)}: names are case-sensitive; did you mean {folded[name.lower()]!r}?"
        )
    other = cat.roster(INVADER if role == DEFENDER else DEFENDER)
    if name in other or name.lower() in {n.lower() for n in other}:
        return (
            f"unknown unit {_short(name)}: it belongs to the other side; a {role} plan may only use: "
            + ", ".join(own)
        )
    if name in cat.all_units:
        return f"unknown unit {_short(name)}: tokens cannot be bought; choose one of: " + ", ".join(own)
    return f"unknown unit {_short(name)}; choose one of: " + ", ".join(own)


def validate_plan(side: Side, obj: Any, max_units: int, cat: Catalogue = V1) -> ValidatedPlan:
    """Validate any JSON value as ``side``'s battle card plan in ruleset ``cat`` (never raises)."""
    key = side.plan_key
    violations: list[Violation] = []

    def result(entries: list[dict[str, str]], cost: int) -> ValidatedPlan:
        return ValidatedPlan(side.key, {key: entries}, cost, tuple(violations))

    if not isinstance(obj, dict):
        violations.append(
            Violation(
                "not_an_object",
                f"the plan must be a JSON object {{{key!r}: [...]}}, got {json_type_name(obj)}",
            )
        )
        return result([], 0)
    if key not in obj:
        others = [k for k in ("defenders", "invaders") if k != key and k in obj]
        hint = f" (found {others[0]!r}, the other side's key)" if others else ""
        violations.append(Violation("missing_plan_key", f"the plan must have the key {key!r}{hint}"))
        return result([], 0)
    raw = obj[key]
    if not isinstance(raw, list):
        violations.append(
            Violation(
                "not_a_list",
                f"{key!r} must be a list of {{'name', 'tier'}} objects, got {json_type_name(raw)}",
            )
        )
        return result([], 0)

    own = cat.roster(side.name)
    entries: list[dict[str, str]] = []
    cost = 0
    for i, entry in enumerate(raw):
        if i >= max_units:
            violations.append(
                Violation(
                    "too_many_entries",
                    f"at most {max_units} entries may be listed; entry {i} is beyond the limit and is not "
                    "fielded",
                    i,
                    None,
                )
            )
            continue
        if not isinstance(entry, dict):
            violations.append(
                Violation("entry_not_object", f"entry {i} must be an object with 'name' and 'tier'", i, None)
            )
            continue
        ok = True
        spec: UnitSpec | None = None
        if "name" not in entry:
            violations.append(Violation("missing_field", f"entry {i} has no 'name'", i, "name"))
            ok = False
        elif not isinstance(entry["name"], str):
            violations.append(
                Violation(
                    "bad_type",
                    f"entry {i}: 'name' must be a string, got {json_type_name(entry['name'])}",
                    i,
                    "name",
                )
            )
            ok = False
        elif entry["name"] not in own:
            violations.append(
                Violation("unknown_unit", _name_problem(entry["name"], side.name, own, cat), i, "name")
            )
            ok = False
        else:
            spec = own[entry["name"]]
        tier = entry.get("tier")
        if tier is None:
            tier = "Bronze"
        elif not (isinstance(tier, str) and tier in TIERS):
            violations.append(
                Violation(
                    "bad_tier",
                    f'entry {i}: tier must be exactly "Bronze" or "Gold" (or omitted for Bronze), got '
                    f"{_short(tier)}",
                    i,
                    "tier",
                )
            )
            ok = False
        if ok and spec is not None:
            entries.append({"name": spec.name, "tier": tier})
            cost += unit_cost(spec, tier)
    return result(entries, cost)


def _short(value: Any, limit: int = 40) -> str:
    """``repr`` of a submitted value, cut short so junk cannot flood a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
