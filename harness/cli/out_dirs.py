"""Check an output folder (``report --out``, ``export --out``) before anything is computed or written.

A folder that cannot be written is one line and exit 2, and nothing is left behind: the check creates the
missing folders and a probe file, then removes them again (permission bits alone cannot tell: ``root`` may
"write" ``/sys`` and ``/proc`` by :func:`os.access` and still be refused by the kernel).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from games.core.errors import UserError


class OutputPathError(UserError):
    """An output folder that cannot be used: a file, or a place that cannot be written."""


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def check_output_dir(path: str | Path, option: str = "--out") -> Path:
    """Refuse ``path`` unless it is (or can be made) a writable folder; creates nothing that stays.

    Args:
        path: The output folder.
        option: How the command line names it, for the message.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OutputPathError: ``path`` (or a parent) is a file, or the folder cannot be created or written.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"{option} {out}: exists and is not a folder; name a folder to write into")
    missing: list[Path] = []
    existing = out
    while not existing.exists() and existing != existing.parent:
        missing.append(existing)
        existing = existing.parent
    if not existing.is_dir():
        raise OutputPathError(f"{option} {out}: {existing} is a file, not a folder")
    created: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".stratagem-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputPathError(f"{option} {out}: cannot write there ({_reason(exc)})") from None
    finally:
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:  # pragma: no cover - someone else wrote into it meanwhile; leave it
                break
    return out
