"""Whole matches with scripted models that read their prompts: retries, policies, feedback, voids, sharing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from protocol_support import Call, Script, example, fenced, over_budget_plan, play, valid_part, with_violation

from games.core.game import Game
from games.core.types import SideKey
from harness.agents import make_agent
from harness.models import CacheMiss, ModelSettings, Refused
from harness.models.types import Fatal, GenerateConfig
from harness.prompts import format_json
from harness.protocol import InitialPlanCache, MatchSettings, MatchVoided, play_match


def _canon(game: Game[Any], side: SideKey, plan: Any) -> str:
    return game.validate(side, plan).canonical_json()


def _shown(game: Game[Any], side: SideKey, plan_json: str) -> str:
    """How a recorded plan appears in a prompt (the validator's field order, not the sorted keys)."""
    return format_json(game.validate(side, json.loads(plan_json)).plan)


def _codes(violations_json: str) -> list[str]:
    return [v["code"] for v in json.loads(violations_json)]


# ----------------------------------------------------------------------------- initial plans


def test_initial_retries_with_replaced_feedback(game_name: str, game: Game[Any]) -> None:
    bad_budget = over_budget_plan(game, "A")
    replies = {1: "no idea", 2: fenced(with_violation(game, "A")), 3: fenced(bad_budget)}

    def reply_a(call: Call) -> str:
        return replies.get(call.attempt, fenced(game.example_plan("A")))

    a, b = Script(game, reply_a), Script(game, example(game))
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=1, initial_attempts=4, revision="none"))

    initial = [(d.side, d.attempt, d.failure_class) for d in result.decisions]
    assert initial == [
        ("A", 1, "unparseable"),
        ("B", 1, "ok"),
        ("A", 2, "rule_violation"),
        ("A", 3, "over_budget"),
        ("A", 4, "ok"),
    ]
    prompts = [c.text for c in a.calls]
    assert "FEEDBACK" not in prompts[0]
    assert "[Attempt 1] Your reply could not be read as a plan (unparseable)" in prompts[1]
    assert "no idea" in prompts[1]
    assert "[Attempt 2] The plan breaks the rules" in prompts[2] and "[Attempt 1]" not in prompts[2]
    budget = game.side("A").budget
    cost = game.validate("A", bad_budget).cost
    assert f"[Attempt 3] The plan costs {cost}, which exceeds your budget of {budget}." in prompts[3]
    assert format_json(bad_budget) in prompts[3] and "[Attempt 2]" not in prompts[3]
    # The accepted plan is played; the round records the latest submission's (empty) violations.
    first = result.rounds[0]
    assert first.plan_a == _canon(game, "A", game.example_plan("A"))
    assert first.violations_a == "[]"
    d = result.decisions[2]
    assert d.plan == valid_part(game, "A") and d.cost == game.validate("A", json.loads(d.plan)).cost
    assert _codes(d.violations)[0] == "entry_not_object" and d.parse_error is None
    assert result.decisions[0].plan is None and result.decisions[0].parse_error


@pytest.mark.parametrize("policy", ["keep_previous", "empty", "forfeit"])
def test_initial_plans_that_never_pass(game_name: str, game: Game[Any], policy: str) -> None:
    """All attempts fail: the last readable plan's valid entries are kept; forfeit also loses round 1."""
    readable_then_garbage = {1: fenced(with_violation(game, "A"))}
    a = Script(game, lambda call: readable_then_garbage.get(call.attempt, "```json\n{oops\n```"))
    b = Script(game, example(game))
    settings = MatchSettings(rounds=2, invalid_plan_policy=policy, revision="none")  # type: ignore[arg-type]
    result = play(game, a.agent(), b.agent(), settings)
    attempts = game.default_initial_attempts
    assert attempts == (5 if game_name == "tower_defense" else 3)
    a_decisions = [d for d in result.decisions if d.side == "A"]
    assert [d.failure_class for d in a_decisions] == ["rule_violation"] + ["unparseable"] * (attempts - 1)
    first = result.rounds[0]
    assert first.plan_a == valid_part(game, "A")  # the valid entries of attempt 1
    assert _codes(first.violations_a) == ["unparseable"]  # the latest submission
    if policy == "forfeit":
        assert first.winner == "B"
        assert result.rounds[1].winner == result.rounds[1].raw_winner  # only round 1 is forfeited
    else:
        assert first.winner == first.raw_winner


def test_unreadable_initial_plans_play_the_empty_plan(game: Game[Any]) -> None:
    a, b = Script(game, lambda call: "I cannot decide."), Script(game, example(game))
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=1, initial_attempts=2, revision="none"))
    assert result.rounds[0].plan_a == game.empty_plan("A").canonical_json()
    assert result.rounds[0].cost_a == 0
    assert len(a.calls) == 2


