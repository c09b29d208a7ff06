"""``stratagem check``: the CI regression gate (candidate vs baseline on paired matches, sequential test).

Exit codes: 0 pass, 1 fail (worse), 2 bad input (including a cassette miss in replay-only mode),
3 inconclusive (``--max-matches`` reached before the evidence decided). See ``docs/check.md``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from games.core.errors import ParameterError, UserError
from games.registry import game_names
from harness.gate.spec import GATE_METRICS, PANELS, SETTINGS, CheckSpec, gate_metric, parse_panel
from harness.models.settings import CACHE_MODES
from harness.models.types import CacheMiss
from metrics.sequential import SequentialDesign, SequentialResult

if TYPE_CHECKING:
    from harness.gate.baseline_store import BaselineStore

_STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def looks_like_store(value: str) -> bool:
    """Whether ``--baseline`` names a results store rather than a model."""
    return value.endswith(_STORE_SUFFIXES) or Path(value).is_file()


def infer_baseline_model(
    store: BaselineStore, candidate: str, panel: tuple[str, ...], given: str | None
) -> str:
    """The baseline's model name inside ``store``.

    ``--baseline-model`` wins; otherwise the one model of the store outside the panel, or the candidate's
    own name if the store holds it (a harness change checked against the previous harness's run).

    Raises:
        ParameterError: The store holds no suitable model or several (the message lists them).
    """
    models = store.models()
    if given is not None:
        if given not in models:
            raise ParameterError(
                f"--baseline-model {given!r} is not in {store.path}; it holds {', '.join(models)}"
            )
        return given
    outside = [m for m in models if m not in panel]
    if len(outside) == 1:
        return outside[0]
    if candidate in outside:
        return candidate
    raise ParameterError(
        f"cannot tell which model of {store.path} is the baseline "
        f"({', '.join(outside) or 'none outside the panel'}); pass --baseline-model"
    )


def register(app: typer.Typer) -> None:
    """Add ``check`` to ``app``."""

    @app.command("check")
    def check(
        candidate: Annotated[str, typer.Option(help="The model under test (provider/model@k=v).")],
        baseline: Annotated[
            str,
            typer.Option(help="The reference: a model name, or a results store (.sqlite) of a previous run."),
        ],
        panel: Annotated[
            str,
            typer.Option(
                help=f"Opponents both play: comma-separated model names, or one of {', '.join(PANELS)}."
            ),
        ] = "bots",
        game: Annotated[
            list[str] | None,
            typer.Option(
                help="Game to play, GAME[@ruleset=R] (repeatable; default: every game, ruleset v2)."
            ),
        ] = None,
        metric: Annotated[
            str, typer.Option(help=f"Gated metric: {', '.join(GATE_METRICS)} (stratagem definitions).")
        ] = "wr",
        max_matches: Annotated[
            int, typer.Option(help="Budget: matches of both arms together; inconclusive when reached.")
        ] = 400,
        alpha: Annotated[
            float, typer.Option(help="Max P(pass) if the candidate is worse by the margin.")
        ] = 0.05,
        beta: Annotated[
            float, typer.Option(help="Max P(fail) if the candidate is as good as the baseline.")
        ] = 0.05,
        margin: Annotated[float, typer.Option(help="Tolerated regression of the metric (0 < M < 1).")] = 0.1,
        baseline_model: Annotated[
            str | None,
            typer.Option(help="The baseline's model name inside a --baseline store (inferred if unique)."),
        ] = None,
        settings: Annotated[
            str,
            typer.Option(help="paper: 2 sides x 2 first revisers (4 matches per arm and pair); sides: 2."),
        ] = "paper",
        rounds: Annotated[int, typer.Option(help="Rounds per match.")] = 10,
        seed: Annotated[
            int, typer.Option(help="First seed (pairs cycle through games x panel, then seed+1).")
        ] = 0,
        batch: Annotated[
            int | None,
            typer.Option(help="Pairs per batch between looks (default: one cycle of games x panel)."),
        ] = None,
        cache: Annotated[str, typer.Option(help=f"Response cache mode: {', '.join(CACHE_MODES)}.")] = "off",
        cache_path: Annotated[Path, typer.Option(help="Response cache / cassette file.")] = Path(
            "results/model_cache.sqlite"
        ),
        store: Annotated[
            Path | None,
            typer.Option(help="Store for the matches played (resumable; default: a temporary file)."),
        ] = None,
        json_out: Annotated[
            Path | None, typer.Option("--json", help="Write the verdict table as JSON here.")
        ] = None,
        concurrency: Annotated[int, typer.Option(help="Matches in flight.")] = 8,
        quiet: Annotated[bool, typer.Option(help="Only the verdict table, no progress lines.")] = False,
    ) -> None:
        """Gate a candidate against a baseline: pass (exit 0), fail (1), inconclusive (3), bad input (2)."""
        # Imported here, not at start-up: they load pandas, and every other command would pay for it.
        from harness.gate.baseline_store import BaselineStore
        from harness.gate.check import run_check

        console = Console()
        if not console.is_terminal:  # CI logs: room for the whole verdict table
            console = Console(width=120)
        if settings not in SETTINGS:
            raise ParameterError(f"unknown --settings {settings!r}; known: {', '.join(SETTINGS)}")
        if cache not in CACHE_MODES:
            raise ParameterError(f"unknown --cache {cache!r}; known: {', '.join(CACHE_MODES)}")
        if cache == "replay-only" and not cache_path.is_file():
            raise ParameterError(f"--cache replay-only needs a cassette, but {cache_path} does not exist")
        panel_models = parse_panel(panel)
        baseline_store: Path | None = None
        baseline_name = baseline
        if looks_like_store(baseline):
            baseline_store = Path(baseline)
            baseline_name = infer_baseline_model(
                BaselineStore.open(baseline_store), candidate, panel_models, baseline_model
            )
        elif baseline_model is not None:
            raise ParameterError("--baseline-model only applies when --baseline is a results store")
        spec = CheckSpec(
            candidate=candidate,
            baseline=baseline_name,
            panel=panel_models,
            games=tuple(game) if game else tuple(game_names()),
            metric=gate_metric(metric),
            design=SequentialDesign(margin=margin, alpha=alpha, beta=beta),
            max_matches=max_matches,
            settings=SETTINGS[settings],
            rounds=rounds,
            seed=seed,
            batch_pairs=batch,
            baseline_store=baseline_store,
            store=store,
            cache_mode=cache,  # checked against CACHE_MODES above
            cache_path=cache_path,
            concurrency=concurrency,
        )
        if cache != "replay-only":  # a replayed check calls no provider, so it needs no key
            from harness.runner.preflight import check_credentials

            check_credentials([candidate, *panel_models, *([] if baseline_store else [baseline_name])])

        def progress(result: SequentialResult, played: int) -> None:
            if not quiet:
                console.print(
                    f"[dim]after {result.n_pairs} pairs ({played} matches played): "
                    f"mean difference {result.mean_diff:+.3f}, evidence pass "
                    f"{result.log_capital_pass:.2f}/{result.pass_threshold:.2f}, fail "
                    f"{result.log_capital_fail:.2f}/{result.fail_threshold:.2f} -> {result.verdict}[/dim]",
                    highlight=False,
                )

        try:
            report = asyncio.run(run_check(spec, on_batch=progress))
        except CacheMiss as exc:
            # Replay-only and the cassette lacks a request: the harness asks something new. Bad input.
            raise UserError(
                f"cassette miss (replay-only): {exc}. The check asks something {cache_path} does not "
                "hold (other arguments, or the prompts changed since it was recorded); re-record it "
                "(docs/check.md)"
            ) from None
        console.print(report.renderable())
        if json_out is not None:
            report.write_json(json_out)
        sys.stdout.flush()
        raise typer.Exit(report.exit_code)
