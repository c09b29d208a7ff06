"""A match's rows, built for insertion: one :class:`MatchRows` per finished or voided match.

The protocol's records (``RoundRecord``, ``DecisionRecord``) give their values in column order
(``row_values()``), and their record type names that order (``COLUMNS``); it is checked against the
schema once per record type, not per row. Their JSON columns already hold the canonical JSON the match
made (plans, violations, summaries), so nothing is copied or encoded again here. Any other row object
(``to_row()`` dicts, e.g. from older code or tests) is checked row by row, as the store always did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from games.core.errors import EngineError
from harness.experiments.jobs import MatchJob
from harness.store.schema import column_names

_COLUMNS: dict[str, tuple[str, ...]] = {t: tuple(column_names(t)) for t in ("matches", "rounds", "decisions")}
# The order _match_row builds the ``matches`` row in; checked against the schema when this module loads.
_MATCH_ORDER = (
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
)
if _COLUMNS["matches"] != _MATCH_ORDER:  # pragma: no cover - a schema change must update _match_row
    raise EngineError("harness.store.rows builds matches rows in an order the schema no longer has")
# Record types whose ``COLUMNS`` matched the schema of a table (checked once per type and table).
_CHECKED: set[tuple[type, str]] = set()


class Row(Protocol):
    """A round or decision record (read through ``to_row()``, or ``row_values()`` when it has one)."""

    def to_row(self) -> dict[str, Any]:
        """The row as a dict keyed by column name."""
        ...


class Result(Protocol):
    """What :func:`harness.protocol.match.play_match` returns (read by attribute only)."""

    @property
    def rounds(self) -> Sequence[Row]:
        """Round records in order."""
        ...

    @property
    def decisions(self) -> Sequence[Row]:
        """Decision records in ``seq`` order."""
        ...

    @property
    def winner(self) -> str | None:
        """The adjudicated winner of the last round."""
        ...

    @property
    def n_rounds(self) -> int:
        """Number of round records."""
        ...

    @property
    def input_tokens(self) -> int:
        """Input tokens of the match's own decisions."""
        ...

    @property
    def output_tokens(self) -> int:
        """Output tokens of the match's own decisions."""
        ...

    @property
    def cost_usd(self) -> float | None:
        """Cost of the match's own decisions (``None``: some price unknown)."""
        ...


@dataclass(frozen=True)
class MatchRows:
    """The rows of one match: its ``matches`` row, round rows and decision rows, in column order.

    Attributes:
        match_id: The match.
        match: The ``matches`` row.
        rounds: The ``rounds`` rows (none for a voided match).
        decisions: The ``decisions`` rows.
    """

    match_id: str
    match: tuple[Any, ...]
    rounds: list[tuple[Any, ...]]
    decisions: list[tuple[Any, ...]]


def record_values(table: str, records: Sequence[Row], match_id: str) -> list[tuple[Any, ...]]:
    """The rows of ``records`` for ``table``, in column order, all of match ``match_id``.

    Raises:
        EngineError: A row does not have exactly the table's columns, or belongs to another match.
    """
    cols = _COLUMNS[table]
    out: list[tuple[Any, ...]] = []
    for record in records:
        kind = type(record)
        if (kind, table) in _CHECKED:
            values = record.row_values()  # type: ignore[attr-defined]
        elif getattr(kind, "COLUMNS", None) == cols and hasattr(kind, "row_values"):
            _CHECKED.add((kind, table))
            values = record.row_values()  # type: ignore[attr-defined]
        else:
            row = record.to_row()
            if set(row) != set(cols):
                missing, extra = sorted(set(cols) - set(row)), sorted(set(row) - set(cols))
                raise EngineError(
                    f"{table} row does not match docs/records.md: missing {missing}, extra {extra}"
                )
            values = tuple(row[c] for c in cols)
        if values[0] != match_id:  # match_id is the first column of both tables
            raise EngineError(f"{table} row of match {values[0]} written under {match_id}")
        out.append(values)
    return out


def _match_row(
    job: MatchJob,
    *,
    run_id: str,
    status: str,
    void_reason: str | None,
    tries: int,
    winner: str | None,
    n_rounds: int,
    input_tokens: int,
    output_tokens: int,
    cost_usd: float | None,
    started_at: str,
    finished_at: str,
) -> tuple[Any, ...]:
    """The ``matches`` row of ``job`` in column order (see :data:`harness.store.schema.COLUMNS`)."""
    settings = job.settings
    return (
        job.match_id,
        run_id,
        job.fingerprint,
        job.game,
        job.ruleset,
        job.params_json(),
        job.model_a,
        job.model_b,
        settings["rounds"],
        settings["revision"],
        job.first_reviser,
        settings["feedback"],
        job.settings_json(),
        job.seed,
        job.repetition,
        status,
        void_reason,
        tries,
        winner,
        n_rounds,
        input_tokens,
        output_tokens,
        cost_usd,
        started_at,
        finished_at,
    )


def finished_rows(
    job: MatchJob, result: Result, *, run_id: str, tries: int, started_at: str, finished_at: str
) -> MatchRows:
    """The rows of a finished match."""
    match = _match_row(
        job,
        run_id=run_id,
        status="finished",
        void_reason=None,
        tries=tries,
        winner=result.winner,
        n_rounds=result.n_rounds,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        cost_usd=result.cost_usd,
        started_at=started_at,
        finished_at=finished_at,
    )
    return MatchRows(
        job.match_id,
        match,
        record_values("rounds", result.rounds, job.match_id),
        record_values("decisions", result.decisions, job.match_id),
    )


_DECISION_INDEX = {c: i for i, c in enumerate(_COLUMNS["decisions"])}


def voided_rows(
    job: MatchJob,
    reason: str,
    decisions: Sequence[Row],
    *,
    run_id: str,
    tries: int,
    started_at: str,
    finished_at: str,
) -> MatchRows:
    """The rows of a match voided by infrastructure failures: the last attempt's decisions are kept."""
    drows = record_values("decisions", decisions, job.match_id)
    i_reused, i_cost = _DECISION_INDEX["reused"], _DECISION_INDEX["cost_usd"]
    i_in, i_out = _DECISION_INDEX["input_tokens"], _DECISION_INDEX["output_tokens"]
    counted = [d for d in drows if not d[i_reused]]
    costs = [d[i_cost] for d in counted]
    match = _match_row(
        job,
        run_id=run_id,
        status="voided",
        void_reason=reason,
        tries=tries,
        winner=None,
        n_rounds=0,
        input_tokens=sum(int(d[i_in] or 0) for d in counted),
        output_tokens=sum(int(d[i_out] or 0) for d in counted),
        cost_usd=None if any(c is None for c in costs) else float(sum(costs)),
        started_at=started_at,
        finished_at=finished_at,
    )
    return MatchRows(job.match_id, match, [], drows)
