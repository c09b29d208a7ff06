"""The writer lease, in one process: taking it, refusing a second writer, taking over gone holders.

Clocks and the liveness test are injected, so staleness is tested without sleeping; the one background
behaviour (the heartbeat thread) is awaited as a condition with a generous outer limit.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from store_fakes import make_job, make_result

from harness.store import ResultStore
from harness.store.lease import STALE_AFTER_S, LeaseLost, StoreBusy, WriterLease, read_holder

HANG_S = 60.0  # only for a hung thread, never reached on a slow machine


class FakeClock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.t

    def advance(self, s: float) -> None:
        with self.lock:
            self.t += s


def lease_row(path: Path) -> dict[str, object] | None:
    con = sqlite3.connect(path)
    try:
        holder = read_holder(con)
    finally:
        con.close()
    return None if holder is None else holder.__dict__


def test_the_lease_is_recorded_and_given_back(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    with ResultStore(path) as store:
        lease = store.acquire_lease(
            "stratagem run t", lease=WriterLease(path, "stratagem run t", clock=clock)
        )
        row = lease_row(path)
        assert row is not None
        assert row["pid"] == os.getpid() and row["host"] == socket.gethostname()
        assert row["command"] == "stratagem run t" and row["token"] == lease.token
        assert row["started_at"] == row["heartbeat_at"] == "2027-01-15T08:00:00+00:00"
    assert lease_row(path) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]


def test_a_second_writer_is_refused_with_the_holder_and_what_to_do(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    with ResultStore(path) as first:
        first.acquire_lease("stratagem run a", lease=WriterLease(path, "stratagem run a", clock=clock))
        clock.advance(7)
        with ResultStore(path) as second:
            with pytest.raises(StoreBusy) as info:
                second.acquire_lease("stratagem run b", lease=WriterLease(path, "run b", clock=clock))
            second.start_run("b", "{}")  # a store without a lease is not fenced (library use)
    msg = str(info.value)
    assert f"pid {os.getpid()} on host {socket.gethostname()} (stratagem run a)" in msg
    assert "last seen 7 s ago" in msg
    assert "--wait" in msg and "another --store" in msg
    assert "\n" not in msg


def test_a_stale_heartbeat_is_taken_over_and_the_old_holder_stops_writing(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    with ResultStore(path) as old:
        old.acquire_lease("old", lease=WriterLease(path, "old", clock=clock, heartbeat_s=3600))
        clock.advance(STALE_AFTER_S + 1)  # the old holder's heartbeat is now stale (same live pid)
        with ResultStore(path) as new:
            lease = new.acquire_lease("new", lease=WriterLease(path, "new", clock=clock))
            assert lease.took_over is not None and "no heartbeat for" in lease.took_over
            job = make_job()
            with pytest.raises(LeaseLost, match="lost the writer lease"):
                old.write_match(
                    job, make_result(job.match_id), run_id="r", tries=1, started_at="a", finished_at="b"
                )
            assert old.finished_ids() == set()  # nothing written beside the new holder
            new.write_match(
                job, make_result(job.match_id), run_id="r", tries=1, started_at="a", finished_at="b"
            )
        assert lease_row(path) is None  # the new holder gave it back; the old one does not delete it


def test_a_dead_pid_on_this_host_is_taken_over_at_once(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    with ResultStore(path) as crashed:
        crashed.acquire_lease("crashed", lease=WriterLease(path, "crashed", clock=clock, heartbeat_s=3600))
        with ResultStore(path) as next_run:
            lease = WriterLease(path, "next", clock=clock, alive=lambda pid: False)
            next_run.acquire_lease("next", lease=lease)
            assert lease.took_over is not None and "its process is gone" in lease.took_over


def test_another_hosts_fresh_lease_is_respected_even_if_the_pid_is_unknown_here(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    with ResultStore(path) as elsewhere:
        other = WriterLease(path, "remote", clock=clock, heartbeat_s=3600)
        other.host, other.pid = "another-host", 99_999_999
        elsewhere.acquire_lease("remote", lease=other)
        with ResultStore(path) as here:
            lease = WriterLease(path, "here", clock=clock, alive=lambda pid: False)
            with pytest.raises(StoreBusy, match="pid 99999999 on host another-host"):
                here.acquire_lease("here", lease=lease)


def test_wait_polls_the_store_until_the_lease_is_free(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    holder = ResultStore(path)
    holder.acquire_lease("first", lease=WriterLease(path, "first", clock=clock, heartbeat_s=3600))
    waited: list[str] = []
    polls: list[float] = []

    def sleep(s: float) -> None:  # the holder finishes while the waiter sleeps its second poll
        polls.append(s)
        if len(polls) == 2:
            holder.close()

    with ResultStore(path) as waiter:
        lease = WriterLease(path, "second", clock=clock)
        lease.acquire(waiter._conn, wait=True, on_wait=waited.append, sleep=sleep)
        assert len(polls) == 2 and len(waited) == 1  # announced once, polled until free
        assert "it is being written by pid" in waited[0]
        row = lease_row(path)
        assert row is not None and row["token"] == lease.token
        lease.release(waiter._conn)


def test_the_heartbeat_keeps_going_in_the_background(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    with ResultStore(path) as store:
        store.acquire_lease("beating", lease=WriterLease(path, "beating", clock=clock, heartbeat_s=0.01))
        first = lease_row(path)
        assert first is not None
        clock.advance(30)
        deadline = time.monotonic() + HANG_S
        while (row := lease_row(path)) is not None and row["heartbeat_at"] == first["heartbeat_at"]:
            assert time.monotonic() < deadline, "the heartbeat thread never wrote"
            time.sleep(0.01)
        assert row is not None and row["heartbeat_at"] == "2027-01-15T08:00:30+00:00"
        assert row["started_at"] == first["started_at"]


def test_read_only_stores_take_no_lease(tmp_path):
    path = tmp_path / "s.sqlite"
    ResultStore(path).close()
    with ResultStore(path, readonly=True) as store, pytest.raises(Exception, match="opened read-only"):
        store.acquire_lease("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]
