"""Golden playthrough files, per game and ruleset: any rule or rules-text drift shows up as a diff in review.

Ruleset v1's files (``golden/<game>/``) never change; another ruleset's live in ``golden/<game>@<ruleset>/``
and are regenerated with ``python scripts/regen_golden.py GAME@RULESET`` when that ruleset's design changes.
"""

import difflib
from pathlib import Path

import pytest

from games import get_game
from games.playthrough import golden_folder, playthrough_files
from games.registry import game_rulesets

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(("name", "ruleset"), game_rulesets(), ids=[f"{n}@{r}" for n, r in game_rulesets()])
def test_playthrough_matches_golden(name, ruleset):
    files = playthrough_files(get_game(name, ruleset=ruleset))
    folder = GOLDEN / golden_folder(name, ruleset)
    regen = f"python scripts/regen_golden.py {name}@{ruleset}"
    for fname, content in files.items():
        path = folder / fname
        assert path.exists(), f"missing golden file {path}; run: {regen}"
        expected = path.read_text(encoding="utf-8")
        if expected != content:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(True), content.splitlines(True), str(path), "generated", n=2
                )
            )
            pytest.fail(f"{path} drifted (run {regen} and review):\n{diff[:4000]}")
    stale = sorted(p.name for p in folder.iterdir() if p.name not in files)
    assert not stale, f"{folder} holds files the game no longer generates: {stale}; run: {regen}"


def test_v1_golden_folders_keep_their_names():
    # v1's files stay where they always were: a renamed folder would hide a drift from review.
    assert golden_folder("battle_card", "v1") == "battle_card"
    assert golden_folder("battle_card", "v2") == "battle_card@v2"
    for name, ruleset in game_rulesets():
        assert (GOLDEN / golden_folder(name, ruleset) / "playthrough.json").is_file()
