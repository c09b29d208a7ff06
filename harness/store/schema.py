"""The SQLite schema of the results store (docs/records.md, schema version 1).

Column lists are data, so the store can check that the protocol's row dicts have exactly these keys and
the exporter can type its Parquet columns.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

# table -> [(column, SQL type)], in docs/records.md order
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "meta": [("key", "TEXT"), ("value", "TEXT")],
    "runs": [
        ("run_id", "TEXT"),
        ("experiment", "TEXT"),
        ("config_json", "TEXT"),
        ("stratagem_version", "TEXT"),
        ("created_at", "TEXT"),
    ],
    "matches": [
        ("match_id", "TEXT"),
        ("run_id", "TEXT"),
        ("fingerprint", "TEXT"),
        ("game", "TEXT"),
        ("ruleset", "TEXT"),
        ("params_json", "TEXT"),
        ("model_a", "TEXT"),
        ("model_b", "TEXT"),
        ("rounds", "INTEGER"),
        ("revision", "TEXT"),
        ("first_reviser", "TEXT"),
        ("feedback", "TEXT"),
        ("settings_json", "TEXT"),
        ("seed", "INTEGER"),
        ("repetition", "INTEGER"),
        ("status", "TEXT"),
        ("void_reason", "TEXT"),
        ("tries", "INTEGER"),
        ("winner", "TEXT"),
        ("n_rounds", "INTEGER"),
        ("input_tokens", "INTEGER"),
        ("output_tokens", "INTEGER"),
        ("cost_usd", "REAL"),
        ("started_at", "TEXT"),
        ("finished_at", "TEXT"),
    ],
    "rounds": [
        ("match_id", "TEXT"),
        ("round", "INTEGER"),
        ("label", "INTEGER"),
        ("plan_a", "TEXT"),
        ("plan_b", "TEXT"),
        ("cost_a", "INTEGER"),
        ("cost_b", "INTEGER"),
        ("budget_a", "INTEGER"),
        ("budget_b", "INTEGER"),
        ("violations_a", "TEXT"),
        ("violations_b", "TEXT"),
        ("raw_winner", "TEXT"),
        ("winner", "TEXT"),
        ("reviser", "TEXT"),
        ("changed_a", "INTEGER"),
        ("changed_b", "INTEGER"),
        ("cost_changed_a", "INTEGER"),
        ("cost_changed_b", "INTEGER"),
        ("summary", "TEXT"),
    ],
    "decisions": [
        ("match_id", "TEXT"),
        ("seq", "INTEGER"),
        ("side", "TEXT"),
        ("model", "TEXT"),
        ("phase", "TEXT"),
        ("round", "INTEGER"),
        ("attempt", "INTEGER"),
        ("failure_class", "TEXT"),
        ("raw_text", "TEXT"),
        ("parse_error", "TEXT"),
        ("plan", "TEXT"),
        ("cost", "INTEGER"),
        ("violations", "TEXT"),
        ("input_tokens", "INTEGER"),
        ("output_tokens", "INTEGER"),
        ("cached_tokens", "INTEGER"),
        ("cost_usd", "REAL"),
        ("latency_s", "REAL"),
        ("cache_hit", "INTEGER"),
        ("attempts", "INTEGER"),
        ("reused", "INTEGER"),
    ],
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "meta": ("key",),
    "runs": ("run_id",),
    "matches": ("match_id",),
    "rounds": ("match_id", "round"),
    "decisions": ("match_id", "seq"),
}

# Columns that describe one execution rather than the measurement: left out of exports so two stores of
# the same experiment compare equal file by file. Timestamps and latencies vary run to run; run_id names
# the invocation (a resumed store has several); cache_hit / attempts say how an answer was obtained
# (a second run against the same read-write cache reads what the first wrote).
VOLATILE: dict[str, frozenset[str]] = {
    "matches": frozenset({"run_id", "started_at", "finished_at"}),
    "rounds": frozenset(),
    "decisions": frozenset({"latency_s", "cache_hit", "attempts"}),
}

INDEXES = (
    "CREATE INDEX IF NOT EXISTS matches_by_identity ON matches (game, model_a, model_b, first_reviser, seed,"
    " repetition)",
    "CREATE INDEX IF NOT EXISTS matches_by_fingerprint ON matches (fingerprint)",
)


def create_statements() -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` statements for every table, then the indexes."""
    out = []
    for table, cols in COLUMNS.items():
        body = ", ".join(f"{name} {sqltype}" for name, sqltype in cols)
        pk = ", ".join(PRIMARY_KEYS[table])
        out.append(f"CREATE TABLE IF NOT EXISTS {table} ({body}, PRIMARY KEY ({pk}))")
    return [*out, *INDEXES]


def column_names(table: str) -> list[str]:
    """Column names of ``table`` in schema order."""
    return [name for name, _ in COLUMNS[table]]
