"""Two writers starting on a new store together: the second one's verdict is always "being written by …".

A writer creates a new store in steps (``ResultStore.__init__``, then ``acquire_lease``):

1. ``connect`` — the file exists, zero bytes long;
2. ``journal_mode=WAL`` — an SQLite header, no tables (and no ``-wal`` file yet);
3. ``BEGIN IMMEDIATE`` + the schema — still invisible to others;
4. ``COMMIT`` — the schema exists, nobody holds the lease yet;
5. the lease transaction — the writer is the store's holder.

A second writer can look at the file at any of these steps. Here the first writer is driven by hand, and
the second (the real ``ResultStore`` + ``acquire_lease``) classifies the file at exactly step k: a hook on
its classification runs the first writer's remaining steps right after it. Single-threaded and without
timing. Before the fix, steps 2 and 3 were refused as "an SQLite database of another program (tables:
none)"; now every step ends in the busy refusal naming the first writer.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.store import ResultStore, StoreError
from harness.store import store as store_module
from harness.store.lease import StoreBusy, WriterLease
from harness.store.readonly import prepare_writer_path
from harness.store.schema import SCHEMA_VERSION, create_statements
from metrics.store_file import describe_file

HANG_S = 120.0  # only a hung child reaches it


class FirstWriter:
    """The first writer's creation steps, one call at a time, on its own connection (as this pid)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None
        self.lease = WriterLease(path, "stratagem run first")
        self.steps: list[Callable[[], None]] = [
            self._connect,
            self._wal,
            self._begin_schema,
            self._commit,
            self._take_lease,
        ]
        self.done = 0

    def _connect(self) -> None:
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self.conn.execute("SELECT 1")  # the file now exists, zero bytes long

    def _wal(self) -> None:
        assert self.conn is not None
        assert self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"

    def _begin_schema(self) -> None:
        assert self.conn is not None
        self.conn.execute("BEGIN IMMEDIATE")
        for stmt in create_statements():
            self.conn.execute(stmt)
        self.conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def _commit(self) -> None:
        assert self.conn is not None
        self.conn.execute("COMMIT")

    def _take_lease(self) -> None:
        assert self.conn is not None
        assert self.lease.try_acquire(self.conn) is None

    def run_to(self, k: int) -> None:
        """Run steps until ``k`` of them are done."""
        while self.done < k:
            self.steps[self.done]()
            self.done += 1

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


STEPS = {1: "empty file", 2: "sqlite header, no tables", 3: "schema transaction open", 4: "schema, no lease"}


@pytest.fixture
def first(tmp_path: Path) -> Iterator[FirstWriter]:
    writer = FirstWriter(tmp_path / "new.sqlite")
    yield writer
    writer.close()


@pytest.mark.parametrize("k", sorted(STEPS), ids=[STEPS[k] for k in sorted(STEPS)])
def test_a_writer_takes_a_store_being_created_for_a_new_store_not_another_programs(first, k):
    first.run_to(k)
    assert first.path.exists()
    assert describe_file(first.path, SCHEMA_VERSION, blank_ok=True) is None
    prepare_writer_path(first.path)  # does not raise
    said = describe_file(first.path, SCHEMA_VERSION)  # a reader still refuses it, and says what it is
    if k < 4:
        assert said is not None and "another program" not in said
        assert said.startswith("an empty file" if k == 1 else "an SQLite database with no tables")
    else:
        assert said is None


