"""Sweeps: paths, points in their fixed order, the sweep key, fingerprints, validation, and no change to
ordinary experiments."""

from __future__ import annotations

import hashlib
import json

import pytest

from harness.experiments import (
    ConfigError,
    JobPlan,
    SweepError,
    SweepPlan,
    SweepSpec,
    VaryEntry,
    load_experiment_file,
    merge,
    parse_experiment,
    parse_sweep_experiment,
    parse_vary_option,
)
from harness.experiments.sweep_paths import allowed_protocol_values, budget_params, cheapest_entry

BASE = """\
name: sw
games: [battle_card]
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}]
protocol: {rounds: 2}
seeds: [0]
"""

TWO_GAMES = """\
name: two
games: [battle_card, tower_defense]
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: B}]
protocol: {rounds: 2}
seeds: [0, 1]
"""


def config(text: str = BASE):
    return parse_experiment(text, "t.yaml", default_name="t")


def spec(*entries: str, mode: str | None = None) -> SweepSpec:
    return merge(None, [parse_vary_option(e) for e in entries], mode)  # type: ignore[arg-type]


def plan(*entries: str, mode: str | None = None, text: str = BASE) -> SweepPlan:
    return SweepPlan(config(text), spec(*entries, mode=mode))


# ------------------------------------------------------------------------------------------- points
def test_grid_points_follow_the_paths_and_values_as_given_last_path_fastest():
    p = plan("games.battle_card.params.defenders_budget=10,20", "protocol.rounds=3,5")
    assert [pt.values for pt in p.points] == [
        {"games.battle_card.params.defenders_budget": 10, "protocol.rounds": 3},
        {"games.battle_card.params.defenders_budget": 10, "protocol.rounds": 5},
        {"games.battle_card.params.defenders_budget": 20, "protocol.rounds": 3},
        {"games.battle_card.params.defenders_budget": 20, "protocol.rounds": 5},
    ]
    assert [pt.index for pt in p.points] == [0, 1, 2, 3]


def test_zip_pairs_the_lists():
    p = plan("games.battle_card.params.defenders_budget=10,20", "protocol.rounds=3,5", mode="zip")
    assert [list(pt.values.values()) for pt in p.points] == [[10, 3], [20, 5]]


def test_the_base_point_is_the_one_with_the_experiments_own_values():
    # defenders_budget 20 is battle card's default, rounds 2 the file's: point 2
    p = plan("games.battle_card.params.defenders_budget=10,20", "protocol.rounds=2,3")
    assert [pt.base for pt in p.points] == [False, False, True, False]


def test_without_the_experiments_values_point_0_is_the_base():
    p = plan("protocol.rounds=3,5")
    assert [pt.base for pt in p.points] == [True, False]


def test_each_point_is_the_experiment_with_its_values_put_in():
    p = plan(
        "games.battle_card.ruleset=v1,v2", "protocol.feedback=outcome,detailed", "protocol.revision=none"
    )
    first = p.points[0].config
    assert first.games[0].ruleset == "v1"
    assert first.protocol.feedback == "outcome" and first.protocol.revision == "none"
    assert first.protocol.rounds == 2  # not swept: the file's
    last = p.points[-1].config
    assert (last.games[0].ruleset, last.protocol.feedback) == ("v2", "detailed")


# ------------------------------------------------------------------------------------------- jobs
def test_every_job_carries_its_points_sweep_key_in_settings_json():
    p = plan("games.battle_card.params.defenders_budget=10,20", "protocol.rounds=2,3")
    jobs = list(p)
    assert len(jobs) == len(p) == 4
    for job, point in zip(jobs, p.points, strict=True):  # one job per point here
        key = json.loads(job.settings_json())["sweep"]
        assert key == {"point": point.values, "index": point.index, "base": point.base}
        assert job.sweep == key
    assert sum(json.loads(j.settings_json())["sweep"]["base"] for j in jobs) == 1


