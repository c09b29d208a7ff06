"""Experiment files: validation errors name the field and line; presets load; generation configs."""

from __future__ import annotations

import pytest

from harness.experiments import (
    ConfigError,
    ExperimentConfig,
    generation_for,
    load_experiment,
    load_preset,
    parse_experiment,
    preset_names,
    takes_no_sampling_params,
)
from harness.experiments.config import ProtocolConfig

GOOD = """\
name: t
games: [battle_card]
models: [bot/random, bot/greedy]
protocol: {rounds: 3}
"""


def parse(text: str) -> ExperimentConfig:
    return parse_experiment(text, "exp.yaml", default_name="exp")


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse(text)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_good_file_and_defaults():
    cfg = parse(GOOD)
    assert cfg.name == "t"
    assert cfg.protocol.rounds == 3
    assert cfg.pairing.mode == "round_robin"
    assert [(p.side, p.first_reviser) for p in cfg.settings.points()] == [
        ("A", "A"),
        ("A", "B"),
        ("B", "A"),
        ("B", "B"),
    ]
    assert (cfg.generation.temperature, cfg.generation.top_p, cfg.generation.max_tokens) == (0.3, 1.0, 2048)
    assert cfg.store_path() == "results/t.sqlite"


def test_name_defaults_to_file_stem():
    cfg = parse("games: [battle_card]\nmodels: [bot/random, bot/greedy]\n")
    assert cfg.name == "exp"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unknown model provider, on line 2
        (
            "games: [battle_card]\nmodels: [bot/random, nosuch/model-x]\n",
            "exp.yaml:2: models.1: unknown model provider 'nosuch'",
        ),
        # unknown bot
        (
            "games: [battle_card]\nmodels: [bot/random, bot/wizard]\n",
            "exp.yaml:2: models.1: unknown bot 'wizard'",
        ),
        # malformed model name
        (
            "games: [battle_card]\nmodels: [bot/random, gpt4]\n",
            "exp.yaml:2: models.1: model name 'gpt4' must look like",
        ),
        # unknown game
        (
            "models: [bot/random, bot/greedy]\ngames:\n  - chess\n",
            "exp.yaml:3: games.0.name: unknown game 'chess'",
        ),
        # unknown game parameter
        (
            "models: [bot/random, bot/greedy]\ngames:\n  - {name: battle_card, params: {nope: 1}}\n",
            "exp.yaml:3: games.0: battle_card@ruleset=v2: unknown parameter 'nope'",
        ),
        # negative rounds
        (
            GOOD.replace("{rounds: 3}", "\n  rounds: -2"),
            "exp.yaml:5: protocol.rounds: Input should be greater than or equal to 1",
        ),
        # wrong types
        (
            GOOD.replace("{rounds: 3}", "{rounds: ten}"),
            "exp.yaml:4: protocol.rounds: Input should be a valid integer (got 'ten')",
        ),
        (
            GOOD.replace("{rounds: 3}", "{rounds: '3'}"),
            "exp.yaml:4: protocol.rounds: Input should be a valid integer",
        ),
        (GOOD + "repetitions: 1.5\n", "exp.yaml:5: repetitions: Input should be a valid integer"),
        (GOOD + "seeds: 3\n", "exp.yaml:5: seeds: Input should be a valid list"),
        (
            GOOD + "generation:\n  temperature: hot\n",
            "exp.yaml:6: generation.temperature: Input should be a valid number",
        ),
        # bad enum value
        (
            GOOD + "settings:\n  - {side: A, first_reviser: C}\n",
            "exp.yaml:6: settings.0.first_reviser: Input should be 'A' or 'B'",
        ),
        # unknown field
        (GOOD + "colour: blue\n", "exp.yaml:5: colour: unknown field"),
        # missing field
        ("games: [battle_card]\n", "exp.yaml:1: models: field required"),
        # vs_panel without a panel, and with a bad panel entry
        (GOOD + "pairing:\n  mode: vs_panel\n", "exp.yaml:6: pairing.panel: field required"),
        (
            GOOD + "pairing:\n  mode: vs_panel\n  panel:\n    - bot/greedy\n    - zzz/q\n",
            "exp.yaml:9: pairing.panel.1: unknown model provider 'zzz'",
        ),
        (GOOD + "pairing: knockout\n", "exp.yaml:5: pairing:"),
        # an override for a model that plays nowhere
        (
            GOOD + "generation_overrides:\n  openai/gpt-4.1: {temperature: 0}\n",
            "generation_overrides names 'openai/gpt-4.1'",
        ),
        # concurrency for an unknown provider
        (GOOD + "concurrency: {openia: 3}\n", "exp.yaml:5: concurrency: unknown provider 'openia'"),
        # a model listed twice
        (
            "games: [battle_card]\nmodels: [bot/random, bot/random]\n",
            "exp.yaml:2: models: 'bot/random' is listed twice",
        ),
        # round robin of one model
        ("games: [battle_card]\nmodels: [bot/random]\n", "round_robin needs at least two models"),
    ],
)
def test_bad_files_name_field_and_line(text, expected):
    assert expected in error_of(text)


