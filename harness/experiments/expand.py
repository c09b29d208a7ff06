"""Deterministic expansion of an experiment into match jobs.

Order: game → model pair → setting → seed → repetition, each in the order the file lists them. For each
pair ``(first, second)`` and setting ``(side, first_reviser)``, ``first`` plays ``side``.

Repetition indices count identical coordinates: the k-th job with the same ``(game, model_a, model_b,
first_reviser, seed)`` gets repetition k. With ``repetitions: n`` every coordinate normally appears n
times; a self-play pair (a test model that is also in the panel) meets the same coordinates twice in the
four-setting grid (e.g. "test plays A, A first" and "test plays B, opponent A first" are the same match),
and the second occurrence becomes a further repetition instead of a duplicate id — a second sample, as
the paper's pipeline played it.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from harness.experiments.config import ExperimentConfig, ExplicitPairs, GenerationSpec, RoundRobin, VsPanel
from harness.experiments.jobs import MatchJob, build_job, takes_no_sampling_params
from harness.models.types import GenerateConfig


def model_pairs(config: ExperimentConfig) -> list[tuple[str, str]]:
    """The ``(first, second)`` pairs of the experiment's pairing, in order."""
    pairing = config.pairing
    if isinstance(pairing, RoundRobin):
        pairs = list(combinations(config.models, 2))
        if pairing.self_play:
            pairs += [(m, m) for m in config.models]
        return pairs
    if isinstance(pairing, VsPanel):
        return [(t, o) for t in config.models for o in pairing.panel if pairing.self_play or t != o]
    assert isinstance(pairing, ExplicitPairs)  # the discriminated union has three members
    return [(p[0], p[1]) for p in pairing.pairs]


def _to_generate_config(spec: GenerationSpec) -> GenerateConfig:
    return GenerateConfig(
        temperature=spec.temperature,
        top_p=spec.top_p,
        max_tokens=spec.max_tokens,
        seed=spec.seed,
        timeout_s=spec.timeout_s,
    )


def base_generation(config: ExperimentConfig) -> GenerateConfig:
    """The experiment-level generation config."""
    return _to_generate_config(config.generation)


def generation_spec_for(config: ExperimentConfig, model: str) -> GenerationSpec:
    """``model``'s effective generation spec.

    The base config, without sampling params for reasoning models, then the model's overrides.
    """
    spec = config.generation
    if takes_no_sampling_params(model):
        spec = spec.model_copy(update={"temperature": None, "top_p": None})
    override = config.generation_overrides.get(model)
    if override is not None:
        spec = override.apply(spec)
    return spec


def generation_for(config: ExperimentConfig, model: str) -> GenerateConfig:
    """``model``'s effective generation config (see :func:`generation_spec_for`)."""
    return _to_generate_config(generation_spec_for(config, model))


def expand(config: ExperimentConfig) -> list[MatchJob]:
    """All match jobs of ``config``, deterministically ordered, ids unique."""
    base = base_generation(config)
    specs = {m: generation_spec_for(config, m) for m in config.all_models()}
    gens = {m: _to_generate_config(s) for m, s in specs.items()}
    protocol = config.protocol.model_dump()
    seen: Counter[tuple[str, str, str, str, int]] = Counter()
    jobs: list[MatchJob] = []
    for game in config.games:
        for first, second in model_pairs(config):
            for point in config.settings.points():
                model_a, model_b = (first, second) if point.side == "A" else (second, first)
                for seed in config.seeds:
                    for _ in range(config.repetitions):
                        key = (game.name, model_a, model_b, point.first_reviser, seed)
                        repetition = seen[key]
                        seen[key] += 1
                        jobs.append(
                            build_job(
                                experiment=config.name,
                                game=game.name,
                                params=game.params,
                                ruleset=game.ruleset,
                                model_a=model_a,
                                model_b=model_b,
                                settings={**protocol, "first_reviser": point.first_reviser},
                                generation_a=gens[model_a],
                                generation_b=gens[model_b],
                                base_generation=base,
                                base_seed=seed,
                                repetition=repetition,
                                plan_schema_a=specs[model_a].plan_schema,
                                plan_schema_b=specs[model_b].plan_schema,
                                base_plan_schema=config.generation.plan_schema,
                            )
                        )
    return jobs
