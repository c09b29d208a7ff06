"""The asyncio runner end to end: bots and scripted models, all games, protocol options, voids, resume."""

from __future__ import annotations

import asyncio
import itertools
import threading

import pytest
from scripted_plans import example_reply, plan_reply

from harness.experiments import expand, parse_experiment
from harness.models import Fatal, RetryPolicy, Transient, register_script
from harness.models.settings import ModelSettings
from harness.models.types import CacheMiss
from harness.runner import RunOptions, RunStats, run_jobs
from harness.runner.preflight import FatalModelError
from harness.store import ResultStore, export_store

GAMES = ["tower_defense", "battle_card", "elemental_duel"]


def config(text: str):
    return parse_experiment(text, "t.yaml", default_name="t")


def fast_settings(**kw) -> ModelSettings:
    return ModelSettings(retry=RetryPolicy(max_attempts=1, base_backoff_s=0.0), **kw)


def run(cfg, path, **opts):
    jobs = expand(cfg)
    with ResultStore(path) as store:
        run_id = store.start_run(cfg.name, "{}")
        opts.setdefault("model_settings", fast_settings())
        stats = run_jobs(jobs, store, run_id=run_id, options=RunOptions(progress=False, **opts))
    return jobs, stats


def expected_rounds(game: str, rounds: int) -> int:
    return rounds if game == "tower_defense" else rounds + 1


@pytest.fixture(autouse=True)
def scripts():
    register_script("planner", plan_reply)
    register_script("example", example_reply)


@pytest.mark.parametrize(
    "protocol",
    [
        "{rounds: 3}",
        "{rounds: 3, revision: simultaneous, feedback: detailed}",
        "{rounds: 2, revision: none, invalid_plan_policy: empty}",
        "{rounds: 3, invalid_plan_policy: forfeit, initial_attempts: 2}",
        "{rounds: 3, initial_plans: shared}",
    ],
)
def test_scripted_models_and_bots_all_games(tmp_path, protocol):
    cfg = config(
        f"""\
games: [{", ".join(GAMES)}]
models: [scripted/planner, scripted/example, bot/greedy, bot/search@sims=8]
pairing: {{mode: vs_panel, panel: [bot/greedy, scripted/example]}}
settings: [{{side: A, first_reviser: A}}, {{side: B, first_reviser: B}}]
protocol: {protocol}
"""
    )
    jobs, stats = run(cfg, tmp_path / "s.sqlite", max_matches=8)
    assert stats.finished == len(jobs) == 3 * (4 * 2 - 0) * 2
    assert stats.voided == 0 and not stats.interrupted
    with ResultStore(tmp_path / "s.sqlite") as store:
        assert store.finished_ids() == {j.match_id for j in jobs}
        for job in jobs:
            m = store.match(job.match_id)
            rounds = store.rounds(job.match_id)
            decisions = store.decisions(job.match_id)
            assert m["n_rounds"] == len(rounds) == expected_rounds(job.game, job.settings["rounds"])
            assert m["winner"] == rounds[-1]["winner"]
            assert [d["seq"] for d in decisions] == list(range(len(decisions)))
            assert {d["model"] for d in decisions} <= {job.model_a, job.model_b}
            llm = [d for d in decisions if d["model"].startswith("scripted/") and not d["reused"]]
            assert m["input_tokens"] == sum(d["input_tokens"] for d in llm)
            if job.settings["revision"] == "none":
                assert all(d["phase"] == "initial" for d in decisions)
        if "shared" in protocol:
            reused = store.query("SELECT COUNT(*) FROM decisions WHERE reused=1")[0][0]
            assert reused > 0


