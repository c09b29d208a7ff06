"""Match rows built for insertion, several matches per transaction, and chunked look-ups of planned ids."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

import pytest
from store_fakes import make_job, make_result

from games.core.errors import EngineError
from harness.protocol.records import DECISION_COLUMNS, ROUND_COLUMNS, DecisionRecord, RoundRecord
from harness.store import ResultStore
from harness.store.lease import STALE_AFTER_S, LeaseLost, WriterLease
from harness.store.reads import IN_CHUNK
from harness.store.rows import finished_rows, record_values, voided_rows
from harness.store.schema import column_names


class FakeClock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


def rows_of(job, **kw):
    return finished_rows(
        job, make_result(job.match_id, **kw), run_id="r", tries=1, started_at="a", finished_at="b"
    )


def test_records_give_their_values_in_column_order():
    result = make_result("m")
    for record, cols in ((result.rounds[0], ROUND_COLUMNS), (result.decisions[0], DECISION_COLUMNS)):
        assert (
            type(record).COLUMNS
            == cols
            == tuple(column_names("rounds" if cols is ROUND_COLUMNS else "decisions"))
        )
        assert record.row_values() == tuple(getattr(record, c) for c in cols)
        assert record.to_row() == {c: getattr(record, c) for c in cols}


class DictRow:
    """A row object that only has ``to_row()`` (the store checks its keys row by row)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def to_row(self) -> dict[str, Any]:
        return self.row


def test_rows_without_row_values_are_checked_by_their_keys():
    record = make_result("m").rounds[0]
    assert record_values("rounds", [DictRow(record.to_row())], "m") == [record.row_values()]
    with pytest.raises(EngineError, match="missing \\['summary'\\]"):
        record_values("rounds", [DictRow({k: v for k, v in record.to_row().items() if k != "summary"})], "m")
    with pytest.raises(EngineError, match="written under other"):
        record_values("rounds", [record], "other")


def test_a_record_type_with_other_columns_is_not_trusted():
    @dataclasses.dataclass(frozen=True)
    class Reordered:
        COLUMNS = tuple(reversed(ROUND_COLUMNS))
        row: dict[str, Any]

        def row_values(self) -> tuple[Any, ...]:
            raise AssertionError("must not be used")

        def to_row(self) -> dict[str, Any]:
            return self.row

    record = make_result("m").rounds[0]
    assert record_values("rounds", [Reordered(record.to_row())], "m") == [record.row_values()]


def test_several_matches_in_one_transaction_read_back_like_single_writes(tmp_path):
    jobs = [make_job(seed=s) for s in range(5)]
    with ResultStore(tmp_path / "group.sqlite") as group, ResultStore(tmp_path / "one.sqlite") as one:
        group.write_rows([rows_of(j) for j in jobs])
        for j in jobs:
            one.write_match(j, make_result(j.match_id), run_id="r", tries=1, started_at="a", finished_at="b")
        for j in jobs:
            assert group.match(j.match_id) == one.match(j.match_id)
            assert group.rounds(j.match_id) == one.rounds(j.match_id)
            assert group.decisions(j.match_id) == one.decisions(j.match_id)


def test_a_group_is_all_or_nothing(tmp_path):
    jobs = [make_job(seed=s) for s in range(3)]
    with ResultStore(tmp_path / "s.sqlite") as store:
        store.write_rows([rows_of(jobs[1])])
        with pytest.raises(EngineError, match="already stored"):
            store.write_rows([rows_of(j) for j in jobs])
        assert store.finished_ids() == {jobs[1].match_id}  # the others of the group were not written
        with pytest.raises(sqlite3.IntegrityError):
            store.write_rows([rows_of(jobs[0]), rows_of(jobs[0])])
        assert store.finished_ids() == {jobs[1].match_id}


def test_a_group_replaces_voided_rows(tmp_path):
    job = make_job()
    result = make_result(job.match_id)
    with ResultStore(tmp_path / "s.sqlite") as store:
        void = voided_rows(
            job, "boom", result.decisions[:1], run_id="r", tries=2, started_at="a", finished_at="b"
        )
        store.write_rows([void])
        assert store.match_states([job.match_id]) == {job.match_id: ("voided", 2)}
        assert store.match(job.match_id)["input_tokens"] == 10
        store.write_rows([rows_of(make_job(seed=9)), rows_of(job)])
        assert store.match_states([job.match_id]) == {job.match_id: ("finished", 1)}
        assert len(store.decisions(job.match_id)) == len(result.decisions)


def test_the_lease_is_checked_inside_every_group_transaction(tmp_path):
    path = tmp_path / "s.sqlite"
    clock = FakeClock()
    with ResultStore(path) as old:
        old.acquire_lease("old", lease=WriterLease(path, "old", clock=clock, heartbeat_s=3600))
        clock.advance(STALE_AFTER_S + 1)
        with ResultStore(path) as new:
            new.acquire_lease("new", lease=WriterLease(path, "new", clock=clock))
            with pytest.raises(LeaseLost):
                old.write_rows([rows_of(make_job(seed=s)) for s in range(3)])
            assert old.finished_ids() == set()
            new.write_rows([rows_of(make_job(seed=s)) for s in range(3)])
            assert len(new.finished_ids()) == 3


def test_match_states_looks_ids_up_in_chunks(tmp_path):
    jobs = [make_job(seed=s) for s in range(IN_CHUNK + 7)]
    with ResultStore(tmp_path / "s.sqlite") as store:
        assert not store.has_matches()
        store.write_rows([rows_of(j) for j in jobs[::2]])
        assert store.has_matches()
        ids = [j.match_id for j in jobs] + ["not-stored"]
        assert store.match_states(ids) == {j.match_id: ("finished", 1) for j in jobs[::2]}
        assert store.match_states([]) == {}


def test_records_made_quickly_equal_records_made_by_init():
    result = make_result("m")
    for record in (*result.rounds, *result.decisions):
        fields = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
        made = type(record)(**fields)
        assert made == record and hash(made) == hash(record) and repr(made) == repr(record)
    from harness.protocol.records import round_record

    fields = {f.name: getattr(result.rounds[0], f.name) for f in dataclasses.fields(RoundRecord)}
    quick = round_record(**fields)
    assert quick == result.rounds[0] and isinstance(quick, RoundRecord)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.round = 7  # type: ignore[misc]
    with pytest.raises(EngineError, match="fields"):
        round_record(**{k: v for k, v in fields.items() if k != "summary"})
    assert DecisionRecord.COLUMNS == DECISION_COLUMNS
