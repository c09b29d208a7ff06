"""Regenerate the golden playthrough files under tests/games/golden/ (review the diff before committing).

Usage::

    python scripts/regen_golden.py                      # every game, every ruleset
    python scripts/regen_golden.py battle_card@v2       # one game's ruleset (also battle_card@ruleset=v2)
    python scripts/regen_golden.py battle_card          # every ruleset of one game

Ruleset v1 lives in ``tests/games/golden/<game>/`` (it never changes: a diff there is a bug in v1), any
other ruleset in ``tests/games/golden/<game>@<ruleset>/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from games.core.errors import UserError
from games.playthrough import golden_folder, playthrough_files
from games.refs import RULESET_KEY, check_game
from games.registry import game_rulesets, get_game, resolve_ruleset, rulesets

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "games" / "golden"


def targets(args: list[str]) -> list[tuple[str, str]]:
    """``(game, ruleset)`` pairs named by ``args`` (``GAME``, ``GAME@R`` or ``GAME@ruleset=R``); all if none.

    Raises:
        UserError: Unknown game or ruleset.
    """
    if not args:
        return game_rulesets()
    out: list[tuple[str, str]] = []
    for arg in args:
        name, _, ruleset = arg.partition("@")
        ruleset = ruleset.removeprefix(f"{RULESET_KEY}=")
        check_game(name)
        out += [(name, resolve_ruleset(name, ruleset))] if ruleset else [(name, r) for r in rulesets(name)]
    return out


def main() -> int:
    """Write the golden files of the named (or every) game and ruleset; print what changed."""
    try:
        pairs = targets(sys.argv[1:])
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, ruleset in pairs:
        folder = GOLDEN / golden_folder(name, ruleset)
        folder.mkdir(parents=True, exist_ok=True)
        files = playthrough_files(get_game(name, ruleset=ruleset))
        for fname, content in files.items():
            path = folder / fname
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old != content:
                path.write_text(content, encoding="utf-8")
                verb = "updated" if old is not None else "created"
                print(f"{verb} {path.relative_to(ROOT)}")
        for stale in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in files):
            stale.unlink()  # e.g. a side renamed by a new ruleset design
            print(f"removed {stale.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
