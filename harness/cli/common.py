"""What the command modules share: the stderr console and the guard that turns errors into exit codes.

Exit codes: 0 ok, 1 a deliberate error that is not bad input (e.g. a lost Ray worker, a lost writer
lease), 2 bad input (config, names, store paths, a store in use or read-only, a replay-only cache miss),
130 interrupted. Every error is one line on stderr.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from games.core.errors import StratagemError, UserError

T = TypeVar("T")
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def err() -> Console:
    """A console on stderr (no highlighting, no wrapping, no emoji: ``root:x:0`` stays as it is)."""
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``error: message`` on stderr; returns the exit to raise."""
    err().print(f"[red]error:[/red] {escape(' '.join(message.split()))}")
    return typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """Run ``fn``: bad input and cache misses exit 2, other deliberate errors 1, Ctrl-C 130; one line each.

    An SQLite error that escapes the store's own checks (the disk became read-only or full mid-run) is one
    line too: exit 2 for a read-only store, else 1.
    """
    from harness.models.types import CacheMiss

    try:
        return fn()
    except (UserError, CacheMiss) as exc:
        raise fail(str(exc)) from None
    except StratagemError as exc:  # raised on purpose but not bad input (e.g. a lost Ray worker): exit 1
        raise fail(str(exc), EXIT_ERROR) from None
    except sqlite3.Error as exc:
        readonly = "readonly" in str(exc) or "read-only" in str(exc)
        raise fail(f"store: {exc}", EXIT_BAD_INPUT if readonly else EXIT_ERROR) from None
    except KeyboardInterrupt:  # play, or a second Ctrl-C during run: what finished is already stored
        err().print("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
