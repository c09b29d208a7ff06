"""The jobs a run still has to play: streamed in plan order, with the resume check done in chunks.

A plan can hold a million jobs (:class:`~harness.experiments.expand.JobPlan` makes them lazily), so the
runner never lists them: it takes them from the plan as it goes, looks a chunk of
:data:`LOOKUP_CHUNK` planned ids up in the store with one query (finished ones are skipped, voided ones
carry their tries over), and only the jobs in flight or re-queued are held. The ``skipped`` count (for
the progress bar and the summary) is taken before the run, the same way, when the store holds any match;
the total is ``len(jobs)``, which a plan computes without making its jobs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Protocol

from harness.experiments.jobs import MatchJob
from harness.runner.progress import RunStats
from harness.store.reads import StoreReads
from harness.store.store import utc_now

#: Planned jobs looked up in the store per query.
LOOKUP_CHUNK = 1000


class JobSource(Protocol):
    """The jobs of a run: a list, or a :class:`~harness.experiments.expand.JobPlan` (lazy, sized)."""

    def __iter__(self) -> Iterator[MatchJob]:
        """The jobs in plan order (each call starts again from the first)."""
        ...

    def __len__(self) -> int:
        """How many jobs there are."""
        ...


@dataclass
class Pending:
    """A job waiting to be played, with its voided tries so far."""

    job: MatchJob
    tries: int = 0  # voided tries so far, including those of earlier runs
    started_at: str = field(default_factory=utc_now)


def _chunks(jobs: Iterable[MatchJob], size: int) -> Iterator[list[MatchJob]]:
    it = iter(jobs)
    while chunk := list(islice(it, size)):
        yield chunk


def count_finished(store: StoreReads, jobs: Iterable[MatchJob], chunk: int = LOOKUP_CHUNK) -> int:
    """How many of ``jobs`` are stored as finished (one query per ``chunk`` jobs; nothing is kept)."""
    n = 0
    for part in _chunks(jobs, chunk):
        states = store.match_states([j.match_id for j in part])
        n += sum(1 for status, _ in states.values() if status == "finished")
    return n


def pending_stream(
    jobs: Iterable[MatchJob], store: StoreReads, *, lookup: bool = True, chunk: int = LOOKUP_CHUNK
) -> Iterator[Pending]:
    """The jobs not finished in ``store``, in order, each with the tries of its voided row (if any).

    Args:
        jobs: The planned jobs.
        store: The store (read a chunk at a time, as the stream is consumed).
        lookup: Whether to ask the store at all (``False`` for a store that held no match at the start:
            a run never writes a match before it has taken it from this stream).
        chunk: Jobs looked up per query.
    """
    for part in _chunks(jobs, chunk):
        states = store.match_states([j.match_id for j in part]) if lookup else {}
        for job in part:
            state = states.get(job.match_id)
            if state is None:
                yield Pending(job)
            elif state[0] == "voided":
                yield Pending(job, tries=state[1])


def plan_pending(
    jobs: JobSource, store: StoreReads, st: RunStats, *, limit: int | None = None
) -> Iterator[Pending]:
    """Fill ``st.total`` / ``st.skipped`` and return the stream of jobs to play (at most ``limit``)."""
    st.total = len(jobs)
    stored = store.has_matches()
    st.skipped = count_finished(store, jobs) if stored else 0
    stream = pending_stream(jobs, store, lookup=stored)
    return islice(stream, limit) if limit is not None else stream


def pending_jobs(
    jobs: JobSource, store: StoreReads, st: RunStats, *, limit: int | None = None
) -> list[Pending]:
    """The jobs not finished in ``store`` (resume), as a list; fills ``total``/``skipped`` (see above)."""
    return list(plan_pending(jobs, store, st, limit=limit))


class JobQueue:
    """What the workers take matches from: the stream in plan order, then the re-queued matches.

    A match that was voided and is tried again goes behind every match not yet started, as it always
    did when the whole list was queued up front.

    Args:
        stream: The jobs to play (:func:`plan_pending`).
    """

    def __init__(self, stream: Iterator[Pending]) -> None:
        self._stream = stream
        self._requeued: deque[Pending] = deque()

    def peek_count(self, n: int) -> int:
        """How many matches are waiting, counting at most ``n`` (takes up to ``n`` from the stream)."""
        head = list(islice(self._stream, n))
        self._stream = chain(head, self._stream)
        return len(head) + len(self._requeued)

    def pop(self) -> Pending | None:
        """The next match to play, or ``None`` when nothing is waiting now."""
        item = next(self._stream, None)
        if item is None and self._requeued:
            item = self._requeued.popleft()
        return item

    def push(self, item: Pending) -> None:
        """Put a voided match back, behind everything else."""
        self._requeued.append(item)
