"""Prompts: content per spec §1.3/§1.6, the JSON-only ending, replaced feedback, and side symmetry."""

from __future__ import annotations

import json
from typing import Any

import pytest

from games.core.game import Game
from games.core.types import SideKey, other_side
from harness.prompts import (
    TEMPLATE_VERSION,
    RejectedSubmission,
    RevisionFeedback,
    format_json,
    initial_messages,
    revision_messages,
    summary_text,
)
from harness.prompts.render import _violation_line, game_title

SIDES: tuple[SideKey, SideKey] = ("A", "B")


def _ending(game: Game[Any], side: SideKey) -> str:
    key = game.side(side).plan_key
    tail = "and nothing else: no explanation, no other text."
    return f'Reply with a single JSON object with the key "{key}" {tail}'


def _rejected(game: Game[Any], side: SideKey, attempt: int, kind: str) -> RejectedSubmission:
    key = game.side(side).plan_key
    if kind == "violation":
        bad = {key: [{"name": "NoSuchUnit"}, 5]}
        vp = game.validate(side, bad)
        return RejectedSubmission(
            attempt, "rule_violation", game.side(side).budget, vp.cost, vp.violations, None, format_json(bad)
        )
    if kind == "over_budget":
        return RejectedSubmission(
            attempt,
            "over_budget",
            game.side(side).budget,
            game.side(side).budget + 7,
            (),
            None,
            format_json({key: []}),
        )
    return RejectedSubmission(
        attempt, "unparseable", game.side(side).budget, None, (), "no JSON object found", "blah"
    )


def _feedback(
    game: Game[Any], side: SideKey, mode: str, *, own_won: bool, rejected: bool
) -> RevisionFeedback:
    opp = other_side(side)
    summary = {"result": "x", "winner": side if own_won else opp, "survivors": {"A": [1], "B": []}}
    return RevisionFeedback(
        mode=mode,  # type: ignore[arg-type]
        last_winner=side if own_won else opp,
        own_plan=game.validate(side, game.example_plan(side)),
        opponent_plan=game.validate(opp, game.example_plan(opp)),
        summary=summary,
        rejected=_rejected(game, side, 1, "violation") if rejected else None,
        policy="keep_previous",
    )


def _neutralise(text: str, game: Game[Any], side: SideKey, extra: dict[str, str]) -> str:
    """Replace every side-specific string by a placeholder, longest first."""
    own, opp = game.side(side), game.side(other_side(side))
    replacements = {
        game.rules_text(side).strip(): "<RULES>",
        format_json(game.example_plan(side)): "<EXAMPLE>",
        format_json(game.validate(own.key, game.example_plan(own.key)).plan): "<OWN_PLAN>",
        format_json(game.validate(opp.key, game.example_plan(opp.key)).plan): "<OPP_PLAN>",
        **extra,
        f'"{own.plan_key}"': "<OWN_KEY>",
        own.label: "<OWN>",
        opp.label: "<OPP>",
        f"budget is {own.budget}": "budget is <BUDGET>",
        f"budget of {own.budget}": "budget of <BUDGET>",
    }
    for old in sorted(replacements, key=len, reverse=True):
        text = text.replace(old, replacements[old])
    return text


def _dedupe_violations(text: str) -> str:
    """Collapse consecutive violation lines (their number is side-specific) into one."""
    out: list[str] = []
    for line in text.splitlines():
        if line == "- <VIOLATION>" and out and out[-1] == line:
            continue
        out.append(line)
    return "\n".join(out)


def _variants(game: Game[Any], side: SideKey) -> dict[str, str]:
    out = {
        "initial": initial_messages(game, side)[0].content,
        "initial_retry_violation": initial_messages(game, side, _rejected(game, side, 2, "violation"))[
            0
        ].content,
        "initial_retry_budget": initial_messages(game, side, _rejected(game, side, 3, "over_budget"))[
            0
        ].content,
        "initial_retry_unparseable": initial_messages(game, side, _rejected(game, side, 1, "x"))[0].content,
    }
    for mode in ("outcome", "detailed"):
        for won in (True, False):
            for rej in (False, True):
                fb = _feedback(game, side, mode, own_won=won, rejected=rej)
                out[f"revision_{mode}_{won}_{rej}"] = revision_messages(game, side, fb)[0].content
    return out


