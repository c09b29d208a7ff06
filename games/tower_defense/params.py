"""Parameters of the tower defense game (spec §1.1, §2.2, §2.12) with the original values as defaults."""

from __future__ import annotations

from dataclasses import dataclass

from games.core.errors import ParameterError


@dataclass(frozen=True)
class TowerDefenseParams:
    """Tunable facts of a tower defense match.

    The board geometry follows the board size: demons enter one column right of the last human column,
    bullets leave the screen one cell further right, and summons clamp to the board (spec §2.8). With the
    defaults (11 columns, 5 rows) this is exactly the original 1000 x 600 screen.

    Attributes:
        human_budget: Budget of side A (Human).
        demon_budget: Budget of side B (Demon).
        board_cols: Columns humans may be placed on (``x`` in ``0 .. board_cols - 1``).
        board_rows: Rows (lanes) of the board (``y`` in ``0 .. board_rows - 1``).
        tick_cap: A battle still undecided after this many ticks ends as a Human win (spec §2.12).
        max_entries: Most entries one plan may list (a guard against absurd plans; the original had no
            limit other than the budget, and no plan within budget comes close).
    """

    human_budget: int = 2000
    demon_budget: int = 1500
    board_cols: int = 11
    board_rows: int = 5
    tick_cap: int = 100_000
    max_entries: int = 100

    def __post_init__(self) -> None:
        for name in ("board_cols", "board_rows", "tick_cap", "max_entries"):
            if getattr(self, name) < 1:
                raise ParameterError(f"parameter {name!r} must be >= 1, got {getattr(self, name)!r}")
