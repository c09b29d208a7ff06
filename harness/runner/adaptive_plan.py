"""The matches ``stratagem run --adaptive`` can schedule, and the rule that picks each batch.

**Units.** The adaptive run schedules *side-swapped pairs* of matches ("units"): for a model pair
``(first, second)`` of the experiment's round robin (in its order) in one game, unit n is two ordinary jobs,
``first`` on side A then ``second`` on side A, with

* ``first_reviser`` = the n-th of the settings grid's ``first_reviser`` values (cycling),
* seed = the next of the experiment's ``seeds`` after those (cycling), and
* repetition = how many times the (``first_reviser``, seed) cycle went round before,

``n → (first_reviser F[n mod |F|], seed S[(n div |F|) mod |S|], repetition n div (|F|·|S|))``. The jobs are
made by :class:`~harness.experiments.jobs.JobFactory` as the experiment's own plan makes them, so their
fingerprints and match ids follow the usual rules (:mod:`harness.experiments.identity`): the adaptive
run's matches are the matches a uniform run of the same experiment with enough repetitions (and both
sides in its grid) would play, and nothing in an id depends on the allocation.

**Batches.** Batch 0 is a round robin: unit 0 of every pair in every game, so every model is connected.
Batch k ≥ 1 is decided from the leaderboard of the finished matches of batches 0 … k − 1
(:func:`~harness.runner.adaptive_fit.fit_leaderboard`, bootstrap seed :func:`batch_seed` of the plan key
and k). When every adjacent pair is settled the run stops. Otherwise the batch holds one unit per
unsettled adjacent pair (at most :data:`MAX_BATCH_PAIRS`), each the next unit of some model pair, in every
game, chosen by one of two rules (:class:`~harness.runner.adaptive.AdaptiveOptions`):

* ``information`` (the default; :mod:`harness.runner.adaptive_design`): greedily, the model pair whose
  unit shrinks the bootstrap variance of the unsettled adjacent differences the most;
* ``adjacent``: the unsettled adjacent pairs themselves, least certain first (``|p_order − 0.5|``
  smallest, then the higher position).

So the schedule is a pure function of the experiment, the options (``confidence``, ``n_boot``) and the
results of earlier batches; budgets (``--max-matches``, ``--max-cost``) only say how much of it is played.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from games.core.errors import UserError
from harness.experiments.config import ExperimentConfig, RoundRobin
from harness.experiments.expand import base_generation, generation_for, generation_spec_for, model_pairs
from harness.experiments.identity import stable_hash
from harness.experiments.jobs import JobFactory, MatchJob
from harness.runner.adaptive_fit import AdjacentPair, Leaderboard

#: Adjacent pairs one batch schedules at most.
MAX_BATCH_PAIRS = 16


class AdaptiveConfigError(UserError):
    """The experiment cannot be run adaptively (exit 2, one line)."""


@dataclass(frozen=True)
class Unit:
    """One side-swapped pair of matches.

    Attributes:
        game: The game's name.
        pair: ``(first, second)`` in the experiment's pair order.
        n: The pair's n-th unit in this game (0-based).
        jobs: ``first`` on side A, then ``second`` on side A.
    """

    game: str
    pair: tuple[str, str]
    n: int
    jobs: tuple[MatchJob, MatchJob]


def check_adaptive(config: ExperimentConfig) -> None:
    """Raise :class:`AdaptiveConfigError` unless ``config`` can be run adaptively."""
    if not isinstance(config.pairing, RoundRobin):
        raise AdaptiveConfigError(
            f"--adaptive needs pairing: round_robin (every model against every other); {config.name} pairs"
            f" by {config.pairing.mode}"
        )
    if len(config.models) < 2:
        raise AdaptiveConfigError(
            f"--adaptive needs at least 2 models; {config.name} has {len(config.models)}"
        )


class Schedule:
    """Makes the units of an experiment (see the module docstring).

    Args:
        config: The validated experiment (round robin, at least two models).
    """

    def __init__(self, config: ExperimentConfig) -> None:
        check_adaptive(config)
        self.config = config
        self.models = list(config.models)
        self.games = [g.name for g in config.games]
        self.pairs = [(a, b) for a, b in model_pairs(config) if a != b]
        self.first_revisers = list(dict.fromkeys(p.first_reviser for p in config.settings.points()))
        self._by_models = {frozenset(p): p for p in self.pairs}
        self._factories: dict[tuple[int, str], JobFactory] = {}
        self._sides: dict[tuple[int, str, str, str], Any] = {}
        self._gens = {m: generation_for(config, m) for m in config.all_models()}
        self._schemas = {m: generation_spec_for(config, m).plan_schema for m in config.all_models()}

    def _factory(self, game_index: int, first_reviser: str) -> JobFactory:
        key = (game_index, first_reviser)
        factory = self._factories.get(key)
        if factory is None:
            spec = self.config.games[game_index]
            factory = self._factories[key] = JobFactory(
                experiment=self.config.name,
                game=spec.name,
                params=spec.params,
                ruleset=spec.ruleset,
                settings={**self.config.protocol.model_dump(), "first_reviser": first_reviser},
                base_generation=base_generation(self.config),
                base_plan_schema=self.config.generation.plan_schema,
            )
        return factory

    def _job(self, game_index: int, model_a: str, model_b: str, n: int) -> MatchJob:
        f, s = len(self.first_revisers), len(self.config.seeds)
        fr = self.first_revisers[n % f]
        seed = self.config.seeds[(n // f) % s]
        repetition = n // (f * s)
        factory = self._factory(game_index, fr)
        key = (game_index, fr, model_a, model_b)
        sides = self._sides.get(key)
        if sides is None:
            sides = self._sides[key] = factory.sides(
                model_a,
                model_b,
                self._gens[model_a],
                self._gens[model_b],
                self._schemas[model_a],
                self._schemas[model_b],
            )
        return factory.job(sides, seed, repetition)

    def unit(self, game: str, pair: tuple[str, str], n: int) -> Unit:
        """Unit ``n`` of ``pair`` (in the experiment's order) in ``game``."""
        gi = self.games.index(game)
        first, second = pair
        return Unit(game, pair, n, (self._job(gi, first, second, n), self._job(gi, second, first, n)))

    def pair_of(self, a: str, b: str) -> tuple[str, str]:
        """The experiment's ``(first, second)`` for models ``a`` and ``b`` (either order)."""
        return self._by_models[frozenset((a, b))]

    def plan_key(self) -> str:
        """The hash of what defines the schedule (the allocation log's ``plan``)."""
        fps = [self._factory(i, self.first_revisers[0]).fingerprint for i in range(len(self.games))]
        return stable_hash(
            {
                "fingerprints": fps,
                "games": self.games,
                "models": self.models,
                "pairs": [list(p) for p in self.pairs],
                "first_revisers": self.first_revisers,
                "seeds": list(self.config.seeds),
            }
        )


def batch_seed(plan: str, batch: int) -> int:
    """The bootstrap seed of the leaderboard deciding ``batch`` (from the plan key, so from the config)."""
    digest = hashlib.sha256(f"stratagem-adaptive/{plan}/{batch}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def least_certain(board: Leaderboard, max_pairs: int = MAX_BATCH_PAIRS) -> list[AdjacentPair]:
    """The unsettled adjacent pairs to play next, least certain first, at most ``max_pairs``."""
    open_pairs = [p for p in board.pairs if not p.settled]
    open_pairs.sort(key=lambda p: (round(abs(p.p_order - 0.5), 6), -p.position))
    return open_pairs[:max_pairs]


def stop_reason(board: Leaderboard, n_boot: int) -> dict[str, Any]:
    """The allocation log's ``reason`` of a ``stop`` row."""
    return {
        "rule": "stop",
        "why": "every adjacent pair is settled",
        "confidence": board.confidence,
        "n_boot": n_boot,
        "settled": f"{board.n_settled}/{len(board.pairs)}",
        "matches": board.n_matches,
        "order": list(board.order),
        "pairs": [p.reason() for p in board.pairs],
    }


def round_robin_units(schedule: Schedule) -> list[Unit]:
    """Batch 0: unit 0 of every pair in every game (game-major, then the experiment's pair order)."""
    return [schedule.unit(g, p, 0) for g in schedule.games for p in schedule.pairs]


def plan_batch(
    schedule: Schedule,
    board: Leaderboard,
    used: dict[tuple[str, tuple[str, str]], int],
    *,
    rule: str,
    max_pairs: int,
    n_boot: int,
) -> list[tuple[Unit, dict[str, Any]]]:
    """Batch k ≥ 1: its units and their log reasons, by ``rule`` (``information`` or ``adjacent``).

    ``used`` counts the units scheduled so far per (game, pair); it is not changed here.
    """
    head = {
        "confidence": board.confidence,
        "n_boot": n_boot,
        "settled": f"{board.n_settled}/{len(board.pairs)}",
        "matches": board.n_matches,
    }
    count = dict(used)
    out: list[tuple[Unit, dict[str, Any]]] = []

    def add(pair: tuple[str, str], reason: dict[str, Any]) -> None:
        for g in schedule.games:
            n = count.get((g, pair), 0)
            count[(g, pair)] = n + 1
            out.append((schedule.unit(g, pair, n), reason))

    if rule == "adjacent":
        for adj in least_certain(board, max_pairs):
            add(schedule.pair_of(adj.upper, adj.lower), {"rule": "least_certain", **adj.reason(), **head})
        return out
    from harness.runner.adaptive_design import choose_units

    for pick in choose_units(board, schedule.pairs, len(schedule.games), max_pairs):
        serves = [{**adj.reason(), "share": round(share, 4)} for adj, share in pick.serves]
        add(pick.pair, {"rule": "information", "gain": round(pick.gain, 6), "serves": serves, **head})
    return out


def dry_run_line(config: ExperimentConfig, limit: int | None) -> str:
    """What ``run --adaptive --dry-run`` says of the schedule (``limit``: ``--max-matches``)."""
    first = 2 * len(round_robin_units(Schedule(config)))
    cap = f"; at most {limit - limit % 2} in all (--max-matches)" if limit is not None else ""
    return (
        f"--adaptive: batch 0 plays {first} matches (a round robin of side-swapped pairs), later batches"
        f" follow the leaderboard until every adjacent pair is separated{cap}"
    )
