"""From a reply (or a bot's plan) to the parsed plan, the validated plan and the failure class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from games.core.game import Game
from games.core.types import SideKey, ValidatedPlan, Violation
from harness.agents.types import FailureClass
from harness.models.types import FinishReason
from harness.parsing import ParsedReply, parse_plan

#: Validator codes that mean "not a plan object of this side" rather than "a plan breaking a rule".
SCHEMA_CODES = frozenset({"not_an_object", "missing_plan_key", "not_a_list"})


@dataclass(frozen=True)
class Assessment:
    """The parsed and validated reply with its failure class and violations (see :class:`Decision`)."""

    parsed: ParsedReply
    validated: ValidatedPlan | None
    failure_class: FailureClass
    violations: tuple[Violation, ...]


def assess_reply(game: Game[Any], side: SideKey, text: str, finish_reason: FinishReason) -> Assessment:
    """Parse, validate and classify a model reply. Never raises.

    The class is the first that applies of: ``truncated`` (finish reason ``length``), ``refused``,
    ``unparseable``, ``schema_violation`` (JSON that is not an object under the side's plan key, also when
    the validator says so), ``rule_violation``, ``over_budget``; else ``ok``.
    """
    parsed = parse_plan(text, game.side(side).plan_key)
    return _classify(game, side, parsed, finish_reason)


def assess_plan(game: Game[Any], side: SideKey, plan: Any) -> Assessment:
    """Validate and classify a plan object given directly (bots)."""
    parsed = ParsedReply("ok", plan, None)
    return _classify(game, side, parsed, "stop")


def _classify(game: Game[Any], side: SideKey, parsed: ParsedReply, finish_reason: FinishReason) -> Assessment:
    validated: ValidatedPlan | None = None
    error = parsed.error or ""
    read_class: FailureClass = "unparseable"
    if parsed.ok:
        candidate = game.validate(side, parsed.value)
        schema = [v for v in candidate.violations if v.code in SCHEMA_CODES]
        if schema:
            read_class, error = "schema_violation", "; ".join(v.message for v in schema)
        else:
            validated = candidate
    elif parsed.status == "schema_violation":
        read_class = "schema_violation"
    gen_class: FailureClass | None = _GENERATION_CLASSES.get(finish_reason)

    if validated is None:
        code = gen_class or read_class
        message = error if gen_class is None else f"{_GENERATION_REASONS[code]}; {error}"
        return Assessment(parsed, None, code, (Violation(code, message),))
    if gen_class is not None:
        return Assessment(parsed, validated, gen_class, validated.violations)
    if validated.violations:
        return Assessment(parsed, validated, "rule_violation", validated.violations)
    if validated.cost > game.side(side).budget:
        return Assessment(parsed, validated, "over_budget", ())
    return Assessment(parsed, validated, "ok", ())


_GENERATION_CLASSES: dict[str, FailureClass] = {"length": "truncated", "refused": "refused"}
_GENERATION_REASONS = {
    "truncated": "the reply was cut off at the output token limit",
    "refused": "the model refused to answer",
}
