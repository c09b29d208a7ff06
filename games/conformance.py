"""A conformance check every game must pass (PettingZoo's ``api_test``, OpenSpiel's random simulation).

Run it on a new game with::

    from games.conformance import check_game
    check_game(MyGame(), trials=100, seed=0)   # raises ConformanceError listing every problem

It exercises only the public :class:`~games.core.game.Game` interface: static facts, validation of junk and
of random plans, canonical round-trips, cost additivity, schema agreement, determinism and termination of
simulation, side symmetry of validation, and the plan pictures (``render_svg``: safe, parseable SVG of a
fixed size, deterministic, for random plans and junk alike).
"""

from __future__ import annotations

import copy
import json
import random
import xml.etree.ElementTree as ET
from typing import Any

import jsonschema

from games.core.errors import StratagemError
from games.core.game import Game
from games.core.svg import svg_problems
from games.core.types import SIDE_KEYS, BattleResult, SideKey, ValidatedPlan, other_side

#: JSON values no plan should ever crash the validator with.
JUNK_VALUES: tuple[Any, ...] = (
    None,
    0,
    -1,
    1.5,
    float("inf"),
    "",
    "plan",
    [],
    [{}],
    {},
    {"x": 1},
    {"": []},
    True,
    [None, 1, "a"],
    {"nested": {"deep": [[[]]]}},
)


class ConformanceError(StratagemError):
    """A game broke one or more interface rules; the message lists every problem found."""


def _junk_for(game: Game[Any], side: SideKey) -> list[Any]:
    key = game.side(side).plan_key
    return [
        *JUNK_VALUES,
        {key: None},
        {key: "x"},
        {key: [None]},
        {key: [1, "a", [], {}]},
        {key: [{"name": None}]},
        {key: [{"name": 5, "x": "a", "y": None, "tier": [], "element": {}, "skills": "s"}]},
        {key: [{"element": "Fire", "skills": [None, 3, {"a": 1}]}]},
    ]


def _json_roundtrip(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


def _result_key(result: BattleResult) -> str:
    return json.dumps({"winner": result.winner, "summary": result.summary}, sort_keys=True)


def _simulate(game: Game[Any], vp: ValidatedPlan, vq: ValidatedPlan) -> BattleResult:
    return game.simulate(vp, vq) if vp.side == "A" else game.simulate(vq, vp)


def check_static(game: Game[Any], problems: list[str]) -> None:
    """Sides, catalogue, rules text, schema and example plans."""
    sides = game.sides
    if [s.key for s in sides] != ["A", "B"]:
        problems.append(f"sides must be A then B, got {[s.key for s in sides]}")
    if sides[0].plan_key == sides[1].plan_key:
        problems.append("the two sides share a plan key")
    for s in sides:
        if s.budget <= 0:
            problems.append(f"side {s.key} budget must be positive")
        try:
            json.dumps(game.catalogue(s.key))
        except (TypeError, ValueError) as exc:
            problems.append(f"catalogue({s.key}) is not JSON-serialisable: {exc}")
        text = game.rules_text(s.key)
        if not isinstance(text, str) or len(text) < 200:
            problems.append(f"rules_text({s.key}) is missing or too short")
        schema = game.plan_schema(s.key)
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            problems.append(f"plan_schema({s.key}) is not a valid JSON Schema: {exc.message}")
            continue
        for label, plan in (
            ("example_plan", game.example_plan(s.key)),
            ("greedy_plan", game.greedy_plan(s.key)),
        ):
            vp = game.validate(s.key, plan)
            if not vp.ok:
                problems.append(f"{label}({s.key}) has violations: {vp.violations_as_dicts()}")
            if vp.cost > s.budget:
                problems.append(f"{label}({s.key}) costs {vp.cost} > budget {s.budget}")
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(plan))
            if errors:
                problems.append(f"{label}({s.key}) fails its schema: {errors[0].message}")


def check_validation(game: Game[Any], problems: list[str]) -> None:
    """Validation never raises, is symmetric across sides, and rejects the other side's plan key."""
    for side in SIDE_KEYS:
        for junk in _junk_for(game, side):
            try:
                vp = game.validate(side, junk)
            except Exception as exc:  # the contract is "never raises": report whatever escaped
                problems.append(f"validate({side}, {junk!r}) raised {type(exc).__name__}: {exc}")
                continue
            if vp.side != side or not isinstance(vp.plan, dict):
                problems.append(f"validate({side}, {junk!r}) returned a malformed ValidatedPlan")
        for junk in JUNK_VALUES:
            codes = [sorted(v.code for v in game.validate(s, junk).violations) for s in SIDE_KEYS]
            if codes[0] != codes[1]:
                problems.append(f"validation of {junk!r} differs between sides: {codes[0]} vs {codes[1]}")
        other = other_side(side)
        foreign = game.validate(side, game.example_plan(other))
        if not any(v.code == "missing_plan_key" for v in foreign.violations):
            problems.append(f"side {side} accepted side {other}'s example plan without missing_plan_key")
    for side in SIDE_KEYS:
        empty = game.empty_plan(side)
        if not empty.ok or empty.cost != 0:
            problems.append(f"empty plan of side {side} must be valid with cost 0")


