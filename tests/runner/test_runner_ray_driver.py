"""The Ray executor's driver and worker logic on lost workers, without Ray: fast and exact.

A fake ``ray`` module runs the real ``MatchWorker`` class in this process (one call at a time, in the
order the driver waits for them) and "kills" a worker when told to: its calls then fail with
``ActorDiedError``, as Ray's do. What is checked is what the real runs cannot check exactly: which
matches are replayed, that the driver stops on a match that keeps killing its workers, and how a
seeded plan book answers. ``test_runner_ray_faults.py`` kills real worker processes.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.experiments import expand, parse_experiment
from harness.runner import RunOptions, RunStats, run_jobs
from harness.runner.ray_executor import MAX_LOSSES, WorkerLost, run_jobs_ray
from harness.runner.ray_worker import PlanBook, WorkerOutcome, note_plans
from harness.store import ResultStore, export_store

BOTS = """\
games: [battle_card, elemental_duel]
models: [bot/random, bot/greedy]
protocol: {{rounds: 2{extra}}}
seeds: [0, 1, 2]
"""


class ActorDiedError(Exception):
    """Stands for ``ray.exceptions.ActorDiedError``."""


class _Exceptions:
    RayActorError = ActorDiedError
    WorkerCrashedError = type("WorkerCrashedError", (Exception,), {})
    NodeDiedError = type("NodeDiedError", (Exception,), {})
    ObjectLostError = type("ObjectLostError", (Exception,), {})


class FakeActor:
    def __init__(self, ray: FakeRay, instance: Any) -> None:
        self.ray, self.instance, self.dead = ray, instance, False
        self.play = self  # actor.play.remote(...)

    def remote(self, job: Any, seq: int) -> FakeRef:
        return FakeRef(self, job, seq)


class FakeRef:
    def __init__(self, actor: FakeActor, job: Any, seq: int) -> None:
        self.actor, self.job, self.seq = actor, job, seq


class FakeClass:
    def __init__(self, ray: FakeRay, cls: type) -> None:
        self.ray, self.cls = ray, cls

    def options(self, **_: Any) -> FakeClass:
        return self

    def remote(self, *args: Any) -> FakeActor:
        actor = FakeActor(self.ray, self.cls(*args))
        self.ray.actors.append(actor)
        return actor


class FakeRay:
    """Just what the driver uses; ``on_get(ray, ref)`` may kill actors before a call's outcome is read."""

    exceptions = _Exceptions

    def __init__(self, on_get: Callable[[FakeRay, FakeRef], None] = lambda ray, ref: None) -> None:
        self.actors: list[FakeActor] = []
        self.gets = 0
        self.played: list[str] = []  # match ids, in the order workers played them
        self.on_get = on_get

    def remote(self, cls: type) -> FakeClass:
        return FakeClass(self, cls)

    def is_initialized(self) -> bool:
        return True

    def wait(self, refs: list[FakeRef], num_returns: int) -> tuple[list[FakeRef], list[FakeRef]]:
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref: FakeRef) -> Any:
        self.gets += 1
        self.on_get(self, ref)
        if ref.actor.dead:
            raise ActorDiedError("The actor died unexpectedly before finishing this task.\n(details)")
        worker = ref.actor.instance
        assert ref.seq == worker.next_seq  # the driver waits in call order: each call starts at once
        self.played.append(ref.job.match_id)
        return asyncio.run(worker.play(ref.job, ref.seq))

    def kill(self, actor: FakeActor, no_restart: bool = True) -> None:
        actor.dead = True

    def cancel(self, ref: FakeRef) -> None:
        pass


def config(*, shared: bool = False) -> Any:
    text = BOTS.format(extra=", initial_plans: shared" if shared else "")
    return parse_experiment(text, "t.yaml", default_name="t")


def play(path: Path, fake: FakeRay | None, *, shared: bool = False, max_matches: int = 8) -> RunStats:
    jobs = expand(config(shared=shared))
    options = RunOptions(progress=False, max_matches=max_matches)
    with ResultStore(path) as store:
        run_id = store.start_run("t", "{}")
        if fake is None:
            return run_jobs(jobs, store, run_id=run_id, options=options)
        return run_jobs_ray(jobs, store, run_id=run_id, options=options, workers=2)


def assert_same_exports(a: Path, b: Path, tmp_path: Path) -> None:
    files_a = export_store(a, tmp_path / "export_a", "csv")
    files_b = export_store(b, tmp_path / "export_b", "csv")
    for fa, fb in zip(files_a, files_b, strict=True):
        assert fa.read_bytes() == fb.read_bytes(), f"{fa.name} differs"


def kill_worker(index: int, at_get: int) -> Callable[[FakeRay, FakeRef], None]:
    def on_get(ray: FakeRay, ref: FakeRef) -> None:
        if ray.gets == at_get:
            ray.actors[index].dead = True

    return on_get


