"""The records' columns are exactly those of docs/records.md, and settings validate as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pydantic
import pytest

from harness.protocol import DECISION_COLUMNS, ROUND_COLUMNS, MatchSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "records.md"


def _columns(section: str) -> list[str]:
    text = DOC.read_text()
    body = text.split(f"## `{section}`", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in body.splitlines():
        m = re.match(r"\| ([a-z_, ]+) \|", line)
        if m and m.group(1).strip() != "column":
            names += [n.strip() for n in m.group(1).split(",")]
    return names


def test_round_columns_match_the_doc() -> None:
    assert list(ROUND_COLUMNS) == _columns("rounds")


def test_decision_columns_match_the_doc() -> None:
    assert list(DECISION_COLUMNS) == _columns("decisions")


def test_settings_defaults_and_validation() -> None:
    s = MatchSettings()
    assert (s.rounds, s.revision, s.first_reviser, s.feedback) == (10, "alternate", "A", "outcome")
    assert (s.initial_attempts, s.invalid_plan_policy, s.initial_plans) == (
        None,
        "keep_previous",
        "per_match",
    )
    for bad in ({"rounds": 0}, {"initial_attempts": 0}, {"revision": "sometimes"}, {"nope": 1}):
        with pytest.raises(pydantic.ValidationError):
            MatchSettings(**bad)
    with pytest.raises(pydantic.ValidationError):
        s.rounds = 3  # type: ignore[misc]  # frozen
