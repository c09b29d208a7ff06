"""Baseline bots: validity, determinism, variant parameters, and search beating random."""

import random

import pytest

from games import get_game, make_bot
from games.core.errors import ParameterError, UnknownNameError
from games.core.types import other_side
from games.registry import game_rulesets

TRIALS = 200
GAME_RULESETS = pytest.mark.parametrize(
    ("name", "ruleset"), game_rulesets(), ids=[f"{n}@{r}" for n, r in game_rulesets()]
)


def adjudicate(game, va, vb, raw):
    """Spec §1.5 budget adjudication (bots stay within budget, so this is the raw winner in practice)."""
    oa = max(va.cost - game.side("A").budget, 0)
    ob = max(vb.cost - game.side("B").budget, 0)
    if oa == 0 and ob == 0:
        return raw
    if oa == 0:
        return "A"
    if ob == 0:
        return "B"
    ra, rb = oa / game.side("A").budget, ob / game.side("B").budget
    return "A" if ra < rb else "B" if rb < ra else None


@GAME_RULESETS
@pytest.mark.parametrize("side", ["A", "B"])
def test_search_beats_random(name, ruleset, side, capsys):
    game = get_game(name, ruleset=ruleset)
    search, rand = make_bot("search@sims=64"), make_bot("random")
    wins = 0
    for trial in range(TRIALS):
        opp_side = other_side(side)
        opp = game.validate(opp_side, rand.plan(game, opp_side, random.Random(10_000 + trial)))
        mine = game.validate(side, search.plan(game, side, random.Random(trial), opponent=opp))
        assert mine.ok and mine.cost <= game.side(side).budget
        va, vb = (mine, opp) if side == "A" else (opp, mine)
        wins += adjudicate(game, va, vb, game.simulate(va, vb).winner) == side
    rate = wins / TRIALS
    with capsys.disabled():
        print(
            f"\n[bots] {name}@{ruleset} side {side}: search@sims=64 beat random in {wins}/{TRIALS} rounds"
            f" ({rate:.1%})"
        )
    assert rate >= 0.80


@GAME_RULESETS
def test_bots_are_deterministic_and_valid(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    for spec in ("random", "greedy", "search@sims=16"):
        bot = make_bot(spec)
        for side in ("A", "B"):
            p1 = bot.plan(game, side, random.Random(3))
            p2 = bot.plan(game, side, random.Random(3))
            assert p1 == p2, spec
            vp = game.validate(side, p1)
            assert vp.ok and vp.cost <= game.side(side).budget, (spec, vp.violations)


def test_bot_variants_are_checked():
    assert make_bot("search@sims=8").params.sims == 8
    with pytest.raises(UnknownNameError, match="known: greedy, random, search"):
        make_bot("minimax")
    with pytest.raises(ParameterError, match="unknown parameter 'depth'"):
        make_bot("search@depth=3")
    with pytest.raises(ParameterError, match="must be int"):
        make_bot("search@sims=lots")
