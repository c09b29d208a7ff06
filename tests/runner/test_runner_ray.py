"""The Ray executor: the same stored results as the asyncio runner, resume, shared plans, clear errors.

The tests that start Ray are marked ``ray`` and skip without the ``[ray]`` extra; one local Ray instance
(2 CPUs) serves the whole module. The pure parts (affinity groups, split limits, errors) always run.
"""

from __future__ import annotations

import filecmp
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_plans import plan_reply

from games.core.errors import UserError
from harness.experiments import expand, parse_experiment
from harness.models import ChatMessage, RetryPolicy
from harness.models.settings import ModelSettings
from harness.runner import RunOptions, RunStats, run_jobs
from harness.runner.ray_executor import RAY_MISSING, affinity_groups, run_jobs_ray, worker_settings
from harness.store import ResultStore, export_store
from harness.testing.provider_server import ProviderServer, Reply

BOTS = """\
games: [tower_defense, battle_card, elemental_duel]
models: [bot/random, bot/greedy, bot/search@sims=4]
protocol: {rounds: 3}
seeds: [0, 1]
"""


def config(text: str):
    return parse_experiment(text, "t.yaml", default_name="t")


def play(cfg, path: Path, *, ray: bool, settings: ModelSettings | None = None, **opts) -> RunStats:
    jobs = expand(cfg)
    options = RunOptions(progress=False, model_settings=settings, **opts)
    with ResultStore(path) as store:
        run_id = store.start_run(cfg.name, "{}")
        if ray:
            return run_jobs_ray(jobs, store, run_id=run_id, options=options, workers=2)
        return run_jobs(jobs, store, run_id=run_id, options=options)


def same_exports(a: Path, b: Path, tmp_path: Path) -> None:
    files_a = export_store(a, tmp_path / "export_a", "csv")
    files_b = export_store(b, tmp_path / "export_b", "csv")
    assert [f.name for f in files_a] == [f.name for f in files_b]
    for fa, fb in zip(files_a, files_b, strict=True):
        assert filecmp.cmp(fa, fb, shallow=False), f"{fa.name} differs"


# ------------------------------------------------------------------------------------- pure parts
def test_affinity_groups_join_matches_that_can_share_an_initial_plan():
    cfg = config(
        "games: [battle_card, elemental_duel]\nmodels: [local/m1, local/m2]\n"
        "pairing: {mode: vs_panel, panel: [local/p1, local/p2]}\n"
        "protocol: {rounds: 1, initial_plans: shared}\n"
    )
    jobs = expand(cfg)
    groups = affinity_groups(jobs)
    assert set(groups) == {j.match_id for j in jobs}
    by_key: dict[tuple[str, str, str], set[int]] = {}
    for job in jobs:
        for model, side in ((job.model_a, "A"), (job.model_b, "B")):
            by_key.setdefault((model, side, job.game), set()).add(groups[job.match_id])
    assert all(len(g) == 1 for g in by_key.values())  # a plan's matches are never split
    # The panel links every model playing one side of one game: 2 groups per game, none across games.
    per_game = {game: {groups[j.match_id] for j in jobs if j.game == game} for game in cfg_games(cfg)}
    assert all(len(g) == 2 for g in per_game.values())
    assert not per_game["battle_card"] & per_game["elemental_duel"]


def cfg_games(cfg) -> list[str]:
    return [g.name for g in cfg.games]


def test_affinity_groups_ignore_matches_without_shared_plans():
    assert affinity_groups(expand(config(BOTS))) == {}


def test_worker_settings_split_provider_limits_between_workers():
    settings = ModelSettings(
        concurrency={"openai": 16, "local": 1}, default_concurrency=8, http_backend="httpx"
    )
    spec = worker_settings(settings, 3)
    assert spec["concurrency"] == {"openai": 5, "local": 1} and spec["default_concurrency"] == 2
    assert spec["http_backend"] == "httpx"
    rebuilt = ModelSettings(**spec)  # what a worker does with it
    assert rebuilt.limit_for("openai") == 5


def test_without_ray_the_executor_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(UserError, match=r"needs Ray: pip install -e \"\.\[ray\]\""):
        play(config(BOTS), tmp_path / "s.sqlite", ray=True)
    assert RAY_MISSING.startswith("the ray executor")


def test_scripted_models_are_refused_before_anything_runs(tmp_path):
    cfg = config("games: [battle_card]\nmodels: [scripted/x, bot/greedy]\nprotocol: {rounds: 1}\n")
    with pytest.raises(UserError, match="scripted/x lives in this process only"):
        play(cfg, tmp_path / "s.sqlite", ray=True)
    with ResultStore(tmp_path / "s.sqlite") as store:
        assert store.finished_ids() == set()


