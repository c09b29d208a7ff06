"""Planning the pairs of a check and the match jobs of each arm.

Pair ``i`` is the ``i mod C``-th (game, opponent) combination of games × panel (``C`` combinations, games
outermost) on seed ``spec.seed + i // C``: a fixed order, decided before any outcome is seen, which the
sequential test requires. Each arm plays the pair in every configured setting; the jobs are built by
:func:`harness.experiments.jobs.build_job`, so their fingerprints and match ids are exactly those an
experiment file or ``stratagem play`` would give the same matches (a previous run's store can stand in
for the baseline by job identity).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from games.core.types import SideKey
from games.refs import parse_game_ref
from harness.experiments.config import ProtocolConfig
from harness.experiments.jobs import MatchJob, build_job, takes_no_sampling_params
from harness.gate.spec import ARMS, Arm, CheckSpec
from harness.models.types import GenerateConfig

EXPERIMENT = "check"


@dataclass(frozen=True)
class Pair:
    """One pair: a game (``GAME@ruleset=R``), an opponent and a seed; both arms play it in every setting."""

    index: int
    game: str
    opponent: str
    seed: int


@dataclass(frozen=True)
class ArmMatch:
    """One match of one arm in one pair.

    Attributes:
        pair: The pair's index.
        arm: ``candidate`` or ``baseline``.
        side: The side the arm plays.
        job: The match job (its ``match_id`` and ``identity`` locate the match in a store).
    """

    pair: int
    arm: Arm
    side: SideKey
    job: MatchJob


def plan_pairs(spec: CheckSpec, start: int, count: int) -> list[Pair]:
    """Pairs ``start … start + count − 1`` of the check's fixed order."""
    combos = [(g, o) for g in spec.games for o in spec.panel]
    return [
        Pair(
            index=i,
            game=combos[i % len(combos)][0],
            opponent=combos[i % len(combos)][1],
            seed=spec.seed + i // len(combos),
        )
        for i in range(start, start + count)
    ]


def _generation(spec: CheckSpec, model: str) -> GenerateConfig:
    # Reasoning models take no sampling parameters, as in experiment expansion.
    if takes_no_sampling_params(model):
        return dataclasses.replace(spec.generation, temperature=None, top_p=None)
    return spec.generation


def arm_model(spec: CheckSpec, arm: Arm) -> str:
    """The model name playing ``arm``."""
    return spec.candidate if arm == "candidate" else spec.baseline


def arm_matches(spec: CheckSpec, pair: Pair) -> list[ArmMatch]:
    """Every match of ``pair``: candidate's settings first, then the baseline's, in settings order."""
    protocol = ProtocolConfig(rounds=spec.rounds, feedback=spec.feedback).model_dump()
    out: list[ArmMatch] = []
    game = parse_game_ref(pair.game)
    for arm in ARMS:
        model = arm_model(spec, arm)
        for side, first_reviser in spec.settings:
            model_a, model_b = (model, pair.opponent) if side == "A" else (pair.opponent, model)
            job = build_job(
                experiment=EXPERIMENT,
                game=game.name,
                params=game.params or None,
                ruleset=game.ruleset,
                model_a=model_a,
                model_b=model_b,
                settings={**protocol, "first_reviser": first_reviser},
                generation_a=_generation(spec, model_a),
                generation_b=_generation(spec, model_b),
                base_generation=spec.generation,
                base_seed=pair.seed,
                repetition=0,
            )
            out.append(ArmMatch(pair=pair.index, arm=arm, side=side, job=job))
    return out
