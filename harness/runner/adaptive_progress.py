"""The progress bar of ``stratagem run --adaptive``: matches, batch, the stopping criterion and the spend.

``adaptive ━━━━━ 124/400 matches · batch 3 · settled 7/10 adjacent pairs · spent $0.0000 0:00:12`` — the
total is the ``--max-matches`` cap when one is given (else the bar only counts). Off when stderr is not a
terminal or with ``--quiet``, like the runner's own bar (:class:`~harness.runner.progress.ProgressView`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from harness.runner.progress import UPDATE_EVERY_S


class AdaptiveView:
    """A rich progress bar fed by the adaptive run.

    Args:
        total: The ``--max-matches`` cap (``None``: no bar length).
        status: Returns ``(matches done, batch, criterion text, spend text)``.
        enabled: Show it (``None``: only when stderr is a terminal).
        console: Where to draw (default: stderr).
    """

    def __init__(
        self,
        total: int | None,
        status: Callable[[], tuple[int, int, str, str]],
        *,
        enabled: bool | None = None,
        console: Console | None = None,
    ) -> None:
        self.total = total
        self.status = status
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._updated = float("-inf")
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]adaptive"),
                BarColumn(bar_width=12),
                TextColumn("{task.fields[line]}"),
                TimeElapsedColumn(),
                console=console or Console(stderr=True),
                transient=False,
                refresh_per_second=4,
            )

    def __enter__(self) -> AdaptiveView:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("adaptive", total=self.total, line="")
            self.update(force=True)
        return self

    def update(self, *, force: bool = False) -> None:
        """Redraw from :attr:`status` (at most every :data:`UPDATE_EVERY_S` unless ``force``)."""
        if self._progress is None or self._task is None:
            return
        now = time.monotonic()
        if not force and now - self._updated < UPDATE_EVERY_S:
            return
        self._updated = now
        done, batch, criterion, spend = self.status()
        cap = f"/{self.total}" if self.total is not None else ""
        line = f"{done}{cap} matches · batch {batch} · {criterion} · spent {spend}"
        self._progress.update(self._task, completed=done, line=line)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self.update(force=True)
            self._progress.stop()
