"""One writer per store, with real ``stratagem run`` processes.

The writer under test plays ``local/gate`` against a bot; ``local/gate`` is a loopback server that holds
every reply until the test opens its gate. So the first writer is provably still at work (holding the
lease, blocked in its first match) when the second one starts, on any machine speed: no sleeps, no
timing windows. Everything else waits on conditions (a process exit, a request at the server, a line on
stderr) with generous outer limits.
"""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_cli import (
    BOTS,
    GATED,
    HANG_S,
    LineReader,
    cli,
    export_csv,
    lease_rows,
    one_error_line,
    start,
    table_count,
    wait_any,
    wait_until,
    write_lease,
)

from harness.testing.provider_server import ProviderServer, RecordedRequest


@pytest.fixture
def gate():
    opened = threading.Event()

    def reply(_request: RecordedRequest) -> str:
        opened.wait(HANG_S)
        return "{}"  # the same unreadable plan every time: deterministic, and the match still plays

    with ProviderServer(reply_fn=reply) as server:
        server.opened = opened  # type: ignore[attr-defined]
        yield server
        opened.set()


def gated_env(server: ProviderServer) -> dict[str, str]:
    return {**os.environ, "STRATAGEM_LOCAL_BASE_URL": server.openai_base_url}


def experiment(tmp_path: Path, name: str, *, rounds: int, store: Path) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(GATED.format(name=name, rounds=rounds, store=store))
    return path


def single_writer_export(tmp_path: Path, exp: Path, env: dict[str, str], tag: str) -> dict[str, bytes]:
    """The export of ``exp`` run alone into a fresh store (the gate must be open)."""
    store = tmp_path / f"alone-{tag}.sqlite"
    res = cli("run", str(exp), "--store", str(store), "--quiet", cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    return export_csv(store, tmp_path / f"alone-{tag}-csv", tmp_path)


@pytest.mark.parametrize("configs", ["same", "different"])
def test_two_writers_started_together_the_second_is_refused_and_the_first_finishes(tmp_path, gate, configs):
    store = tmp_path / "shared.sqlite"
    exps = [
        experiment(tmp_path, "one", rounds=2, store=store),
        experiment(
            tmp_path, "one" if configs == "same" else "two", rounds=2 if configs == "same" else 3, store=store
        ),
    ]
    env = gated_env(gate)
    procs = [start("run", str(e), "--quiet", cwd=tmp_path, env=env) for e in exps]
    try:
        loser = wait_any(procs)  # the winner cannot finish: its replies wait behind the closed gate
        winner = procs[1 - procs.index(loser)]
        _, err = loser.communicate(timeout=HANG_S)
        assert loser.returncode == 2, err
        line = one_error_line(err)
        print(f"second writer (exit {loser.returncode}): {line}")
        assert f"is being written by pid {winner.pid} on host " in line
        assert "last seen" in line and "--wait" in line and "another --store" in line
        assert winner.poll() is None and table_count(store, "runs") == 1  # the loser recorded nothing
        assert lease_rows(store)[0][0] == winner.pid
        gate.opened.set()  # type: ignore[attr-defined]
        _, werr = winner.communicate(timeout=HANG_S)
        assert winner.returncode == 0, werr
        print(f"first writer: exit {winner.returncode}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert lease_rows(store) == []  # given back
    assert sorted(p.name for p in tmp_path.glob("shared.sqlite*")) == ["shared.sqlite"]
    got = export_csv(store, tmp_path / "shared-csv", tmp_path)
    expected = single_writer_export(tmp_path, exps[procs.index(winner)], env, "ref")
    assert got == expected
    print(f"export equals a single writer's: {sorted(got)} ({sum(len(v) for v in got.values())} bytes)")


def test_a_sigkilled_writers_lease_is_taken_over_by_the_next_run(tmp_path, gate):
    store = tmp_path / "s.sqlite"
    exp = experiment(tmp_path, "one", rounds=2, store=store)
    env = gated_env(gate)
    victim = start("run", str(exp), "--quiet", cwd=tmp_path, env=env)
    try:
        wait_until(lambda: gate.count() >= 1, "the first writer's first model call")  # mid-match
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=HANG_S)
    finally:
        if victim.poll() is None:
            victim.kill()
    assert victim.returncode == -signal.SIGKILL
    assert [r[0] for r in lease_rows(store)] == [victim.pid]  # a crash leaves its lease behind
    gate.opened.set()  # type: ignore[attr-defined]
    res = cli("run", str(exp), "--quiet", cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    assert f"took over the writer lease of pid {victim.pid} on host" in res.stderr
    assert "its process is gone" in res.stderr
    assert lease_rows(store) == []
    assert export_csv(store, tmp_path / "csv", tmp_path) == single_writer_export(tmp_path, exp, env, "ref")


def _bots(tmp_path: Path, store: Path) -> Path:
    exp = tmp_path / "bots.yaml"
    exp.write_text(BOTS.format(store=store))
    return exp


def _fresh_store(tmp_path: Path) -> Path:
    from harness.store import ResultStore

    store = tmp_path / "s.sqlite"
    ResultStore(store).close()
    return store


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).replace(microsecond=0).isoformat()


def test_a_live_writer_on_another_host_is_respected(tmp_path):
    store = _fresh_store(tmp_path)
    # a heartbeat an hour ahead stays fresh however slow this machine is
    write_lease(store, pid=4242, host="build-7", heartbeat_at=_iso(timedelta(hours=1)))
    res = cli("run", str(_bots(tmp_path, store)), cwd=tmp_path)
    assert res.returncode == 2
    line = one_error_line(res.stderr)
    assert "is being written by pid 4242 on host build-7 (stratagem run elsewhere), last seen 0 s ago" in line
    assert table_count(store, "runs") == 0 and table_count(store, "matches") == 0
    play = cli(
        "play",
        "--game",
        "battle_card",
        "--a",
        "bot/greedy",
        "--b",
        "bot/random",
        "--store",
        str(store),
        cwd=tmp_path,
    )
    assert play.returncode == 2 and "pid 4242 on host build-7" in one_error_line(play.stderr)
    assert play.stdout == ""  # refused before the match header
    assert table_count(store, "runs") == 0


def test_a_stale_heartbeat_is_taken_over(tmp_path):
    store = _fresh_store(tmp_path)
    write_lease(store, pid=4242, host="build-7", heartbeat_at=_iso(-timedelta(hours=1)))
    res = cli("run", str(_bots(tmp_path, store)), "--quiet", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "took over the writer lease of pid 4242 on host build-7" in res.stderr
    assert "no heartbeat for 60 min" in res.stderr
    assert table_count(store, "matches") == 2 and lease_rows(store) == []


def test_wait_waits_for_the_lease_then_runs(tmp_path):
    store = _fresh_store(tmp_path)
    write_lease(store, pid=4242, host="build-7", heartbeat_at=_iso(timedelta(hours=1)))
    proc = start("run", str(_bots(tmp_path, store)), "--wait", "--quiet", cwd=tmp_path)
    try:
        reader = LineReader(proc.stderr)
        line = reader.wait_for("waiting for")
        assert "it is being written by pid 4242 on host build-7" in line
        assert proc.poll() is None and table_count(store, "runs") == 0  # still waiting, nothing written
        write_lease(store, pid=4242, host="build-7", heartbeat_at=_iso(-timedelta(hours=1)))  # it went away
        assert proc.wait(timeout=HANG_S) == 0, reader.lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert table_count(store, "matches") == 2 and lease_rows(store) == []
