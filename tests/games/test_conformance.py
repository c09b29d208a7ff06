"""The conformance suite, run over every registered game and ruleset."""

import pytest

from games import get_game
from games.conformance import ConformanceError, check_game
from games.registry import game_rulesets

GAME_RULESETS = pytest.mark.parametrize(
    ("name", "ruleset"), game_rulesets(), ids=[f"{n}@{r}" for n, r in game_rulesets()]
)


@GAME_RULESETS
def test_game_conforms(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    assert (game.name, game.ruleset) == (name, ruleset)
    check_game(game, trials=60, seed=7)


@GAME_RULESETS
def test_conformance_catches_a_broken_game(name, ruleset):
    """The checker itself must be able to fail: break determinism and validation and expect reports."""
    game = get_game(name, ruleset=ruleset)
    calls = {"n": 0}
    real_simulate = game.simulate

    def flaky(a, b):
        calls["n"] += 1
        res = real_simulate(a, b)
        return type(res)(winner=res.winner, summary={**res.summary, "call": calls["n"]})

    game.simulate = flaky  # type: ignore[method-assign]
    with pytest.raises(ConformanceError, match="not deterministic"):
        check_game(game, trials=3, seed=0)
