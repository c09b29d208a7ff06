"""Deterministic expansion into jobs; fingerprints and match ids are stable and content-derived."""

from __future__ import annotations

import dataclasses

import pytest

from harness.experiments import build_job, expand, load_preset, parse_experiment
from harness.experiments.identity import match_seed
from harness.models.types import GenerateConfig

BASE = """\
name: t
games: [battle_card]
models: [bot/random, bot/greedy, bot/search@sims=4]
protocol: {rounds: 3}
"""


def jobs_of(text: str):
    return expand(parse_experiment(text, "t.yaml", default_name="t"))


def test_round_robin_counts_and_order():
    jobs = jobs_of(BASE)
    assert len(jobs) == 3 * 4  # 3 unordered pairs x 4 settings
    first = jobs[:4]
    assert [(j.model_a, j.model_b, j.first_reviser) for j in first] == [
        ("bot/random", "bot/greedy", "A"),
        ("bot/random", "bot/greedy", "B"),
        ("bot/greedy", "bot/random", "A"),
        ("bot/greedy", "bot/random", "B"),
    ]
    assert len({j.match_id for j in jobs}) == len(jobs)


def test_expansion_is_deterministic():
    a, b = jobs_of(BASE), jobs_of(BASE)
    assert [j.match_id for j in a] == [j.match_id for j in b]
    assert a == b


def test_fingerprint_excludes_models_seed_and_first_reviser():
    jobs = jobs_of(BASE + "seeds: [0, 7]\n")
    assert len({j.fingerprint for j in jobs}) == 1
    assert len({j.match_id for j in jobs}) == len(jobs) == 24


@pytest.mark.parametrize(
    "change",
    [
        "protocol: {rounds: 4}\n",
        "protocol: {rounds: 3, feedback: detailed}\n",
        "protocol: {rounds: 3, invalid_plan_policy: empty}\n",
        "generation: {temperature: 0.7}\n",
    ],
)
def test_measurement_changes_change_fingerprint_and_ids(change):
    base = jobs_of(BASE)
    text = BASE.replace("protocol: {rounds: 3}\n", "") + change
    if "protocol" not in change:
        text += "protocol: {rounds: 3}\n"
    other = jobs_of(text)
    assert base[0].fingerprint != other[0].fingerprint
    assert not {j.match_id for j in base} & {j.match_id for j in other}


def test_game_params_change_fingerprint():
    a = jobs_of(BASE)
    b = jobs_of(BASE.replace("games: [battle_card]", "games: [{name: battle_card, params: {max_units: 5}}]"))
    assert a[0].fingerprint != b[0].fingerprint


def test_default_initial_attempts_resolved_so_equal_configs_hash_equal():
    a = jobs_of(BASE)
    b = jobs_of(BASE.replace("{rounds: 3}", "{rounds: 3, initial_attempts: 3}"))
    assert a[0].settings["initial_attempts"] == 3  # battle card's default
    assert [j.match_id for j in a] == [j.match_id for j in b]


def test_operational_knobs_do_not_change_ids():
    a = jobs_of(BASE)
    b = jobs_of(BASE + "max_matches: 3\nmax_tries: 5\nconcurrency: {default: 2}\nstore: elsewhere.sqlite\n")
    assert [j.match_id for j in a] == [j.match_id for j in b]


def test_per_model_override_changes_only_that_models_matches():
    text = """\
name: t
games: [battle_card]
models: [scripted/x, scripted/y, bot/greedy]
protocol: {rounds: 3}
"""
    a = jobs_of(text)
    b = jobs_of(text + "generation_overrides:\n  scripted/x: {temperature: 0.0}\n")
    assert {j.fingerprint for j in a} == {j.fingerprint for j in b}
    for ja, jb in zip(a, b, strict=True):
        involves_x = "scripted/x" in (ja.model_a, ja.model_b)
        assert (ja.match_id != jb.match_id) == involves_x


def test_bots_get_no_generation_config():
    job = jobs_of(BASE)[0]
    assert job.generation_a is None and job.generation_b is None


def test_repetitions_and_seeds():
    jobs = jobs_of(BASE + "seeds: [5]\nrepetitions: 3\nsettings: [{side: A, first_reviser: A}]\n")
    assert len(jobs) == 3 * 3
    reps = [(j.repetition, j.seed) for j in jobs[:3]]
    assert reps == [(0, 5), (1, match_seed(5, 1)), (2, match_seed(5, 2))]
    assert len({s for _, s in reps}) == 3


def test_vs_panel_with_self_play_turns_coinciding_settings_into_repetitions():
    text = """\
name: t
games: [battle_card]
models: [bot/random, bot/greedy]
pairing: {mode: vs_panel, panel: [bot/greedy]}
"""
    jobs = jobs_of(text)
    assert len(jobs) == 2 * 1 * 4
    self_play = [j for j in jobs if j.model_a == j.model_b == "bot/greedy"]
    assert sorted((j.first_reviser, j.repetition) for j in self_play) == [
        ("A", 0),
        ("A", 1),
        ("B", 0),
        ("B", 1),
    ]
    assert len({j.match_id for j in jobs}) == len(jobs)
    no_self = jobs_of(text.replace("panel: [bot/greedy]}", "panel: [bot/greedy], self_play: false}"))
    assert len(no_self) == 4


def test_explicit_pairs_and_settings():
    jobs = jobs_of(
        """\
games: [battle_card]
models: [bot/random]
pairing:
  mode: pairs
  pairs: [[bot/random, bot/greedy], [bot/greedy, bot/greedy]]
settings: [{side: B, first_reviser: A}]
"""
    )
    assert [(j.model_a, j.model_b, j.first_reviser) for j in jobs] == [
        ("bot/greedy", "bot/random", "A"),
        ("bot/greedy", "bot/greedy", "A"),
    ]


def test_build_job_matches_the_experiments_job():
    """``stratagem play`` builds its job through the same function: same inputs, same id."""
    job = jobs_of(BASE)[0]
    again = build_job(
        experiment="play",
        game="battle_card",
        params=None,
        model_a=job.model_a,
        model_b=job.model_b,
        settings={**job.settings, "initial_attempts": None},
        generation_a=None,
        generation_b=None,
        base_generation=GenerateConfig(),
        base_seed=0,
        repetition=0,
    )
    assert again.match_id == job.match_id
    assert dataclasses.replace(again, experiment="t") == job


def test_preset_sizes():
    assert len(expand(load_preset("smoke"))) == 3
    bots = expand(load_preset("bots"))
    assert len(bots) == 3 * 3 * 4


def test_advgamebench_preset_expands_to_432_matches():
    cfg = load_preset("advgamebench")
    jobs = expand(cfg)
    # 12 test models x 3 panel opponents x 4 settings x 3 games
    assert len(jobs) == 12 * 3 * 4 * 3 == 432
    assert len({j.match_id for j in jobs}) == 432
    assert len({j.fingerprint for j in jobs}) == 3  # one per game
    per_model = {m: sum(m in (j.model_a, j.model_b) for j in jobs) for m in cfg.models}
    # every test model plays 36 matches as test model; panel members also play as opponents
    non_panel = [m for m in cfg.models if m not in cfg.pairing.panel]
    assert all(per_model[m] == 36 for m in non_panel)
