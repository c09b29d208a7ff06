"""The run estimate (harness.estimate) against runs actually played with scripted models and bots.

What the accuracy tests compare, and why it is a real check: a scripted model records, as its
``input_tokens``, ceil(characters / 4) of each message it was actually sent (the scripted adapter's
fixed rule), and the estimate counts a scripted model's prompts with that same rule (its tokenizer is
``scripted chars/4``). So the recorded sum is  Σ over the calls actually made of the actual prompt's size,
and the estimate is  Σ over the calls it predicts of the size of the prompt it rendered. The two agree only
if (a) the number of calls is right — initial phases (per match or shared), retries, revision steps under
alternate / simultaneous revision, R vs R + 1 rounds per game, bot sides making no call, stored matches
left out — and (b) the rendered prompts are the right size: initial prompts are the real ones, revision
prompts (which show the two current plans, and under ``detailed`` feedback the battle summary) are
rendered from representative plans while the scripts answer with random plans of varying size. One
revision step too many or too few per match moves the total by 15-25 %, a missing battle summary by
about 5 % per revision, so the 10 % tolerance (and the exact call counts) catch them.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from games.registry import get_game
from harness.estimate import TokenCounter, estimate_run, format_estimate
from harness.estimate.format import duration_text, tokens_text
from harness.experiments import expand, parse_experiment
from harness.models import RetryPolicy, register_script
from harness.models.settings import ModelSettings
from harness.models.types import ChatMessage
from harness.runner import RunOptions, run_jobs
from harness.store import ResultStore

_HEAD = re.compile(r'You are playing .+? side \(plan key "(\w+)"\)')
_LOCAL = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch):
    """Any connection or name lookup beyond the loopback fails the test (litellm must stay offline)."""
    attempts: list[Any] = []
    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def remote(address: Any) -> bool:
        return isinstance(address, tuple) and str(address[0]) not in _LOCAL

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family != socket.AF_UNIX and remote(address):
            attempts.append(address)
            raise OSError(f"network access in a test: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family != socket.AF_UNIX and remote(address):
            attempts.append(address)
            raise OSError(f"network access in a test: {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in _LOCAL:
            attempts.append(host)
            raise OSError(f"name lookup in a test: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    assert not attempts, f"the test tried the network: {attempts}"


def random_planner(game_name: str, ruleset: str, *, fail_first: bool = False) -> Callable[..., str]:
    """A script answering with a random valid plan (seeded by the prompt), sometimes amid prose.

    With ``fail_first`` the first initial attempt of every phase is unreadable (a retry follows).
    """
    game = get_game(game_name, ruleset=ruleset)

    def reply(messages: Sequence[ChatMessage]) -> str:
        text = "\n".join(m.content for m in messages)
        if fail_first and "EXAMPLE PLAN" in text and "FEEDBACK ON YOUR PREVIOUS ATTEMPT" not in text:
            return "I am not sure what to play."
        m = _HEAD.search(text)
        assert m is not None
        side = next(s.key for s in game.sides if s.plan_key == m.group(1))
        rng = random.Random(hashlib.sha256(text.encode()).hexdigest())
        plan = json.dumps(game.random_plan(side, rng))
        return f"My plan:\n```json\n{plan}\n```\n" if rng.random() < 0.5 else plan

    return reply


def experiment(game: str, protocol: str, *, settings: str = "", extra: str = "", models: str = ""):
    text = f"""
