"""Regenerate the golden playthrough files under tests/games/golden/ (review the diff before committing)."""

from __future__ import annotations

import sys
from pathlib import Path

from games import get_game
from games.playthrough import playthrough_files
from games.registry import game_names

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "games" / "golden"


def main() -> int:
    """Write every registered game's golden files; print what changed."""
    names = sys.argv[1:] or game_names()
    for name in names:
        folder = GOLDEN / name
        folder.mkdir(parents=True, exist_ok=True)
        for fname, content in playthrough_files(get_game(name)).items():
            path = folder / fname
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old != content:
                path.write_text(content, encoding="utf-8")
                verb = "updated" if old is not None else "created"
                print(f"{verb} {path.relative_to(GOLDEN.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
