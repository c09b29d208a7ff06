"""Golden playthrough files: any rule or rules-text drift shows up as a diff in review."""

import difflib
from pathlib import Path

import pytest

from games import get_game
from games.playthrough import playthrough_files
from games.registry import game_names

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", game_names())
def test_playthrough_matches_golden(name):
    files = playthrough_files(get_game(name))
    for fname, content in files.items():
        path = GOLDEN / name / fname
        assert path.exists(), f"missing golden file {path}; run: python scripts/regen_golden.py"
        expected = path.read_text(encoding="utf-8")
        if expected != content:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(True), content.splitlines(True), str(path), "generated", n=2
                )
            )
            pytest.fail(f"{path} drifted (run python scripts/regen_golden.py and review):\n{diff[:4000]}")
