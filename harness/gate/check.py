"""The loop of a check: plan a batch of pairs, play what is missing, evaluate, test, stop or go on.

Each batch plays the candidate's matches and — unless a baseline store stands in — the baseline's, through
the experiment runner into the check's store (so a re-run with the same ``--store`` resumes, and the store
can be tonight's baseline tomorrow). After the batch the gated metric is computed per pair from the stored
round records and the sequential test (:mod:`metrics.sequential`) runs on all differences so far, in planned
order. The check stops at the first crossing, or ends inconclusive when the next batch would exceed
``--max-matches``. Pairs are always evaluated whole and in order, so the verdict depends only on the
outcomes, never on timing or on whether the baseline was replayed or read from a store.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from games.core.errors import UserError
from harness.experiments.jobs import MatchJob
from harness.gate.baseline_store import BaselineStore
from harness.gate.pair_values import ArmValue, arm_values, oriented_difference
from harness.gate.pairs import ArmMatch, Pair, arm_matches, plan_pairs
from harness.gate.report import CheckReport, FinalVerdict, PairOutcome
from harness.gate.spec import CheckSpec
from metrics.load import load_store
from metrics.sequential import SequentialResult, sequential_test

#: Plays jobs into the store at the given path (the runner by default: :class:`RunnerPlayer`).
Player = Callable[[Sequence[MatchJob], CheckSpec, Path], Awaitable[None]]
#: Called after every batch with the test's state (for progress output).
OnBatch = Callable[[SequentialResult, int], None]


class IncompleteBatchError(UserError):
    """A match of a batch did not finish (voided by infrastructure failures beyond its re-queues).

    Not a verdict: the CLI reports it as exit code 2 so CI does not mistake it for pass or fail.
    """


def default_player(spec: CheckSpec) -> Player:
    """The experiment runner, guarding the store against every fingerprint of the check."""
    from harness.gate.runner_bridge import RunnerPlayer

    first_cycle = [m.job for p in plan_pairs(spec, 0, spec.cycle) for m in arm_matches(spec, p)]
    if spec.baseline_store is not None:
        first_cycle = [j for j in first_cycle if spec.candidate in (j.model_a, j.model_b)]
    return RunnerPlayer(spec, first_cycle)


async def run_check(
    spec: CheckSpec,
    *,
    player: Player | None = None,
    on_batch: OnBatch | None = None,
) -> CheckReport:
    """Run the check to a verdict.

    Args:
        spec: The validated check.
        player: How jobs get played (``None``: the experiment runner, :func:`default_player`).
        on_batch: Progress callback, called after each batch with the test state and matches played.

    Returns:
        The report (its ``exit_code`` is the process's).

    Raises:
        UserError: Bad baseline store, a cache miss in replay-only mode, and other bad input.
    """
    baseline = BaselineStore.open(spec.baseline_store) if spec.baseline_store is not None else None
    with tempfile.TemporaryDirectory(prefix="stratagem-check-") as tmp:
        store_path = spec.store if spec.store is not None else Path(tmp) / "check.sqlite"
        return await _loop(spec, baseline, store_path, player or default_player(spec), on_batch)


def _finished_ids(store_path: Path) -> set[str]:
    if not store_path.is_file():
        return set()
    mt = load_store(store_path).matches
    return set(mt.loc[mt["status"] == "finished", "match_id"].astype(str))


async def _loop(
    spec: CheckSpec,
    baseline: BaselineStore | None,
    store_path: Path,
    player: Player,
    on_batch: OnBatch | None,
) -> CheckReport:
    outcomes: list[PairOutcome] = []
    played = reused = 0
    next_pair = 0
    while True:
        count = min(spec.pairs_per_batch, spec.max_pairs - next_pair)
        pairs = plan_pairs(spec, next_pair, count)
        next_pair += count
        matches = [m for p in pairs for m in arm_matches(spec, p)]
        cand = [m for m in matches if m.arm == "candidate"]
        base = [m for m in matches if m.arm == "baseline"]
        if baseline is not None:
            base = baseline.resolve(base)
            reused += len(base)
        to_play = cand if baseline is not None else cand + base
        done = _finished_ids(store_path)
        jobs = list({m.job.match_id: m.job for m in to_play if m.job.match_id not in done}.values())
        reused += len({m.job.match_id for m in to_play}) - len(jobs)
        if jobs:
            await player(jobs, spec, store_path)
            played += len(jobs)
        outcomes += _evaluate(spec, pairs, cand, base, store_path, baseline)
        diffs = [o.diff for o in outcomes if o.diff is not None]
        final = next_pair >= spec.max_pairs
        result = sequential_test(diffs, spec.design, final=final)
        if on_batch is not None:
            on_batch(result, played)
        if result.verdict != "continue":
            verdict: FinalVerdict = result.verdict
            return CheckReport(
                spec=spec,
                verdict=verdict,
                test=result,
                pairs=outcomes,
                matches_played=played,
                matches_reused=reused,
                baseline_source="replayed" if baseline is None else str(baseline.path),
                notes=tuple(baseline.notes) if baseline is not None else (),
            )


def _evaluate(
    spec: CheckSpec,
    pairs: list[Pair],
    cand: list[ArmMatch],
    base: list[ArmMatch],
    store_path: Path,
    baseline: BaselineStore | None,
) -> list[PairOutcome]:
    frames = load_store(store_path)
    values = arm_values(frames, cand, spec.metric)
    values.update(arm_values(baseline.frames if baseline is not None else frames, base, spec.metric))
    out: list[PairOutcome] = []
    for p in pairs:
        c, b = values[(p.index, "candidate")], values[(p.index, "baseline")]
        _require_complete(p, c, b)
        defined = not (math.isnan(c.value) or math.isnan(b.value))
        diff = oriented_difference(spec.metric, c.value, b.value) if defined else None
        out.append(PairOutcome(p, c.value, b.value, c.n, b.n, diff))
    return out


def _require_complete(pair: Pair, c: ArmValue, b: ArmValue) -> None:
    # A match voided beyond its re-queues (infrastructure failures) leaves a hole; scoring the pair without
    # it would bias the pair, skipping it silently would hide the failure.
    for arm, v in (("candidate", c), ("baseline", b)):
        if not v.complete:
            raise IncompleteBatchError(
                f"pair {pair.index} ({pair.game} vs {pair.opponent}, seed {pair.seed}): a {arm} match did "
                "not finish (voided after its re-queues: infrastructure errors); re-run the same command "
                "with --store to resume"
            )
