"""The writer lease: one process at a time writes a store (``docs/records.md``, table ``lease``).

A writer (``stratagem run``, ``play --store``, ``check``'s candidate store; the Ray executor's driver is
the ``run`` process) takes the lease in ONE ``BEGIN IMMEDIATE`` transaction before it checks the store
or plays anything: it reads the single ``lease`` row and, when the row is free or its holder is gone,
writes its own. A second writer finds a live holder and is refused (:class:`StoreBusy`, exit 2), or with
``--wait`` polls the store until the lease is free.

A holder is **gone** when

* it runs on this host and its pid is not a live process (a crash, SIGKILL, a reboot), or
* its heartbeat is older than :data:`STALE_AFTER_S` (a holder on another host, or a pid reused by an
  unrelated process).

The holder refreshes ``heartbeat_at`` every :data:`HEARTBEAT_INTERVAL_S` from a background thread with
its own connection, so long matches (or a Ray driver waiting on workers) never starve it. Every match
write checks, inside its own transaction, that the lease row still carries the writer's token
(:meth:`WriterLease.verify`): a writer that lost the lease (suspended for longer than the staleness
threshold and taken over) stops with :class:`LeaseLost` instead of writing beside the new holder.

Clocks are injectable (``clock`` returns Unix seconds) so staleness is tested without sleeping.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from games.core.errors import StratagemError, UserError

#: Seconds between heartbeats.
HEARTBEAT_INTERVAL_S = 5.0
#: A heartbeat older than this marks its holder gone (12 missed heartbeats).
STALE_AFTER_S = 60.0
#: Seconds between looks at the store while ``--wait`` waits for the lease.
WAIT_POLL_S = 0.5

LEASE_DDL = (
    "CREATE TABLE IF NOT EXISTS lease (slot INTEGER PRIMARY KEY CHECK (slot = 1), token TEXT NOT NULL,"
    " pid INTEGER NOT NULL, host TEXT NOT NULL, command TEXT NOT NULL, started_at TEXT NOT NULL,"
    " heartbeat_at TEXT NOT NULL)"
)

Clock = Callable[[], float]


class StoreBusy(UserError):
    """Another live process holds the store's writer lease."""


class LeaseLost(StratagemError):
    """This process's lease was taken over (it was considered gone); it must stop writing."""


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).replace(microsecond=0).isoformat()


def _epoch(text: str) -> float:
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0  # an unreadable heartbeat is as good as none


def ago(seconds: float) -> str:
    """``3 s ago``, ``4 min ago``, ``2 h ago``, ``3 days ago``."""
    s = max(0, int(seconds))
    if s < 120:
        return f"{s} s ago"
    if s < 7200:
        return f"{s // 60} min ago"
    if s < 172800:
        return f"{s // 3600} h ago"
    return f"{s // 86400} days ago"


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process on this host (a zombie counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): the signal test is all there is
    return stat.rsplit(")", 1)[-1].split()[0:1] != ["Z"]


@dataclass(frozen=True)
class Holder:
    """One ``lease`` row."""

    token: str
    pid: int
    host: str
    command: str
    started_at: str
    heartbeat_at: str

    def describe(self, now: float) -> str:
        """``pid 4242 on host h (stratagem run smoke), last seen 3 s ago``."""
        return (
            f"pid {self.pid} on host {self.host} ({self.command}),"
            f" last seen {ago(now - _epoch(self.heartbeat_at))}"
        )

    def gone_reason(self, now: float, host: str, alive: Callable[[int], bool]) -> str | None:
        """Why this holder is gone (``None`` while it is alive)."""
        age = now - _epoch(self.heartbeat_at)
        if age > STALE_AFTER_S:
            return f"no heartbeat for {ago(age).removesuffix(' ago')}"
        if self.host == host and not alive(self.pid):
            return "its process is gone"
        return None


def read_holder(conn: sqlite3.Connection) -> Holder | None:
    """The lease row, or ``None`` (also when the store has no ``lease`` table yet)."""
    try:
        row = conn.execute(
            "SELECT token, pid, host, command, started_at, heartbeat_at FROM lease WHERE slot = 1"
        ).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return None if row is None else Holder(str(row[0]), int(row[1]), str(row[2]), *map(str, row[3:]))


