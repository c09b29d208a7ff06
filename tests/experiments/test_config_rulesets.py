"""Rulesets in experiments: ``{name, ruleset}`` in YAML, the v2 default, the advgamebench preset pinned to v1.

The advgamebench preset's match ids were computed from the code before rulesets could be chosen (commit
beb1bf6, when every game was v1): pinning v1 must keep the paper's design exactly as it was.
"""

from __future__ import annotations

import hashlib

import pytest

from harness.experiments import ConfigError, expand, load_preset, parse_experiment

HEAD = """\
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}]
protocol: {rounds: 2}
"""

# `stratagem run advgamebench --dry-run` before rulesets: 432 matches, 3 fingerprints.
ADVGAMEBENCH_FINGERPRINTS = {"06cf784519383682", "b351e82c051a5401", "db8d746a4f88e202"}
ADVGAMEBENCH_FIRST_IDS = ["a5e51241bd5733f9", "bc1ed17261499b71"]
ADVGAMEBENCH_LAST_ID = "a2c1341456367ee9"
#: SHA-256 of the 432 match ids in expansion order, joined by newlines.
ADVGAMEBENCH_IDS_SHA256 = "10d4ffecd5432b508213baa861df6487194f48b816ed85cf3d084271610aaed5"
# The bots preset's ids when it still played v1 (it plays v2 now).
BOTS_V1_FINGERPRINTS = {"9bca33dc0e231a19", "a8532323b89656f0", "b9485bae41018c1b"}
BOTS_V1_IDS_SHA256 = "e6f75ba5a94b355a3e9c667447b08037c11335abcb60958ce9303b7109c912da"


def config(games: str):
    return parse_experiment(f"games: {games}\n{HEAD}", "exp.yaml", default_name="exp")


def error_of(games: str) -> str:
    with pytest.raises(ConfigError) as exc:
        config(games)
    return str(exc.value)


def ids_sha256(jobs) -> str:
    return hashlib.sha256("\n".join(j.match_id for j in jobs).encode()).hexdigest()


@pytest.mark.parametrize(
    ("games", "expected"),
    [
        ("[battle_card]", [("battle_card", "v2", {})]),
        ("[{name: battle_card}]", [("battle_card", "v2", {})]),
        ("[{name: battle_card, ruleset: null}]", [("battle_card", "v2", {})]),
        ("[{name: battle_card, ruleset: v1}]", [("battle_card", "v1", {})]),
        (
            "[{name: battle_card, ruleset: v2, params: {max_units: 4}}]",
            [("battle_card", "v2", {"max_units": 4})],
        ),
        ("[battle_card@ruleset=v1, tower_defense]", [("battle_card", "v1", {}), ("tower_defense", "v2", {})]),
        ("\n  - battle_card@ruleset=v1,max_units=4", [("battle_card", "v1", {"max_units": 4})]),
    ],
)
def test_yaml_names_the_ruleset_or_gets_the_default(games, expected):
    cfg = config(games)
    assert [(g.name, g.ruleset, g.params) for g in cfg.games] == expected
    jobs = expand(cfg)
    assert [(j.game, j.ruleset) for j in jobs] == [(n, r) for n, r, _ in expected]


def test_a_config_naming_no_ruleset_plays_v2_and_dumps_it():
    cfg = config("[tower_defense, battle_card, elemental_duel]")
    assert {j.ruleset for j in expand(cfg)} == {"v2"}
    assert [g["ruleset"] for g in cfg.model_dump(mode="json")["games"]] == ["v2"] * 3


@pytest.mark.parametrize(
    ("games", "message"),
    [
        (
            "[{name: battle_card, ruleset: v9}]",
            "exp.yaml:1: games.0.ruleset: unknown ruleset 'v9' of game battle_card; known rulesets: v1, v2",
        ),
        ("[battle_card@ruleset=v3]", "games.0.ruleset: unknown ruleset 'v3' of game battle_card"),
        ("[{name: go, ruleset: v1}]", "games.0.name: unknown game 'go'"),
        (
            "[{name: battle_card, ruleset: v1, params: {nope: 1}}]",
            "battle_card@ruleset=v1: unknown parameter",
        ),
        ("[battle_card, {name: battle_card, ruleset: v1}]", "games: game battle_card is listed twice"),
        ("[{name: battle_card, rules: v1}]", "games.0.rules: unknown field"),
    ],
)
def test_bad_rulesets_are_one_line_errors(games, message):
    text = error_of(games)
    assert message in text and "\n" not in text
    assert "more error" not in text  # only the real problem is reported


def test_v1_and_v2_never_pool():
    v1 = expand(config("[{name: battle_card, ruleset: v1}]"))
    v2 = expand(config("[{name: battle_card, ruleset: v2}]"))
    assert [j.identity for j in v1] == [j.identity for j in v2]  # the same coordinates …
    assert {j.fingerprint for j in v1}.isdisjoint(j.fingerprint for j in v2)  # … measured apart
    assert {j.match_id for j in v1}.isdisjoint(j.match_id for j in v2)
    assert v1[0].params == v2[0].params  # even with the same parameters (v2 is a placeholder)


def test_advgamebench_preset_is_pinned_to_v1_with_unchanged_ids():
    cfg = load_preset("advgamebench")
    assert [(g.name, g.ruleset) for g in cfg.games] == [
        ("tower_defense", "v1"),
        ("battle_card", "v1"),
        ("elemental_duel", "v1"),
    ]
    jobs = expand(cfg)
    assert len(jobs) == 432 and {j.ruleset for j in jobs} == {"v1"}
    assert {j.fingerprint for j in jobs} == ADVGAMEBENCH_FINGERPRINTS
    assert [j.match_id for j in jobs[:2]] == ADVGAMEBENCH_FIRST_IDS
    assert jobs[-1].match_id == ADVGAMEBENCH_LAST_ID
    assert ids_sha256(jobs) == ADVGAMEBENCH_IDS_SHA256


@pytest.mark.parametrize("preset", ["bots", "smoke"])
def test_bots_and_smoke_presets_play_v2(preset):
    jobs = expand(load_preset(preset))
    assert {j.ruleset for j in jobs} == {"v2"}
    assert {j.game for j in jobs} == {"tower_defense", "battle_card", "elemental_duel"}


def test_the_bots_preset_pinned_to_v1_gives_its_old_ids():
    # v1 is byte-identical: naming it explicitly reproduces what the preset meant before the default moved.
    data = load_preset("bots").model_dump(mode="json")
    data["games"] = [{**g, "ruleset": "v1"} for g in data["games"]]
    v1 = expand(type(load_preset("bots")).model_validate(data))
    assert {j.fingerprint for j in v1} == BOTS_V1_FINGERPRINTS
    assert ids_sha256(v1) == BOTS_V1_IDS_SHA256
    v2 = expand(load_preset("bots"))
    assert {j.fingerprint for j in v2}.isdisjoint(BOTS_V1_FINGERPRINTS)
