"""The sweep's files and report.html section: contents, "no flips", escaping, determinism, the audit."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from metrics_builders import MatchSpec, build, write_store
from test_sweep_points import canonical, stable_strengths, store_of, swap_strengths, sweep_frames

from metrics.report.html import render
from metrics.sweep_report import write_sweep_report
from metrics.sweep_tables import NO_FLIPS

ROOT = Path(__file__).resolve().parents[2]
_TABLES = ("points", "metrics", "rank_stability", "rank_flips", "balance")
_FIGURES = ("wr", "csr", "orr", "obr", "beta", "composite", "rating", "rank_stability", "balance")
EXPECTED = {f"sweep_{t}.{ext}" for t in _TABLES for ext in ("csv", "md")} | {
    f"sweep_{f}.png" for f in _FIGURES
}


def _digest(files: list[Path]) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def test_files_and_section_of_a_stable_sweep(tmp_path: Path) -> None:
    files, section = write_sweep_report(sweep_frames(stable_strengths()), tmp_path, n_boot=30, tau_boot=20)
    assert {f.name for f in files} == EXPECTED
    assert section is not None and section.anchor == "sweep"
    long = pd.read_csv(tmp_path / "sweep_metrics.csv")
    assert list(long.columns) == [
        *("point", "base", "label", "games.battle_card.params.budget_a"),
        *("model", "game", "metric", "value", "lo", "hi", "n"),
    ]
    assert set(long["point"]) == {0, 1, 2} and set(long["base"]) == {True, False}
    st = pd.read_csv(tmp_path / "sweep_rank_stability.csv")
    assert list(st[["tau", "n_models", "n_matches"]].itertuples(index=False, name=None)) == [(1.0, 4, 48)] * 3
    assert (tmp_path / "sweep_rank_flips.md").read_text(encoding="utf-8") == NO_FLIPS + "\n"
    assert NO_FLIPS in "".join(section.parts)
    balance = pd.read_csv(tmp_path / "sweep_balance.csv")
    assert list(balance["game"]) == ["battle_card"] * 3 and (balance["n_rounds"] == 48 * 5).all()
    assert balance["a_score"].between(0, 1).all() and (balance["lo"] <= balance["a_score"]).all()
    md = (tmp_path / "sweep_metrics.md").read_text(encoding="utf-8")
    assert "## WR — battle_card" in md and "0 (base): budget_a=10" in md and "(n = " in md
    for name in ("sweep_wr.png", "sweep_balance.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_flip_is_listed(tmp_path: Path) -> None:
    frames = sweep_frames(swap_strengths(), seed=2, matches_per_pair=6)
    _files, section = write_sweep_report(frames, tmp_path, n_boot=100, tau_boot=20)
    flips = pd.read_csv(tmp_path / "sweep_rank_flips.csv")
    assert list(
        flips[["point", "model_hi_at_base", "model_lo_at_base"]].itertuples(index=False, name=None)
    ) == [(2, "m/alpha", "m/bravo")]
    md = (tmp_path / "sweep_rank_flips.md").read_text(encoding="utf-8")
    assert "m/alpha" in md and "2: budget_a=30" in md and NO_FLIPS not in md
    assert section is not None and 'id="sweep-flips"' in "".join(section.parts)


def test_not_a_sweep_writes_nothing(tmp_path: Path) -> None:
    frames = build([MatchSpec("x", "battle_card", "m/a", "m/b", "ABA", [1, 1, 1], [1, 1, 1])])
    out = tmp_path / "out"
    assert write_sweep_report(frames, out, n_boot=10) == ([], None)
    assert not out.exists()
    store = write_store(frames, tmp_path / "plain.sqlite")
    assert write_sweep_report(store, out, n_boot=10) == ([], None)


def test_undefined_values_show_as_dash_with_n_zero(tmp_path: Path) -> None:
    frames = sweep_frames(
        stable_strengths(2), matches_per_pair=1, revise=[{}, dict.fromkeys(stable_strengths(1)[0], False)]
    )
    write_sweep_report(frames, tmp_path, n_boot=20, tau_boot=10)
    long = pd.read_csv(tmp_path / "sweep_metrics.csv", keep_default_na=False)
    csr1 = long.loc[(long["metric"] == "csr") & (long["point"] == 1)]
    assert (csr1["value"] == "").all() and (csr1["n"] == 0).all()
    md = (tmp_path / "sweep_metrics.md").read_text(encoding="utf-8")
    csr_md = md.split("## CSR — battle_card")[1].split("##")[0]
    assert "— (n = 0)" in csr_md and "0.000 (n =" not in csr_md.split("|")[-2]


def test_model_names_are_escaped(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script>'
    strengths = [{evil: 1.0, "m/b": 0.0, "m/c": -1.0} for _ in range(2)]
    _, section = write_sweep_report(
        sweep_frames(strengths, matches_per_pair=2), tmp_path, n_boot=20, tau_boot=10
    )
    assert section is not None
    html = render("t", [section])
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html


def test_same_bytes_twice(tmp_path: Path) -> None:
    frames = sweep_frames(swap_strengths(), seed=2, matches_per_pair=2)
    a, sec_a = write_sweep_report(frames, tmp_path / "a", n_boot=30, tau_boot=20)
    b, sec_b = write_sweep_report(sweep_frames(swap_strengths(), seed=2, matches_per_pair=2), tmp_path / "b",
                                  n_boot=30, tau_boot=20)  # fmt: skip
    assert _digest(a) == _digest(b)
    assert sec_a is not None and sec_b is not None and sec_a.parts == sec_b.parts


_SCRIPT = """
import hashlib, json, sys
from metrics.sweep_report import write_sweep_report
files, section = write_sweep_report(sys.argv[1], sys.argv[2], n_boot=30, tau_boot=20)
digest = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
digest["section"] = hashlib.sha256("".join(section.parts).encode()).hexdigest()
print(json.dumps(digest, sort_keys=True))
"""


def test_independent_of_pythonhashseed(tmp_path: Path) -> None:
    store = store_of(sweep_frames(swap_strengths(), seed=2, matches_per_pair=2), tmp_path)
    outs = []
    for hs in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hs, "MPLBACKEND": "Agg"}
        run = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(store), str(tmp_path / f"out{hs}")],
            capture_output=True, text=True, env=env, cwd=ROOT, check=True, timeout=300,
        )  # fmt: skip
        outs.append(json.loads(run.stdout.strip().splitlines()[-1]))
    assert outs[0] == outs[1] and len(outs[0]) == len(EXPECTED) + 1


def test_either_import_order_works() -> None:
    """Importing the sweep modules first, or the report package first, must not hit an import circle."""
    for first in ("metrics.sweep_report", "metrics.report"):
        code = f"import {first}; import metrics.report, metrics.sweep_report, metrics.report.sweep_view"
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_audit_per_point_with_a_stand_in_game(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit's plumbing: one audit per distinct stored game, its equilibrium in the balance table."""
    import games.analysis.audit as audit_mod

    seen: list[tuple[str, str, str]] = []

    class FakeResult:
        def __init__(self, budget: int) -> None:
            self.report = {"a_win_equiv": budget / 100, "value": budget / 50 - 1, "support": {"A": 2, "B": 3},
                           "unbeaten": {"A": [], "B": [{}]}, "sims": 7}  # fmt: skip

    monkeypatch.setattr(audit_mod, "audit", lambda game, seed, size: FakeResult(game))

    def fake_build(name: str, ruleset: str, params: str) -> int:
        seen.append((name, ruleset, params))
        return int(json.loads(params)["budget_a"])

    frames = sweep_frames(stable_strengths(), matches_per_pair=1)
    m = frames.matches.copy()
    point = m["settings_json"].map(
        lambda s: json.loads(s)["sweep"]["point"]["games.battle_card.params.budget_a"]
    )
    m["params_json"] = point.map(lambda b: canonical({"budget_a": int(b)}))
    frames = type(frames).from_frames(m, frames.rounds)
    _files, section = write_sweep_report(
        frames, tmp_path, n_boot=10, tau_boot=5, audit=True, build=fake_build
    )
    assert seen == [("battle_card", "v1", canonical({"budget_a": b})) for b in (10, 20, 30)]
    balance = pd.read_csv(tmp_path / "sweep_balance.csv")
    assert list(balance["a_win_equiv"]) == [0.1, 0.2, 0.3] and list(balance["unbeaten_b"]) == [1, 1, 1]
    assert "audit a_win_equiv" in (tmp_path / "sweep_balance.md").read_text(encoding="utf-8")
    assert section is not None and "Audit equilibrium" in "".join(section.parts)


@pytest.mark.slow
def test_real_audit_of_two_points(tmp_path: Path) -> None:
    """A real (small) audit of the v1 elemental duel at two defender budgets."""
    path = "games.elemental_duel.params.defenders_budget"
    frames = sweep_frames(
        [{"m/a": 1.0, "m/b": 0.0}] * 2, values=[20, 12], path=path, matches_per_pair=1, game="elemental_duel"
    )
    m = frames.matches.copy()
    m["params_json"] = m["match_id"].map(
        lambda i: canonical({"defenders_budget": 20 if i.startswith("p0") else 12})
    )
    frames = type(frames).from_frames(m, frames.rounds)
    write_sweep_report(frames, tmp_path, n_boot=10, tau_boot=5, audit=True)
    balance = pd.read_csv(tmp_path / "sweep_balance.csv")
    assert balance["a_win_equiv"].between(0, 1).all() and (balance["audit_sims"] > 0).all()
