"""Plain value types shared by every game: sides, violations, validated plans, battle results.

All of them are immutable and JSON-friendly (``to_dict``), because they travel into prompts, round records
and the results store unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

SideKey = Literal["A", "B"]
SIDE_KEYS: tuple[SideKey, SideKey] = ("A", "B")


def other_side(side: SideKey) -> SideKey:
    """The opposite side key."""
    return "B" if side == "A" else "A"


def json_type_name(value: Any) -> str:
    """A short JSON type name for messages about submitted values ("a string", "null", "a list"…)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def canonical_json(obj: Any) -> str:
    """Deterministic compact JSON (sorted keys) used for hashing, diffing and storing plans."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class Side:
    """Static facts about one side of a game.

    Attributes:
        key: ``"A"`` (the spec's first side: humans / defenders) or ``"B"``.
        name: Lower-case role name (``human``, ``demon``, ``defender``, ``invader``).
        label: Winner label the original simulator prints (``Human``, ``Defenders`` …).
        plan_key: The JSON key a plan is submitted under (``humans``, ``invaders`` …).
        budget: The side's budget under the game's parameters.
    """

    key: SideKey
    name: str
    label: str
    plan_key: str
    budget: int


@dataclass(frozen=True)
class Violation:
    """One reason a submitted plan (or one entry of it) is not valid.

    Attributes:
        code: Stable machine-readable code, e.g. ``unknown_unit``, ``bad_tier``, ``cell_occupied``.
        message: Human-readable reason, safe to show to a model.
        index: Index of the offending entry in the submitted list, or ``None`` for plan-level problems.
        field: The offending field of that entry (``name``, ``x``, ``skills[1]`` …), or ``None``.
    """

    code: str
    message: str
    index: int | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"code", "index", "field", "message"}``."""
        return {"code": self.code, "index": self.index, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class ValidatedPlan:
    """The result of validating any JSON value as one side's plan.

    Attributes:
        side: The side the plan was validated for.
        plan: The canonical plan ``{plan_key: [entries…]}`` holding only the valid entries, normalised
            (defaults filled in, field order fixed). Always simulatable.
        cost: Catalogue cost of the entries the canonical plan fields.
        violations: Everything wrong with the submission, in entry order; empty when the submission was
            fully valid. Being over budget is *not* a violation (the match protocol adjudicates budgets).
    """

    side: SideKey
    plan: dict[str, Any]
    cost: int
    violations: tuple[Violation, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the submission had no violations."""
        return not self.violations

    def canonical_json(self) -> str:
        """Canonical JSON of the plan, for equality tests, hashing and storage (computed once)."""
        # A validated plan is never changed after validation; the match loop asks for this several times
        # per round, so it is kept on the instance (outside the dataclass fields: eq and hash ignore it).
        cached: str | None = self.__dict__.get("_canonical_json")
        if cached is None:
            cached = canonical_json(self.plan)
            object.__setattr__(self, "_canonical_json", cached)
        return cached

    def violations_as_dicts(self) -> list[dict[str, Any]]:
        """The violations as JSON objects."""
        return [v.to_dict() for v in self.violations]


@dataclass(frozen=True)
class BattleResult:
    """Outcome of one simulated battle.

    Attributes:
        winner: The simulator's raw winner (``"A"``, ``"B"``) or ``None`` (duel action cap reached).
            Budgets are not considered here.
        summary: A short structured, JSON-able battle summary (what a "detailed feedback" prompt may show):
            tower defense end tick, lost row, survivors and their cost; battle card survivors with
            attack/health; duels the duel log.
    """

    winner: SideKey | None
    summary: dict[str, Any]
