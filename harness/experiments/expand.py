"""Deterministic expansion of an experiment into match jobs.

Order: game → model pair → setting → seed → repetition, each in the order the file lists them. For each
pair ``(first, second)`` and setting ``(side, first_reviser)``, ``first`` plays ``side``.

Repetition indices count identical coordinates: the k-th job with the same ``(game, model_a, model_b,
first_reviser, seed)`` gets repetition k. With ``repetitions: n`` every coordinate normally appears n
times; a self-play pair (a test model that is also in the panel) meets the same coordinates twice in the
four-setting grid (e.g. "test plays A, A first" and "test plays B, opponent A first" are the same match),
and the second occurrence becomes a further repetition instead of a duplicate id — a second sample, as
the paper's pipeline played it.

:class:`JobPlan` makes the jobs lazily in that order (a plan of a million jobs is never held in memory)
and counts them without making them; :func:`expand` is the same jobs as a list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import combinations
from typing import Any

from harness.experiments.config import (
    ExperimentConfig,
    ExplicitPairs,
    GameSpec,
    GenerationSpec,
    RoundRobin,
    VsPanel,
)
from harness.experiments.jobs import JobFactory, MatchJob, takes_no_sampling_params
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


class JobPlan:
    """The match jobs of an experiment, made lazily in plan order; iterable any number of times.

    Iterating makes the jobs one at a time (what jobs share is computed once per game and setting, see
    :class:`~harness.experiments.jobs.JobFactory`), so a plan of a million jobs never sits in memory;
    ``len()`` and :meth:`fingerprints` are computed from the config without making any job.

    Args:
        config: The validated experiment.
        sweep: The sweep key every job carries (one point of a sweep, see
            :class:`~harness.experiments.sweep.SweepPlan`); ``None`` for an ordinary experiment.
    """

    def __init__(self, config: ExperimentConfig, sweep: dict[str, Any] | None = None) -> None:
        self.config = config
        self.sweep = sweep
        self._pairs = model_pairs(config)
        self._points = config.settings.points()

    def __len__(self) -> int:
        c = self.config
        return len(c.games) * len(self._pairs) * len(self._points) * len(c.seeds) * c.repetitions

    def __iter__(self) -> Iterator[MatchJob]:
        return self._jobs()

    def _factory(self, game: GameSpec, first_reviser: str) -> JobFactory:
        return JobFactory(
            experiment=self.config.name,
            game=game.name,
            params=game.params,
            ruleset=game.ruleset,
            settings={**self.config.protocol.model_dump(), "first_reviser": first_reviser},
            base_generation=base_generation(self.config),
            base_plan_schema=self.config.generation.plan_schema,
            sweep=self.sweep,
        )

    def fingerprints(self) -> set[str]:
        """The fingerprints of the plan's jobs (one per game: ``first_reviser`` is not part of it)."""
        if not len(self):
            return set()
        return {self._factory(game, self._points[0].first_reviser).fingerprint for game in self.config.games}

    def _jobs(self) -> Iterator[MatchJob]:
        config = self.config
        specs = {m: generation_spec_for(config, m) for m in config.all_models()}
        gens = {m: _to_generate_config(s) for m, s in specs.items()}
        reps = config.repetitions
        for game in config.games:
            factories: dict[str, JobFactory] = {}
            # How often (model_a, model_b, first_reviser) came up before in this game: each earlier
            # occurrence played every seed ``reps`` times, so repetition indices go on from there (the
            # module docstring's rule, without counting every coordinate).
            occurrences: Counter[tuple[str, str, str]] = Counter()
            for first, second in self._pairs:
                for point in self._points:
                    model_a, model_b = (first, second) if point.side == "A" else (second, first)
                    fr = point.first_reviser
                    factory = factories.get(fr)
                    if factory is None:
                        factory = factories[fr] = self._factory(game, fr)
                    sides = factory.sides(
                        model_a,
                        model_b,
                        gens[model_a],
                        gens[model_b],
                        specs[model_a].plan_schema,
                        specs[model_b].plan_schema,
                    )
                    offset = occurrences[(model_a, model_b, fr)] * reps
                    occurrences[(model_a, model_b, fr)] += 1
                    for seed in config.seeds:
                        for r in range(reps):
                            yield factory.job(sides, seed, offset + r)


def expand(config: ExperimentConfig) -> list[MatchJob]:
    """All match jobs of ``config``, deterministically ordered, ids unique (a list of :class:`JobPlan`)."""
    return list(JobPlan(config))
