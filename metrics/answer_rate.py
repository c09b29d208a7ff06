"""Answer rate: did the model take the win that was there? Per-decision table, cached in the store.

**Decisions.** Every own turn of a finished match is one decision: round k ≥ 2 whose ``reviser`` contains
side s. The side answered the opponent's plan at round k − 1, the plan its revision prompt showed as the
opponent's current plan. Under ``revision: alternate`` the opponent did not revise, so that plan is also the
one the submission was played against in round k. Under ``simultaneous`` both sides revise at once and the
round-k battle is against the opponent's *new* plan, which the model never saw; the answer rate is still
defined against the plan it saw (round k − 1), by simulating the submission against it. ``revision: none``
has no decisions.

**The submission.** The side's plan at round k is its submission when the round's violation flag is 0: no
violation in its latest submission and cost within budget. A violating submission is not played under
``keep_previous`` (the old plan is), nor under ``forfeit`` (the side forfeits). An over-budget submission is
played, but §1.5 adjudication makes it lose against a within-budget plan. So none of them counts as
answering, whatever the plan in force did. The opponent's plan is taken as it was played, violations
included (the protocol plays it raw). Only one case is left out: if the answered plan was over the
opponent's budget, every within-budget plan wins by adjudication. Such a decision is tested by OBR, not by
a search, so it is kept with the status ``opponent_over_budget`` and left out of every rate.

**Per decision** (:mod:`metrics.answer_search`): ``beatable``, ``answered``, ``best_margin`` and
``answer_margin``, searched with a fixed budget ``sims`` and an rng seeded from
``f"{match_id}:{round}:{side}"``. The results are cached in the store's derived table
(:mod:`metrics.answer_cache`). They are computed in worker processes when there are many. The result does
not depend on the number of workers, the order, or ``PYTHONHASHSEED``.

The rates built from this table are in :mod:`metrics.definitions_answer`.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from metrics.answer_cache import write_cached
from metrics.answer_frame import (
    Outcomes,
    cached_columns,
    concat_outcomes,
    decision_columns,
    decisions_table,
    input_hashes,
)
from metrics.answer_search import SEARCH_VERSION, GameFactory, Outcome, Task, evaluate_many
from metrics.errors import ParameterError
from metrics.frames import StoreFrames

#: Default search budget (simulations of the first search per decision); see the README for the choice.
DEFAULT_SIMS: Final = 64
#: Below this many decisions to compute, worker processes cost more than they save.
PARALLEL_MIN: Final = 200

DECISION_COLUMNS: Final = (
    "match_id", "round", "side", "model", "game", "status", "beatable", "answered", "best_margin",
    "answer_margin", "search_sims", "best_plan",
)  # fmt: skip


@dataclass(frozen=True)
class AnswerTable:
    """Per-decision answer-rate results of one store and one search budget.

    Attributes:
        decisions: One row per own-turn decision of a finished match whose game could be built
            (:data:`DECISION_COLUMNS`), sorted by ``match_id, round, side``.
        sims: The search budget.
        computed: Decisions evaluated now (each runs simulations).
        cached: Decisions read from the store's derived table.
        no_engine: Decisions skipped because their game or ruleset is not installed.
        cache_note: Why the new rows were not cached (None when cached, or when nothing was new).
    """

    decisions: pd.DataFrame
    sims: int
    computed: int
    cached: int
    no_engine: int
    cache_note: str | None

    def note(self) -> str:
        """One sentence for the report (independent of what the cache held, so reports stay reproducible)."""
        text = (
            f"Answer rate (ar = P(answered | beatable)): best-response search of {self.sims} simulations per "
            f"own-turn decision, seeded by match, round and side; {len(self.decisions)} decisions"
        )
        if self.no_engine:
            text += f"; {self.no_engine} skipped (game or ruleset not installed)"
        return text + "."

    def cache_summary(self) -> str:
        """Where the values came from: the store's cache, or computed now (and whether they were cached)."""
        text = f"Answer rate: {self.cached} decisions from the store's cache, {self.computed} computed"
        return text + (f"; not cached: {self.cache_note}." if self.cache_note else ".")


