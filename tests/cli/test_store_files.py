"""Store files with the real ``stratagem`` command: read-only opens, read-only places, files that are not
stores, and store paths that cannot be.

Readers (``show``, ``export``, ``report``, a stored baseline of ``check``) must leave nothing beside the
store; writers (``run``, ``play --store``) must refuse what they cannot write with exit 2 and one line,
before anything is played or written.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from store_cli import BOTS, cli, cli_many, one_error_line, readonly_prefix
from typer.testing import CliRunner

from harness.cli.app import app
from harness.store import ResultStore

PLAY = ("play", "--game", "battle_card", "--a", "bot/greedy", "--b", "bot/random", "--rounds", "2")


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    """A small store written by ``stratagem run`` (two bot matches)."""
    base = tmp_path_factory.mktemp("stored")
    exp = base / "bots.yaml"
    exp.write_text(BOTS.format(store=base / "s.sqlite"))
    res = cli("run", str(exp), "--quiet", cwd=base)
    assert res.returncode == 0, res.stderr
    return base / "s.sqlite"


def invoke(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``stratagem ARGS`` in this process (much faster than a child; ``report`` needs the real entry point
    for its errors, so it runs as a child)."""
    if args[0] == "report":
        return cli(*args, cwd=cwd)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(list(args), res.exit_code, res.stdout, res.stderr)


def copy_store(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / src.name
    dst.write_bytes(src.read_bytes())
    return dst


def beside(store: Path) -> list[str]:
    return sorted(p.name for p in store.parent.iterdir() if p.name.startswith(store.name))


def first_match(store: Path) -> str:
    with ResultStore(store, readonly=True) as s:
        return next(s.iter_matches())["match_id"]


def readers(store: Path, out: Path) -> list[tuple[str, ...]]:
    return [
        ("show", str(store)),
        ("show", str(store), first_match(store)),
        ("export", str(store), "--format", "csv", "--out", str(out / "csv")),
        ("report", str(store), "--out", str(out / "report"), "--n-boot", "20", "--no-answer-rate"),
    ]


@pytest.mark.parametrize("rest", ["rollback", "wal"])
def test_read_only_commands_leave_no_wal_or_shm(tmp_path, stored, rest):
    store = copy_store(stored, tmp_path / "store")
    assert beside(store) == ["s.sqlite"]  # a writer leaves its store at rest, without -wal / -shm
    if rest == "wal":  # a store left in WAL mode at rest (an older Stratagem, another tool)
        con = sqlite3.connect(store)
        assert con.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        con.close()
    before = store.read_bytes()
    for args in readers(store, tmp_path / "out"):
        res = invoke(*args, cwd=tmp_path)
        assert res.returncode == 0, (args, res.stderr)
        assert beside(store) == ["s.sqlite"], args
    from harness.gate.baseline_store import BaselineStore  # ``check --baseline STORE`` reads it so

    assert len(BaselineStore.open(store).models()) == 2
    assert beside(store) == ["s.sqlite"]
    assert store.read_bytes() == before


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_store_can_be_read_but_not_written(tmp_path, stored, what):
    store = copy_store(stored, tmp_path / "ro")
    before = store.read_bytes()
    prefix = readonly_prefix(store.parent if what == "folder" else store)
    if prefix is None:
        pytest.skip("cannot make a read-only place here (root without unshare/mount)")
    try:
        exp = tmp_path / "bots.yaml"
        exp.write_text(BOTS.format(store=store))
        reads = readers(store, tmp_path / "out")
        writes = [("run", str(exp)), (*PLAY, "--store", str(store))]
        results = cli_many([*reads, *writes], cwd=tmp_path, prefix=prefix)
        for res in results[: len(reads)]:
            assert res.returncode == 0, (res.args, res.stderr)
        for res in results[len(reads) :]:
            args = res.args
            assert res.returncode == 2, (args, res.stderr)
            assert "the store is read-only" in one_error_line(res.stderr), args
            assert "Round" not in res.stdout  # play: refused before the match header
    finally:
        store.parent.chmod(0o755)
        store.chmod(0o644)
    assert store.read_bytes() == before
    assert beside(store) == ["s.sqlite"]


def _other_program(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE moz_bookmarks (id INTEGER, title TEXT)")
    con.execute("CREATE TABLE moz_places (id INTEGER, url TEXT)")
    con.commit()
    con.close()


def _newer_schema(path: Path) -> None:
    ResultStore(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()


NOT_STORES = {
    "text": (lambda p: p.write_text("name,score\nalice,3\n"), "a text file (it starts with 'name,score')"),
    "random bytes": (
        lambda p: p.write_bytes(os.urandom(4096)),
        "not an SQLite database (4,096 bytes of binary",
    ),
    "another program": (
        _other_program,
        "an SQLite database of another program (tables: moz_bookmarks, moz_places)",
    ),
    "newer schema": (
        _newer_schema,
        "a Stratagem store of schema version 2, newer than this Stratagem reads (1)",
    ),
}


@pytest.mark.parametrize("kind", sorted(NOT_STORES))
def test_a_file_that_is_not_a_store_is_refused_by_every_command_saying_what_it_is(tmp_path, kind):
    make, said = NOT_STORES[kind]
    path = tmp_path / "f" / "results.sqlite"
    path.parent.mkdir()
    make(path)
    if kind == "random bytes":
        path.write_bytes(b"\x00\xff" + path.read_bytes()[2:])  # never valid UTF-8 by chance
    before = path.read_bytes()
    exp = tmp_path / "bots.yaml"
    exp.write_text(BOTS.format(store=path))
    commands = [
        ("run", str(exp)),
        ("run", "smoke", "--store", str(path)),
        (*PLAY, "--store", str(path)),
        ("show", str(path)),
        ("export", str(path), "--format", "csv", "--out", str(tmp_path / "csv")),
        ("report", str(path), "--out", str(tmp_path / "report")),
    ]
    for args in commands:
        res = invoke(*args, cwd=tmp_path)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        line = one_error_line(res.stderr)
        assert str(path) in line and said in line, (args, line)
        assert res.stdout == "", args  # nothing ran: no match header, no table
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["results.sqlite"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bots.yaml", "f"]  # no csv/, report/, results/


def test_store_paths_that_cannot_be_exit_2_with_one_line_and_write_nothing(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder\n")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    cases = {
        "/etc/passwd/x.sqlite": "/etc/passwd is a file, not a folder",
        f"{a_file}/sub.sqlite": f"{a_file} is a file, not a folder",
        f"{a_file}/deeper/sub.sqlite": f"{a_file} is a file, not a folder",
        str(folder): "a folder, not a store file",
    }
    for store, said in cases.items():
        for args in [("run", "smoke", "--store", store), (*PLAY, "--store", store)]:
            res = invoke(*args, cwd=tmp_path)
            assert res.returncode == 2, (args, res.stderr)
            assert said in one_error_line(res.stderr), args
            assert res.stdout == "", args  # play: refused before the match header
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder", "notes.txt"]
    assert list(folder.iterdir()) == []
    assert a_file.read_text() == "not a folder\n"
