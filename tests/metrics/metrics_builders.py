"""Build store frames / SQLite stores with exactly the docs/records.md schema, for the metrics tests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics.load import StoreFrames

MATCH_COLS = [
    "match_id",
    "run_id",
    "fingerprint",
    "game",
    "ruleset",
    "params_json",
    "model_a",
    "model_b",
    "rounds",
    "revision",
    "first_reviser",
    "feedback",
    "settings_json",
    "seed",
    "repetition",
    "status",
    "void_reason",
    "tries",
    "winner",
    "n_rounds",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "started_at",
    "finished_at",
]
ROUND_COLS = [
    "match_id",
    "round",
    "label",
    "plan_a",
    "plan_b",
    "cost_a",
    "cost_b",
    "budget_a",
    "budget_b",
    "violations_a",
    "violations_b",
    "raw_winner",
    "winner",
    "reviser",
    "changed_a",
    "changed_b",
    "cost_changed_a",
    "cost_changed_b",
    "summary",
]
DECISION_COLS = [
    "match_id",
    "seq",
    "side",
    "model",
    "phase",
    "round",
    "attempt",
    "failure_class",
    "raw_text",
    "parse_error",
    "plan",
    "cost",
    "violations",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_usd",
    "latency_s",
    "cache_hit",
    "attempts",
    "reused",
]

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE runs (run_id TEXT PRIMARY KEY, experiment TEXT, config_json TEXT, stratagem_version TEXT,
  created_at TEXT);
CREATE TABLE matches (match_id TEXT PRIMARY KEY, run_id TEXT, fingerprint TEXT, game TEXT, ruleset TEXT,
  params_json TEXT, model_a TEXT, model_b TEXT, rounds INTEGER, revision TEXT, first_reviser TEXT,
  feedback TEXT, settings_json TEXT, seed INTEGER, repetition INTEGER, status TEXT, void_reason TEXT,
  tries INTEGER, winner TEXT, n_rounds INTEGER, input_tokens INTEGER, output_tokens INTEGER, cost_usd REAL,
  started_at TEXT, finished_at TEXT);
CREATE TABLE rounds (match_id TEXT, round INTEGER, label INTEGER, plan_a TEXT, plan_b TEXT, cost_a INTEGER,
  cost_b INTEGER, budget_a INTEGER, budget_b INTEGER, violations_a TEXT, violations_b TEXT, raw_winner TEXT,
  winner TEXT, reviser TEXT, changed_a INTEGER, changed_b INTEGER, cost_changed_a INTEGER,
  cost_changed_b INTEGER, summary TEXT, PRIMARY KEY (match_id, round));
CREATE TABLE decisions (match_id TEXT, seq INTEGER, side TEXT, model TEXT, phase TEXT, round INTEGER,
  attempt INTEGER, failure_class TEXT, raw_text TEXT, parse_error TEXT, plan TEXT, cost INTEGER,
  violations TEXT, input_tokens INTEGER, output_tokens INTEGER, cached_tokens INTEGER, cost_usd REAL,
  latency_s REAL, cache_hit INTEGER, attempts INTEGER, reused INTEGER, PRIMARY KEY (match_id, seq));
"""

VIOL = json.dumps(
    [{"code": "unknown_unit", "field": "name", "index": 0, "message": "bad"}], separators=(",", ":")
)
BUDGETS = {"tower_defense": (2000, 1500), "battle_card": (20, 20), "elemental_duel": (20, 20)}


def n_records(game: str, rounds: int) -> int:
    """Round records the original loop writes: R (tower defense) or R + 1."""
    return rounds if game == "tower_defense" else rounds + 1


@dataclass
class MatchSpec:
    """One match, round by round. Lists are per record (round 1 … n); plans are any hashable ids."""

    match_id: str
    game: str
    model_a: str
    model_b: str
    winners: str  # one char per record: 'A', 'B' or '-' (no winner)
    cost_a: Sequence[int]
    cost_b: Sequence[int]
    plan_a: Sequence[object] | None = None  # default: the cost (so a plan change = a cost change)
    plan_b: Sequence[object] | None = None
    viol_a: Sequence[bool] | None = None
    viol_b: Sequence[bool] | None = None
    first_reviser: str = "A"
    rounds: int | None = None  # R; default derived from the number of records
    revision: str = "alternate"
    fingerprint: str = "fp1"
    seed: int = 0
    repetition: int = 0
    status: str = "finished"
    budget: tuple[int, int] | None = None
    decisions: list[dict[str, object]] = field(default_factory=list)


