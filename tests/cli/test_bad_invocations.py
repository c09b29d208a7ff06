"""Bad invocations of every command: exit 2, no traceback, a short message, and nothing written.

Each row of :data:`bad_invocations.ROWS` runs the real command (``python -m harness.cli.app …``) in a
child process, in a fresh folder that is also its working directory and its ``HOME``, with no API key
(nor base URL) in the environment. The assertions, per row:

* exit code 2;
* no ``Traceback`` on stdout or stderr, nothing on stdout, at most 3 lines on stderr, the first an
  ``error:`` line that says what the row is about;
* nothing written: the folder's tree (names, sizes, modification times) is the same after, and a path
  outside it that the command line names (``/etc/passwd/x.sqlite``, ``/proc/nope``) and its ``-wal``,
  ``-shm`` and ``-journal`` companions are as absent as before.

The rows run together in a thread pool (each child is ~1 s of interpreter start and imports, and every
row is refused before any work), so the module takes seconds. Run it with ``-s`` to see the table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from bad_invocations import CATEGORIES, MAKERS, ROWS, Row
from store_cli import BOTS, cli

HANG_S = 120.0  # only a hung child reaches it: every row is refused before doing any work
MAX_STDERR_LINES = 3
COMMANDS = ("run", "play", "show", "export", "report", "check", "sim", "games show", "audit")

Tree = dict[str, tuple[bool, int, int]]


def tree(folder: Path) -> Tree:
    """Every file and folder under ``folder``: relative path → (is a folder, size, mtime in ns)."""
    out: Tree = {}
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            p = Path(root) / name
            st = p.lstat()
            out[str(p.relative_to(folder))] = (p.is_dir(), st.st_size, st.st_mtime_ns)
    return out


def outside_paths(argv: list[str], folder: Path) -> list[Path]:
    """Absolute paths named on the command line outside ``folder``, with their SQLite companions."""
    out: list[Path] = []
    for arg in argv:
        if arg.startswith("/") and not arg.startswith(str(folder)):
            out += [Path(arg + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    return out


def exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. /etc/passwd/x: "Not a directory"
        return False


def clean_env(home: Path) -> dict[str, str]:
    """This environment without credentials, provider endpoints or Stratagem settings; ``HOME`` = ``home``."""
    drop = ("OPENAI", "ANTHROPIC", "LITELLM", "STRATAGEM", "DEEPSEEK", "GEMINI", "MISTRAL", "GROQ", "COLUMNS")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(drop) and not k.endswith(("_API_KEY", "_API_BASE", "_TOKEN", "_KEY"))
    }
    env.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    return env


@dataclass(frozen=True)
class Outcome:
    """What one row's child did."""

    row: Row
    folder: Path
    code: int
    stdout: str
    stderr: str
    before: Tree
    after: Tree
    outside_before: dict[str, bool]
    outside_after: dict[str, bool]

    @property
    def lines(self) -> list[str]:
        """The non-empty lines of stderr."""
        return [ln for ln in self.stderr.strip().splitlines() if ln.strip()]

    @property
    def message(self) -> str:
        """The message, one line (with the row's folder shown as ``D``)."""
        return " / ".join(self.lines).replace(str(self.folder), "D")


def run_row(row: Row, folder: Path, store: Path) -> Outcome:
    """Prepare ``folder`` for ``row``, run it there, and record what changed."""
    folder.mkdir(parents=True)
    for name in row.files:
        if name == "store.sqlite":
            shutil.copy2(store, folder / name)
        else:
            MAKERS[name](folder / name)
    argv = row.argv(folder)
    outside = outside_paths(argv, folder)
    outside_before = {str(p): exists(p) for p in outside}
    before = tree(folder)
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli.app", *argv],
        cwd=folder,
        env=clean_env(folder),
        capture_output=True,
        text=True,
        timeout=HANG_S,
        stdin=subprocess.DEVNULL,
    )
    return Outcome(
        row,
        folder,
        proc.returncode,
        proc.stdout,
        proc.stderr,
        before,
        tree(folder),
        outside_before,
        {str(p): exists(p) for p in outside},
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    """Every row's outcome, by row id (all rows run at once, one child each)."""
    base = tmp_path_factory.mktemp("bad")
    shared = base / "shared"
    shared.mkdir()
    (shared / "bots.yaml").write_text(BOTS.format(store=shared / "store.sqlite"))
    made = cli("run", str(shared / "bots.yaml"), "--quiet", cwd=shared)
    assert made.returncode == 0, made.stderr
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(run_row, row, base / f"row{i:02d}", shared / "store.sqlite")
            for i, row in enumerate(ROWS)
        ]
        yield {row.id: f.result() for row, f in zip(ROWS, futures, strict=True)}


def test_the_table_covers_every_command_and_category():
    assert len(ROWS) >= 30
    assert len({r.id for r in ROWS}) == len(ROWS), "row ids must be unique"
    assert {r.category for r in ROWS} == set(CATEGORIES)
    for command in COMMANDS:
        words = command.split()
        assert any(list(r.args[: len(words)]) == words for r in ROWS), command


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_a_bad_invocation_exits_2_with_a_short_message_and_writes_nothing(outcomes, row):
    got = outcomes[row.id]
    shown = f"{row.id}: exit {got.code}\nstdout: {got.stdout}\nstderr: {got.stderr}"
    assert got.code == 2, shown
    assert "Traceback" not in got.stdout + got.stderr, shown
    assert got.stdout == "", shown
    assert 1 <= len(got.lines) <= MAX_STDERR_LINES, shown
    assert got.lines[0].startswith("error: "), shown
    assert row.says in got.stderr, f"{shown}\nexpected it to say {row.says!r}"
    assert got.after == got.before, f"{row.id} wrote something: {sorted(set(got.after) ^ set(got.before))}"
    assert got.outside_after == got.outside_before, f"{row.id} created {got.outside_after}"


def test_print_the_table(outcomes):
    """The table (run with ``-s``): invocation → exit code → message."""
    width = max(len(r.id) for r in ROWS)
    print(f"\n{'invocation':<{width}}  exit  message")
    for row in ROWS:
        got = outcomes[row.id]
        print(f"{row.id:<{width}}  {got.code:>4}  {got.message}")