@pytest.mark.parametrize(
    "vary",
    [
        "protocol.rounds=2,3",
        "protocol.feedback=outcome,detailed",
        "protocol.revision=alternate,simultaneous,none",
        "protocol.invalid_plan_policy=keep_previous,empty,forfeit",
        "protocol.initial_attempts=1,2",
        "games.battle_card.ruleset=v1,v2",
        "games.battle_card.params.max_units=5,7",
    ],
)
def test_each_swept_value_shows_in_the_jobs_and_gives_every_point_its_own_fingerprints(vary):
    p = plan(vary)
    path = vary.split("=")[0]
    per_point = [{j.fingerprint for j in jobs} for _, jobs in p.plans()]
    assert all(len(fps) == 1 for fps in per_point)
    assert len(set().union(*per_point)) == len(p.points)
    ids = [j.match_id for j in p]
    assert len(ids) == len(set(ids))
    for point, jobs in p.plans():
        value = point.values[path]
        for job in jobs:
            if path.startswith("protocol."):
                assert job.settings[path.split(".")[1]] == value
            elif path.endswith(".ruleset"):
                assert job.ruleset == value
            else:
                assert job.params[path.split(".")[-1]] == value
    # and the natural fingerprint inputs differ too: the same plans without sweep keys still differ
    plain = {next(iter(JobPlan(pt.config))).fingerprint for pt in p.points}
    assert len(plain) == len(p.points)


def test_a_game_the_sweep_does_not_touch_still_gets_new_ids_per_point():
    p = plan("games.battle_card.params.defenders_budget=10,20", text=TWO_GAMES)
    td = [[j for j in jobs if j.game == "tower_defense"] for _, jobs in p.plans()]
    assert len(td[0]) == len(td[1]) == 4  # 1 pair x 2 settings x 2 seeds
    assert not {j.match_id for j in td[0]} & {j.match_id for j in td[1]}
    assert not {j.fingerprint for j in td[0]} & {j.fingerprint for j in td[1]}
    assert p.fingerprints() == {j.fingerprint for j in p}


def test_counts_per_point_and_in_all():
    p = plan("protocol.rounds=2,3,4", text=TWO_GAMES)
    assert [len(jobs) for _, jobs in p.plans()] == [8, 8, 8]  # 2 games x 4
    assert len(p) == 24 == len(list(p))


def test_plans_are_deterministic():
    a = [(j.match_id, j.settings_json()) for j in plan("protocol.rounds=2,3", text=TWO_GAMES)]
    b = [(j.match_id, j.settings_json()) for j in plan("protocol.rounds=2,3", text=TWO_GAMES)]
    assert a == b


# ------------------------------------------------------------------------------------------- ordinary
GOLDEN = """\
name: golden
games: [battle_card, tower_defense@ruleset=v1, {name: elemental_duel, params: {max_skills: 2}}]
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: B}]
protocol: {rounds: 2, feedback: detailed, revision: simultaneous}
seeds: [0, 1]
"""


def test_ordinary_jobs_are_what_they_were_before_sweeps():
    # ids, fingerprints and JSON texts computed by the code before sweeps existed
    jobs = list(JobPlan(parse_experiment(GOLDEN, "g.yaml")))
    assert sorted({j.fingerprint for j in jobs}) == [
        "4ac4744eade2374b",
        "80eee97413f5531e",
        "8f6369ef8c9c29ec",
    ]
    assert [j.match_id for j in jobs[:3]] == ["2a971c2bfe2b0d8c", "8fe9c7ff280b9267", "6c446cad2f2c4310"]
    text = "\n".join(j.match_id + j.settings_json() + j.params_json() for j in jobs)
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "d467befe676df44255ea5e489690d91642d7cc2f519227f6450343eef1713d4f"
    )
    assert all(j.sweep is None and "sweep" not in json.loads(j.settings_json()) for j in jobs)


# ------------------------------------------------------------------------------------------- the file
SWEEP_FILE = (
    BASE
    + """\
sweep:
  mode: zip
  vary:
    games.battle_card.params.defenders_budget: [10, 20]
    protocol.rounds: [3, 5]
"""
)


