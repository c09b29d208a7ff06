"""Refuse to pool results that measure different things into one store without being told to.

Two checks, both skipped with ``allow_mixed``:

* **identity conflict** — the store holds a match with the same ``(game, model_a, model_b,
  first_reviser, seed, repetition)`` as a job but another match id: the experiment changed something that
  defines the measurement (game ruleset or parameters, protocol settings, prompt / parser version,
  generation config) since those rows were written — e.g. a store of ruleset v1 results run again with
  the default ruleset v2;
* **mixing** — the store holds fingerprints this run does not produce *and* this run would add
  fingerprints the store does not hold: a different experiment is being written into it. (Resuming, or
  extending an experiment with more models / games / seeds, keeps every stored fingerprint and passes.)
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.experiments.jobs import MatchJob
from harness.store.store import ResultStore, StoreError


def plan_fingerprints(jobs: Iterable[MatchJob]) -> set[str]:
    """The fingerprints of ``jobs`` (a lazy plan knows them without making its jobs; others are read)."""
    known = getattr(jobs, "fingerprints", None)
    if callable(known):
        return set(known())
    return {job.fingerprint for job in jobs}


def check_store_compatible(store: ResultStore, jobs: Iterable[MatchJob], *, allow_mixed: bool) -> None:
    """Raise :class:`StoreError` (one line) if writing ``jobs`` into ``store`` would pool silently.

    ``jobs`` may be a lazy plan: it is read through once, and only when the store already holds matches
    (the identity check); the fingerprints come from :func:`plan_fingerprints`.
    """
    if allow_mixed:
        return
    stored = store.ids_by_identity()
    if stored:
        for job in jobs:
            ids = stored.get(job.identity)
            if ids and job.match_id not in ids:
                game, a, b, fr, seed, rep = job.identity
                row = store.match(sorted(ids)[0]) or {}
                what = (
                    f"the ruleset changed (stored: {row.get('ruleset')}, this run: {job.ruleset})"
                    if row.get("ruleset") not in (None, job.ruleset)
                    else "the experiment changed since (ruleset, settings, parameters, generation config or"
                    " prompt/parser version)"
                )
                raise StoreError(
                    f"{store.path}: {game} {a} vs {b} (first reviser {fr}, seed {seed}, repetition {rep}) is"
                    f" stored as match {sorted(ids)[0]} but this run defines it as {job.match_id}: {what};"
                    " use another --store, or --allow-mixed to keep both"
                )
    existing = store.fingerprints()
    wanted = plan_fingerprints(jobs)
    if existing and (existing - wanted) and (wanted - existing):
        raise StoreError(
            f"{store.path} holds results of other experiments (fingerprints {', '.join(sorted(existing)[:3])}"
            f"{'…' if len(existing) > 3 else ''}) that this run would mix with new ones"
            f" ({', '.join(sorted(wanted - existing)[:3])}); use another --store, or --allow-mixed"
        )