def test_prompts_are_symmetric_between_sides(game: Game[Any]) -> None:
    neutral: dict[SideKey, dict[str, str]] = {}
    for side in SIDES:
        own = game.side(side)
        bad_plan = {own.plan_key: [{"name": "NoSuchUnit"}, 5]}
        # Side-specific: how many fields an entry needs (hence how many violations) and their wording.
        violations = game.validate(side, bad_plan).violations
        extra = {_violation_line(v): "- <VIOLATION>" for v in violations}
        extra[f"({len(violations)} violation(s))"] = "(<N> violation(s))"
        extra[format_json(bad_plan)] = "<BAD_PLAN>"
        for won in (True, False):
            fb = _feedback(game, side, "detailed", own_won=won, rejected=False)
            extra[summary_text(game, fb.summary or {})] = "<SUMMARY>"
        extra[format_json({own.plan_key: []})] = "<EMPTY_PLAN>"
        extra[f"costs {own.budget + 7}"] = "costs <COST>"
        extra[f"plan cost {game.validate(side, game.example_plan(side)).cost};"] = "plan cost <COST>;"
        neutral[side] = {k: _neutralise(v, game, side, extra) for k, v in _variants(game, side).items()}
    for name in neutral["A"]:
        assert _dedupe_violations(neutral["A"][name]) == _dedupe_violations(neutral["B"][name]), name
        # The placeholders really replaced something: no label of either side is left.
        for side in SIDES:
            assert game.side(side).label not in neutral["A"][name]


@pytest.mark.parametrize("side", SIDES)
def test_initial_prompt_content_and_ending(game: Game[Any], side: SideKey) -> None:
    (message,) = initial_messages(game, side)
    text = message.content
    own = game.side(side)
    assert message.role == "user"
    assert game_title(game) in text
    assert f"the {own.label} side" in text
    assert f"Your total budget is {own.budget}." in text
    assert game.rules_text(side).strip() in text
    assert format_json(game.example_plan(side)) in text
    assert "FEEDBACK" not in text
    assert text.rstrip().endswith(_ending(game, side))
    # The example printed in the prompt is the game's example plan, valid JSON.
    start = text.index("=== EXAMPLE PLAN")
    block = text[text.index("{", start) : text.index("\n}\n", start) + 2]
    assert json.loads(block) == game.example_plan(side)


@pytest.mark.parametrize("side", SIDES)
def test_retry_feedback_replaces_earlier_feedback(game: Game[Any], side: SideKey) -> None:
    second = initial_messages(game, side, _rejected(game, side, 1, "violation"))[0].content
    third = initial_messages(game, side, _rejected(game, side, 2, "over_budget"))[0].content
    assert second.count("FEEDBACK ON YOUR PREVIOUS ATTEMPT") == 1
    assert third.count("FEEDBACK ON YOUR PREVIOUS ATTEMPT") == 1
    assert "[Attempt 1] The plan breaks the rules (" in second
    assert "NoSuchUnit" in second
    budget = game.side(side).budget
    assert f"[Attempt 2] The plan costs {budget + 7}, which exceeds your budget of {budget}." in third
    assert "[Attempt 1]" not in third and "NoSuchUnit" not in third
    assert third.rstrip().endswith(_ending(game, side))


@pytest.mark.parametrize("side", SIDES)
def test_revision_prompt_outcome_vs_detailed(game: Game[Any], side: SideKey) -> None:
    own, opp = game.side(side), game.side(other_side(side))
    outcome = revision_messages(game, side, _feedback(game, side, "outcome", own_won=False, rejected=False))[
        0
    ].content
    detailed = revision_messages(game, side, _feedback(game, side, "detailed", own_won=True, rejected=False))[
        0
    ].content
    assert f"Last round result: the {opp.label} won (you lost)." in outcome
    assert f"Last round result: the {own.label} won (you won)." in detailed
    cost = game.validate(side, game.example_plan(side)).cost
    assert f"Your plan cost {cost}; your budget is {own.budget}." in outcome
    assert "loses the round" in outcome
    assert game.rules_text(side).strip() in outcome
    own_plan = format_json(game.validate(side, game.example_plan(side)).plan)
    opp_plan = format_json(game.validate(opp.key, game.example_plan(opp.key)).plan)
    assert outcome.index(own_plan) < outcome.index(opp_plan)
    assert "BATTLE SUMMARY" not in outcome
    assert "BATTLE SUMMARY" in detailed
    # The summary names sides by label, never by the internal keys A/B.
    assert f'"{own.label}"' in detailed and '"A"' not in detailed.split("BATTLE SUMMARY")[1]
    for text in (outcome, detailed):
        assert text.rstrip().endswith(_ending(game, side))


def test_revision_prompt_notes_a_rejected_revision(game: Game[Any]) -> None:
    fb = _feedback(game, "A", "outcome", own_won=False, rejected=True)
    text = revision_messages(game, "A", fb)[0].content
    assert "your last revision could not be used as it was, so you played your previous plan again" in text
    for policy, words in (("empty", "an empty plan"), ("forfeit", "you forfeited the round")):
        fb2 = RevisionFeedback(**{**fb.__dict__, "policy": policy})
        assert words in revision_messages(game, "A", fb2)[0].content


def test_no_winner_line(game: Game[Any]) -> None:
    fb = RevisionFeedback(
        **{**_feedback(game, "B", "outcome", own_won=True, rejected=False).__dict__, "last_winner": None}
    )
    assert "Last round result: no winner." in revision_messages(game, "B", fb)[0].content


def test_template_version_is_a_fingerprint_input() -> None:
    from harness.protocol import PROMPT_VERSION

    assert PROMPT_VERSION == TEMPLATE_VERSION == "v1"
