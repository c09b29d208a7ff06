"""Sweep stores for the sweep tests (builders shared by the other test_sweep_* files), and the points."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from metrics_builders import MatchSpec, build, write_store

from metrics.errors import MixedFingerprintError, StoreError
from metrics.frames import StoreFrames
from metrics.load import check_fingerprints
from metrics.sweep_points import sweep_of

BUDGET_PATH = "games.battle_card.params.budget_a"
MODELS4 = ("m/alpha", "m/bravo", "m/charlie", "m/delta")


def canonical(obj: object) -> str:
    """Canonical JSON (sorted keys, compact), as the store holds it."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _match(
    rng: random.Random,
    mid: str,
    a: str,
    b: str,
    p_a: float,
    fingerprint: str,
    records: int,
    revise: Mapping[str, bool],
    game: str,
) -> MatchSpec:
    winners = "".join("A" if rng.random() < p_a else "B" for _ in range(records))

    def costs(model: str) -> list[int]:
        return (
            [rng.choice((8, 10, 12)) for _ in range(records)] if revise.get(model, True) else [10] * records
        )

    return MatchSpec(mid, game, a, b, winners, costs(a), costs(b), fingerprint=fingerprint)


def sweep_frames(
    strengths: Sequence[Mapping[str, float]],
    *,
    values: Sequence[Any] | None = None,
    path: str = BUDGET_PATH,
    base: int = 0,
    matches_per_pair: int = 4,
    records: int = 5,
    seed: int = 0,
    revise: Sequence[Mapping[str, bool]] | None = None,
    game: str = "battle_card",
    extra_key: Mapping[str, Any] | None = None,
) -> StoreFrames:
    """A sweep: point i plays a round robin of ``strengths[i]``'s models (each ordered pair ×
    ``matches_per_pair``); side A wins a round with probability logistic(s_A − s_B).

    Each point has its own fingerprint and carries the sweep key in ``settings_json``.
    """
    rng = random.Random(seed)
    specs: list[MatchSpec] = []
    keys: dict[str, str] = {}
    vals = list(values) if values is not None else [10 * (i + 1) for i in range(len(strengths))]
    for i, s in enumerate(strengths):
        fp = f"fp-point{i}"
        key = {"sweep": {"point": {path: vals[i]}, "index": i, "base": i == base}, **(extra_key or {})}
        for a in sorted(s):
            for b in sorted(s):
                if a == b:
                    continue
                p_a = 1.0 / (1.0 + math.exp(-(s[a] - s[b])))
                for k in range(matches_per_pair):
                    mid = f"p{i}-{a}-{b}-{k}"
                    specs.append(_match(rng, mid, a, b, p_a, fp, records, (revise or [{}] * 99)[i], game))
                    keys[mid] = canonical(key)
    frames = build(specs)
    m = frames.matches.copy()
    m["settings_json"] = m["match_id"].map(keys)
    return StoreFrames(m, frames.rounds, frames.decisions)


def stable_strengths(n_points: int = 3) -> list[dict[str, float]]:
    """Four models in the same clear order at every point."""
    return [{"m/alpha": 3.0, "m/bravo": 1.5, "m/charlie": 0.0, "m/delta": -1.5} for _ in range(n_points)]


def swap_strengths() -> list[dict[str, float]]:
    """Alpha above bravo at points 0 and 1; bravo well above alpha at point 2."""
    stable = {"m/alpha": 3.0, "m/bravo": 1.5, "m/charlie": 0.0, "m/delta": -1.5}
    return [stable, dict(stable), {"m/alpha": 1.5, "m/bravo": 3.0, "m/charlie": 0.0, "m/delta": -1.5}]


def store_of(frames: StoreFrames, tmp: Path, name: str = "sweep.sqlite") -> Path:
    """``frames`` written as a store file."""
    return write_store(frames, tmp / name)


def test_points_in_order_with_their_matches() -> None:
    frames = sweep_frames(stable_strengths(), matches_per_pair=1, base=1)
    sweep = sweep_of(frames)
    assert sweep is not None
    assert [p.index for p in sweep.points] == [0, 1, 2]
    assert sweep.base_index == 1 and sweep.base.values == {BUDGET_PATH: 20}
    assert sweep.paths == (BUDGET_PATH,) and sweep.varied == (BUDGET_PATH,)
    assert [p.n_finished for p in sweep.points] == [12, 12, 12]
    assert all(p.fingerprints == (f"fp-point{p.index}",) for p in sweep.points)
    assert sweep.label(sweep.points[0]) == "budget_a=10"
    assert sweep.games_swept() == ["battle_card"]
    base = sweep.base_frames(frames)
    assert set(base.matches["match_id"]) == set(sweep.points[1].match_ids)
    assert set(base.rounds["match_id"]) == set(sweep.points[1].match_ids)


