"""Whole matches between bots: record counts, labels, revisers, changed flags, determinism, callbacks."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from protocol_support import play, rows

from games.core.game import Game
from games.registry import game_rulesets
from games.registry import get_game as load_game
from harness.agents import make_agent
from harness.protocol import MatchSettings, RoundRecord, simulated_rounds

# Hand-checked loop shapes (docs/records.md): (game kind, R, revision, first) -> (labels, revisers).
# "td" = tower defense (R rounds, R-1 revisions); "plus" = the other two games (R+1 rounds, R revisions).
SHAPES = {
    ("td", 1, "alternate", "A"): ([1], [None]),
    ("td", 3, "alternate", "A"): ([1, 2, 3], [None, "A", "B"]),
    ("td", 4, "alternate", "B"): ([1, 2, 3, 4], [None, "B", "A", "B"]),
    ("td", 3, "simultaneous", "A"): ([1, 2, 3], [None, "AB", "AB"]),
    ("td", 3, "none", "A"): ([1, 2, 3], [None, None, None]),
    ("plus", 1, "alternate", "A"): ([1, 1], [None, "A"]),
    ("plus", 1, "alternate", "B"): ([1, 1], [None, "B"]),
    ("plus", 3, "alternate", "A"): ([1, 2, 3, 3], [None, "A", "B", "A"]),
    ("plus", 4, "alternate", "B"): ([1, 2, 3, 4, 4], [None, "B", "A", "B", "A"]),
    ("plus", 2, "simultaneous", "B"): ([1, 2, 2], [None, "AB", "AB"]),
    ("plus", 2, "none", "A"): ([1, 2, 2], [None, None, None]),
}


CASES = [
    (name, ruleset, key)
    for name, ruleset in game_rulesets()
    for key in SHAPES
    if key[0] == ("td" if name == "tower_defense" else "plus")
]


@pytest.mark.parametrize(("game_name", "ruleset", "key"), CASES)
def test_loop_shape(game_name: str, ruleset: str, key: tuple[str, int, str, str]) -> None:
    game = load_game(game_name, ruleset=ruleset)
    _, rounds, revision, first = key
    labels, revisers = SHAPES[key]
    settings = MatchSettings(rounds=rounds, revision=revision, first_reviser=first)  # type: ignore[arg-type]
    a, b = make_agent("bot/random", game=game), make_agent("bot/search@sims=4", game=game)
    result = play(game, a, b, settings, seed=3)
    assert [r.round for r in result.rounds] == list(range(1, len(labels) + 1))
    assert [r.label for r in result.rounds] == labels
    assert [r.reviser for r in result.rounds] == revisers
    assert result.n_rounds == len(labels) == simulated_rounds(game, rounds)
    assert result.winner == result.rounds[-1].winner

    # Decisions: one initial per side (bots are always accepted), then one per reviser per step, in order.
    expected = [("A", "initial", 0), ("B", "initial", 0)]
    for k, r in enumerate(result.rounds[1:], start=1):
        expected += [(s, "revision", k) for s in (r.reviser or "")]
    assert [(d.side, d.phase, d.round) for d in result.decisions] == expected
    assert [d.seq for d in result.decisions] == list(range(len(expected)))
    assert all(d.failure_class == "ok" and d.reused == 0 and d.match_id == "m-test" for d in result.decisions)
    assert [d.model for d in result.decisions[:2]] == ["bot/random", "bot/search@sims=4"]


def _check_flags(rounds: list[RoundRecord]) -> None:
    assert rounds[0].changed_a is None and rounds[0].cost_changed_b is None
    for prev, cur in itertools.pairwise(rounds):
        for s in ("a", "b"):
            assert getattr(cur, f"changed_{s}") == int(
                getattr(cur, f"plan_{s}") != getattr(prev, f"plan_{s}")
            )
            assert getattr(cur, f"cost_changed_{s}") == int(
                getattr(cur, f"cost_{s}") != getattr(prev, f"cost_{s}")
            )
            if s.upper() not in (cur.reviser or ""):
                # Only the side that revised can have changed its plan.
                assert getattr(cur, f"changed_{s}") == 0


@pytest.mark.parametrize("revision", ["alternate", "simultaneous", "none"])
def test_changed_flags_costs_and_adjudication(game: Game[Any], revision: str) -> None:
    settings = MatchSettings(rounds=4, revision=revision)  # type: ignore[arg-type]
    a, b = make_agent("bot/random", game=game), make_agent("bot/random", game=game)
    result = play(game, a, b, settings, seed=11)
    _check_flags(result.rounds)
    for r in result.rounds:
        assert (r.budget_a, r.budget_b) == (game.side("A").budget, game.side("B").budget)
        assert r.cost_a <= r.budget_a and r.cost_b <= r.budget_b  # bots stay within budget
        assert r.winner == r.raw_winner  # so nothing is overridden
        assert r.violations_a == r.violations_b == "[]"
        # The recorded plans and costs are what the validator says of them; simulation reproduces the result.
        vp_a, vp_b = game.validate("A", _load(r.plan_a)), game.validate("B", _load(r.plan_b))
        assert (vp_a.cost, vp_b.cost) == (r.cost_a, r.cost_b)
        assert vp_a.canonical_json() == r.plan_a and vp_a.ok and vp_b.ok
        assert game.simulate(vp_a, vp_b).winner == r.raw_winner
    if revision == "none":
        assert len({r.plan_a for r in result.rounds}) == 1 and len({r.plan_b for r in result.rounds}) == 1
    else:
        assert any(r.changed_a or r.changed_b for r in result.rounds[1:])  # random bots do change plans


def _load(text: str) -> Any:
    import json

    return json.loads(text)


@pytest.mark.parametrize("revision", ["alternate", "simultaneous"])
def test_same_inputs_same_records(game: Game[Any], revision: str) -> None:
    settings = MatchSettings(rounds=3, revision=revision, first_reviser="B")  # type: ignore[arg-type]

    def once(seed: int) -> Any:
        a, b = make_agent("bot/random", game=game), make_agent("bot/search@sims=4", game=game)
        return rows(play(game, a, b, settings, seed=seed))

    assert once(5) == once(5)
    assert once(5) != once(6)


def test_callbacks_see_every_record_in_order(game: Game[Any]) -> None:
    seen_rounds: list[Any] = []
    seen_decisions: list[Any] = []
    a, b = make_agent("bot/greedy", game=game), make_agent("bot/random", game=game)
    result = play(
        game,
        a,
        b,
        MatchSettings(rounds=3, revision="simultaneous"),
        on_round=seen_rounds.append,
        on_decision=seen_decisions.append,
    )
    assert seen_rounds == result.rounds
    assert seen_decisions == result.decisions
    assert result.input_tokens == result.output_tokens == 0
    assert result.cost_usd == 0.0


def test_rows_are_plain_json_friendly(game: Game[Any]) -> None:
    import json

    a, b = make_agent("bot/greedy", game=game), make_agent("bot/greedy", game=game)
    round_rows, decision_rows = rows(play(game, a, b, MatchSettings(rounds=2)))
    for row in round_rows + decision_rows:
        json.dumps(row)  # only str/int/float/None values
        for key in ("plan_a", "plan_b", "violations_a", "violations_b", "summary", "plan", "violations"):
            if row.get(key) is not None:
                json.loads(row[key])
