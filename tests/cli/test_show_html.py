"""``stratagem show STORE MATCH_ID --html [--out PATH]``: one match's page, or one line and exit 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli.app import app

runner = CliRunner()

TINY = """\
name: tiny
games: [battle_card, elemental_duel]
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}]
protocol: {rounds: 2}
"""


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


def files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*"))}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.yaml").write_text(TINY)
    result = invoke("run", "tiny.yaml", "--store", "s.sqlite", "--quiet")
    assert result.exit_code == 0, result.output
    return tmp_path / "s.sqlite"


def match_ids(store: Path) -> list[str]:
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return [str(r[0]) for r in con.execute("SELECT match_id FROM matches ORDER BY match_id")]
    finally:
        con.close()


def test_writes_the_page_in_the_current_folder_by_a_prefix(store: Path, tmp_path: Path) -> None:
    match_id = match_ids(store)[0]
    result = invoke("show", "s.sqlite", match_id[:6], "--html")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{match_id}.html"
    page = (tmp_path / f"{match_id}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and f"Match {match_id}" in page and "<svg" in page
    assert 'href="index.html"' not in page  # a page on its own links to no list


@pytest.mark.parametrize("kind", ["existing folder", "new folder", "html file", "existing html file"])
def test_out_names_a_folder_or_an_html_file(store: Path, tmp_path: Path, kind: str) -> None:
    match_id = match_ids(store)[1]
    if kind == "existing folder":
        (tmp_path / "pages").mkdir()
        out, expected = "pages", tmp_path / "pages" / f"{match_id}.html"
    elif kind == "new folder":
        out, expected = "a/b", tmp_path / "a" / "b" / f"{match_id}.html"
    else:
        out, expected = "one.html", tmp_path / "one.html"
        if kind == "existing html file":
            expected.write_text("old")
    result = invoke("show", "s.sqlite", match_id, "--html", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(Path(out) / expected.name if "folder" in kind else Path(out))
    assert f"Match {match_id}" in expected.read_text(encoding="utf-8")


def test_the_same_page_twice_is_byte_identical(store: Path, tmp_path: Path) -> None:
    match_id = match_ids(store)[0]
    assert invoke("show", "s.sqlite", match_id, "--html", "--out", "x.html").exit_code == 0
    assert invoke("show", "s.sqlite", match_id, "--html", "--out", "y.html").exit_code == 0
    assert (tmp_path / "x.html").read_bytes() == (tmp_path / "y.html").read_bytes()


BAD = [
    (("s.sqlite", "--html"), "--html needs a MATCH_ID"),
    (("s.sqlite", "zzzz", "--html"), "no match 'zzzz'"),
    (("s.sqlite", "", "--html"), "ambiguous"),
    (("s.sqlite", "{id}", "--html", "--out", "s.sqlite"), "exists and is not an HTML file"),
    (("s.sqlite", "{id}", "--html", "--out", "notes.txt"), "exists and is not an HTML file"),
    (("s.sqlite", "{id}", "--html", "--out", "notes.txt/x.html"), "notes.txt: exists and is not a folder"),
    (("s.sqlite", "{id}", "--html", "--out", "notes.txt/sub"), "notes.txt is a file"),
    (("s.sqlite", "{id}", "--out", "x.html"), "--out is only used with --html"),
    (("missing.sqlite", "{id}", "--html"), "no such store"),
    (("notes.txt", "{id}", "--html"), "text file"),
]


@pytest.mark.parametrize(("args", "says"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    store: Path, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    before = files(tmp_path)
    result = invoke("show", *(a.replace("{id}", match_ids(store)[0]) for a in args))
    assert result.exit_code == 2, result.output
    assert says in one_line(result.stderr)
    assert "Traceback" not in result.output + result.stderr
    assert files(tmp_path) == before


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (a folder nobody can write)")
def test_an_unwritable_folder_is_refused(store: Path, tmp_path: Path) -> None:
    before = files(tmp_path)
    result = invoke("show", "s.sqlite", match_ids(store)[0], "--html", "--out", "/proc/x.html")
    assert result.exit_code == 2
    assert "cannot write there" in one_line(result.stderr)
    assert files(tmp_path) == before
