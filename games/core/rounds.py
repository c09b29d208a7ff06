"""What the ``rounds`` setting R means in a game: how many battles it plays and how many revisions.

The original match loop is kept (docs/records.md): a game with a final extra round (battle card, the
elemental duel) plays R revision rounds and so R + 1 battles, the last one labelled R again; tower defense
plays R battles with R − 1 revisions between them. These phrases are shown wherever a reader meets R: the
``--help`` of ``run`` and ``play``, the transcript header and the report.
"""

from __future__ import annotations

from typing import Final

#: The per-game rule in one line, for ``--help`` texts.
ROUNDS_HELP: Final = (
    "The rounds setting R. battle_card and elemental_duel: R revision rounds → R+1 battles (the last "
    "labelled R again); tower_defense: R battles, R−1 revisions (the original's loop)."
)


def battles(rounds: int, final_extra_round: bool) -> int:
    """How many battles (simulated rounds) the setting ``rounds`` plays."""
    return rounds + 1 if final_extra_round else rounds


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def rounds_meaning(rounds: int, final_extra_round: bool, revision: str | None = None) -> str:
    """What ``rounds`` means for one game, e.g. ``"4 revision rounds → 5 battles (the last labelled 4)"``.

    Args:
        rounds: The setting R.
        final_extra_round: Whether the game plays the original's extra final battle
            (:attr:`games.core.Game.final_extra_round`).
        revision: The revision mode; ``"none"`` says the plans stay fixed.
    """
    n = battles(rounds, final_extra_round)
    if revision == "none":
        return f"{_plural(n, 'battle')} with fixed plans (no revisions)"
    if final_extra_round:
        return (
            f"{_plural(rounds, 'revision round')} → {_plural(n, 'battle')} (the last labelled {rounds} again)"
        )
    return f"{_plural(n, 'battle')}, {_plural(rounds - 1, 'revision round')} between them"