def test_a_sweep_block_is_read_with_its_order_and_mode():
    cfg, s = parse_sweep_experiment(SWEEP_FILE, "s.yaml")
    assert cfg.name == "sw" and s is not None
    assert s.mode == "zip"
    assert [(e.path, e.values) for e in s.vary] == [
        ("games.battle_card.params.defenders_budget", (10, 20)),
        ("protocol.rounds", (3, 5)),
    ]
    assert s.vary[1].where == "s.yaml:11: sweep.vary"


def test_command_line_entries_replace_in_place_and_add_after():
    _, s = parse_sweep_experiment(SWEEP_FILE, "s.yaml")
    merged = merge(
        s, [parse_vary_option("protocol.rounds=7,8"), parse_vary_option("protocol.feedback=detailed")], "grid"
    )
    assert [(e.path, e.values) for e in merged.vary] == [
        ("games.battle_card.params.defenders_budget", (10, 20)),
        ("protocol.rounds", (7, 8)),
        ("protocol.feedback", ("detailed",)),
    ]
    assert merged.mode == "grid"


def test_vary_values_are_yaml_scalars():
    assert parse_vary_option("x=1, 2.5 ,v1,true,null,'3'").values == (1, 2.5, "v1", True, None, "3")


def test_stratagem_run_refuses_a_sweep_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP_FILE)
    with pytest.raises(
        ConfigError, match=r"s\.yaml:7: sweep: this experiment is a sweep; play it with stratagem sweep"
    ):
        load_experiment_file(path)


def test_an_experiment_without_a_sweep_block_loads_as_before():
    cfg, s = parse_sweep_experiment(BASE, "t.yaml")
    assert s is None and cfg == config()