def test_yaml_syntax_error_names_line():
    msg = error_of("games: [battle_card\nmodels: [bot/random]\nprotocol: {rounds: 3}\n")
    assert msg.startswith("exp.yaml:")
    assert "YAML syntax error" in msg
    assert int(msg.split(":")[1]) in (1, 2)


def test_not_a_mapping():
    assert "must be a YAML mapping" in error_of("- a\n- b\n")


def test_multiple_errors_report_the_first_and_count():
    msg = error_of(GOOD + "repetitions: -1\nmax_tries: 0\n")
    assert "repetitions" in msg and "(and 1 more error)" in msg


def test_protocol_mirrors_match_settings():
    settings = pytest.importorskip("harness.protocol.settings")
    theirs = set(settings.MatchSettings.model_fields) - {"first_reviser"}
    assert set(ProtocolConfig.model_fields) == theirs
    # defaults agree too
    ours = ProtocolConfig()
    defaults = settings.MatchSettings()
    for name in theirs:
        assert getattr(ours, name) == getattr(defaults, name), name


def test_generation_defaults_overrides_and_reasoning_models():
    cfg = parse(
        """\
games: [battle_card]
models: [openai/gpt-4o-2024-08-06, openai/o3-mini-2025-01-31, litellm/openai/o4-mini, anthropic/claude-x]
generation_overrides:
  anthropic/claude-x: {temperature: 0.0, max_tokens: 512}
  openai/o3-mini-2025-01-31: {max_tokens: 4096}
"""
    )
    g = generation_for(cfg, "openai/gpt-4o-2024-08-06")
    assert (g.temperature, g.top_p, g.max_tokens) == (0.3, 1.0, 2048)
    g = generation_for(cfg, "openai/o3-mini-2025-01-31")
    assert (g.temperature, g.top_p, g.max_tokens) == (None, None, 4096)
    g = generation_for(cfg, "litellm/openai/o4-mini")
    assert (g.temperature, g.top_p) == (None, None)
    g = generation_for(cfg, "anthropic/claude-x")
    assert (g.temperature, g.top_p, g.max_tokens) == (0.0, 1.0, 512)


def test_override_can_restore_sampling_params_of_a_reasoning_model():
    cfg = parse(
        "games: [battle_card]\nmodels: [openai/o3, bot/greedy]\n"
        "generation_overrides:\n  openai/o3: {temperature: 1.0}\n"
    )
    g = generation_for(cfg, "openai/o3")
    assert (g.temperature, g.top_p) == (1.0, None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("openai/o3-2025-04-16", True),
        ("openai/o3-mini-2025-01-31", True),
        ("openai/o1", True),
        ("openai/gpt-4o", False),
        ("anthropic/o3", False),
        ("litellm/openai/o3-mini", True),
        ("litellm/deepseek/deepseek-reasoner", False),
        ("openai/omni-x", False),
    ],
)
def test_reasoning_model_names(name, expected):
    assert takes_no_sampling_params(name) is expected


def test_presets_are_listed_and_load():
    assert {"bots", "advgamebench", "smoke"} <= set(preset_names())
    for name in preset_names():
        cfg = load_preset(name)
        assert cfg.name == name
        assert cfg.store_path().startswith("results/")


def test_unknown_preset_lists_known():
    with pytest.raises(ConfigError, match="unknown preset 'nope'; known: advgamebench, bots"):
        load_experiment("nope")


def test_load_experiment_from_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("games: [battle_card]\nmodels: [bot/random, bot/greedy]\n")
    cfg = load_experiment(str(path))
    assert cfg.name == "mine"
    with pytest.raises(ConfigError, match="cannot read"):
        load_experiment(str(tmp_path / "missing.yaml"))


def test_advgamebench_preset_is_the_paper_design():
    cfg = load_preset("advgamebench")
    assert len(cfg.models) == 12
    assert [g.name for g in cfg.games] == ["tower_defense", "battle_card", "elemental_duel"]
    assert cfg.pairing.mode == "vs_panel"
    assert len(cfg.pairing.panel) == 3
    assert set(cfg.pairing.panel) <= set(cfg.models)
    assert cfg.protocol.rounds == 10
    assert cfg.generation.temperature == 0.3
    assert len(cfg.settings.points()) == 4
    for m in ("openai/o3-2025-04-16", "openai/o3-mini-2025-01-31"):
        g = generation_for(cfg, m)
        assert g.temperature is None and g.top_p is None