def test_over_budget_initial_plan_is_kept_and_loses(game_name: str, game: Game[Any]) -> None:
    plan = over_budget_plan(game, "B")
    a, b = Script(game, example(game)), Script(game, lambda call: fenced(plan))
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=1, revision="none"))
    assert [d.failure_class for d in result.decisions if d.side == "B"] == [
        "over_budget"
    ] * game.default_initial_attempts
    r = result.rounds[0]
    assert r.plan_b == _canon(game, "B", plan) and r.cost_b > r.budget_b
    assert r.violations_b == "[]"
    assert r.winner == "A"  # A within budget, B over: whatever the simulator said


def test_truncated_replies_are_classified(game: Game[Any]) -> None:
    a, b = Script(game, example(game)), Script(game, example(game))
    tiny = GenerateConfig(max_tokens=3)
    result = play(
        game,
        a.agent(generation=tiny),
        b.agent(),
        MatchSettings(rounds=1, initial_attempts=2, revision="none"),
    )
    a_decisions = [d for d in result.decisions if d.side == "A"]
    assert [d.failure_class for d in a_decisions] == ["truncated", "truncated"]
    assert all(_codes(d.violations) == ["truncated"] and d.output_tokens == 3 for d in a_decisions)
    assert "[Attempt 1] Your reply could not be read as a plan (truncated)" in a.calls[1].text


def test_refusals_are_classified(game: Game[Any]) -> None:
    def refuse(call: Call) -> str:
        raise Refused("content filter")

    a, b = Script(game, refuse), Script(game, example(game))
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=1, initial_attempts=1, revision="none"))
    assert result.decisions[0].failure_class == "refused"
    assert _codes(result.rounds[0].violations_a) == ["refused"]


# ----------------------------------------------------------------------------- revisions


def _revising_a(game: Game[Any], revision_reply: str) -> tuple[Script, Script]:
    a = Script(
        game, lambda call: fenced(game.example_plan("A")) if call.phase == "initial" else revision_reply
    )
    b = Script(game, example(game))
    return a, b


@pytest.mark.parametrize("policy", ["keep_previous", "empty", "forfeit"])
def test_unreadable_revision_policies(game: Game[Any], policy: str) -> None:
    a, b = _revising_a(game, "Let me think about it.")
    settings = MatchSettings(rounds=4, invalid_plan_policy=policy)  # type: ignore[arg-type]
    result = play(game, a.agent(), b.agent(), settings)
    r1, r2 = result.rounds[0], result.rounds[1]
    assert r2.reviser == "A"
    assert _codes(r2.violations_a) == ["unparseable"]
    revision = next(d for d in result.decisions if d.phase == "revision" and d.side == "A")
    assert (revision.failure_class, revision.plan, revision.round) == ("unparseable", None, 1)
    example_a = _canon(game, "A", game.example_plan("A"))
    if policy == "keep_previous":
        assert r2.plan_a == example_a and r2.changed_a == 0
        assert r2.winner == r2.raw_winner
    elif policy == "empty":
        assert r2.plan_a == game.empty_plan("A").canonical_json() and r2.changed_a == 1
        assert r2.cost_a == 0 and r2.cost_changed_a == int(r1.cost_a != 0)
    else:
        assert r2.plan_a == game.empty_plan("A").canonical_json()
        assert r2.winner == "B"
    # B's turn follows; A's next revision prompt says what happened to its last one.
    assert result.rounds[2].reviser == "B"
    words = {
        "keep_previous": "you played your previous plan again",
        "empty": "you played an empty plan",
        "forfeit": "you forfeited the round",
    }[policy]
    a_revisions = [c.text for c in a.calls if c.phase == "revision"]
    assert words not in a_revisions[0] and words in a_revisions[1]


def test_forfeit_plays_the_valid_part_of_a_violating_revision(game: Game[Any]) -> None:
    a, b = _revising_a(game, fenced(with_violation(game, "A")))
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=2, invalid_plan_policy="forfeit"))
    r2 = result.rounds[1]
    assert r2.plan_a == valid_part(game, "A")
    assert r2.changed_a == int(valid_part(game, "A") != _canon(game, "A", game.example_plan("A")))
    assert _codes(r2.violations_a)[0] == "entry_not_object"
    assert r2.winner == "B"


