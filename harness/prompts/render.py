"""Rendering the initial and revision prompts from the versioned templates.

A prompt is built only from the game's generated facts (rules text — which holds the side's own catalogue
and the opponent's — the example plan and the budget) plus the feedback the protocol allows. Templates are
``templates/<version>_*.txt`` read with :class:`string.Template` (``$name`` placeholders), so the JSON and
rules text substituted into them need no escaping. Both sides get the same template; only side-specific
values differ.
"""

from __future__ import annotations

import json
import weakref
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from games.core.game import Game
from games.core.types import SideKey, Violation, other_side
from harness.models.types import ChatMessage
from harness.prompts.feedback import RejectedSubmission, RevisionFeedback

#: Version of the templates below; part of every match fingerprint (bump on any wording change).
TEMPLATE_VERSION = "v1"
#: Raw replies re-printed in retry feedback are cut to this many characters.
EXCERPT_CHARS = 600
_PARSE_FAILURES = ("unparseable", "schema_violation", "truncated", "refused")


@cache
def _template(part: str) -> Template:
    text = (
        resources.files("harness.prompts.templates")
        .joinpath(f"{TEMPLATE_VERSION}_{part}.txt")
        .read_text(encoding="utf-8")
    )
    return Template(text)


def format_json(value: Any) -> str:
    """JSON for a prompt: an object of lists gets one entry per line, everything else is compact."""
    if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
        parts = []
        for key, items in value.items():
            inner = ",\n".join("    " + _compact(item) for item in items)
            parts.append(f"  {_compact(key)}: [\n{inner}\n  ]" if items else f"  {_compact(key)}: []")
        return "{\n" + ",\n".join(parts) + "\n}"
    return _compact(value)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def game_title(game: Game[Any]) -> str:
    """Human title of a game (``battle_card`` → ``Battle Card``)."""
    return game.name.replace("_", " ").title()


# Per game object: a game's facts never change after construction, and generating a game's rules text
# takes 0.1-0.25 ms — a noticeable share of a run's CPU when every model call re-rendered it.
_SIDE_VALUES: weakref.WeakKeyDictionary[Game[Any], dict[SideKey, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _side_values(game: Game[Any], side: SideKey) -> dict[str, Any]:
    per_game = _SIDE_VALUES.setdefault(game, {})
    values = per_game.get(side)
    if values is None:
        values = per_game[side] = _make_side_values(game, side)
    return values


def _make_side_values(game: Game[Any], side: SideKey) -> dict[str, Any]:
    own, opp = game.side(side), game.side(other_side(side))
    return {
        "game_title": game_title(game),
        "own_label": own.label,
        "opp_label": opp.label,
        "plan_key": own.plan_key,
        "budget": own.budget,
        "rules": game.rules_text(side).strip(),
    }


def _violation_line(v: Violation) -> str:
    where = ""
    if v.index is not None:
        where = f"entry {v.index}" + (f" ({v.field})" if v.field else "") + ": "
    elif v.field:
        where = f"{v.field}: "
    return f"- {where}{v.message}"


def problem_text(rejected: RejectedSubmission) -> str:
    """One sentence (plus violation lines) saying why a submission was rejected."""
    if rejected.failure_class in _PARSE_FAILURES:
        text = f"Your reply could not be read as a plan ({rejected.failure_class}): {rejected.error}."
        if rejected.failure_class == "truncated":
            text += " The reply was cut off at the output token limit; answer with the JSON only."
        return text
    if not rejected.violations:
        return f"The plan costs {rejected.cost}, which exceeds your budget of {rejected.budget}."
    lines = [
        f"The plan breaks the rules ({len(rejected.violations)} violation(s)); entries with a violation are "
        "not fielded:",
        *(_violation_line(v) for v in rejected.violations),
    ]
    if rejected.cost is not None and rejected.cost > rejected.budget:
        lines.append(
            f"Its valid entries cost {rejected.cost}, which exceeds your budget of {rejected.budget}."
        )
    return "\n".join(lines)


def _retry_paragraph(rejected: RejectedSubmission | None) -> str:
    if rejected is None:
        return ""
    return _template("retry").substitute(
        attempt=rejected.attempt, problem=problem_text(rejected), previous_output=rejected.previous_output
    )


def initial_messages(
    game: Game[Any], side: SideKey, rejected: RejectedSubmission | None = None
) -> list[ChatMessage]:
    """The initial-plan prompt (spec §1.3), with the feedback paragraph of the last rejected attempt.

    The paragraph replaces, never accumulates, earlier feedback: only the latest rejection is shown.
    """
    text = _template("initial").substitute(
        _side_values(game, side),
        example=format_json(game.example_plan(side)),
        feedback=_retry_paragraph(rejected),
    )
    return [ChatMessage("user", text)]


def _relabel(value: Any, labels: dict[str, str]) -> Any:
    """Replace side keys ``A``/``B`` (as object keys or as winner/side values) by the side labels."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(v, str) and v in labels and ("winner" in k or "side" in k):
                v = labels[v]
            out[labels.get(k, k)] = _relabel(v, labels)
        return out
    if isinstance(value, list):
        return [_relabel(v, labels) for v in value]
    return value


def summary_text(game: Game[Any], summary: dict[str, Any]) -> str:
    """A battle summary as prompt JSON, sides named by their labels instead of ``A``/``B``."""
    labels: dict[str, str] = {s.key: s.label for s in game.sides}
    return _compact(_relabel(summary, labels))


def _result_line(game: Game[Any], side: SideKey, winner: SideKey | None) -> str:
    if winner is None:
        return "no winner."
    return f"the {game.side(winner).label} won ({'you won' if winner == side else 'you lost'})."


def _rejected_note(fb: RevisionFeedback) -> str:
    if fb.rejected is None:
        return ""
    consequence = {
        "keep_previous": "you played your previous plan again",
        "empty": "you played an empty plan",
        "forfeit": "you forfeited the round",
    }[fb.policy]
    return f"\nNote: your last revision could not be used as it was, so {consequence}.\n" + problem_text(
        fb.rejected
    )


def revision_messages(game: Game[Any], side: SideKey, fb: RevisionFeedback) -> list[ChatMessage]:
    """The revision prompt (spec §1.6): last result, own cost vs budget, both plans (+ detailed summary)."""
    summary = ""
    if fb.mode == "detailed" and fb.summary is not None:
        summary = _template("summary").substitute(summary=summary_text(game, fb.summary))
    text = _template("revision").substitute(
        _side_values(game, side),
        result_line=_result_line(game, side, fb.last_winner),
        own_cost=fb.own_plan.cost,
        rejected_note=_rejected_note(fb),
        own_plan=format_json(fb.own_plan.plan),
        opponent_plan=format_json(fb.opponent_plan.plan),
        summary=summary,
    )
    return [ChatMessage("user", text)]