def available_cpus() -> int:
    """CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def decision_tasks(frames: StoreFrames) -> tuple[list[Task], list[str]]:
    """The own-turn decisions of the finished matches as :class:`Task` objects, and the model that made each.

    Frames whose rounds carry no plans (in-memory frames of other tests) have no decisions. Ordered by match
    (matches-table order), round and side (:func:`metrics.answer_frame.decision_columns`).
    """
    dec = decision_columns(frames)
    if dec is None:
        return [], []
    return [dec.task(i) for i in range(len(dec))], [str(m) for m in dec.model.to_pylist()]


def _start_method() -> str:
    """``fork`` on Linux when this process runs one thread, else ``spawn``.

    Fork starts workers at once and needs no ``if __name__ == "__main__"`` guard in the caller's script, but
    forking a process that runs other threads (an event loop, a progress bar) can deadlock the child.
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _evaluate(
    tasks: list[Task], sims: int, workers: int, factory: GameFactory | None
) -> list[Outcome | None]:
    if factory is not None or workers <= 1 or len(tasks) < PARALLEL_MIN:
        return evaluate_many(tasks, sims, factory)
    size = max(1, math.ceil(len(tasks) / (workers * 8)))  # small chunks balance slow and fast games
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    ctx = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=ctx) as pool:
        parts = list(pool.map(evaluate_many, chunks, repeat(sims)))
    return [o for part in parts for o in part]


def answer_decisions(
    frames: StoreFrames,
    *,
    sims: int = DEFAULT_SIMS,
    store: Path | str | None = None,
    workers: int | None = None,
    game_factory: GameFactory | None = None,
) -> AnswerTable:
    """Evaluate every own-turn decision of the finished matches, reusing and filling the store's cache.

    Args:
        frames: The store's frames.
        sims: The search budget per decision (≥ 1).
        store: The store file to cache in (default: ``frames.source`` when it is a file; None for frames
            built in memory). A store that cannot be written is read, not written.
        workers: Worker processes (default: the CPUs available; 1 computes in this process).
        game_factory: Builds the game of a match (tests); forces computing in this process.

    Raises:
        ParameterError: ``sims`` < 1 or ``workers`` < 1.
    """
    if sims < 1:
        raise ParameterError(f"the answer-rate search budget must be >= 1, got {sims}")
    if workers is not None and workers < 1:
        raise ParameterError(f"workers must be >= 1, got {workers}")
    path = Path(store) if store is not None else Path(frames.source)
    path_ok = path.is_file()
    dec = decision_columns(frames)
    if dec is None or len(dec) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in DECISION_COLUMNS})
        return AnswerTable(decisions=empty, sims=sims, computed=0, cached=0, no_engine=0, cache_note=None)
    hashes = input_hashes(dec)
    at, rows = cached_columns(path, sims, SEARCH_VERSION, dec) if path_ok else (np.full(len(dec), -1), None)
    hit = at >= 0
    if rows is not None and hit.any():
        stored = rows["inputs"].to_numpy(dtype=object)[at[hit]]
        hit[hit] = stored == hashes[hit]
    todo = np.flatnonzero(~hit)
    tasks = [dec.task(int(i)) for i in todo]
    fresh = _evaluate(tasks, sims, workers or available_cpus(), game_factory)
    new_rows = [(t, o) for t, o in zip(tasks, fresh, strict=True) if o is not None]
    note = write_cached(path, sims, SEARCH_VERSION, new_rows) if path_ok else None
    if not path_ok and new_rows and store is not None:
        note = f"no store file at {path}"
    done = np.flatnonzero(hit)
    computed = todo[[o is not None for o in fresh]] if len(todo) else todo
    parts = [Outcomes.from_objects([o for o in fresh if o is not None])]
    if rows is not None and len(done):
        parts.insert(0, Outcomes.from_cache(rows, at[done]))
    table = decisions_table(dec, np.concatenate([done, computed]), concat_outcomes(parts), DECISION_COLUMNS)
    return AnswerTable(
        decisions=table,
        sims=sims,
        computed=len(new_rows),
        cached=len(done),
        no_engine=sum(o is None for o in fresh),
        cache_note=note,
    )
