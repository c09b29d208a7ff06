"""Writing finished matches a small group per transaction, within a bounded delay.

A bot match takes about a millisecond, and a commit (with the lease check it carries) costs a good part
of one, so the asyncio runner writes the matches that finish close together in one transaction:

* a group is written as soon as it holds :data:`GROUP_MATCHES` matches, or :data:`GROUP_DELAY_S` seconds
  after its first match finished (a timer on the event loop, so a slow LLM match never waits for the
  next one), and always when the run ends, stops or is interrupted;
* each group is ONE transaction that first checks the writer lease (:meth:`ResultStore.write_rows`):
  all of its matches are stored or none, and a writer that lost its lease writes nothing more;
* a process killed at any moment therefore loses the matches in flight and, at most, the finished
  matches of the last :data:`GROUP_DELAY_S` seconds not yet written; it never stores half a match or a
  match twice, and a rerun plays exactly the missing ones again.

If a group cannot be written for a reason that concerns one of its matches (a match already stored), its
matches are written one per transaction, as before grouping, and the first such error is raised after
the others are stored.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable

from games.core.errors import EngineError
from harness.store.lease import LeaseLost
from harness.store.rows import MatchRows
from harness.store.store import ResultStore

#: Matches written per transaction at most.
GROUP_MATCHES = 32
#: Seconds a finished match waits at most before its group is written.
GROUP_DELAY_S = 0.2


class GroupWriter:
    """Buffers the rows of finished (or finally voided) matches and writes them a group at a time.

    Args:
        store: The store (this process holds its writer lease).
        loop: The event loop whose timer writes a group :data:`GROUP_DELAY_S` after its first match
            (``None``: no timer; a group is then written when full, or when the next match is added late).
        on_error: Receives an error raised by a timer's write (it cannot propagate from the loop's
            callback); errors of :meth:`add` and :meth:`flush` are raised to the caller.
        max_matches: Group size.
        max_delay_s: Longest wait of a finished match.
        clock: Monotonic seconds (tests replace it).
    """

    def __init__(
        self,
        store: ResultStore,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        max_matches: int = GROUP_MATCHES,
        max_delay_s: float = GROUP_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.loop = loop
        self.on_error = on_error
        self.max_matches = max(1, max_matches)
        self.max_delay_s = max_delay_s
        self.clock = clock
        self.groups_written = 0
        self._rows: list[MatchRows] = []
        self._since = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, rows: MatchRows) -> None:
        """Buffer one match's rows; writes the group when it is full or its first match waited long enough."""
        if not self._rows:
            self._since = self.clock()
            if self.loop is not None and self.max_delay_s > 0:
                self._timer = self.loop.call_later(self.max_delay_s, self._on_timer)
        self._rows.append(rows)
        if len(self._rows) >= self.max_matches or self.clock() - self._since >= self.max_delay_s:
            self.flush()

    def _on_timer(self) -> None:
        self._timer = None
        try:
            self.flush()
        except Exception as exc:  # e.g. LeaseLost: the run must stop, and say why
            if self.on_error is None:
                raise
            self.on_error(exc)

    def flush(self) -> None:
        """Write every buffered match now (one transaction; see the module docstring on errors)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        rows, self._rows = self._rows, []
        if not rows:
            return
        try:
            self.store.write_rows(rows)
        except LeaseLost:
            raise
        except (EngineError, sqlite3.IntegrityError):
            if len(rows) == 1:
                raise
            self._write_one_by_one(rows)
        self.groups_written += 1

    def _write_one_by_one(self, rows: list[MatchRows]) -> None:
        first: BaseException | None = None
        for one in rows:
            try:
                self.store.write_rows([one])
            except (EngineError, sqlite3.IntegrityError) as exc:
                first = first or exc
        if first is not None:
            raise first