def test_over_budget_revision_is_played_and_adjudicated(game_name: str, game: Game[Any]) -> None:
    plan = over_budget_plan(game, "A")
    a, b = _revising_a(game, fenced(plan))
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=2))
    r2 = result.rounds[1]
    assert r2.plan_a == _canon(game, "A", plan) and r2.changed_a == 1 and r2.cost_changed_a == 1
    assert r2.cost_a > r2.budget_a and r2.violations_a == "[]"
    assert r2.winner == "B"
    assert next(d for d in result.decisions if d.phase == "revision").failure_class == "over_budget"


def test_revision_prompts_follow_the_protocol(game_name: str, game: Game[Any]) -> None:
    """Alternate revisions see the round just played; B's plan changes when B revises."""
    greedy_b = game.greedy_plan("B")

    def reply_b(call: Call) -> str:
        return fenced(game.example_plan("B") if call.phase == "initial" else greedy_b)

    a = Script(game, example(game))
    b = Script(game, reply_b)
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=4, feedback="outcome"))
    revisions = [c for c in a.calls + b.calls if c.phase == "revision"]
    assert sorted(c.side for c in revisions) == sorted(r.reviser for r in result.rounds[1:])
    a_prompts = [c.text for c in a.calls if c.phase == "revision"]
    a_rounds = [r for r in result.rounds[:-1] if r.round % 2 == 1]  # A revises after rounds 1, 3
    for text, r in zip(a_prompts, a_rounds, strict=True):
        assert _shown(game, "B", r.plan_b) in text
        assert _shown(game, "A", r.plan_a) in text
        label = game.side(r.winner).label if r.winner else None
        assert (f"Last round result: the {label} won" if label else "Last round result: no winner.") in text
        assert f"Your plan cost {r.cost_a}; your budget is {r.budget_a}." in text
        assert "BATTLE SUMMARY" not in text
    # B's revision took effect in the next round.
    r3 = result.rounds[2]
    assert r3.reviser == "B" and r3.plan_b == _canon(game, "B", greedy_b)
    assert r3.changed_b == int(_canon(game, "B", greedy_b) != _canon(game, "B", game.example_plan("B")))


def test_simultaneous_revisions_share_the_same_information(game: Game[Any]) -> None:
    plans_b = [game.example_plan("B"), game.greedy_plan("B")]

    def reply_b(call: Call) -> str:
        return fenced(plans_b[len([c for c in b.calls if c.phase == "revision"]) % 2])

    a = Script(game, example(game))
    b = Script(game, reply_b)
    result = play(
        game, a.agent(), b.agent(), MatchSettings(rounds=3, revision="simultaneous", feedback="detailed")
    )
    assert [r.reviser for r in result.rounds] == [None, "AB", "AB"] + (
        ["AB"] if game.name != "tower_defense" else []
    )
    a_prompts = [c.text for c in a.calls if c.phase == "revision"]
    b_prompts = [c.text for c in b.calls if c.phase == "revision"]
    for k, (ta, tb) in enumerate(zip(a_prompts, b_prompts, strict=True)):
        r = result.rounds[k]
        # Both see round k's plans, not each other's new revision.
        assert _shown(game, "B", r.plan_b) in ta and _shown(game, "A", r.plan_a) in tb
        assert "BATTLE SUMMARY OF THE LAST ROUND" in ta and "BATTLE SUMMARY OF THE LAST ROUND" in tb
    revisions = [(d.side, d.round) for d in result.decisions if d.phase == "revision"]
    assert revisions == [(s, k) for k in range(1, len(result.rounds)) for s in "AB"]


def test_scripted_matches_are_deterministic(game: Game[Any]) -> None:
    def run() -> Any:
        a = Script(
            game, lambda call: fenced(game.example_plan("A")) if call.phase == "initial" else "garbage"
        )
        b = Script(game, lambda call: fenced(game.greedy_plan("B")))
        res = play(game, a.agent(), b.agent(), MatchSettings(rounds=3, revision="simultaneous"))
        return [r.to_row() for r in res.rounds], [
            {k: v for k, v in d.to_row().items() if k not in ("latency_s", "model")} for d in res.decisions
        ]

    assert run() == run()


def test_token_totals(game: Game[Any]) -> None:
    a, b = Script(game, example(game)), Script(game, example(game))
    result = play(game, a.agent(), b.agent(), MatchSettings(rounds=2))
    assert result.input_tokens == sum(d.input_tokens for d in result.decisions) > 0
    assert result.output_tokens == sum(d.output_tokens for d in result.decisions) > 0
    assert result.cost_usd == 0.0  # scripted models are free


# ----------------------------------------------------------------------------- infrastructure