class WriterLease:
    """This process's claim on one store; see the module docstring.

    Args:
        path: The store file.
        command: What holds it, for the refusal message (``stratagem run smoke``).
        clock: Unix seconds (injectable for tests).
        heartbeat_s: Seconds between heartbeats.
        alive: The liveness test for pids on this host (injectable for tests).
    """

    def __init__(
        self,
        path: Path,
        command: str,
        *,
        clock: Clock = time.time,
        heartbeat_s: float = HEARTBEAT_INTERVAL_S,
        alive: Callable[[int], bool] = pid_alive,
    ) -> None:
        self.path = path
        self.command = command
        self.token = uuid.uuid4().hex
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self._clock = clock
        self._heartbeat_s = heartbeat_s
        self._alive = alive
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False
        self.took_over: str | None = None  # "pid … on host …, last seen …: gone (reason)" when taken over

    # ------------------------------------------------------------------ taking and giving back
    def try_acquire(self, conn: sqlite3.Connection) -> Holder | None:
        """Take the lease in one transaction; returns the live holder that prevents it (``None``: taken)."""
        now = self._clock()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(LEASE_DDL)
            holder = read_holder(conn)
            if holder is not None and holder.token != self.token:
                reason = holder.gone_reason(now, self.host, self._alive)
                if reason is None:
                    conn.execute("ROLLBACK")
                    return holder
                self.took_over = f"{holder.describe(now)}: {reason}"
            conn.execute(
                "INSERT OR REPLACE INTO lease (slot, token, pid, host, command, started_at, heartbeat_at)"
                " VALUES (1, ?, ?, ?, ?, ?, ?)",
                (self.token, self.pid, self.host, self.command, _iso(now), _iso(now)),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return None

    def acquire(
        self,
        conn: sqlite3.Connection,
        *,
        wait: bool = False,
        on_wait: Callable[[str], None] | None = None,
        poll_s: float = WAIT_POLL_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Take the lease, or raise :class:`StoreBusy`; with ``wait``, poll until it can be taken.

        Starts the heartbeat thread once the lease is held.

        Raises:
            StoreBusy: A live process holds the lease and ``wait`` is false.
        """
        announced = False
        while True:
            holder = self.try_acquire(conn)
            if holder is None:
                break
            described = holder.describe(self._clock())
            if not wait:
                raise StoreBusy(
                    f"{self.path} is being written by {described}; wait for it with --wait,"
                    " or write to another --store"
                )
            if not announced and on_wait is not None:
                on_wait(f"waiting for {self.path}: it is being written by {described}")
                announced = True
            sleep(poll_s)
        self._thread = threading.Thread(target=self._beat, name="store-lease-heartbeat", daemon=True)
        self._thread.start()

    def release(self, conn: sqlite3.Connection) -> None:
        """Stop the heartbeat and delete the lease row if it is still ours (best effort)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        with contextlib.suppress(sqlite3.Error):  # a crash leaves the row too; the next writer takes it
            conn.execute("DELETE FROM lease WHERE slot = 1 AND token = ?", (self.token,))

    # ------------------------------------------------------------------ holding
    def verify(self, conn: sqlite3.Connection) -> None:
        """Inside a write transaction: raise :class:`LeaseLost` unless the lease row is still ours."""
        holder = read_holder(conn)
        if holder is None or holder.token != self.token:
            self.lost = True
            who = "nobody" if holder is None else holder.describe(self._clock())
            raise LeaseLost(
                f"{self.path}: this process lost the writer lease (now held by {who}); it was considered"
                f" gone after {STALE_AFTER_S:.0f} s without a heartbeat. Matches stored so far are kept;"
                " run again to resume."
            )

    def beat(self, conn: sqlite3.Connection) -> bool:
        """Refresh the heartbeat once; false when the row is no longer ours."""
        cur = conn.execute(
            "UPDATE lease SET heartbeat_at = ? WHERE slot = 1 AND token = ?",
            (_iso(self._clock()), self.token),
        )
        return cur.rowcount == 1

    def _beat(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0, check_same_thread=False)
        try:
            while not self._stop.wait(self._heartbeat_s):
                try:
                    if not self.beat(conn):
                        self.lost = True
                        return
                except sqlite3.Error:
                    continue  # busy for 30 s, or the disk hiccuped: try again at the next beat
        finally:
            conn.close()