name: est
games: [{game}]
models: {models or "[scripted/alpha, scripted/beta, bot/greedy]"}
protocol: {protocol}
{settings}
{extra}
"""
    return parse_experiment(text, "est.yaml", default_name="est")


def play(cfg, path: Path, **settings: Any) -> None:
    with ResultStore(path) as store:
        run_id = store.start_run(cfg.name, "{}")
        model_settings = ModelSettings(retry=RetryPolicy(max_attempts=1, base_backoff_s=0.0), **settings)
        options = RunOptions(progress=False, model_settings=model_settings)
        stats = run_jobs(expand(cfg), store, run_id=run_id, options=options)
    assert stats.voided == 0


def recorded(path: Path, where: str = "", params: Sequence[Any] = ()) -> dict[str, tuple[int, int, int]]:
    """Per model: (calls made, input tokens, output tokens) of the decisions made (not reused)."""
    with ResultStore(path, readonly=True) as store:
        rows = store.query(
            "SELECT model, COUNT(*), SUM(input_tokens), SUM(output_tokens) FROM decisions"
            f" WHERE reused = 0 AND model LIKE 'scripted/%' {where} GROUP BY model",
            params,
        )
    return {str(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}


def by_model(est) -> dict[str, Any]:
    return {m.model: m for m in est.models}


GAMES = {"battle_card": "v2", "tower_defense": "v2", "elemental_duel": "v1"}


@pytest.fixture(autouse=True)
def scripts():
    for game, ruleset in GAMES.items():
        register_script(f"alpha-{game}", random_planner(game, ruleset))
        register_script(f"beta-{game}", random_planner(game, ruleset))
        register_script(f"sloppy-{game}", random_planner(game, ruleset, fail_first=True))


def _models(game: str, *names: str) -> str:
    return "[" + ", ".join(f"scripted/{n}-{game}" if n != "bot/greedy" else n for n in names) + "]"


@pytest.mark.parametrize(
    ("game", "protocol"),
    [
        ("battle_card", "{rounds: 3}"),
        ("tower_defense", "{rounds: 3, revision: simultaneous, feedback: detailed}"),
        ("elemental_duel@ruleset=v1", "{rounds: 3, initial_plans: shared}"),
    ],
    ids=["alternate", "simultaneous-detailed", "shared"],
)
def test_estimated_input_tokens_are_within_10_percent_of_the_recorded_ones(tmp_path, game, protocol):
    name = game.split("@")[0]
    cfg = experiment(game, protocol, models=_models(name, "alpha", "beta", "bot/greedy"))
    store = tmp_path / "s.sqlite"
    est = estimate_run(expand(cfg), config=cfg, store=store, tokens=TokenCounter(use_litellm=False))
    assert (est.planned, est.stored, est.to_play) == (12, 0, 12)
    play(cfg, store)
    actual = recorded(store)
    models = by_model(est)
    assert set(actual) == {f"scripted/alpha-{name}", f"scripted/beta-{name}"}
    for model, (calls, tokens_in, _) in actual.items():
        m = models[model]
        assert m.tokenizer == "scripted chars/4" and m.tokens_exact
        assert m.calls_expected == calls  # every scripted reply is valid: no retry, so exact
        assert m.calls_max >= calls
        assert m.input_tokens_expected == pytest.approx(tokens_in, rel=0.10)
        assert m.input_tokens_max >= tokens_in
        print(f"{model}: estimated {m.input_tokens_expected:.0f} input tokens, recorded {tokens_in}")
    bot = models["bot/greedy"]
    assert (bot.calls_expected, bot.calls_max, bot.input_tokens_expected, bot.cost_expected) == (0, 0, 0, 0)


def test_stored_matches_are_left_out_and_their_history_is_used(tmp_path):
    """A subset first (one setting), then the rest: the estimate uses the store's attempts and lengths."""
    game, models = "battle_card", _models("battle_card", "sloppy", "alpha", "bot/greedy")
    part = experiment(game, "{rounds: 3}", settings="settings: [{side: A, first_reviser: A}]", models=models)
    full = experiment(game, "{rounds: 3}", models=models)
    store = tmp_path / "s.sqlite"
    play(part, store)
    first = recorded(store)
    est = estimate_run(expand(full), config=full, store=store, tokens=TokenCounter(use_litellm=False))
    assert (est.planned, est.stored, est.to_play) == (12, 3, 9)
    sloppy = by_model(est)["scripted/sloppy-battle_card"]
    assert sloppy.output_source.startswith("store")
    assert sloppy.matches == 6  # 2 of its 8 matches are stored
    play(full, store)
    total = recorded(store)
    for model, m in by_model(est).items():
        if m.bot:
            continue
        calls = total[model][0] - first[model][0]
        tokens_in = total[model][1] - first[model][1]
        # the sloppy model's first initial attempt always fails: the store says 2 attempts per phase
        assert m.calls_expected == pytest.approx(calls)
        assert m.input_tokens_expected == pytest.approx(tokens_in, rel=0.10)
        # reply length: the mean of the stored decisions (random plans vary too much to predict better)
        assert m.output_per_call == pytest.approx(first[model][2] / first[model][0])
        assert m.output_tokens_expected == pytest.approx(calls * m.output_per_call)
    # nothing left: the estimate says so
    again = estimate_run(expand(full), config=full, store=store, tokens=TokenCounter(use_litellm=False))
    assert (again.stored, again.to_play) == (12, 0)
    assert all(m.calls_expected == 0 for m in again.models)
    assert format_estimate(again)[-1] == "nothing to play: no calls, no cost"


def test_the_cache_answers_repeated_and_cassette_held_first_requests(tmp_path):
    cassette = tmp_path / "cache.sqlite"
    extra = f"cache: {{mode: read-write, path: {cassette}}}"
    models = _models("battle_card", "alpha", "bot/greedy")
    cfg = experiment("battle_card", "{rounds: 4}", models=models, extra=extra)
    counter = TokenCounter(use_litellm=False)
    before = by_model(estimate_run(expand(cfg), config=cfg, store=tmp_path / "a.sqlite", tokens=counter))
    alpha = before["scripted/alpha-battle_card"]
    # 4 matches, one seed: per side, the first match's initial request is made, the repeat is a cache hit
    assert (alpha.matches, alpha.cached_calls) == (4, 2)
    play(cfg, tmp_path / "a.sqlite", cache_mode="read-write", cache_path=cassette)
    # a fresh store: the cassette now holds both sides' first requests (keys as the model wrapper's)
    after = by_model(estimate_run(expand(cfg), config=cfg, store=tmp_path / "b.sqlite", tokens=counter))
    alpha2 = after["scripted/alpha-battle_card"]
    assert alpha2.cached_calls == 4
    assert alpha2.calls_expected == alpha.calls_expected - 2
    assert alpha2.output_source.startswith("cache")
    # replay-only: every call comes from the cassette, nothing is billed
    replay_only = extra.replace("read-write", "replay-only")
    replay = experiment("battle_card", "{rounds: 4}", models=models, extra=replay_only)
    alpha3 = by_model(estimate_run(expand(replay), config=replay, tokens=counter))[alpha.model]
    assert (alpha3.calls_expected, alpha3.input_tokens_expected, alpha3.cost_expected) == (0, 0, 0)
    assert alpha3.cached_calls == alpha.calls_expected + alpha.cached_calls


