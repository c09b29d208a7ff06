"""Hardening of ``run`` / ``play`` / ``report`` / ``export`` / ``sim``: no key is ever written, fatal errors
stop a run (exit 2), voided runs exit 4, missing keys are refused up front, bad input is one line."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli.app import app
from harness.models import RetryPolicy, Transient, register_script
from harness.testing.provider_server import ProviderServer, Reply

runner = CliRunner()
# Key-shaped sentinels, assembled at run time so the source holds nothing a secret scanner mistakes for a key.
OPENAI_SENTINEL = "sk-" + "SENTINELcliopenai0123456789XYZ"
ANTHROPIC_SENTINEL = "sk-ant-" + "SENTINELclianthropic0123456789"
SENTINELS = (OPENAI_SENTINEL, ANTHROPIC_SENTINEL, "SENTINELcli")
OPENAI = "openai/gpt-4o-2024-08-06"
ANTHROPIC = "anthropic/claude-3-5-sonnet-20241022"
GAME = "battle_card@ruleset=v1"  # v1, so the advgamebench export has rows too


def _config(store: Path, models: list[list[str]], *, cache: Path | None = None, extra: str = "") -> str:
    pairs = ", ".join(f"[{a}, {b}]" for a, b in models)
    names = sorted({m for pair in models for m in pair if not m.startswith("bot/")})
    text = (
        f"name: hardening\ngames: [{GAME}]\nmodels: [{', '.join(names)}]\n"
        f"pairing: {{mode: pairs, pairs: [{pairs}]}}\nsettings: [{{side: A, first_reviser: A}}]\n"
        f"protocol: {{rounds: 2}}\nstore: {store}\n"
    )
    if cache is not None:
        text += f"cache: {{mode: read-write, path: {cache}}}\n"
    return text + extra


def _env(server: ProviderServer, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("STRATAGEM_LOCAL_BASE_URL", "COLUMNS")}
    env.update(
        OPENAI_API_KEY=OPENAI_SENTINEL,
        ANTHROPIC_API_KEY=ANTHROPIC_SENTINEL,
        OPENAI_BASE_URL=server.openai_base_url,
        ANTHROPIC_BASE_URL=server.anthropic_base_url,
        PYTHONUNBUFFERED="1",
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _stratagem(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from harness.cli.app import main; main()", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _lines(text: str) -> list[str]:
    return [ln for ln in text.strip().splitlines() if ln.strip()]


def _leaks(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [s for s in SENTINELS if s in text]


@pytest.fixture
def server():
    with ProviderServer(default=Reply.echo_headers()) as srv:
        yield srv


def test_an_echoed_key_is_in_no_file_and_no_output(server, tmp_path):
    """A proxy echoes every request header (the key too) into the reply: run, show, export, report, play."""
    store, cache = tmp_path / "store.sqlite", tmp_path / "cache.sqlite"
    cfg = tmp_path / "echo.yaml"
    cfg.write_text(_config(store, [[OPENAI, ANTHROPIC], [OPENAI, "bot/greedy"]], cache=cache))
    env = _env(server)
    outputs: list[str] = []

    def call(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        proc = _stratagem(env, tmp_path, *args)
        outputs.extend([proc.stdout, proc.stderr])
        assert proc.returncode in ok, f"{args}: exit {proc.returncode}\n{proc.stderr}"
        return proc

    call("run", str(cfg), "--quiet")
    listing = call("show", str(store))
    ids = [ln.split("\t")[0] for ln in listing.stdout.splitlines()[1:] if ln.strip()]
    assert len(ids) == 2
    for match_id in ids:
        call("show", str(store), match_id, "--show-prompts")
    call("export", str(store), "--format", "csv", "--out", str(tmp_path / "csv"))
    call("export", str(store), "--format", "advgamebench", "--out", str(tmp_path / "agb"))
    call("report", str(store), "--out", str(tmp_path / "report"), "--ar-sims", "4", "--ar-workers", "1")
    play_args = ["play", "--game", GAME, "--a", OPENAI, "--b", ANTHROPIC, "--rounds", "1", "--show-prompts"]
    call(*play_args, "--store", str(tmp_path / "play.sqlite"))

    # The keys reached the server, and the server echoed them back …
    sent = {hashlib.sha256(k.encode()).hexdigest()[:16] for k in (OPENAI_SENTINEL, ANTHROPIC_SENTINEL)}
    assert {r.api_key_sha256 for r in server.requests} == sent
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        raw = [r[0] for r in conn.execute("SELECT raw_text FROM decisions WHERE model != 'bot/greedy'")]
    assert raw and all("[REDACTED]" in text for text in raw), "the echo really reached the store, scrubbed"
    # … yet no file written (store, cassette, exports, report, -wal/-shm) and no output holds one.
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".yaml"]
    assert any(p.name == "report.html" for p in files) and any(p.name == "decisions.csv" for p in files)
    leaked = {str(p.relative_to(tmp_path)): _leaks(p.read_bytes()) for p in files}
    assert not {k: v for k, v in leaked.items() if v}
    assert not _leaks("\n".join(outputs))
    assert "[REDACTED]" in "\n".join(outputs), "--show-prompts printed the scrubbed replies"


def test_missing_keys_are_refused_before_anything_runs(server, tmp_path):
    store = tmp_path / "s.sqlite"
    cfg = tmp_path / "keys.yaml"
    cfg.write_text(_config(store, [[OPENAI, "bot/greedy"], [ANTHROPIC, "bot/random"]]))
    env = _env(server, OPENAI_API_KEY=None)
    proc = _stratagem(env, tmp_path, "run", str(cfg))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = _lines(proc.stderr)
    assert line == f"error: {OPENAI} needs an API key: set OPENAI_API_KEY in the environment"
    assert not store.exists() and server.count() == 0

    dry = _stratagem(env, tmp_path, "run", str(cfg), "--dry-run")
    assert dry.returncode == 0 and "2 to play" in dry.stdout
    assert "OPENAI_API_KEY" in dry.stderr and "would be refused" in dry.stderr

    proc = _stratagem(env, tmp_path, "play", "--game", GAME, "--a", OPENAI, "--b", "bot/greedy")
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert _lines(proc.stderr) == [line]
    assert server.count() == 0


def test_a_fatal_provider_error_stops_the_run_at_the_first_call(tmp_path):
    store = tmp_path / "s.sqlite"
    cfg = tmp_path / "fatal.yaml"
    pairs = [[OPENAI, b] for b in ("bot/greedy", "bot/random", "bot/search@sims=4")]
    cfg.write_text(_config(store, pairs, extra="max_matches: 1\nseeds: [0, 1]\n"))
    with ProviderServer(default=Reply.unauthorized(echo_key=True)) as server:
        proc = _stratagem(_env(server), tmp_path, "run", str(cfg), "--quiet")
        assert server.count() == 1, "stopped at the first 401: not retried for every match"
        play = _stratagem(_env(server), tmp_path, "play", "--game", GAME, "--a", OPENAI, "--b", "bot/greedy")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = _lines(proc.stderr)
    assert line.startswith(f"error: {OPENAI}: the provider refused the credentials (HTTP 401")
    assert "check OPENAI_API_KEY" in line and not _leaks(line)
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT COUNT(*) FROM matches").fetchone()[0] == 0
    assert play.returncode == 2 and "Traceback" not in play.stderr
    assert len(_lines(play.stderr)) == 1 and "check OPENAI_API_KEY" in play.stderr
    assert not _leaks(play.stdout + play.stderr)


def test_a_run_with_voided_matches_exits_4(tmp_path, monkeypatch):
    """Infrastructure failures after every retry void matches; CI must not read that as success."""
    import harness.runner

    def down(messages):
        raise Transient("upstream is down")

    register_script("down", down)
    original = harness.runner.model_settings_for

    def one_attempt(*args, **kwargs):  # no backoff waits: one attempt per call
        return dataclasses.replace(original(*args, **kwargs), retry=RetryPolicy(max_attempts=1))

    monkeypatch.setattr(harness.runner, "model_settings_for", one_attempt)
    store = tmp_path / "s.sqlite"
    cfg = tmp_path / "void.yaml"
    pairs = [["scripted/down", "bot/greedy"], ["bot/random", "bot/greedy"]]
    cfg.write_text(_config(store, pairs, extra="max_tries: 1\n"))
    result = runner.invoke(app, ["run", str(cfg), "--quiet"])
    assert result.exit_code == 4, result.output
    assert _lines(result.output) == ["incomplete: 1 voided, rerun to retry it"]


def _bad(tmp_path: Path) -> dict[str, list[str]]:
    binary = tmp_path / "plan.bin"
    binary.write_bytes(bytes(range(128, 256)))
    afile = tmp_path / "afile.txt"
    afile.write_text("x")
    big = tmp_path / "big.yaml"
    big.write_text("games: [battle_card]\nmodels: [bot/random, bot/greedy]\nprotocol: {rounds: 101}\n")
    store = tmp_path / "store.sqlite"
    return {
        "play --rounds 100000": [
            "play",
            "--game",
            "battle_card",
            "--a",
            "bot/random",
            "--b",
            "bot/greedy",
            "--rounds",
            "100000",
        ],
        "play --revision nope": [
            "play",
            "--game",
            "battle_card",
            "--a",
            "bot/random",
            "--b",
            "bot/greedy",
            "--revision",
            "nope",
        ],
        "run rounds: 101": ["run", str(big), "--store", str(tmp_path / "big.sqlite")],
        "sim binary plans": ["sim", "elemental_duel", str(binary), str(binary)],
        "sim --batch binary": ["sim", "elemental_duel", "--batch", str(binary)],
        "report --out /sys/rep": ["report", str(store), "--out", "/sys/rep"],
        "report --out /proc/nope": ["report", str(store), "--out", "/proc/nope"],
        "report --out FILE": ["report", str(store), "--out", str(afile)],
        "report --out FILE/sub": ["report", str(store), "--out", str(afile / "sub")],
        "export --out /sys/rep": ["export", str(store), "--out", "/sys/rep"],
        "export --out /proc/nope": ["export", str(store), "--out", "/proc/nope"],
        "export --out FILE": ["export", str(store), "--out", str(afile)],
        "export --out FILE/sub": [
            "export",
            str(store),
            "--format",
            "advgamebench",
            "--out",
            str(afile / "x"),
        ],
    }


def _main(args: list[str], capsys, monkeypatch) -> tuple[int, str]:
    """The real entry point in this process (its user-error handler included): exit code and output."""
    from harness.cli.app import main

    monkeypatch.setattr(sys, "argv", ["stratagem", *args])
    with pytest.raises(SystemExit) as info:
        main()
    out = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out.out + out.err


def test_bad_input_is_exit_2_one_plain_line_and_nothing_written(tmp_path, capsys, monkeypatch):
    code, output = _main(
        ["run", "smoke", "--store", str(tmp_path / "store.sqlite"), "--quiet"], capsys, monkeypatch
    )
    assert code == 0, output
    for name, args in _bad(tmp_path).items():
        before = sorted(p.name for p in tmp_path.rglob("*"))
        code, output = _main(args, capsys, monkeypatch)
        assert code == 2, f"{name}: exit {code}\n{output}"
        lines = _lines(output)
        assert len(lines) == 1 and lines[0].startswith("error: "), f"{name}: {output}"
        assert "Traceback" not in output and "http" not in lines[0] and "pydantic" not in lines[0], name
        assert sorted(p.name for p in tmp_path.rglob("*")) == before, f"{name} wrote something"
    for path in ("/sys/rep", "/proc/nope"):
        assert not Path(path).exists()