@pytest.mark.parametrize("k", sorted(STEPS), ids=[STEPS[k] for k in sorted(STEPS)])
def test_the_second_writer_is_refused_as_busy_whichever_step_it_saw(first, k, monkeypatch):
    first.run_to(k)
    seen: list[str | None] = []
    classify = store_module.prepare_writer_path

    def classify_then_let_the_first_writer_finish(path: Path) -> None:
        seen.append(describe_file(path, SCHEMA_VERSION))
        classify(path)  # the verdict on the file as it is at step k
        first.run_to(len(first.steps))  # the first writer commits its schema (if not yet) and its lease

    monkeypatch.setattr(store_module, "prepare_writer_path", classify_then_let_the_first_writer_finish)
    with ResultStore(first.path) as second, pytest.raises(StoreBusy) as refused:
        second.acquire_lease("stratagem run second")
    assert seen and (seen[0] is None) == (k == 4)  # the hook ran while the store was at step k
    line = str(refused.value)
    holder = f"pid {os.getpid()} on host {socket.gethostname()} (stratagem run first)"
    assert f"{first.path} is being written by {holder}, last seen " in line
    assert "--wait" in line and "another --store" in line


def test_tables_of_another_program_are_still_refused_inside_the_schema_transaction(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    sqlite3.connect(path).close()  # blank when looked at ...
    classify = store_module.prepare_writer_path

    def then_another_program_writes_it(p: Path) -> None:
        classify(p)
        con = sqlite3.connect(p)
        con.execute("CREATE TABLE moz_places (id INTEGER)")  # ... another program's by the transaction
        con.commit()
        con.close()

    monkeypatch.setattr(store_module, "prepare_writer_path", then_another_program_writes_it)
    with pytest.raises(StoreError, match=r"an SQLite database of another program \(tables: moz_places\)"):
        ResultStore(path)


def _opened_by(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except OSError:
        return False


def test_a_real_second_run_started_during_creation_is_refused_with_the_holder(tmp_path, first):
    """End to end: the child may look at the store before or after the creator commits; same verdict."""
    exp = tmp_path / "bots.yaml"
    exp.write_text(
        "name: bots-race\ngames: [battle_card]\nmodels: [bot/random, bot/greedy]\n"
        f"settings: [{{side: A, first_reviser: A}}]\nprotocol: {{rounds: 2}}\nstore: {first.path}\n"
    )
    first.run_to(3)  # the schema transaction is open
    child = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.app", "run", str(exp), "--quiet"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # commit once the child has the store open (or has already ended); either order is correct
        while Path("/proc").is_dir() and child.poll() is None:
            if _opened_by(child.pid, first.path.resolve()):
                break
            time.sleep(0.001)  # a poll interval only; the verdict does not depend on when the loop ends
        first.run_to(len(first.steps))
        _, err = child.communicate(timeout=HANG_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"is being written by pid {os.getpid()} on host {socket.gethostname()}" in lines[0]


@pytest.mark.parametrize("at_rest", [False, True], ids=["new file", "store at rest"])
def test_the_wal_switch_waits_for_another_connections_write_lock(tmp_path, monkeypatch, at_rest):
    """SQLite refuses ``journal_mode=WAL`` at once (no busy timeout) while another connection holds the
    write lock of a rollback-journal file: the second of two writers starting together saw "database is
    locked". Here the other connection holds it until the switch has failed once, then commits."""
    path = tmp_path / "s.sqlite"
    if at_rest:
        ResultStore(path).close()  # a store at rest is in rollback-journal mode
    other = sqlite3.connect(path, isolation_level=None)
    if at_rest:
        assert WriterLease(path, "stratagem run first").try_acquire(other) is None  # a live holder: us
    other.execute("BEGIN IMMEDIATE")  # the write lock, held
    if not at_rest:
        other.execute("CREATE TABLE lease_probe (a)")
    refused: list[str] = []

    def the_other_commits() -> None:
        refused.append("locked")
        if other.in_transaction:
            other.execute("COMMIT")

    monkeypatch.setattr(store_module, "_retry_pause", the_other_commits)
    try:
        if at_rest:
            with ResultStore(path) as second, pytest.raises(StoreBusy, match=f"pid {os.getpid()} on host"):
                second.acquire_lease("stratagem run second")
        else:
            with pytest.raises(StoreError, match="another program"):  # the other made a table of its own
                ResultStore(path)
    finally:
        other.close()
    assert refused == ["locked"]  # the switch was refused once, and asked again after the commit
