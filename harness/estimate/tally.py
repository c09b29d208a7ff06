"""Counting what the matches still to play will ask of each model, without playing them.

The jobs are read once, in plan order (a lazy :class:`~harness.experiments.expand.JobPlan` is never
listed); finished matches are looked up in the store a chunk of ids per query and left out (a voided
match is played again, so it counts). What is kept is small: one :class:`Seat` per (model, generation
config, game cell, side, feedback, invalid-plan policy, initial attempts) and one :class:`Shape` per kind
of match (the same seats and revision order: matches that differ only in seed and repetition).

Decisions per match follow the protocol (:mod:`harness.protocol.match`, docs/records.md "rounds"): an
initial phase per side (1 to ``initial_attempts`` calls; with ``initial_plans: shared`` one phase per
seat and run, reused by every match), then ``simulated_rounds − 1`` revision steps (tower defense R − 1,
the other games R): under ``alternate`` one side per step, ``first_reviser`` first; under
``simultaneous`` both; under ``none`` neither.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeAlias, cast

from games.core.game import Game
from games.core.types import SIDE_KEYS, SideKey, canonical_json, other_side
from games.registry import get_game
from harness.experiments.identity import generation_dict
from harness.experiments.jobs import MatchJob
from harness.experiments.names import is_bot
from harness.models.types import GenerateConfig
from harness.protocol.match import simulated_rounds

#: Planned match ids looked up in the store per query.
LOOKUP_CHUNK = 500


#: Read-only SQL on a store: ``(sql, params) -> rows`` (a store's ``query``).
Reader: TypeAlias = Callable[[str, Sequence[Any]], list[Any]]


@dataclass(frozen=True)
class SeatKey:
    """One model on one side of one game cell, under one set of prompt-relevant settings."""

    model: str
    generation: str  # canonical JSON of the generation config (plan_schema included); "null" for bots
    game: str
    ruleset: str
    params_json: str
    side: SideKey
    feedback: str
    policy: str
    attempts: int
    shared: bool  # initial_plans: shared (one initial phase per seat and run)


@dataclass
class Seat:
    """What the matches to play ask of one seat.

    Attributes:
        matches: Matches in which the seat plays.
        revisions: Revision decisions over those matches.
        phases: Initial phases that call the model (shared plans: one; with the response cache on,
            identical first requests — same seed — once; a bot: one per match unless shared).
        seeds: The sample index (match seed) of each of those phases, in plan order (kept with shared
            plans and with the cache on: they are the response-cache keys' sample indexes).
        generation: The generation config (``None`` for a bot).
        plan_schema: Whether the side decodes constrained by the plan JSON Schema.
    """

    matches: int = 0
    revisions: int = 0
    phases: int = 0
    seeds: dict[int, None] = field(default_factory=dict)
    generation: GenerateConfig | None = None
    plan_schema: bool = False


@dataclass
class Shape:
    """Matches that take the same time: the same two seats and revision order (seeds differ).

    Attributes:
        count: How many such matches are to play.
        seats: The seat of side A and of side B.
        steps: Who revises at each revision step.
        shared: Whether initial plans are shared (their phases are counted once, on the seats).
    """

    count: int
    seats: tuple[SeatKey, SeatKey]
    steps: tuple[tuple[SideKey, ...], ...]
    shared: bool


@dataclass
class Tally:
    """The counts behind an estimate.

    Attributes:
        planned: Matches in the plan.
        stored: Of those, finished in the store (skipped by a resumed run).
        to_play: Matches counted below (the plan minus the stored ones, cut at ``limit``).
        seats: Per seat, in first-seen order.
        shapes: Per kind of match, in first-seen order.
        games: The game object of each (game, ruleset, params JSON) cell.
        matches: Per model, the matches to play in which it plays (a self-play match once).
    """

    planned: int = 0
    stored: int = 0
    to_play: int = 0
    seats: dict[SeatKey, Seat] = field(default_factory=dict)
    shapes: dict[tuple[Any, ...], Shape] = field(default_factory=dict)
    games: dict[tuple[str, str, str], Game[Any]] = field(default_factory=dict)
    matches: dict[str, int] = field(default_factory=dict)

    def models(self) -> list[str]:
        """Every model of the matches to play, in first-seen order."""
        return list(self.matches)


def revision_steps(revision: str, first_reviser: SideKey, steps: int) -> tuple[tuple[SideKey, ...], ...]:
    """Who revises at each of ``steps`` revision steps (as the match loop's ``_revisers``)."""
    if revision == "none":
        return ()
    if revision == "simultaneous":
        return tuple(SIDE_KEYS for _ in range(steps))
    order = (first_reviser, other_side(first_reviser))
    return tuple((order[i % 2],) for i in range(steps))


def _chunks(jobs: Iterable[MatchJob], size: int) -> Iterator[list[MatchJob]]:
    it = iter(jobs)
    while chunk := list(islice(it, size)):
        yield chunk


def _finished(reader: Reader | None, ids: list[str]) -> set[str]:
    if reader is None or not ids:
        return set()
    marks = ", ".join("?" * len(ids))
    try:
        rows = reader(f"SELECT match_id FROM matches WHERE status='finished' AND match_id IN ({marks})", ids)
    except sqlite3.Error:  # a store without tables yet holds nothing
        return set()
    return {str(r[0]) for r in rows}


class _Counter:
    def __init__(self, cache_mode: str) -> None:
        self.tally = Tally()
        self.dedupe = cache_mode != "off"

    def game(self, job: MatchJob) -> Game[Any]:
        key = (job.game, job.ruleset, job.params_json())
        g = self.tally.games.get(key)
        if g is None:
            g = self.tally.games[key] = get_game(job.game, job.params, job.ruleset)
        return g

    def add(self, job: MatchJob) -> None:
        game = self.game(job)
        st = job.settings
        first = cast(SideKey, job.first_reviser)
        steps = revision_steps(str(st["revision"]), first, simulated_rounds(game, int(st["rounds"])) - 1)
        shared = st["initial_plans"] == "shared"
        seats: list[SeatKey] = []
        for side in SIDE_KEYS:
            model, gen, schema = (
                (job.model_a, job.generation_a, job.plan_schema_a)
                if side == "A"
                else (job.model_b, job.generation_b, job.plan_schema_b)
            )
            key = SeatKey(
                model=model,
                generation=canonical_json(generation_dict(None if is_bot(model) else gen, schema)),
                game=job.game,
                ruleset=job.ruleset,
                params_json=job.params_json(),
                side=side,
                feedback=str(st["feedback"]),
                policy=str(st["invalid_plan_policy"]),
                attempts=int(st["initial_attempts"] or game.default_initial_attempts),
                shared=shared,
            )
            seats.append(key)
            seat = self.tally.seats.get(key)
            if seat is None:
                seat = self.tally.seats[key] = Seat(generation=gen, plan_schema=schema)
            seat.matches += 1
            seat.revisions += sum(1 for s in steps if side in s)
            if shared:
                if seat.phases == 0:  # one phase per seat and run, made by its first match
                    seat.phases = 1
                    seat.seeds[job.seed] = None
            elif self.dedupe and not is_bot(model):
                if job.seed not in seat.seeds:  # a repeat is answered from the cache
                    seat.phases += 1
                    seat.seeds[job.seed] = None
            else:
                seat.phases += 1
        for model in dict.fromkeys((job.model_a, job.model_b)):
            self.tally.matches[model] = self.tally.matches.get(model, 0) + 1
        shape_key = (seats[0], seats[1], steps, shared)
        shape = self.tally.shapes.get(shape_key)
        if shape is None:
            self.tally.shapes[shape_key] = Shape(1, (seats[0], seats[1]), steps, shared)
        else:
            shape.count += 1


def tally_jobs(
    jobs: Iterable[MatchJob],
    *,
    reader: Reader | None = None,
    cache_mode: str = "off",
    limit: int | None = None,
) -> Tally:
    """Count the decisions of the jobs still to play.

    Args:
        jobs: The plan's jobs in plan order (a list or a lazy plan).
        reader: Read-only SQL on the store (``None``: nothing is stored).
        cache_mode: The response cache's mode: with it on, identical first requests of per-match initial
            phases (same seat and seed) make one provider call.
        limit: Count only the first ``limit`` jobs still to play (``stratagem run --max-matches``).
    """
    counter = _Counter(cache_mode)
    tally = counter.tally
    for chunk in _chunks(jobs, LOOKUP_CHUNK):
        tally.planned += len(chunk)
        done = _finished(reader, [j.match_id for j in chunk])
        tally.stored += len(done)
        for job in chunk:
            if job.match_id in done or (limit is not None and tally.to_play >= limit):
                continue
            tally.to_play += 1
            counter.add(job)
    return tally