def test_not_a_sweep() -> None:
    frames = build([MatchSpec("x", "battle_card", "m/a", "m/b", "AB", [1, 1], [1, 1])])
    assert sweep_of(frames) is None


def test_settings_read_from_the_store_when_not_loaded(tmp_path: Path) -> None:
    frames = sweep_frames(stable_strengths(2), matches_per_pair=1)
    path = store_of(frames, tmp_path)
    bare = StoreFrames.from_frames(
        frames.matches.drop(columns=["settings_json"]), frames.rounds, source=str(path)
    )
    sweep = sweep_of(bare)
    assert sweep is not None and len(sweep.points) == 2


def test_grid_paths_ordered_slowest_first() -> None:
    specs, keys = [], {}
    combos = [(b, r) for b in (10, 20) for r in (3, 5)]  # the last path changes fastest
    for i, (b, r) in enumerate(combos):
        mid = f"g{i}"
        specs.append(MatchSpec(mid, "battle_card", "m/a", "m/b", "AB", [1, 1], [1, 1], fingerprint=f"f{i}"))
        point = {"protocol.rounds": r, "games.battle_card.params.z_budget": b}
        keys[mid] = canonical({"sweep": {"point": point, "index": i, "base": i == 0}})
    frames = build(specs)
    frames.matches["settings_json"] = frames.matches["match_id"].map(keys)
    sweep = sweep_of(frames)
    assert sweep is not None
    assert sweep.paths == ("games.battle_card.params.z_budget", "protocol.rounds")
    assert sweep.label(sweep.points[1]) == "z_budget=10, rounds=5"


def test_inconsistent_sweep_keys_are_refused() -> None:
    frames = sweep_frames(stable_strengths(2), matches_per_pair=1)
    m = frames.matches.copy()
    m.loc[0, "settings_json"] = canonical({"sweep": {"point": {BUDGET_PATH: 99}, "index": 0, "base": True}})
    with pytest.raises(StoreError, match="two value sets"):
        sweep_of(StoreFrames.from_frames(m, frames.rounds))
    m = frames.matches.copy()
    m.loc[0, "settings_json"] = canonical({"sweep": {"point": {}, "index": "0"}})
    with pytest.raises(StoreError, match="malformed sweep entry"):
        sweep_of(StoreFrames.from_frames(m, frames.rounds))


def test_matches_outside_the_sweep_and_a_missing_base_are_noted() -> None:
    frames = sweep_frames(stable_strengths(2), matches_per_pair=1, base=5)
    extra = build([MatchSpec("plain", "battle_card", "m/a", "m/b", "AB", [1, 1], [1, 1])])
    both = StoreFrames.from_frames(
        pd.concat([frames.matches, extra.matches], ignore_index=True),
        pd.concat([frames.rounds, extra.rounds], ignore_index=True),
    )
    sweep = sweep_of(both)
    assert sweep is not None and sweep.outside == 1 and sweep.base_index == 0
    assert any("no sweep entry" in n for n in sweep.notes)
    assert any("base point" in n for n in sweep.notes)


def test_the_base_point_alone_has_one_fingerprint_per_cell() -> None:
    """What the main leaderboard of a sweep store shows: the base point, which pools no fingerprints."""
    frames = sweep_frames(stable_strengths(), matches_per_pair=1)
    with pytest.raises(MixedFingerprintError):
        check_fingerprints(frames)
    sweep = sweep_of(frames)
    assert sweep is not None
    assert check_fingerprints(sweep.base_frames(frames)) == {}
    assert "base point only" in sweep.note()


def test_axis_numeric_for_one_numeric_path_else_in_sweep_order() -> None:
    from metrics.sweep_plots import sweep_axis

    one = sweep_of(sweep_frames(stable_strengths(), values=[30, 10, 20], matches_per_pair=1))
    assert one is not None
    axis = sweep_axis(one)
    assert axis.numeric and axis.x == {0: 30.0, 1: 10.0, 2: 20.0} and axis.title == "budget_a"
    named = sweep_of(
        sweep_frames(
            stable_strengths(2), values=["v1", "v2"], path="games.battle_card.ruleset", matches_per_pair=1
        )
    )
    assert named is not None
    axis = sweep_axis(named)
    assert not axis.numeric and axis.x == {0: 0.0, 1: 1.0} and axis.labels == ["v1", "v2"]
    assert axis.title == "ruleset"