def test_voided_matches_are_requeued_a_bounded_number_of_times(tmp_path):
    calls = itertools.count()
    lock = threading.Lock()

    def flaky(messages):
        with lock:
            n = next(calls)
        if n == 0:  # the very first call of the run fails: that match is voided once, then replayed
            raise Transient("boom")
        return plan_reply(messages)

    def broken(messages):
        raise Transient("always down")

    register_script("flaky", flaky)
    register_script("broken", broken)
    cfg = config(
        """\
games: [battle_card]
models: [scripted/flaky, scripted/broken]
pairing: {mode: pairs, pairs: [[scripted/flaky, bot/greedy], [scripted/broken, bot/greedy]]}
settings: [{side: A, first_reviser: A}]
protocol: {rounds: 2}
max_tries: 3
"""
    )
    jobs, stats = run(cfg, tmp_path / "s.sqlite", max_matches=1, max_tries=3)
    flaky_job, broken_job = jobs
    assert stats.finished == 1 and stats.voided == 1
    assert stats.requeued == 1 + 2  # flaky once; broken twice before its last try
    assert stats.failures["void"] == 1 + 3
    with ResultStore(tmp_path / "s.sqlite") as store:
        ok = store.match(flaky_job.match_id)
        assert ok["status"] == "finished" and ok["tries"] == 2 and ok["winner"] in ("A", "B", None)
        bad = store.match(broken_job.match_id)
        assert bad["status"] == "voided" and bad["tries"] == 3
        assert "always down" in bad["void_reason"]
        assert store.rounds(broken_job.match_id) == []
        assert store.decisions(broken_job.match_id)[-1]["failure_class"] == "infra_error"
        assert store.finished_ids() == {flaky_job.match_id}
    # a later run retries the voided match; its tries keep counting
    register_script("broken", plan_reply)
    jobs, stats = run(cfg, tmp_path / "s.sqlite", max_matches=1, max_tries=3)
    assert stats.skipped == 1 and stats.finished == 1
    with ResultStore(tmp_path / "s.sqlite") as store:
        again = store.match(broken_job.match_id)
        assert again["status"] == "finished" and again["tries"] == 4


def test_a_fatal_error_stops_the_run_at_once_and_writes_nothing_for_it(tmp_path):
    """A bad key would fail in every match: the first one stops the run (one call), nothing is voided."""
    calls = itertools.count()

    def unauthorised(messages):
        next(calls)
        raise Fatal("openai: AuthenticationError: Error code: 401 - {'error': {'message': 'bad key'}}")

    register_script("unauthorised", unauthorised)
    cfg = config(
        """\
games: [battle_card]
models: [scripted/unauthorised]
pairing: {mode: pairs, pairs: [[scripted/unauthorised, bot/greedy], [scripted/unauthorised, bot/random]]}
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: B}]
protocol: {rounds: 2}
seeds: [0, 1]
max_tries: 3
"""
    )
    with pytest.raises(FatalModelError) as info:
        run(cfg, tmp_path / "s.sqlite", max_matches=1, max_tries=3)
    assert next(calls) == 1, "one provider call, not one per match or per try"
    message = str(info.value)
    assert "\n" not in message and info.value.model == "scripted/unauthorised"
    assert "refused the credentials (HTTP 401: bad key)" in message and "then rerun" in message
    with ResultStore(tmp_path / "s.sqlite") as store:
        assert list(store.iter_matches()) == []  # a rerun after the fix plays every match


def test_resume_skips_finished_and_equals_an_uninterrupted_run(tmp_path):
    cfg = config(
        """\
games: [tower_defense, battle_card, elemental_duel]
models: [bot/random, bot/greedy, bot/search@sims=8]
protocol: {rounds: 3}
seeds: [0, 1]
"""
    )
    jobs = expand(cfg)
    with ResultStore(tmp_path / "part.sqlite") as store:
        run_jobs(jobs[::3], store, run_id="r1", options=RunOptions(progress=False))
    _, stats = run(cfg, tmp_path / "part.sqlite")
    assert stats.skipped == len(jobs[::3]) and stats.finished == len(jobs) - len(jobs[::3])
    run(cfg, tmp_path / "full.sqlite")
    for name in ("part", "full"):
        export_store(tmp_path / f"{name}.sqlite", tmp_path / f"{name}-csv", "csv")
    for table in ("matches", "rounds", "decisions"):
        a = (tmp_path / "part-csv" / f"{table}.csv").read_bytes()
        b = (tmp_path / "full-csv" / f"{table}.csv").read_bytes()
        assert a == b, table