# ------------------------------------------------------------------------------------------- errors
BAD = {
    "unknown path": (["foo.bar=1"], "foo.bar: unknown path; a sweep varies games.<game>.params.<name>"),
    "unknown game": (["games.chess.params.x=1"], "unknown game 'chess'; known: battle_card"),
    "game not played": (
        ["games.tower_defense.ruleset=v1"],
        "tower_defense is not one of this experiment's games",
    ),
    "unknown parameter": (
        ["games.battle_card.params.budget_a=10"],
        "unknown parameter 'budget_a'; known: defenders_budget, invaders_budget, max_units",
    ),
    "wrong type": (["games.battle_card.params.max_units=many"], "must be int, got 'many'"),
    "float for int": (["games.battle_card.params.max_units=2.5"], "allowed: an integer >= 0"),
    "below cheapest unit": (
        ["games.battle_card.params.defenders_budget=0,10"],
        "defenders_budget = 0: a budget below the cheapest Defenders entry (cost 1) buys nothing;"
        " allowed: an integer >= 1",
    ),
    "bad ruleset": (
        ["games.battle_card.ruleset=v9"],
        "unknown ruleset 'v9' of game battle_card; known rulesets: v1, v2",
    ),
    "rounds too high": (["protocol.rounds=2,101"], "protocol.rounds = 101: allowed: an integer 1..100"),
    "rounds zero": (["protocol.rounds=0"], "protocol.rounds = 0: allowed: an integer 1..100"),
    "bad feedback": (["protocol.feedback=full"], 'protocol.feedback = "full": allowed: outcome, detailed'),
    "bad revision": (["protocol.revision=often"], "allowed: alternate, simultaneous, none"),
    "unknown setting": (["protocol.speed=1"], "unknown protocol setting 'speed'; known: rounds, revision"),
    "repeated value": (["protocol.rounds=3,3"], "protocol.rounds = 3 is listed twice"),
    "path twice": (["protocol.rounds=3", "protocol.rounds=4"], "protocol.rounds: given twice"),
    "empty list": (["protocol.rounds="], "protocol.rounds: no values"),
    "no equals": (["protocol.rounds"], "expected PATH=V1,V2"),
    "empty value": (["protocol.rounds=1,,2"], "an empty value"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_sweeps_fail_with_one_line_naming_the_path(case):
    entries, message = BAD[case]
    with pytest.raises(SweepError) as info:
        plan(*entries)
    text = str(info.value)
    assert message in text and "\n" not in text
    assert text.startswith("--vary: ")


def test_nothing_to_sweep():
    with pytest.raises(SweepError, match="nothing to sweep"):
        merge(None, [], None)


def test_zip_needs_lists_of_one_length():
    with pytest.raises(
        SweepError,
        match=r"zip needs value lists of one length: protocol\.rounds has 2, protocol\.feedback has 1",
    ):
        plan("protocol.rounds=2,3", "protocol.feedback=detailed", mode="zip")


def test_a_point_that_cannot_be_played_is_named():
    # lives exists in tower defense v2 only
    with pytest.raises(
        SweepError, match=r"sweep point 0 .*unknown parameter 'lives'.*tower_defense@ruleset=v1"
    ):
        plan("games.tower_defense.params.lives=1,2", "games.tower_defense.ruleset=v1,v2", text=TWO_GAMES)


def test_a_parameter_of_another_swept_ruleset_is_accepted_in_zip():
    p = plan(
        "games.tower_defense.params.lives=2", "games.tower_defense.ruleset=v2", mode="zip", text=TWO_GAMES
    )
    assert p.points[0].config.games[1].params == {"lives": 2}


def test_tower_defense_budgets_need_the_cheapest_unit():
    with pytest.raises(SweepError, match=r"cheapest Demon entry \(cost 100\).*allowed: an integer >= 100"):
        plan("games.tower_defense.params.demon_budget=99", text=TWO_GAMES)
    assert len(plan("games.tower_defense.params.demon_budget=100", text=TWO_GAMES).points) == 1


YAML_BAD = {
    "not a mapping": ("sweep: [1]\n", "s.yaml:7: sweep: must be a mapping"),
    "bad mode": (
        "sweep:\n  mode: diagonal\n  vary: {protocol.rounds: [1]}\n",
        "s.yaml:8: sweep.mode: must be grid or zip",
    ),
    "no vary": ("sweep:\n  mode: grid\n", "vary is missing"),
    "scalar values": (
        "sweep:\n  vary:\n    protocol.rounds: 3\n",
        "s.yaml:9: sweep.vary: protocol.rounds: values must be a list",
    ),
    "unknown key": (
        "sweep:\n  points: 3\n  vary: {protocol.rounds: [1]}\n",
        "s.yaml:8: sweep.points: unknown field",
    ),
    "bad value": (
        "sweep:\n  vary:\n    protocol.rounds: [1, 2]\n    protocol.feedback: [outcome, full]\n",
        's.yaml:10: sweep.vary: protocol.feedback = "full": allowed: outcome, detailed',
    ),
    "list value": ("sweep:\n  vary:\n    protocol.rounds: [[1, 2]]\n", "a sweep value must be a scalar"),
}


@pytest.mark.parametrize("case", sorted(YAML_BAD))
def test_a_bad_sweep_block_names_its_line(case):
    block, message = YAML_BAD[case]
    with pytest.raises((ConfigError, SweepError)) as info:
        cfg, s = parse_sweep_experiment(BASE + block, "s.yaml")
        SweepPlan(cfg, merge(s, [], None))
    assert message in str(info.value)


# ------------------------------------------------------------------------------------------- helpers
def test_budgets_and_cheapest_entries_come_from_the_game_api():
    assert budget_params("battle_card", "v2") == {"defenders_budget": "A", "invaders_budget": "B"}
    assert budget_params("tower_defense", "v1") == {"human_budget": "A", "demon_budget": "B"}
    assert cheapest_entry("tower_defense", "v2", {}, "A") == 50
    assert cheapest_entry("elemental_duel", "v2", {}, "B") == 1


def test_allowed_protocol_values_are_read_from_the_schema():
    assert allowed_protocol_values("rounds") == "an integer 1..100"
    assert allowed_protocol_values("initial_attempts") == "an integer >= 1, or null"
    assert allowed_protocol_values("initial_plans") == "per_match, shared"


def test_vary_entries_keep_where_they_came_from():
    assert parse_vary_option("protocol.rounds=1") == VaryEntry("protocol.rounds", (1,), "--vary")
