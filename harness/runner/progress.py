"""Run statistics and the live progress bar (stderr; off when stderr is not a terminal or ``--quiet``)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


@dataclass
class RunStats:
    """Counters of one run, updated by the runner as matches finish.

    Attributes:
        total: Jobs of the experiment.
        skipped: Jobs already finished in the store (resume).
        finished: Matches finished and written by this run.
        voided: Matches written as voided after their last try.
        requeued: Voided tries that were put back in the queue.
        rounds: Rounds simulated by matches that finished in this run.
        replayed: Matches played again because the worker process playing them was lost (Ray executor).
        workers_lost: Worker processes lost and replaced during the run (Ray executor).
        failures: Non-``ok`` decision failure classes, plus ``void`` for voided tries.
        cost_usd: Spend of this run's decisions whose price is known.
        cost_unknown: Whether some decision's price was unknown (so ``cost_usd`` is a lower bound).
        interrupted: Whether the run was stopped by Ctrl-C.
        started: ``time.monotonic()`` at the start.
    """

    total: int = 0
    skipped: int = 0
    finished: int = 0
    voided: int = 0
    requeued: int = 0
    rounds: int = 0
    replayed: int = 0
    workers_lost: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    cost_usd: float = 0.0
    cost_unknown: bool = False
    interrupted: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        """Matches finished or voided, counting those already in the store."""
        return self.skipped + self.finished + self.voided

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def add_cost(self, cost: float | None) -> None:
        """Add one decision's (or match's) cost; ``None`` marks the total as a lower bound."""
        if cost is None:
            self.cost_unknown = True
        else:
            self.cost_usd += cost

    def spend_text(self) -> str:
        """``$1.2345`` (``≥ $…`` when some price is unknown)."""
        return f"{'≥ ' if self.cost_unknown else ''}${self.cost_usd:.4f}"

    def failures_text(self) -> str:
        """``unparseable 3, void 1`` or ``none``."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items())) or "none"

    def summary(self) -> str:
        """One line for the end of a run."""
        rate = self.rounds / self.elapsed if self.elapsed > 0 else 0.0
        head = "interrupted" if self.interrupted else "done"
        # Only runs that lost a worker say so: the asyncio runner's line stays as it always was.
        lost = ""
        if self.workers_lost:
            plural = "s" if self.workers_lost != 1 else ""
            lost = f", {self.replayed} replayed after {self.workers_lost} lost worker{plural}"
        return (
            f"{head}: {self.done}/{self.total} matches ({self.finished} played now,"
            f" {self.skipped} already stored, {self.voided} voided, {self.requeued} re-queued{lost}),"
            f" {self.rounds} rounds in {self.elapsed:.1f}s"
            f" ({rate:.1f} rounds/s), failures: {self.failures_text()}, spend {self.spend_text()}"
        )


#: Seconds between two updates of the bar's figures.
UPDATE_EVERY_S = 0.1


class ProgressView:
    """A rich progress bar fed from :class:`RunStats`; a no-op when disabled.

    Args:
        stats: The run's counters.
        enabled: Show it (``None``: only when stderr is a terminal).
        console: Where to draw (default: stderr).
        spend: The spend text to show instead of this run's (``--max-cost``: ``$x of $limit``).
    """

    def __init__(
        self,
        stats: RunStats,
        *,
        enabled: bool | None = None,
        console: Console | None = None,
        spend: Callable[[], str] | None = None,
    ) -> None:
        self.stats = stats
        self.spend = spend or stats.spend_text
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._updated = float("-inf")
        if enabled:
            self._progress = Progress(
                TextColumn("[bold]matches"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} rounds/s"),
                TextColumn("failures: {task.fields[failures]}"),
                TextColumn("spend {task.fields[spend]}"),
                TimeElapsedColumn(),
                console=console or Console(stderr=True),
                transient=False,
                refresh_per_second=4,
            )

    def __enter__(self) -> ProgressView:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(
                "run",
                total=self.stats.total,
                completed=self.stats.done,
                rate="0.0",
                failures="none",
                spend="$0",
            )
        return self

    def update(self, *, force: bool = False) -> None:
        """Redraw from the current statistics (at most every :data:`UPDATE_EVERY_S` unless ``force``).

        The bar redraws 4 times a second anyway; a bot run finishes a match every millisecond, and
        feeding rich each one would cost more than the match's own bookkeeping.
        """
        if self._progress is None or self._task is None:
            return
        now = time.monotonic()
        if not force and now - self._updated < UPDATE_EVERY_S:
            return
        self._updated = now
        s = self.stats
        rate = s.rounds / s.elapsed if s.elapsed > 0 else 0.0
        self._progress.update(
            self._task, completed=s.done, rate=f"{rate:.1f}", failures=s.failures_text(), spend=self.spend()
        )

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self.update(force=True)
            self._progress.stop()