def test_infra_error_in_a_revision_voids_the_match(game: Game[Any]) -> None:
    def reply_a(call: Call) -> str:
        if call.phase == "revision":
            raise Fatal("backend is down")
        return fenced(game.example_plan("A"))

    a, b = Script(game, reply_a), Script(game, example(game))
    seen: list[Any] = []
    with pytest.raises(MatchVoided) as info:
        play(game, a.agent(), b.agent(), MatchSettings(rounds=3), on_decision=seen.append)
    voided = info.value
    assert [(d.side, d.phase, d.failure_class) for d in voided.decisions] == [
        ("A", "initial", "ok"),
        ("B", "initial", "ok"),
        ("A", "revision", "infra_error"),
    ]
    assert voided.decisions == seen
    assert "backend is down" in voided.reason and "side A" in voided.reason


def test_infra_error_in_initial_phase_keeps_the_other_sides_decisions(game: Game[Any]) -> None:
    def fail(call: Call) -> str:
        raise Fatal("no such model")

    a, b = Script(game, example(game)), Script(game, fail)
    with pytest.raises(MatchVoided) as info:
        play(game, a.agent(), b.agent(), MatchSettings(rounds=3, revision="simultaneous"))
    assert [(d.side, d.failure_class) for d in info.value.decisions] == [("A", "ok"), ("B", "infra_error")]


def test_simultaneous_infra_error_records_the_successful_side_first(game: Game[Any]) -> None:
    def reply_b(call: Call) -> str:
        if call.phase == "revision":
            raise Fatal("gone")
        return fenced(game.example_plan("B"))

    a, b = Script(game, example(game)), Script(game, reply_b)
    with pytest.raises(MatchVoided) as info:
        play(game, a.agent(), b.agent(), MatchSettings(rounds=2, revision="simultaneous"))
    assert [(d.side, d.phase, d.failure_class) for d in info.value.decisions][-2:] == [
        ("A", "revision", "ok"),
        ("B", "revision", "infra_error"),
    ]


def test_cache_miss_propagates(game: Game[Any], tmp_path: Path) -> None:
    a, b = Script(game, example(game)), Script(game, example(game))
    replay = ModelSettings(cache_mode="replay-only", cache_path=tmp_path / "cassette.sqlite")
    with pytest.raises(CacheMiss):
        play(game, a.agent(replay), b.agent(replay), MatchSettings(rounds=1))


# ----------------------------------------------------------------------------- shared initial plans


def test_shared_initial_plans_are_made_once(game: Game[Any]) -> None:
    a, b = Script(game, example(game)), Script(game, example(game))
    cache = InitialPlanCache()
    settings = MatchSettings(rounds=2, initial_plans="shared")

    async def three() -> list[Any]:
        agents = [(a.agent(), b.agent()) for _ in range(3)]
        return list(
            await asyncio.gather(
                *(
                    play_match(game, x, y, settings, seed=i, match_id=f"m{i}", initial_plans=cache)
                    for i, (x, y) in enumerate(agents)
                )
            )
        )

    results = asyncio.run(three())
    assert len([c for c in a.calls if c.phase == "initial"]) == 1
    assert len([c for c in b.calls if c.phase == "initial"]) == 1
    assert len(cache) == 2
    reused = [[d.reused for d in r.decisions if d.phase == "initial"] for r in results]
    assert sorted(reused) == [[0, 0], [1, 1], [1, 1]]
    for r in results:
        assert {d.match_id for d in r.decisions} == {r.decisions[0].match_id}
        counted = [d for d in r.decisions if not d.reused]
        assert r.input_tokens == sum(d.input_tokens for d in counted)
    # All three matches start from the same plans.
    assert len({(r.rounds[0].plan_a, r.rounds[0].plan_b) for r in results}) == 1


def test_per_match_initial_plans_ignore_the_cache(game: Game[Any]) -> None:
    a, b = Script(game, example(game)), Script(game, example(game))
    cache = InitialPlanCache()
    for seed in (1, 2):
        play(
            game,
            a.agent(),
            b.agent(),
            MatchSettings(rounds=1, revision="none"),
            seed=seed,
            initial_plans=cache,
        )
    assert len(cache) == 0 and len(a.calls) == 2


def test_shared_bot_plans_by_agent_identity(game: Game[Any]) -> None:
    cache = InitialPlanCache()
    settings = MatchSettings(rounds=1, revision="none", initial_plans="shared")
    first = play(
        game,
        make_agent("bot/random", game=game),
        make_agent("bot/random", game=game),
        settings,
        seed=1,
        initial_plans=cache,
    )
    second = play(
        game,
        make_agent("bot/random", game=game),
        make_agent("bot/random", game=game),
        settings,
        seed=2,
        initial_plans=cache,
    )
    assert first.rounds[0].plan_a == second.rounds[0].plan_a  # seed 2 reused seed 1's plan
    assert [d.reused for d in second.decisions] == [1, 1]