def check_random_plans(game: Game[Any], trials: int, seed: int, problems: list[str]) -> None:
    """Random plans: valid, within budget, schema-valid, canonical round-trip, cost additivity, mutation."""
    rng = random.Random(seed)
    for side in SIDE_KEYS:
        s = game.side(side)
        validator = jsonschema.Draft202012Validator(game.plan_schema(side))
        for i in range(trials):
            plan = game.random_plan(side, rng)
            vp = game.validate(side, _json_roundtrip(plan))
            tag = f"random plan {i} of side {side}"
            if not vp.ok:
                problems.append(f"{tag} has violations: {vp.violations_as_dicts()}")
                continue
            if not 0 <= vp.cost <= s.budget:
                problems.append(f"{tag} costs {vp.cost}, outside [0, {s.budget}]")
            if next(validator.iter_errors(plan), None) is not None:
                problems.append(f"{tag} fails the plan schema")
            again = game.validate(side, _json_roundtrip(vp.plan))
            if again.canonical_json() != vp.canonical_json() or again.cost != vp.cost or not again.ok:
                problems.append(f"{tag}: the canonical plan does not round-trip")
            entries = vp.plan[s.plan_key]
            parts = sum(game.validate(side, {s.plan_key: [e]}).cost for e in entries)
            if parts != vp.cost:
                problems.append(f"{tag}: cost {vp.cost} != sum of its entries' costs {parts}")
            mutated = game.validate(side, game.mutate_plan(side, vp.plan, rng))
            if not mutated.ok or mutated.cost > s.budget:
                problems.append(f"{tag}: mutate_plan gave an invalid or over-budget plan")


def check_simulation(game: Game[Any], trials: int, seed: int, problems: list[str]) -> None:
    """Simulation of random valid plans: deterministic, pure, terminating, JSON-able summaries."""
    rng = random.Random(seed + 1)
    for i in range(trials):
        va = game.validate("A", game.random_plan("A", rng))
        vb = game.validate("B", game.random_plan("B", rng))
        before = (va.canonical_json(), vb.canonical_json())
        first = game.simulate(va, vb)
        second = game.simulate(copy.deepcopy(va), copy.deepcopy(vb))
        if first.winner not in ("A", "B", None):
            problems.append(f"pair {i}: winner {first.winner!r} is not A, B or None")
        try:
            key1 = _result_key(first)
        except (TypeError, ValueError) as exc:
            problems.append(f"pair {i}: summary is not JSON-serialisable: {exc}")
            continue
        if key1 != _result_key(second):
            problems.append(f"pair {i}: simulate is not deterministic")
        if (va.canonical_json(), vb.canonical_json()) != before:
            problems.append(f"pair {i}: simulate mutated its input plans")
        margin = game.margin(first, first.winner or "A")
        if not 0.0 <= margin < 1.0:
            problems.append(f"pair {i}: margin {margin} outside [0, 1)")
    for side in SIDE_KEYS:
        # Empty against anything must terminate too.
        empty = game.empty_plan(side)
        opp = game.validate(other_side(side), game.greedy_plan(other_side(side)))
        _simulate(game, empty, opp)
    _simulate(game, game.empty_plan("A"), game.empty_plan("B"))


#: A string with markup, quotes, an entity start and an event handler, put into every string field.
HOSTILE_TEXT = '<script>alert(1)</script>" onload="x()" &amp; \'<foreignObject>'


def _hostile(value: Any) -> Any:
    """``value`` with every string (keys kept) replaced by :data:`HOSTILE_TEXT`."""
    if isinstance(value, str):
        return HOSTILE_TEXT
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    if isinstance(value, dict):
        return {k: _hostile(v) for k, v in value.items()}
    return value


def check_render(game: Game[Any], trials: int, seed: int, problems: list[str]) -> None:
    """``render_svg``: safe SVG of one fixed size for random, hostile and junk plans; deterministic."""
    rng = random.Random(seed + 2)
    pairs: list[tuple[str, Any, Any]] = [("example plans", game.example_plan("A"), game.example_plan("B"))]
    for i in range(max(1, trials // 5)):
        pairs.append((f"random pair {i}", game.random_plan("A", rng), game.random_plan("B", rng)))
    pairs.append(("hostile plans", _hostile(pairs[-1][1]), _hostile(pairs[-1][2])))
    pairs += [("junk", junk, junk) for junk in _junk_for(game, "A")]
    sizes: set[tuple[str | None, str | None]] = set()
    for tag, plan_a, plan_b in pairs:
        try:
            doc = game.render_svg(plan_a, plan_b)
        except Exception as exc:  # the contract is "never raises": report whatever escaped
            problems.append(f"render_svg of {tag} raised {type(exc).__name__}: {exc}")
            continue
        problems.extend(f"render_svg of {tag}: {p}" for p in svg_problems(doc))
        if isinstance(doc, str) and any(m in doc.lower() for m in ("<script", "<foreignobject")):
            problems.append(f"render_svg of {tag} shows plan text unescaped")
        if game.render_svg(copy.deepcopy(plan_a), copy.deepcopy(plan_b)) != doc:
            problems.append(f"render_svg of {tag} is not deterministic")
        if isinstance(doc, str) and not svg_problems(doc):
            root = ET.fromstring(doc)
            sizes.add((root.get("width"), root.get("height")))
    if len(sizes) > 1:
        problems.append(f"render_svg canvas size varies with the plans: {sorted(map(str, sizes))}")


def check_game(game: Game[Any], trials: int = 100, seed: int = 0) -> None:
    """Run every conformance check on ``game``.

    Args:
        game: The game instance to check.
        trials: Random plans per side and random plan pairs to simulate.
        seed: Seed of the random plans.

    Raises:
        ConformanceError: Listing every problem found.
    """
    problems: list[str] = []
    check_static(game, problems)
    check_validation(game, problems)
    check_random_plans(game, trials, seed, problems)
    check_simulation(game, trials, seed, problems)
    check_render(game, trials, seed, problems)
    if problems:
        shown = "\n  ".join(problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise ConformanceError(f"{game.name} fails {len(problems)} conformance check(s):\n  {shown}{more}")
