"""Streamed plans, chunked resume checks, ``--max-matches`` and grouped writes: the same stores as before."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from harness.cli.app import app
from harness.experiments import JobPlan, expand, parse_experiment
from harness.runner import RunOptions, RunStats, run_jobs
from harness.runner.queue import JobQueue, Pending, count_finished, pending_jobs, pending_stream
from harness.runner.writer import GroupWriter
from harness.store import LeaseLost, ResultStore, export_store
from harness.store.lease import STALE_AFTER_S, WriterLease
from harness.store.rows import finished_rows, voided_rows

EXPERIMENT = """\
name: stream
games: [elemental_duel, battle_card]
models: [bot/random, bot/greedy]
protocol: {rounds: 2}
seeds: [0, 1, 2]
"""
HANG_S = 60.0  # a guard against a hung test only, never reached on a slow machine


def config(text: str = EXPERIMENT):
    return parse_experiment(text, "t.yaml", default_name="t")


def play(path, jobs, **opts) -> RunStats:
    with ResultStore(path) as store:
        run_id = store.start_run("stream", "{}")
        return run_jobs(jobs, store, run_id=run_id, options=RunOptions(progress=False, **opts))


def csv_of(tmp_path, path, name):
    out = tmp_path / name
    export_store(path, out, "csv")
    return {t: (out / f"{t}.csv").read_bytes() for t in ("matches", "rounds", "decisions")}


def rows_of(job, result):
    return finished_rows(job, result, run_id="r", tries=1, started_at="a", finished_at="b")


def test_a_streamed_plan_stores_what_the_listed_jobs_store(tmp_path):
    plan = JobPlan(config())
    play(tmp_path / "plan.sqlite", plan)
    play(tmp_path / "list.sqlite", expand(config()), group_matches=1)  # one match per transaction
    assert csv_of(tmp_path, tmp_path / "plan.sqlite", "a") == csv_of(tmp_path, tmp_path / "list.sqlite", "b")


def test_max_matches_plays_the_first_matches_in_plan_order_and_a_rerun_goes_on(tmp_path):
    jobs = expand(config())
    path = tmp_path / "limited.sqlite"
    first = play(path, JobPlan(config()), limit=5)
    assert (first.total, first.skipped, first.finished) == (len(jobs), 0, 5)
    with ResultStore(path, readonly=True) as store:
        assert store.finished_ids() == {j.match_id for j in jobs[:5]}
    second = play(path, JobPlan(config()), limit=7)
    assert (second.skipped, second.finished) == (5, 7)
    with ResultStore(path, readonly=True) as store:
        assert store.finished_ids() == {j.match_id for j in jobs[:12]}
    rest = play(path, JobPlan(config()))
    assert (rest.skipped, rest.finished, rest.done) == (12, len(jobs) - 12, len(jobs))
    play(tmp_path / "full.sqlite", jobs)
    assert csv_of(tmp_path, path, "a") == csv_of(tmp_path, tmp_path / "full.sqlite", "b")


def test_the_stream_skips_finished_jobs_and_carries_voided_tries(tmp_path):
    jobs = expand(config())
    path = tmp_path / "s.sqlite"
    play(path, jobs[:1])
    voided = asyncio.run(_one(jobs[3]))
    with ResultStore(path) as store:
        store.write_rows(
            [
                rows_of(jobs[2], asyncio.run(_one(jobs[2]))),
                voided_rows(
                    jobs[3], "boom", voided.decisions, run_id="r", tries=2, started_at="a", finished_at="b"
                ),
            ]
        )
        for chunk in (1, 2, 3, 1000):
            items = list(pending_stream(jobs, store, chunk=chunk))
            assert [p.job.match_id for p in items] == [
                j.match_id for j in jobs if j not in (jobs[0], jobs[2])
            ]
            assert [p.tries for p in items[:3]] == [0, 2, 0]  # jobs 1, 3 (voided twice), 4
        assert len(list(pending_stream(jobs, store, lookup=False))) == len(jobs)
        assert count_finished(store, jobs, chunk=2) == 2
        st = RunStats()
        listed = pending_jobs(jobs, store, st, limit=4)
        assert (st.total, st.skipped, len(listed)) == (len(jobs), 2, 4)


async def _one(job):
    from harness.runner import play_job

    return await play_job(job)


def test_the_queue_gives_the_stream_in_order_then_the_requeued():
    jobs = expand(config())
    queue = JobQueue(iter([Pending(j) for j in jobs[:4]]))
    assert queue.peek_count(3) == 3
    first = queue.pop()
    assert first is not None and first.job == jobs[0]
    queue.push(first)
    assert [p.job for p in iter(queue.pop, None)] == [jobs[1], jobs[2], jobs[3], jobs[0]]


def test_the_group_writer_writes_when_full_when_late_and_when_flushed(tmp_path):
    jobs = expand(config())[:5]
    results = [asyncio.run(_one(j)) for j in jobs]
    now = [0.0]
    with ResultStore(tmp_path / "s.sqlite") as store:
        writer = GroupWriter(store, max_matches=2, max_delay_s=10.0, clock=lambda: now[0])
        writer.add(rows_of(jobs[0], results[0]))
        assert len(store.finished_ids()) == 0 and len(writer) == 1
        writer.add(rows_of(jobs[1], results[1]))  # full
        assert len(store.finished_ids()) == 2 and len(writer) == 0
        writer.add(rows_of(jobs[2], results[2]))
        now[0] = 10.0
        writer.add(rows_of(jobs[3], results[3]))  # the first of the group waited long enough
        assert len(store.finished_ids()) == 4
        writer.add(rows_of(jobs[4], results[4]))
        writer.flush()
        assert store.finished_ids() == {j.match_id for j in jobs}
        assert writer.groups_written == 3


def test_the_group_writer_timer_writes_a_lone_match(tmp_path):
    job = expand(config())[0]
    result = asyncio.run(_one(job))

    async def scenario(store: ResultStore) -> None:
        writer = GroupWriter(store, loop=asyncio.get_running_loop(), max_matches=100, max_delay_s=0.01)
        writer.add(rows_of(job, result))
        deadline = asyncio.get_running_loop().time() + HANG_S
        while len(writer) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.005)

    with ResultStore(tmp_path / "s.sqlite") as store:
        asyncio.run(scenario(store))
        assert store.finished_ids() == {job.match_id}


def test_a_timer_write_that_lost_the_lease_reports_it(tmp_path):
    job = expand(config())[0]
    result = asyncio.run(_one(job))
    path = tmp_path / "s.sqlite"
    now = [1_800_000_000.0]
    errors: list[BaseException] = []

    async def scenario(store: ResultStore) -> None:
        loop = asyncio.get_running_loop()
        writer = GroupWriter(store, loop=loop, on_error=errors.append, max_matches=100, max_delay_s=0.01)
        writer.add(rows_of(job, result))
        deadline = loop.time() + HANG_S
        while not errors and loop.time() < deadline:
            await asyncio.sleep(0.005)

    with ResultStore(path) as old:
        old.acquire_lease("old", lease=WriterLease(path, "old", clock=lambda: now[0], heartbeat_s=3600))
        now[0] += STALE_AFTER_S + 1
        with ResultStore(path) as new:
            new.acquire_lease("new", lease=WriterLease(path, "new", clock=lambda: now[0]))
            asyncio.run(scenario(old))
            assert len(errors) == 1 and isinstance(errors[0], LeaseLost)
            assert old.finished_ids() == set()


def test_a_group_with_a_stored_match_writes_the_others_then_raises(tmp_path):
    jobs = expand(config())[:3]
    results = [asyncio.run(_one(j)) for j in jobs]
    with ResultStore(tmp_path / "s.sqlite") as store:
        store.write_rows([rows_of(jobs[1], results[1])])
        writer = GroupWriter(store, max_matches=10)
        for j, r in zip(jobs, results, strict=True):
            writer.add(rows_of(j, r))
        with pytest.raises(Exception, match="already stored"):
            writer.flush()
        assert store.finished_ids() == {j.match_id for j in jobs}


def test_run_max_matches_and_dry_run_on_the_command_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exp = tmp_path / "stream.yaml"
    exp.write_text(EXPERIMENT)
    cli = CliRunner()
    dry = cli.invoke(app, ["run", str(exp), "--store", "s.sqlite", "--dry-run", "--max-matches", "5"])
    assert dry.exit_code == 0, dry.output
    assert (
        "stream: 24 matches (2 fingerprints), 0 already in s.sqlite, 24 to play (5 with --max-matches 5)"
        in (dry.stdout)
    )
    first = cli.invoke(app, ["run", str(exp), "--store", "s.sqlite", "--max-matches", "5"])
    assert first.exit_code == 0, first.output
    assert "done: 5/24 matches (5 played now, 0 already stored" in first.stderr
    assert "stopped at --max-matches 5: 19 to play; run again to go on" in first.stderr
    again = cli.invoke(app, ["run", str(exp), "--store", "s.sqlite", "--dry-run"])
    assert "5 already in s.sqlite, 19 to play" in again.stdout
    rest = cli.invoke(app, ["run", str(exp), "--store", "s.sqlite"])
    assert rest.exit_code == 0, rest.output
    assert "done: 24/24 matches (19 played now, 5 already stored" in rest.stderr
    assert "stopped at" not in rest.stderr
    bad = cli.invoke(app, ["run", str(exp), "--max-matches", "0"])
    assert bad.exit_code == 2
