"""``stratagem play``: one match with a live round-by-round transcript (the typer wiring is in ``run_cmd``).

The game is named ``GAME[@ruleset=R][,param=value,...]`` (:mod:`games.refs`); with no ruleset it plays
the default one. Every name is checked before a store is opened, so bad input writes nothing; with
``--store`` the store is opened, its writer lease taken and its compatibility checked before the match
header is printed, so a bad or busy store is one line and nothing is played.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from games.core.errors import StratagemError, UserError
from games.core.types import canonical_json

if TYPE_CHECKING:
    from games.refs import GameRef
    from harness.experiments.jobs import MatchJob
    from harness.store import ResultStore


# MatchSettings fields -> the play options that set them (for error messages).
_OPTION_NAMES = {
    "rounds": "--rounds",
    "revision": "--revision",
    "first_reviser": "--first-reviser",
    "feedback": "--feedback",
    "initial_attempts": "--initial-attempts",
    "invalid_plan_policy": "--invalid-plan-policy",
}


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def play_match(
    game: str,
    model_a: str,
    model_b: str,
    *,
    rounds: int,
    seed: int,
    feedback: str,
    revision: str,
    first_reviser: str,
    invalid_plan_policy: str,
    initial_attempts: int | None,
    show_prompts: bool,
    plan_schema: bool,
    store_path: str | None,
    allow_mixed: bool,
    wait: bool = False,
) -> int:
    """Play one match live and optionally store it; returns the exit code (4: the match was voided).

    Raises:
        UserError: Unknown game, ruleset, parameter, model or bad settings, a model without its API key,
            or a store that cannot be written or is being written by another process (one line; nothing
            written or played); a fatal provider error during the match.
    """
    from pydantic import ValidationError

    from games.refs import parse_game_ref
    from harness.experiments import build_job, takes_no_sampling_params
    from harness.experiments.names import check_model_name
    from harness.models.types import GenerateConfig
    from harness.plain_errors import validation_line
    from harness.protocol.settings import MatchSettings
    from harness.runner import check_store_compatible
    from harness.runner.preflight import check_credentials
    from harness.store import ResultStore

    ref = parse_game_ref(game)
    try:
        check_model_name(model_a)
        check_model_name(model_b)
        settings = MatchSettings(
            rounds=rounds,
            revision=revision,  # type: ignore[arg-type]  # checked by pydantic
            first_reviser=first_reviser,  # type: ignore[arg-type]
            feedback=feedback,  # type: ignore[arg-type]
            initial_attempts=initial_attempts,
            invalid_plan_policy=invalid_plan_policy,  # type: ignore[arg-type]
        )
    except ValidationError as exc:  # one plain line, not pydantic's message with its URL
        raise UserError(validation_line(exc, _OPTION_NAMES)) from None
    except ValueError as exc:
        raise UserError(" ".join(str(exc).split())) from None
    check_credentials([model_a, model_b])  # before a store is opened or the header printed
    base = GenerateConfig()

    def gen(model: str) -> GenerateConfig:
        return GenerateConfig(temperature=None, top_p=None) if takes_no_sampling_params(model) else base

    job = build_job(
        experiment="play",
        game=ref.name,
        params=ref.params or None,
        ruleset=ref.ruleset,
        model_a=model_a,
        model_b=model_b,
        settings=settings.model_dump(),
        generation_a=gen(model_a),
        generation_b=gen(model_b),
        base_generation=base,
        base_seed=seed,
        repetition=0,
        plan_schema_a=plan_schema,
        plan_schema_b=plan_schema,
        base_plan_schema=plan_schema,
    )
    g = ref.make()
    labels: dict[str, str] = {s.key: s.label for s in g.sides}
    console = Console()
    store = ResultStore(store_path) if store_path else None
    try:
        if store is not None:
            lease = store.acquire_lease(
                f"stratagem play {job.match_id[:12]}",
                wait=wait,
                on_wait=lambda line: _err().print(escape(line)),
            )
            if lease.took_over is not None:
                _err().print(escape(f"took over the writer lease of {lease.took_over}"))
            check_store_compatible(store, [job], allow_mixed=allow_mixed)
        return _play(job, ref, labels, console, store, model_a, model_b, seed, show_prompts)
    finally:
        if store is not None:
            store.close()


def _play(
    job: MatchJob,
    ref: GameRef,
    labels: dict[str, str],
    console: Console,
    store: ResultStore | None,
    model_a: str,
    model_b: str,
    seed: int,
    show_prompts: bool,
) -> int:
    """Print the header, play the match live and store it; returns the exit code (4: voided).

    Raises:
        FatalModelError: A fatal provider error (bad key, unknown model, bad request) voided the match.
    """
    from harness.protocol.transcript import LiveTranscript, match_header
    from harness.runner import play_job
    from harness.store import utc_now

    header = {
        "match_id": job.match_id,
        "game": ref.name,
        "ruleset": ref.ruleset,
        "model_a": model_a,
        "model_b": model_b,
        "seed": seed,
        **job.settings,
        "status": "playing",
        "winner": None,
    }
    console.print(match_header(header, labels))
    live = LiveTranscript(
        console, labels=labels, models={"A": model_a, "B": model_b}, show_prompts=show_prompts
    )
    try:
        started = utc_now()
        result = asyncio.run(play_job(job, on_round=live.on_round, on_decision=live.on_decision))
        winner = result.winner
        console.print(
            f"[bold]final winner: {escape(f'{winner} ({labels[winner]})' if winner else 'none')}[/bold]"
            f"  match {job.match_id}"
        )
        if store is not None:
            if job.match_id in store.finished_ids():
                _err().print(f"match {job.match_id} is already in {store.path}; not written again")
            else:
                config_json = canonical_json(
                    {"play": job.match_id, "game": str(ref), "a": model_a, "b": model_b}
                )
                run_id = store.start_run("play", config_json)
                store.write_match(
                    job, result, run_id=run_id, tries=1, started_at=started, finished_at=utc_now()
                )
                _err().print(f"stored as {job.match_id} in {store.path}")
    except StratagemError as exc:
        from harness.protocol.match import MatchVoided
        from harness.runner.preflight import EXIT_INCOMPLETE, fatal_stop, incomplete_line, is_fatal_void

        if isinstance(exc, MatchVoided):
            if is_fatal_void(exc):  # a bad key or model: exit 2 with what to do
                raise fatal_stop(exc, in_run=False) from None
            _err().print(f"[red]match voided:[/red] {escape(exc.reason)}")
            _err().print(escape(incomplete_line(1)))
            return EXIT_INCOMPLETE
        raise
    return 0