def _reviser(k: int, first: str, revision: str) -> str | None:
    if k == 1 or revision == "none":
        return None
    if revision == "simultaneous":
        return "AB"
    order = [first, "B" if first == "A" else "A"]
    return order[(k - 2) % 2]


def build(specs: Sequence[MatchSpec]) -> StoreFrames:
    """Frames with exactly the store's columns."""
    matches, rounds, decisions = [], [], []
    for s in specs:
        n = len(s.winners)
        big_r = s.rounds if s.rounds is not None else (n if s.game == "tower_defense" else n - 1)
        budget = s.budget or BUDGETS.get(s.game, (20, 20))
        plan_a = list(s.plan_a) if s.plan_a is not None else list(s.cost_a)
        plan_b = list(s.plan_b) if s.plan_b is not None else list(s.cost_b)
        va = list(s.viol_a) if s.viol_a is not None else [False] * n
        vb = list(s.viol_b) if s.viol_b is not None else [False] * n
        for k in range(1, n + 1):
            w = s.winners[k - 1]
            first = k == 1
            rounds.append(
                {
                    "match_id": s.match_id,
                    "round": k,
                    "label": min(k, big_r),
                    "plan_a": json.dumps({"p": plan_a[k - 1]}),
                    "plan_b": json.dumps({"p": plan_b[k - 1]}),
                    "cost_a": s.cost_a[k - 1],
                    "cost_b": s.cost_b[k - 1],
                    "budget_a": budget[0],
                    "budget_b": budget[1],
                    "violations_a": VIOL if va[k - 1] else "[]",
                    "violations_b": VIOL if vb[k - 1] else "[]",
                    "raw_winner": None if w == "-" else w,
                    "winner": None if w == "-" else w,
                    "reviser": _reviser(k, s.first_reviser, s.revision),
                    "changed_a": None if first else int(plan_a[k - 1] != plan_a[k - 2]),
                    "changed_b": None if first else int(plan_b[k - 1] != plan_b[k - 2]),
                    "cost_changed_a": None if first else int(s.cost_a[k - 1] != s.cost_a[k - 2]),
                    "cost_changed_b": None if first else int(s.cost_b[k - 1] != s.cost_b[k - 2]),
                    "summary": "{}",
                }
            )
        final = s.winners[-1]
        matches.append(
            {
                "match_id": s.match_id,
                "run_id": "run1",
                "fingerprint": s.fingerprint,
                "game": s.game,
                "ruleset": "v1",
                "params_json": "{}",
                "model_a": s.model_a,
                "model_b": s.model_b,
                "rounds": big_r,
                "revision": s.revision,
                "first_reviser": s.first_reviser,
                "feedback": "outcome",
                "settings_json": "{}",
                "seed": s.seed,
                "repetition": s.repetition,
                "status": s.status,
                "void_reason": None if s.status == "finished" else "infra",
                "tries": 1,
                "winner": None if final == "-" else final,
                "n_rounds": n,
                "input_tokens": 0,
                "output_tokens": 0,
                "cost_usd": 0.0,
                "started_at": "2025-01-01T00:00:00Z",
                "finished_at": "2025-01-01T00:00:01Z",
            }
        )
        for i, d in enumerate(s.decisions):
            row = dict.fromkeys(DECISION_COLS)
            row.update(
                {
                    "match_id": s.match_id,
                    "seq": i,
                    "failure_class": "ok",
                    "reused": 0,
                    "cost_usd": 0.0,
                    "input_tokens": 0,
                    "output_tokens": 0,
                    "phase": "revision",
                    "attempt": 1,
                }
            )
            row.update(d)
            decisions.append(row)
    return StoreFrames(
        pd.DataFrame(matches, columns=MATCH_COLS),
        pd.DataFrame(rounds, columns=ROUND_COLS),
        pd.DataFrame(decisions, columns=DECISION_COLS),
    )


def write_store(frames: StoreFrames, path: Path) -> Path:
    """Write frames into a fresh SQLite store with the documented schema."""
    con = sqlite3.connect(path)
    con.executescript(DDL)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('created_by', 'tests')")
    for table, frame, cols in (
        ("matches", frames.matches, MATCH_COLS),
        ("rounds", frames.rounds, ROUND_COLS),
        ("decisions", frames.decisions, DECISION_COLS),
    ):
        rows = [tuple(None if pd.isna(v) else v for v in r) for r in frame[cols].itertuples(index=False)]
        con.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(cols))})", rows)
    con.commit()
    con.close()
    return path