# ------------------------------------------------------------------------------------- on Ray
@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.ray
@pytest.mark.slow
def test_bots_on_ray_store_what_the_asyncio_runner_stores(ray_cluster, tmp_path):
    cfg = config(BOTS)
    plain = play(cfg, tmp_path / "asyncio.sqlite", ray=False)
    on_ray = play(cfg, tmp_path / "ray.sqlite", ray=True)
    assert on_ray.finished == plain.finished == len(expand(cfg)) and on_ray.voided == 0
    assert on_ray.rounds == plain.rounds
    same_exports(tmp_path / "asyncio.sqlite", tmp_path / "ray.sqlite", tmp_path)


@pytest.mark.ray
@pytest.mark.slow
def test_ray_resumes_a_partly_played_store(ray_cluster, tmp_path):
    cfg = config(BOTS)
    jobs = expand(cfg)
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as store:  # the first five matches, as a killed run would have left them
        run_jobs(jobs[:5], store, run_id=store.start_run("t", "{}"), options=RunOptions(progress=False))
    stats = play(cfg, path, ray=True)
    assert (stats.skipped, stats.finished) == (5, len(jobs) - 5)
    play(cfg, tmp_path / "fresh.sqlite", ray=False)
    same_exports(path, tmp_path / "fresh.sqlite", tmp_path)


def _server_plan(record) -> str:
    return plan_reply([ChatMessage(str(m["role"]), str(m["content"])) for m in record.messages])


@pytest.mark.ray
@pytest.mark.slow
def test_shared_initial_plans_over_http_match_the_asyncio_runner(ray_cluster, tmp_path):
    """LLM-side matches through the real openai SDK: one initial plan per model, side and game."""
    cfg = config(
        "games: [battle_card, elemental_duel]\nmodels: [local/m1, local/m2, local/m3]\n"
        "pairing: {mode: vs_panel, panel: [local/p1, bot/greedy]}\n"
        "protocol: {rounds: 2, initial_plans: shared}\n"
    )
    with ProviderServer(default=Reply.ok("{}")) as server:
        server.reply_fn = _server_plan
        settings = ModelSettings(
            base_urls={"local": server.openai_base_url}, retry=RetryPolicy(max_attempts=2, base_backoff_s=0.0)
        )
        plain = play(cfg, tmp_path / "asyncio.sqlite", ray=False, settings=settings, max_matches=8)
        calls_plain = server.count()
        on_ray = play(cfg, tmp_path / "ray.sqlite", ray=True, settings=settings, max_matches=8)
        calls_ray = server.count() - calls_plain
    assert on_ray.finished == plain.finished == len(expand(cfg)) and on_ray.voided == 0
    assert calls_ray == calls_plain  # no initial plan made twice
    same_exports(tmp_path / "asyncio.sqlite", tmp_path / "ray.sqlite", tmp_path)
    with ResultStore(tmp_path / "ray.sqlite") as store:
        made = store.query(
            "SELECT COUNT(*) FROM decisions WHERE phase='initial' AND reused=0 AND model LIKE 'local/%'"
        )
    # m1..m3 and p1 play both sides of both games: 4 models x 2 sides x 2 games initial plans, once each.
    assert made[0][0] == 4 * 2 * 2


# ------------------------------------------------------------------------------------- the CLI
SMALL = """\
name: small
games: [battle_card, elemental_duel]
models: [bot/random, bot/greedy]
protocol: {rounds: 2}
"""


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_cli_without_ray_is_one_clear_line_and_writes_nothing(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from harness.cli.app import app

    (tmp_path / "small.yaml").write_text(SMALL)
    monkeypatch.setitem(sys.modules, "ray", None)
    store = tmp_path / "s.sqlite"
    result = CliRunner().invoke(
        app, ["run", str(tmp_path / "small.yaml"), "--store", str(store), "--executor", "ray"]
    )
    assert result.exit_code == 2
    assert 'pip install -e ".[ray]"' in one_line(result.output)
    assert not store.exists()


def test_cli_help_explains_the_executor_options():
    from typer.testing import CliRunner

    from harness.cli.app import app

    text = " ".join(CliRunner().invoke(app, ["run", "--help"]).output.split())
    assert "--executor" in text and "--workers" in text and "--ray-address" in text


@pytest.mark.ray
@pytest.mark.slow
def test_cli_run_on_ray_then_resume_is_a_no_op(ray_cluster, tmp_path):
    from typer.testing import CliRunner

    from harness.cli.app import app

    (tmp_path / "small.yaml").write_text(SMALL)
    args = [
        "run",
        str(tmp_path / "small.yaml"),
        "--store",
        str(tmp_path / "s.sqlite"),
        "--executor",
        "ray",
        "-q",
    ]
    assert CliRunner().invoke(app, [*args, "--workers", "2"]).exit_code == 0
    with ResultStore(tmp_path / "s.sqlite") as store:
        assert len(store.finished_ids()) == len(expand(config(SMALL)))
    again = CliRunner().invoke(app, [*args[:-1]])
    assert again.exit_code == 0 and "0 played now" in again.output
