"""The committed reference run (results/reference/): present, small, readable; its regeneration is stable."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "results" / "reference"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen_reference", ROOT / "scripts" / "regen_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gzip_is_deterministic(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("a,b\n1,2\n" * 100, encoding="utf-8")
    gz = _script().gzip_file
    gz(src, tmp_path / "one.gz")
    gz(src, tmp_path / "two.gz")
    assert (tmp_path / "one.gz").read_bytes() == (tmp_path / "two.gz").read_bytes()
    assert gzip.decompress((tmp_path / "one.gz").read_bytes()) == src.read_bytes()


def test_reference_run_is_committed_and_small() -> None:
    files = [p for p in REFERENCE.rglob("*") if p.is_file()]
    names = {p.relative_to(REFERENCE).as_posix() for p in files}
    for required in (
        "README.md",
        "export/matches.csv.gz",
        "export/rounds.csv.gz",
        "export/decisions.csv.gz",
        "report/report.html",
        "report/leaderboard.md",
        "report/leaderboard.csv",
        "report/metrics.csv",
        "report/leaderboard.png",
    ):
        assert required in names, required
    assert sum(p.stat().st_size for p in files) < 2_000_000
    assert not [n for n in names if n.endswith((".sqlite", "-wal", "-shm"))]
    with gzip.open(REFERENCE / "export" / "matches.csv.gz", "rt", encoding="utf-8") as f:
        matches = list(csv.DictReader(io.StringIO(f.read())))
    assert matches and {m["status"] for m in matches} == {"finished"}
    assert {m["model_a"] for m in matches} == {"bot/random", "bot/greedy", "bot/search"}
    board = (REFERENCE / "report" / "leaderboard.md").read_text(encoding="utf-8")
    assert "Store: bots.sqlite." in board  # no local path in the committed report
    assert "| model | Matches | Rounds |" in board
