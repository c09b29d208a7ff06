"""The lazy job plan makes exactly the jobs the listed expansion always made, in the same order."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from games.core.types import canonical_json
from harness.experiments import JobPlan, build_job, expand, load_preset, parse_experiment
from harness.experiments.expand import base_generation, generation_for, model_pairs
from harness.experiments.identity import generation_dict, match_id, match_id_maker


def config(text: str):
    return parse_experiment(text, "t.yaml", default_name="t")


def reference_expand(cfg):
    """The expansion as it was before it was streamed: a Counter of coordinates and build_job per job."""
    from harness.experiments.expand import generation_spec_for

    base = base_generation(cfg)
    specs = {m: generation_spec_for(cfg, m) for m in cfg.all_models()}
    protocol = cfg.protocol.model_dump()
    seen: Counter[tuple[str, str, str, str, int]] = Counter()
    jobs = []
    for game in cfg.games:
        for first, second in model_pairs(cfg):
            for point in cfg.settings.points():
                model_a, model_b = (first, second) if point.side == "A" else (second, first)
                for seed in cfg.seeds:
                    for _ in range(cfg.repetitions):
                        key = (game.name, model_a, model_b, point.first_reviser, seed)
                        repetition = seen[key]
                        seen[key] += 1
                        jobs.append(
                            build_job(
                                experiment=cfg.name,
                                game=game.name,
                                params=game.params,
                                ruleset=game.ruleset,
                                model_a=model_a,
                                model_b=model_b,
                                settings={**protocol, "first_reviser": point.first_reviser},
                                generation_a=generation_for(cfg, model_a),
                                generation_b=generation_for(cfg, model_b),
                                base_generation=base,
                                base_seed=seed,
                                repetition=repetition,
                                plan_schema_a=specs[model_a].plan_schema,
                                plan_schema_b=specs[model_b].plan_schema,
                                base_plan_schema=cfg.generation.plan_schema,
                            )
                        )
    return jobs


CONFIGS = {
    "round_robin": """\
games: [battle_card, elemental_duel@ruleset=v1]
models: [bot/random, bot/greedy, bot/search@sims=4]
protocol: {rounds: 3}
seeds: [0, 7, 3]
repetitions: 2
""",
    "self_play_panel_overrides": """\
games: [{name: tower_defense, params: {human_budget: 2500}}, battle_card]
models: [openai/gpt-4.1, bot/greedy, openai/o3-mini]
pairing: {mode: vs_panel, panel: [bot/greedy, openai/gpt-4.1]}
protocol: {rounds: 2, revision: simultaneous, initial_plans: shared, feedback: detailed}
generation: {temperature: 0.7, plan_schema: true}
generation_overrides: {openai/gpt-4.1: {max_tokens: 99, plan_schema: false}}
seeds: [5]
repetitions: 3
""",
    "explicit_pairs_and_settings": """\
games: [elemental_duel]
models: [bot/random, bot/greedy]
pairing: {mode: pairs, pairs: [[bot/random, bot/greedy], [bot/greedy, bot/greedy], [bot/random, bot/greedy]]}
settings: [{side: B, first_reviser: A}, {side: A, first_reviser: A}]
protocol: {rounds: 1, revision: none}
seeds: [2, 1]
""",
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_plan_makes_the_jobs_of_the_listed_expansion(name):
    cfg = config(CONFIGS[name])
    plan = JobPlan(cfg)
    reference = reference_expand(cfg)
    jobs = list(plan)
    assert jobs == reference  # every field, in order
    assert [j.match_id for j in jobs] == [j.match_id for j in reference]
    assert [(j.settings_json(), j.params_json()) for j in jobs] == [
        (j.settings_json(), j.params_json()) for j in reference
    ]
    assert len(plan) == len(jobs) == len({j.match_id for j in jobs})
    assert plan.fingerprints() == {j.fingerprint for j in jobs}
    assert list(plan) == jobs  # iterable again, from the start
    assert expand(cfg) == jobs


def test_the_advgamebench_preset_is_unchanged():
    cfg = load_preset("advgamebench")
    assert list(JobPlan(cfg)) == reference_expand(cfg)


def test_cached_json_texts_equal_a_fresh_encoding():
    job = next(iter(JobPlan(config(CONFIGS["self_play_panel_overrides"]))))
    assert job.params_json() == canonical_json(job.params)
    assert job.settings_json() == canonical_json(
        {
            **job.settings,
            "generation_a": generation_dict(job.generation_a, job.plan_schema_a),
            "generation_b": generation_dict(job.generation_b, job.plan_schema_b),
        }
    )


def test_a_plan_of_a_million_jobs_is_counted_without_making_them():
    cfg = config("games: [elemental_duel]\nmodels: [bot/random, bot/greedy]\nrepetitions: 250000\n")
    plan = JobPlan(cfg)
    assert len(plan) == 1_000_000
    assert len(plan.fingerprints()) == 1
    first = list(itertools.islice(plan, 3))
    assert [j.repetition for j in first] == [0, 1, 2]


def test_an_empty_pairing_plans_nothing():
    cfg = config(
        "games: [battle_card]\nmodels: [bot/greedy]\n"
        "pairing: {mode: vs_panel, panel: [bot/greedy], self_play: false}\n"
    )
    plan = JobPlan(cfg)
    assert len(plan) == 0 and list(plan) == [] and plan.fingerprints() == set()


def test_match_id_maker_equals_match_id():
    rng = random.Random(3)
    for i in range(300):
        kw = {
            "fingerprint": f"fp{i}",
            "model_a": 'bot/x"é',
            "model_b": "local/y",
            "generation_a": None if i % 2 else {"temperature": 0.3, "extra": {"z": 1, "a": [1, 2]}},
            "generation_b": {"plan_schema": True},
            "first_reviser": "AB"[i % 2],
        }
        make = match_id_maker(**kw)
        for seed, rep in [(rng.randrange(2**31), rng.randrange(100)), (0, 0), (True, 1)]:
            assert make(seed, rep) == match_id(**kw, seed=seed, repetition=rep)


def test_ids_are_the_identity_functions_of_the_job():
    from harness.experiments.identity import fingerprint, match_seed
    from harness.protocol.versions import PARSER_VERSION, PROMPT_VERSION

    cfg = config(CONFIGS["self_play_panel_overrides"])
    for job in itertools.islice(JobPlan(cfg), 0, None, 7):
        fp = fingerprint(
            game=job.game,
            ruleset=job.ruleset,
            params=job.params,
            prompt_version=PROMPT_VERSION,
            parser_version=PARSER_VERSION,
            settings=job.settings,
            generation=generation_dict(base_generation(cfg), cfg.generation.plan_schema),
        )
        assert job.fingerprint == fp
        assert job.seed == match_seed(cfg.seeds[0], job.repetition)
        assert job.match_id == match_id(
            fingerprint=fp,
            model_a=job.model_a,
            model_b=job.model_b,
            generation_a=generation_dict(job.generation_a, job.plan_schema_a),
            generation_b=generation_dict(job.generation_b, job.plan_schema_b),
            first_reviser=job.first_reviser,
            seed=job.seed,
            repetition=job.repetition,
        )
