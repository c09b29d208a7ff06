"""Watching a running ``stratagem run`` through its store: kill tests act on progress, never on time."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

#: A run that stores nothing new for this long has hung (it is a guard against hangs, not a verdict).
HANG_S = 120.0
#: How often the store is polled: fast enough that a kill lands within a few matches of its target.
POLL_S = 0.005


def finished_count(store: Path) -> int:
    """Matches stored so far (0 before the run has created its tables)."""
    if not store.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM matches").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # the run has not created its tables yet
            return 0
        raise


def wait_for_count(
    proc: subprocess.Popen[bytes], store: Path, target: int, errors: Callable[[], str], hang_s: float = HANG_S
) -> int:
    """Poll until the store holds at least ``target`` matches and return the count seen.

    Fails if the process ends first (the run was too small for the target, or crashed; ``errors()`` gives
    its stderr for the message), or if the run makes no progress for ``hang_s`` seconds (a hang, not
    slowness).
    """
    seen, last_progress = -1, time.monotonic()
    while True:
        count = finished_count(store)
        if count >= target:
            return count
        if count != seen:
            seen, last_progress = count, time.monotonic()
        if proc.poll() is not None:
            raise AssertionError(
                f"the run ended (exit {proc.returncode}) with {count} matches stored, before reaching"
                f" {target}:\n{errors()}"
            )
        if time.monotonic() - last_progress > hang_s:
            raise AssertionError(f"the run made no progress for {hang_s:g} s ({count} matches stored)")
        time.sleep(POLL_S)
