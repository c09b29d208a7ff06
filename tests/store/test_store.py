"""The SQLite results store: schema, one transaction per match, voids, resume, guards and exports."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from store_fakes import decision, make_job, make_result

from harness.protocol.records import DECISION_COLUMNS, ROUND_COLUMNS
from harness.runner.guard import check_store_compatible
from harness.store import ResultStore, StoreError, export_store
from harness.store.schema import SCHEMA_VERSION, column_names


def write(store: ResultStore, job, result, run_id="r", tries=1):
    store.write_match(job, result, run_id=run_id, tries=tries, started_at="t0", finished_at="t1")


def test_schema_matches_protocol_records():
    assert tuple(column_names("rounds")) == ROUND_COLUMNS
    assert tuple(column_names("decisions")) == DECISION_COLUMNS


def test_creates_wal_store_with_schema_version(tmp_path):
    path = tmp_path / "sub" / "s.sqlite"
    with ResultStore(path) as store:
        assert store.runs() == []
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"  # WAL while a writer has it open
    assert sorted(p.name for p in path.parent.iterdir()) == ["s.sqlite"]  # at rest: no -wal / -shm
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # readers need create nothing
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "runs", "matches", "rounds", "decisions"} <= tables


def test_rejects_other_schema_versions_and_foreign_files(tmp_path):
    path = tmp_path / "s.sqlite"
    ResultStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    for readonly in (False, True):
        with pytest.raises(StoreError, match="schema version 99, newer than this Stratagem reads"):
            ResultStore(path, readonly=readonly)
    other = tmp_path / "other.sqlite"
    c2 = sqlite3.connect(other)
    c2.execute("CREATE TABLE x (a)")
    c2.commit()
    c2.close()
    with pytest.raises(StoreError, match=r"an SQLite database of another program \(tables: x\)"):
        ResultStore(other)
    (tmp_path / "junk.sqlite").write_bytes(bytes(range(256)) * 16)
    with pytest.raises(StoreError, match="not an SQLite database"):
        ResultStore(tmp_path / "junk.sqlite")
    (tmp_path / "notes.sqlite").write_text("just some notes\n")
    with pytest.raises(StoreError, match=r"a text file .*'just some notes'"):
        ResultStore(tmp_path / "notes.sqlite", readonly=True)
    with pytest.raises(StoreError, match="no such store"):
        ResultStore(tmp_path / "absent.sqlite", create=False)


def test_write_and_read_back(tmp_path):
    job = make_job()
    with ResultStore(tmp_path / "s.sqlite") as store:
        run_id = store.start_run("t", "{}")
        write(store, job, make_result(job.match_id), run_id=run_id)
        assert store.finished_ids() == {job.match_id}
        row = store.match(job.match_id)
        assert row is not None
        assert row["status"] == "finished" and row["winner"] == "A" and row["n_rounds"] == 3
        assert row["fingerprint"] == job.fingerprint and row["run_id"] == run_id
        assert row["rounds"] == 2 and row["first_reviser"] == "A" and row["tries"] == 1
        assert [r["round"] for r in store.rounds(job.match_id)] == [1, 2, 3]
        assert [d["seq"] for d in store.decisions(job.match_id)] == [0, 1, 2, 3]
        assert store.find_match(job.match_id[:6])["match_id"] == job.match_id
        assert [m["match_id"] for m in store.iter_matches()] == [job.match_id]
        assert store.counts() == {"finished": 1, "voided": 0}


def test_a_match_is_written_atomically(tmp_path):
    """A row that does not fit the schema aborts the whole match: nothing of it is stored."""
    job = make_job()
    result = make_result(job.match_id)
    bad = make_result(job.match_id)
    bad.decisions.append(decision("someone-else", 9))
    with ResultStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(Exception, match="written under"):
            write(store, job, bad)
        assert store.match(job.match_id) is None
        assert store.rounds(job.match_id) == [] and store.decisions(job.match_id) == []
        write(store, job, result)
        with pytest.raises(Exception, match="already stored"):
            write(store, job, result)
        assert len(store.decisions(job.match_id)) == 4


def test_void_then_finish_replaces_the_void_and_keeps_tries(tmp_path):
    job = make_job()
    with ResultStore(tmp_path / "s.sqlite") as store:
        store.write_void(
            job,
            "openai: retries exhausted",
            [decision(job.match_id, 0, cost_usd=None)],
            run_id="r",
            tries=3,
            started_at="t0",
            finished_at="t1",
        )
        row = store.match(job.match_id)
        assert row["status"] == "voided" and row["tries"] == 3 and row["cost_usd"] is None
        assert row["void_reason"] == "openai: retries exhausted"
        assert store.finished_ids() == set()
        assert store.previous_tries(job.match_id) == 3
        write(store, job, make_result(job.match_id), tries=4)
        row = store.match(job.match_id)
        assert row["status"] == "finished" and row["tries"] == 4
        assert len(store.decisions(job.match_id)) == 4
        assert store.previous_tries(job.match_id) == 0


def test_run_ids_follow_start_order(tmp_path):
    with ResultStore(tmp_path / "s.sqlite") as store:
        a = store.start_run("t", "{}")
        b = store.start_run("t", "{}")
        assert a != b
        assert [r["run_id"] for r in store.runs()] == [a, b]
    with ResultStore(tmp_path / "t.sqlite") as other:
        assert other.start_run("t", "{}") == a  # same experiment, same order: same id


def test_guard_refuses_identity_conflicts_and_mixing(tmp_path):
    job = make_job(rounds=2)
    with ResultStore(tmp_path / "s.sqlite") as store:
        write(store, job, make_result(job.match_id))
        # resuming the same jobs, or extending them, is fine
        check_store_compatible(store, [job, make_job(seed=1)], allow_mixed=False)
        # same identity, different measurement (rounds changed)
        changed = make_job(rounds=3)
        assert changed.identity == job.identity and changed.match_id != job.match_id
        with pytest.raises(StoreError, match="stored as match"):
            check_store_compatible(store, [changed], allow_mixed=False)
        # another experiment entirely (different fingerprint, no shared identity)
        other = make_job(rounds=4, seed=9)
        with pytest.raises(StoreError, match="other experiments"):
            check_store_compatible(store, [other], allow_mixed=False)
        check_store_compatible(store, [changed, other], allow_mixed=True)


def test_export_csv_and_parquet_sorted_without_volatile_columns(tmp_path):
    jobs = [make_job(seed=s) for s in range(4)]
    with ResultStore(tmp_path / "s.sqlite") as store:
        for j in reversed(jobs):
            write(store, j, make_result(j.match_id))
    files = export_store(tmp_path / "s.sqlite", tmp_path / "csv", "csv")
    assert [f.name for f in files] == ["matches.csv", "rounds.csv", "decisions.csv"]
    matches = pd.read_csv(tmp_path / "csv" / "matches.csv")
    assert list(matches["match_id"]) == sorted(j.match_id for j in jobs)
    assert "started_at" not in matches.columns and "run_id" not in matches.columns
    decisions = pd.read_csv(tmp_path / "csv" / "decisions.csv")
    assert "latency_s" not in decisions.columns
    assert list(zip(decisions["match_id"], decisions["seq"], strict=True)) == sorted(
        zip(decisions["match_id"], decisions["seq"], strict=True)
    )
    export_store(tmp_path / "s.sqlite", tmp_path / "pq", "parquet")
    rounds = pd.read_parquet(tmp_path / "pq" / "rounds.parquet")
    assert len(rounds) == 4 * 3
    assert rounds["changed_a"].isna().sum() == 4  # NULL in round 1 survives as a null


def test_exports_are_byte_identical_for_equal_content(tmp_path):
    """Volatile columns differ between the two stores, insertion order too; the exports do not."""
    jobs = [make_job(seed=s) for s in range(3)]
    for name, order, latency in (("a", jobs, 0.1), ("b", list(reversed(jobs)), 9.9)):
        with ResultStore(tmp_path / f"{name}.sqlite") as store:
            run_id = store.start_run(name, "{}")
            for j in order:
                store.write_match(
                    j,
                    make_result(j.match_id, latency=latency),
                    run_id=run_id,
                    tries=1,
                    started_at=name,
                    finished_at=name,
                )
        for fmt in ("csv", "parquet"):
            export_store(tmp_path / f"{name}.sqlite", tmp_path / f"{name}-{fmt}", fmt)
    for fmt in ("csv", "parquet"):
        for table in ("matches", "rounds", "decisions"):
            a = (tmp_path / f"a-{fmt}" / f"{table}.{fmt}").read_bytes()
            b = (tmp_path / f"b-{fmt}" / f"{table}.{fmt}").read_bytes()
            assert a == b, (fmt, table)


def test_export_of_missing_store_fails_cleanly(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        export_store(tmp_path / "nope.sqlite", tmp_path / "out", "csv")
    assert not (tmp_path / "nope.sqlite").exists()
