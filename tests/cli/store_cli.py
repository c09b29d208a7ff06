"""Helpers for the store tests that run the real ``stratagem`` command in child processes.

Nothing here waits for a fixed time: children are awaited until they exit, stderr until a line appears,
the store until a row appears, each with a generous outer limit (``HANG_S``) that only a hung process
reaches.
"""

from __future__ import annotations

import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.store.lease import LEASE_DDL

HANG_S = 180.0

GATED = """\
name: {name}
games: [battle_card]
models: [local/gate, bot/greedy]
settings: [{{side: A, first_reviser: A}}]
protocol: {{rounds: {rounds}}}
seeds: [0, 1]
cache: {{mode: "off"}}
store: {store}
"""

BOTS = """\
name: bots-small
games: [battle_card, elemental_duel]
models: [bot/random, bot/greedy]
settings: [{{side: A, first_reviser: A}}]
protocol: {{rounds: 2}}
store: {store}
"""


def command(*args: str) -> list[str]:
    """The ``stratagem`` command line, through this interpreter."""
    return [sys.executable, "-m", "harness.cli.app", *args]


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``stratagem ARGS`` to its end (``prefix``: a wrapper such as a read-only mount)."""
    return subprocess.run(
        [*prefix, *command(*args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_S
    )


def cli_many(
    commands: Sequence[Sequence[str]], *, cwd: Path, prefix: Sequence[str] = ()
) -> list[subprocess.CompletedProcess[str]]:
    """Run several ``stratagem`` commands at once (children start slowly on a loaded machine)."""
    procs = [
        subprocess.Popen(
            [*prefix, *command(*args)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for args in commands
    ]
    out = []
    for args, proc in zip(commands, procs, strict=True):
        stdout, stderr = proc.communicate(timeout=HANG_S)
        out.append(subprocess.CompletedProcess(list(args), proc.returncode, stdout, stderr))
    return out


def start(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``stratagem ARGS`` without waiting."""
    return subprocess.Popen(
        command(*args), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def one_error_line(text: str) -> str:
    """The single non-empty line of ``text``, which must be an ``error:`` line without a traceback."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    assert lines[0].startswith("error: ") and "Traceback" not in text, text
    return lines[0]


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds (``HANG_S`` at most: a hang, not slowness)."""
    deadline = time.monotonic() + HANG_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def wait_any(procs: Sequence[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    """The first of ``procs`` to exit."""
    wait_until(lambda: any(p.poll() is not None for p in procs), "a child to exit")
    return next(p for p in procs if p.poll() is not None)


class LineReader:
    """Reads a pipe in a thread so a test can wait for one line without blocking forever."""

    def __init__(self, pipe: object) -> None:
        self.lines: list[str] = []
        self._q: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe: object) -> None:
        for line in pipe:  # type: ignore[attr-defined]
            self._q.put(line)
        self._q.put(None)

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + HANG_S
        while True:
            line = self._q.get(timeout=max(0.0, deadline - time.monotonic()))
            assert line is not None, f"the pipe closed before {text!r}; got {self.lines}"
            self.lines.append(line)
            if text in line:
                return line


def lease_rows(store: Path) -> list[tuple[object, ...]]:
    """The store's lease rows (empty without the table)."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return con.execute("SELECT pid, host, command FROM lease").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def write_lease(store: Path, *, pid: int, host: str, heartbeat_at: str) -> None:
    """Write another process's lease row into ``store`` (as a writer on another host would)."""
    con = sqlite3.connect(store, isolation_level=None)
    try:
        con.execute(LEASE_DDL)  # the documented table (docs/records.md)
        con.execute(
            "INSERT OR REPLACE INTO lease VALUES (1, 'elsewhere', ?, ?, 'stratagem run elsewhere', ?, ?)",
            (pid, host, heartbeat_at, heartbeat_at),
        )
    finally:
        con.close()


def table_count(store: Path, table: str) -> int:
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


def export_csv(store: Path, out: Path, cwd: Path) -> dict[str, bytes]:
    """``stratagem export STORE --format csv`` → ``{file name: bytes}``."""
    res = cli("export", str(store), "--format", "csv", "--out", str(out), cwd=cwd)
    assert res.returncode == 0, res.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def readonly_prefix(target: Path) -> list[str] | None:
    """A command prefix that runs the child with ``target`` read-only, or ``None`` when impossible.

    As root, permissions do not stop writes, so the child runs in its own mount namespace with ``target``
    bind-mounted read-only (``unshare -m``); otherwise a plain ``chmod`` is enough and the prefix is empty.
    """
    if os.geteuid() != 0:
        target.chmod(0o555 if target.is_dir() else 0o444)
        return []
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
    probe = subprocess.run(["unshare", "-m", "sh", "-c", script, str(target), "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return ["unshare", "-m", "sh", "-c", script, str(target)]