def test_determinism_same_config_same_exports(tmp_path):
    cfg = config(
        """\
games: [tower_defense, battle_card, elemental_duel]
models: [bot/random, bot/search@sims=8, scripted/planner]
protocol: {rounds: 3, feedback: detailed}
seeds: [3]
repetitions: 2
"""
    )
    for name in ("one", "two"):
        run(cfg, tmp_path / f"{name}.sqlite", max_matches=5 if name == "one" else 1)
        for fmt in ("csv", "parquet"):
            export_store(tmp_path / f"{name}.sqlite", tmp_path / f"{name}-{fmt}", fmt)
    for fmt in ("csv", "parquet"):
        for table in ("matches", "rounds", "decisions"):
            a = (tmp_path / f"one-{fmt}" / f"{table}.{fmt}").read_bytes()
            b = (tmp_path / f"two-{fmt}" / f"{table}.{fmt}").read_bytes()
            assert a == b, (fmt, table)


def test_repetitions_of_bot_matches_differ(tmp_path):
    cfg = config(
        """\
games: [battle_card]
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}]
protocol: {rounds: 2}
repetitions: 3
"""
    )
    jobs, _ = run(cfg, tmp_path / "s.sqlite")
    with ResultStore(tmp_path / "s.sqlite") as store:
        initial_plans = {store.decisions(j.match_id)[0]["plan"] for j in jobs}
    assert len(initial_plans) > 1  # bot/random on side A draws from a different seed each repetition


def test_replay_only_cache_miss_stops_the_run_after_writing_what_finished(tmp_path):
    cfg = config(
        """\
games: [battle_card]
models: [bot/random, bot/greedy, scripted/planner]
settings: [{side: A, first_reviser: A}]
protocol: {rounds: 2}
"""
    )
    settings = fast_settings(cache_mode="replay-only", cache_path=tmp_path / "empty-cache.sqlite")
    jobs = expand(cfg)
    with ResultStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(CacheMiss):
            run_jobs(
                jobs,
                store,
                run_id="r",
                options=RunOptions(progress=False, max_matches=1, model_settings=settings),
            )
        finished = store.finished_ids()
    bot_only = {j.match_id for j in jobs if j.bot_only}
    assert finished == bot_only  # the bot match came first and was kept; nothing half-written


def test_stats_progress_view_runs_without_a_terminal(tmp_path):
    cfg = config("games: [battle_card]\nmodels: [bot/random, bot/greedy]\nprotocol: {rounds: 2}\n")
    stats = RunStats()
    with ResultStore(tmp_path / "s.sqlite") as store:
        run_jobs(expand(cfg), store, run_id="r", options=RunOptions(progress=True), stats=stats)
    assert stats.done == stats.total == 4
    assert stats.rounds == 4 * 3
    assert "4/4 matches" in stats.summary()


def test_runs_inside_an_existing_event_loop(tmp_path):
    """``run_jobs_async`` works from library code that owns the loop (no signal handler there)."""
    from harness.runner import run_jobs_async

    cfg = config("games: [elemental_duel]\nmodels: [bot/random, bot/greedy]\nprotocol: {rounds: 1}\n")

    async def main():
        with ResultStore(tmp_path / "s.sqlite") as store:
            return await run_jobs_async(
                expand(cfg), store, run_id="r", options=RunOptions(progress=False, handle_sigint=False)
            )

    assert asyncio.run(main()).finished == 4


def test_model_settings_from_the_experiment():
    from harness.runner import model_settings_for

    cfg = config(
        "games: [battle_card]\nmodels: [openai/gpt-4.1, bot/greedy]\n"
        "concurrency: {openai: 16, default: 3}\ncache: {mode: replay-only, path: c.sqlite}\n"
        "http_backend: httpx\n"
    )
    s = model_settings_for(cfg.concurrency, cfg.cache.mode, cfg.cache.path, cfg.http_backend)
    assert s.limit_for("openai") == 16 and s.limit_for("anthropic") == 3
    assert s.cache_mode == "replay-only" and str(s.cache_path) == "c.sqlite"
    assert s.http_backend == "httpx"
    assert config("games: [battle_card]\nmodels: [bot/random, bot/greedy]\n").http_backend == "aiohttp"


def test_progress_bar_shows_counts_failures_and_spend():
    import io

    from rich.console import Console

    from harness.runner import ProgressView

    buf = io.StringIO()
    stats = RunStats(total=10, skipped=2, finished=3)
    stats.failures["unparseable"] += 2
    stats.add_cost(0.5)
    stats.add_cost(None)
    with ProgressView(stats, enabled=True, console=Console(file=buf, force_terminal=True, width=160)) as view:
        view.update()
    out = buf.getvalue()
    assert "5/10" in out and "unparseable 2" in out and "≥ $0.5000" in out