@pytest.mark.parametrize("shared", [False, True], ids=["bots", "shared-plans"])
def test_a_lost_worker_is_replaced_and_its_calls_in_flight_replayed(tmp_path, monkeypatch, shared):
    fake = FakeRay(kill_worker(0, at_get=5))
    monkeypatch.setitem(sys.modules, "ray", fake)
    stats = play(tmp_path / "ray.sqlite", fake, shared=shared)
    play(tmp_path / "asyncio.sqlite", None, shared=shared)
    n = len(expand(config()))
    assert (stats.finished, stats.workers_lost) == (n, 1)
    # Worker 0 had all its 4 slots (8 matches / 2 workers) in flight: those 4 are played again.
    assert stats.replayed == 4
    assert len(fake.actors) == 3 and fake.actors[0].dead and not fake.actors[2].dead
    assert "4 replayed after 1 lost worker)" in stats.summary()
    with ResultStore(tmp_path / "ray.sqlite") as store:
        assert store.query("SELECT COUNT(*) FROM matches")[0][0] == n
    assert_same_exports(tmp_path / "asyncio.sqlite", tmp_path / "ray.sqlite", tmp_path)


def test_a_match_that_keeps_killing_its_workers_stops_the_run(tmp_path, monkeypatch):
    poison = expand(config())[6].match_id

    def on_get(ray: FakeRay, ref: FakeRef) -> None:
        if ref.job.match_id == poison:
            ref.actor.dead = True

    fake = FakeRay(on_get)
    monkeypatch.setitem(sys.modules, "ray", fake)
    with pytest.raises(WorkerLost, match=f"in flight on {MAX_LOSSES} lost Ray workers") as lost:
        play(tmp_path / "ray.sqlite", fake)
    assert poison in str(lost.value) and "ActorDiedError: The actor died unexpectedly" in str(lost.value)
    assert poison not in fake.played
    with ResultStore(tmp_path / "ray.sqlite") as store:
        stored = store.finished_ids()
        assert poison not in stored and stored  # what finished before the stop is kept
        assert store.query("SELECT COUNT(*) FROM matches")[0][0] == len(stored)


def test_the_asyncio_summary_line_does_not_change():
    assert "replayed" not in RunStats(total=3, finished=3).summary()
    assert "2 replayed after 2 lost workers)" in RunStats(replayed=2, workers_lost=2).summary()


# ------------------------------------------------------------------------------------- the plan book
def outcome(tag: str) -> Any:
    from harness.protocol import InitialOutcome

    return InitialOutcome(decisions=(), plan=tag, failed=False)


def test_a_seeded_plan_is_its_makers_own_and_reused_by_everyone_else():
    book = PlanBook({("bot/random", "A", "g"): (outcome("p"), "m1")})

    async def make() -> Any:
        raise AssertionError("a seeded plan is never made again")

    async def ask(match_id: str) -> tuple[Any, bool]:
        return await book.for_match(match_id).get_or_make(("bot/random", "A", "g"), make)

    (made, reused_by_maker), (got, reused_by_other) = asyncio.run(ask("m1")), asyncio.run(ask("m2"))
    assert made is got and made.plan == "p"
    assert (reused_by_maker, reused_by_other) == (False, True)


def test_a_match_reports_the_plans_it_used_with_their_maker():
    book = PlanBook()
    key = ("bot/greedy", "B", "g")

    async def run() -> tuple[Any, Any]:
        first, second = book.for_match("m1"), book.for_match("m2")

        async def make() -> Any:
            return outcome("q")

        await first.get_or_make(key, make)
        await second.get_or_make(key, make)
        return first.used, second.used

    first_used, second_used = asyncio.run(run())
    assert first_used[key][1] == second_used[key][1] == "m1"
    assert first_used[key][0] is second_used[key][0]


def test_a_voided_maker_disowns_its_plan_and_its_retry_reuses_it():
    """In one process a voided match's retry finds its plan cached: a seeded worker must agree."""
    key = ("bot/random", "B", "g")
    book = PlanBook({key: (outcome("q"), "m3")})

    async def make() -> Any:
        raise AssertionError("a seeded plan is never made again")

    first = book.for_match("m3")
    _, reused = asyncio.run(first.get_or_make(key, make))
    assert not reused  # its maker, replayed on a fresh worker
    book.disown(first)  # ... is voided
    assert first.used[key][1] == ""
    _, reused = asyncio.run(book.for_match("m3").get_or_make(key, make))
    assert reused  # its retry reuses the plan, as in one process

    known: dict[Any, Any] = {}
    note_plans(known, WorkerOutcome("ok", plans={key: (outcome("q"), "m3")}))
    note_plans(known, WorkerOutcome("void", void=("x", [], "Transient"), plans=first.used))
    note_plans(known, WorkerOutcome("ok", plans={key: (outcome("q"), "m3")}))  # an older report
    assert known[key][1] == ""
