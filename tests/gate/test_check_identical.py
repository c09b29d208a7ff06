"""Two identical strategies end to end: pass or inconclusive, never fail (observed false-fail rate printed).

The statistics-level simulation (tests/gate/test_sequential.py) measures the false-fail rate over thousands
of seeded repetitions; this runs the whole pipeline a few times: two scripted models that play the same
random-plan policy with independent seeded randomness, against a random bot, on every game.
"""

from __future__ import annotations

import random

import pytest
from gate_helpers import check, make_spec

from harness.gate.selfcheck import fenced, prompt_game_side
from harness.models import register_script
from harness.models.types import ChatMessage

REPETITIONS = 6


def _random_policy(seed: int):
    rng = random.Random(seed)  # calls arrive in a fixed order: concurrency 1

    def reply(messages: list[ChatMessage]) -> str:
        game, side = prompt_game_side("\n\n".join(m.content for m in messages))
        return fenced(game.random_plan(side, rng))

    return reply


@pytest.mark.slow
def test_identical_strategies_never_fail():
    verdicts = []
    for rep in range(REPETITIONS):
        register_script(f"same-a-{rep}", _random_policy(2 * rep))
        register_script(f"same-b-{rep}", _random_policy(2 * rep + 1))
        spec = make_spec(
            f"scripted/same-a-{rep}",
            f"scripted/same-b-{rep}",
            panel=("bot/random",),
            rounds=3,
            seed=1000 * rep,
            max_matches=96,
            concurrency=1,
        )
        report = check(spec)
        verdicts.append(report.verdict)
    fails = verdicts.count("fail")
    print(f"\n[end to end, identical strategies] verdicts {verdicts}: false-fail {fails}/{REPETITIONS}")
    assert set(verdicts) <= {"pass", "inconclusive"}