def test_limit_counts_only_the_first_matches_to_play(tmp_path):
    cfg = experiment("battle_card", "{rounds: 2}", models=_models("battle_card", "alpha", "beta"))
    est = estimate_run(expand(cfg), config=cfg, limit=3, tokens=TokenCounter(use_litellm=False))
    assert (est.planned, est.to_play) == (4, 3)


def test_bots_only_make_no_calls_and_cost_nothing():
    cfg = experiment("battle_card", "{rounds: 3}", models="[bot/greedy, bot/random]")
    est = estimate_run(expand(cfg), config=cfg)
    assert all(m.bot and m.calls_max == 0 and m.cost_max == 0 for m in est.models)
    lines = format_estimate(est)
    assert any(line.startswith("bot/random") and "0/0 (bot)" in line for line in lines)
    assert lines[-1] == "note: bots only: no model calls, no cost"


def test_unknown_price_says_unknown_and_is_left_out_of_the_total():
    models = "[openai/no-such-model-2099, scripted/alpha-battle_card, bot/greedy]"
    cfg = experiment("battle_card", "{rounds: 2}", models=models)
    est = estimate_run(expand(cfg), config=cfg, tokens=TokenCounter(use_litellm=False))
    unknown = by_model(est)["openai/no-such-model-2099"]
    assert unknown.cost_expected is None and unknown.cost_max is None
    assert unknown.tokenizer == "chars/4" and not unknown.tokens_exact
    assert est.total_cost() == (0.0, 1)  # the scripted model is free, the bot costs nothing
    lines = format_estimate(est)
    row = next(line for line in lines if line.startswith("openai/no-such-model-2099"))
    assert row.endswith("unknown/unknown") and "~" in row and "*" in row
    total = next(line for line in lines if line.startswith("total"))
    assert total.endswith("0.00+1 unknown/0.00+1 unknown")
    assert any(line.startswith("expected wall time:") and "openai 8" in line for line in lines)


def test_the_estimate_and_its_lines_are_deterministic(tmp_path):
    cfg = experiment("tower_defense", "{rounds: 3}", models=_models("tower_defense", "alpha", "beta"))
    one = estimate_run(expand(cfg), config=cfg, tokens=TokenCounter(use_litellm=False))
    two = estimate_run(expand(cfg), config=cfg, tokens=TokenCounter(use_litellm=False))
    assert one == two
    assert format_estimate(one) == format_estimate(two)
    header, first_row = format_estimate(one)[1:3]
    assert header.split()[:2] == ["model", "matches"] and first_row.startswith("scripted/alpha-tower_defense")


def test_litellm_counts_offline_with_the_models_encodings():
    """litellm's token_counter works here without the network (its encodings ship with it)."""
    counter = TokenCounter()
    game = get_game("battle_card", ruleset="v1")
    from harness.prompts import initial_messages

    messages = initial_messages(game, "A")
    chars = sum(-(-len(m.content) // 4) for m in messages)
    gpt = counter.tokenizer("openai/gpt-4o-2024-08-06")
    if gpt.label == "chars/4":
        pytest.skip("litellm is not importable here")
    assert (gpt.label, gpt.exact) == ("o200k_base", True)
    llama = counter.tokenizer("litellm/openrouter/meta-llama/llama-3.3-70b-instruct")
    assert (llama.label, llama.exact) == ("cl100k_base", False)  # not a Hugging Face download
    n = counter.count("openai/gpt-4o-2024-08-06", messages)
    assert n != chars and n == pytest.approx(chars, rel=0.25)
    assert counter.count("litellm/openrouter/meta-llama/llama-3.3-70b-instruct", messages) > 0


def test_number_formats():
    counts = (812, 12_345, 4_560_000, 123_456_789)
    assert [tokens_text(x) for x in counts] == ["812", "12.3k", "4.56M", "123M"]
    assert [duration_text(x) for x in (0.2, 42, 720, 3 * 3600 + 300, 2 * 86400 + 4 * 3600)] == [
        "<1 s",
        "42 s",
        "12 min",
        "3 h 05 min",
        "2 d 04 h",
    ]


def test_the_estimate_package_has_no_import_circle():
    import ast

    root = Path(__file__).resolve().parents[2] / "harness" / "estimate"
    names = {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        modules = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        graph[name] = {m.rsplit(".", 1)[-1] for m in modules if m.startswith("harness.estimate.")}
    done: set[str] = set()

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, " -> ".join((*stack, node))
        if node not in done:
            for dep in sorted(graph[node]):
                visit(dep, (*stack, node))
            done.add(node)

    for name in sorted(names):
        visit(name, ())
