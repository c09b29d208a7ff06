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
from typing import Any, Final

import pandas as pd

from metrics.answer_cache import input_hash, read_cached, task_key, write_cached
from metrics.answer_search import SEARCH_VERSION, GameFactory, Outcome, Task, evaluate_many
from metrics.errors import ParameterError
from metrics.frames import StoreFrames

#: Default search budget (simulations of the first search per decision); see the README for the choice.
DEFAULT_SIMS: Final = 64
#: Below this many decisions to compute, worker processes cost more than they save.
PARALLEL_MIN: Final = 200
#: Ruleset of a match whose frame has no ``ruleset`` column (stores predating rulesets: the original engines).
DEFAULT_RULESET: Final = "v1"

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


def _text(frame: pd.DataFrame, column: str, default: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), default)


def decision_tasks(frames: StoreFrames) -> tuple[list[Task], list[str]]:
    """The own-turn decisions of the finished matches, and the model that made each.

    Frames whose rounds carry no plans (in-memory frames of other tests) have no decisions.
    """
    rd_all = frames.rounds
    if "plan_a" not in rd_all.columns or "plan_b" not in rd_all.columns:
        return [], []
    mt = frames.matches.loc[(frames.matches["status"] == "finished").to_numpy(dtype=bool, na_value=False)]
    info = pd.DataFrame(
        {
            "game": mt["game"].astype(object).to_numpy(),
            "ruleset": _text(mt, "ruleset", DEFAULT_RULESET).to_numpy(),
            "params_json": _text(mt, "params_json", "{}").to_numpy(),
            "model_a": mt["model_a"].astype(object).to_numpy(),
            "model_b": mt["model_b"].astype(object).to_numpy(),
        },
        index=pd.Index(mt["match_id"].astype(object).to_numpy()),
    )
    cols = ["match_id", "round", "reviser", "plan_a", "plan_b", "cost_a", "cost_b", "budget_a", "budget_b"]
    rd = rd_all.loc[rd_all["match_id"].isin(info.index), [*cols, "violations_a", "violations_b"]].copy()
    rd["round"] = pd.to_numeric(rd["round"], errors="coerce").fillna(0).astype("int64")
    rd = rd.sort_values(["match_id", "round"], kind="mergesort").reset_index(drop=True)
    col: dict[str, list[Any]] = {c: rd[c].tolist() for c in rd.columns}
    games: dict[str, list[Any]] = {c: info[c].tolist() for c in info.columns}
    at = {mid: i for i, mid in enumerate(info.index.tolist())}
    tasks: list[Task] = []
    models: list[str] = []
    for i in range(1, len(rd)):
        reviser = col["reviser"][i] if isinstance(col["reviser"][i], str) else ""
        mid = col["match_id"][i]
        if not reviser or col["match_id"][i - 1] != mid or col["round"][i - 1] != col["round"][i] - 1:
            continue  # round 1, revision none, or a gap
        m = at[mid]
        for side in ("A", "B"):
            if side not in reviser:
                continue
            s, o = side.lower(), "b" if side == "A" else "a"
            viol = col[f"violations_{s}"][i]
            within = int(col[f"cost_{s}"][i]) <= int(col[f"budget_{s}"][i])
            tasks.append(
                Task(
                    match_id=str(mid),
                    round=int(col["round"][i]),
                    side=side,
                    game=str(games["game"][m]),
                    ruleset=str(games["ruleset"][m]),
                    params_json=str(games["params_json"][m]),
                    opponent_plan=str(col[f"plan_{o}"][i - 1]),
                    own_plan=str(col[f"plan_{s}"][i]),
                    own_ok=(viol is None or viol == "[]") and within,
                    opponent_over=int(col[f"cost_{o}"][i - 1]) > int(col[f"budget_{o}"][i - 1]),
                )
            )
            models.append(str(games[f"model_{s}"][m]))
    return tasks, models


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
    tasks, models = decision_tasks(frames)
    cache = read_cached(path, sims, SEARCH_VERSION) if path_ok and tasks else {}
    outcomes: list[Outcome | None] = [None] * len(tasks)
    todo: list[int] = []
    for i, t in enumerate(tasks):
        hit = cache.get(task_key(t))
        if hit is not None and hit[0] == input_hash(t):
            outcomes[i] = hit[1]
        else:
            todo.append(i)
    fresh = _evaluate([tasks[i] for i in todo], sims, workers or available_cpus(), game_factory)
    new_rows: list[tuple[Task, Outcome]] = []
    for i, o in zip(todo, fresh, strict=True):
        outcomes[i] = o
        if o is not None:
            new_rows.append((tasks[i], o))
    note = write_cached(path, sims, SEARCH_VERSION, new_rows) if path_ok else None
    if not path_ok and new_rows and store is not None:
        note = f"no store file at {path}"
    records = [
        (t.match_id, t.round, t.side, models[i], t.game, o.status, int(o.beatable), int(o.answered),
         o.best_margin, o.answer_margin, o.search_sims, o.best_plan)
        for i, (t, o) in enumerate(zip(tasks, outcomes, strict=True))
        if o is not None
    ]  # fmt: skip
    table = pd.DataFrame.from_records(records, columns=list(DECISION_COLUMNS))
    table = table.sort_values(["match_id", "round", "side"], kind="mergesort").reset_index(drop=True)
    return AnswerTable(
        decisions=table,
        sims=sims,
        computed=len(new_rows),
        cached=len(tasks) - len(todo),
        no_engine=sum(o is None for o in fresh),
        cache_note=note,
    )
