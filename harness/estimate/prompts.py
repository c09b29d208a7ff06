"""The prompts a side will see, rendered once per (game, parameters, side, feedback mode).

Initial prompts are the real ones: :func:`harness.prompts.initial_messages` for the game and side, exactly
what the first attempt of every match sends. A retry attempt adds one feedback paragraph; the estimate
renders it for a representative rejection: the game's greedy plan re-printed as the previous output,
rejected for its cost being one over the budget.

Revision prompts depend on the plans in play, which are not known before the run. They are *rendered*, not
extrapolated: :func:`harness.prompts.revision_messages` for each of the four combinations of the side's
own plan and the opponent's plan taken from the game's example plan and its greedy plan, with the winner
(and, under ``detailed`` feedback, the battle summary) of simulating that pair. A revision prompt holds
one copy of the rules and the two current plans, not the history, so it does not grow with the round; its
length varies with the plans by a few percent. The mean of the four is the expected prompt, the longest
one (with a representative "your last revision could not be used" note, what a rejected revision adds)
the bound's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from games.core.game import Game
from games.core.types import SideKey, ValidatedPlan, other_side
from harness.models.types import ChatMessage
from harness.prompts import (
    PlanPolicy,
    RejectedSubmission,
    RevisionFeedback,
    format_json,
    initial_messages,
    revision_messages,
)

#: How the revision prompts are estimated (printed in the estimate's notes).
REVISION_METHOD = "revision prompts rendered with the game's example/greedy plans and simulated results"


@dataclass(frozen=True)
class SidePrompts:
    """The prompts of one side of one game cell.

    Attributes:
        initial: The first initial-plan attempt's prompt (exact).
        retry: A later attempt's prompt (representative rejection).
        revisions: Representative revision prompts (their mean token count is the expected one).
        revision_bound: The longest representative revision prompt, with a rejected-revision note.
    """

    initial: list[ChatMessage]
    retry: list[ChatMessage]
    revisions: tuple[list[ChatMessage], ...]
    revision_bound: list[ChatMessage]


def _rejected(game: Game[Any], side: SideKey, plan: ValidatedPlan) -> RejectedSubmission:
    budget = game.side(side).budget
    return RejectedSubmission(
        attempt=1,
        failure_class="over_budget",
        budget=budget,
        cost=budget + 1,
        violations=(),
        error=None,
        previous_output=format_json(plan.plan),
    )


def _revision(
    game: Game[Any],
    side: SideKey,
    own: ValidatedPlan,
    opp: ValidatedPlan,
    feedback: str,
    policy: PlanPolicy,
    rejected: RejectedSubmission | None = None,
) -> list[ChatMessage]:
    plan_a, plan_b = (own, opp) if side == "A" else (opp, own)
    result = game.simulate(plan_a, plan_b)
    fb = RevisionFeedback(
        mode="detailed" if feedback == "detailed" else "outcome",
        last_winner=result.winner,
        own_plan=own,
        opponent_plan=opp,
        summary=result.summary if feedback == "detailed" else None,
        rejected=rejected,
        policy=policy,
    )
    return revision_messages(game, side, fb)


def side_prompts(game: Game[Any], side: SideKey, feedback: str, policy: str) -> SidePrompts:
    """Render the prompts of ``side`` in ``game`` (see the module docstring for what is representative).

    Args:
        game: The game (with its ruleset and parameters).
        side: ``A`` or ``B``.
        feedback: ``outcome`` or ``detailed``.
        policy: The invalid-plan policy (how a rejected revision's note reads).
    """
    opp_side = other_side(side)
    own_plans = [game.validate(side, game.example_plan(side)), game.validate(side, game.greedy_plan(side))]
    opp_plans = [
        game.validate(opp_side, game.example_plan(opp_side)),
        game.validate(opp_side, game.greedy_plan(opp_side)),
    ]
    pol: PlanPolicy = policy if policy in ("empty", "forfeit") else "keep_previous"  # type: ignore[assignment]
    pairs = [(own, opp) for own in own_plans for opp in opp_plans]
    revisions = tuple(_revision(game, side, own, opp, feedback, pol) for own, opp in pairs)
    longest = max(range(len(pairs)), key=lambda i: sum(len(m.content) for m in revisions[i]))
    rejected = _rejected(game, side, own_plans[1])
    bound = _revision(game, side, *pairs[longest], feedback, pol, rejected=rejected)
    return SidePrompts(
        initial=initial_messages(game, side),
        retry=initial_messages(game, side, rejected),
        revisions=revisions,
        revision_bound=bound,
    )
