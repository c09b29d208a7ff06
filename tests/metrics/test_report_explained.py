"""What a new reader needs in the report: — for undefined values with a reason, n per row, column legends,
what ``rounds`` meant, clearly named n columns; and the advgamebench outputs untouched by all of it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from metrics_builders import MatchSpec, build, write_store
from report_dom import parse
from typer.testing import CliRunner

from harness.cli.report_cmd import register
from metrics.report import plots, write_report
from metrics.report.explain import LEGEND, legend_line, model_counts, n_column_names, rounds_note
from metrics.report.tables import LABELS, LEADERBOARD_METRICS

STEADY = "bot/steady"  # never revises: CSR and the composite are undefined


def league() -> list[MatchSpec]:
    specs, i = [], 0
    for a in ("x/alpha", "x/beta", STEADY):
        for b in ("x/alpha", "x/beta", STEADY):
            if a == b:
                continue
            for first in ("A", "B"):
                costs = [10 + (i + k) % 4 * 3 for k in range(5)]
                steady = [7] * 5
                specs.append(
                    MatchSpec(
                        f"m{i}",
                        "battle_card",
                        a,
                        b,
                        "ABBA-" if i % 2 else "BAABA",
                        steady if a == STEADY else costs,
                        steady if b == STEADY else list(reversed(costs)),
                        first_reviser=first,
                        rounds=4,
                        seed=i,
                    )
                )
                i += 1
    return specs


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(build(league()), tmp_path_factory.mktemp("store") / "run.sqlite")


@pytest.fixture(scope="module")
def report(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rep")
    write_report(store, out, n_boot=30, answer_rate=False)
    return out


def test_undefined_values_are_explained_in_footnotes(report: Path) -> None:
    md = (report / "leaderboard.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith(f"| {STEADY} "))
    assert "nan" not in md
    assert "| — |" in row  # undefined is —
    assert "Undefined values (—):" in md
    note = next(line for line in md.splitlines() if line.startswith(f"- {STEADY}:"))
    assert "CSR — 0 corrections: it never revised a plan (ORR = 0)" in note
    assert "Composite — the mean of WR, CSR and 1 − OBR needs CSR" in note
    html = (report / "report.html").read_text(encoding="utf-8")
    assert f"<li>{STEADY}: Composite — the mean of WR, CSR and 1 − OBR needs CSR" in html  # a footnote
    board = parse(html).tables["leaderboard"]
    row = next(r for r in board.rows if r[1] == STEADY)
    composite = row[board.header.index("Composite")]
    assert composite == "—1"  # — with its footnote's number
    per_game = (report / "per_game" / "battle_card.md").read_text(encoding="utf-8")
    assert f"- {STEADY}: CSR — 0 corrections" in per_game


def test_leaderboard_shows_matches_and_rounds_per_row(report: Path, store: Path) -> None:
    md = (report / "leaderboard.md").read_text(encoding="utf-8")
    header = next(line for line in md.splitlines() if line.startswith("| model"))
    assert header.startswith("| model | Matches | Rounds | Composite |")
    # Each model played 8 matches of 5 battles (rounds 4 in battle card → 5 battles).
    for model in ("x/alpha", "x/beta", STEADY):
        assert f"| {model} | 8 | 40 |" in md
    board = parse((report / "report.html").read_text(encoding="utf-8")).tables["leaderboard"]
    assert board.header[:4] == ["Rank", "Model", "Matches", "Decisions"]
    assert {r[1]: r[2] for r in board.rows} == {"x/alpha": "8", "x/beta": "8", STEADY: "8"}


def test_csv_n_columns_say_what_they_count(report: Path) -> None:
    board = pd.read_csv(report / "leaderboard.csv")
    cols = list(board.columns)
    assert cols[:3] == ["model", "matches", "rounds"]
    assert "composite_n_own_turns" in cols and "rating_n_rounds" in cols and "csr_n_corrections" in cols
    assert not [c for c in cols if c.endswith("_n")]  # no bare n column left
    assert set(board["matches"]) == {8} and set(board["rounds"]) == {40}
    # rating n counts rounds: every round a model played
    assert set(board["rating_n_rounds"]) == {40}
    game = pd.read_csv(report / "per_game" / "battle_card.csv")
    assert "wr_n_own_turns" in game.columns and "round_wr_n_rounds" in game.columns
    assert n_column_names(["wr_n", "wr_lo", "rating_n", "nope_n"]) == {
        "wr_n": "wr_n_own_turns",
        "rating_n": "rating_n_rounds",
    }


def test_every_table_has_a_legend_line(report: Path) -> None:
    for name in ("leaderboard.md", "per_game/battle_card.md", "per_game/all.md", "correlations.md"):
        text = (report / name).read_text(encoding="utf-8")
        assert any(line.startswith("Columns — ") for line in text.splitlines()), name
    per_game = (report / "per_game" / "battle_card.md").read_text(encoding="utf-8")
    legend = next(line for line in per_game.splitlines() if line.startswith("Columns — "))
    for label in ("WR", "Round WR", "Match WR"):
        assert f"{label}: {LEGEND[label]}" in legend
    dom = parse((report / "report.html").read_text(encoding="utf-8"))  # the page: a tooltip per header
    for table_id in ("leaderboard", *(f"game-{p.stem}" for p in (report / "per_game").glob("*.md"))):
        table = dom.tables[table_id]
        assert all(table.tips[1:]), (table_id, table.header, table.tips)
        assert table.tips[table.header.index("WR")] == LEGEND["WR"]


def test_answer_rate_columns_have_a_legend() -> None:
    header = ["model", *(LABELS[m] for m in LEADERBOARD_METRICS)]
    line = legend_line(header)
    for m in LEADERBOARD_METRICS:
        assert f"{LABELS[m]}: " in line, m


def test_rounds_meaning_in_the_report(report: Path, store: Path) -> None:
    md = (report / "leaderboard.md").read_text(encoding="utf-8")
    assert "battle_card: rounds 4: 4 revision rounds → 5 battles (the last labelled 4 again)" in md
    frames = build(
        [MatchSpec("t", "tower_defense", "x/a", "x/b", "ABAB", [1, 2, 3, 4], [1, 2, 3, 4], rounds=4)]
    )
    assert "tower_defense: rounds 4: 4 battles, 3 revision rounds between them" in rounds_note(frames)
    counts = model_counts(frames)
    assert counts.to_dict("records") == [
        {"model": "x/a", "matches": 1, "rounds": 4},
        {"model": "x/b", "matches": 1, "rounds": 4},
    ]


def test_plots_say_who_is_left_out_and_when_points_are_too_few(store: Path, tmp_path: Path) -> None:
    res = write_report(store, tmp_path / "r", n_boot=30, answer_rate=False)
    board = res.leaderboard
    left = plots.left_out_lines(board, "composite")
    assert len(left) == 1 and left[0].startswith(f"{STEADY}: Composite") and "ORR = 0" in left[0]
    assert plots.leaderboard_plot(board, explain=True) != plots.leaderboard_plot(board, explain=False)
    words = plots.too_few_points(board, "orr", "csr")
    assert words is not None and "Too few models to plot: 2 of 3" in words and STEADY in words
    assert plots.too_few_points(board, "orr", "wr") is None
    assert plots.scatter_fit(board, explain=True) != plots.scatter_fit(board, explain=False)


def test_console_summary_prints_a_dash_and_the_reason(store: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    out = tmp_path / "cli"
    res = CliRunner().invoke(
        app, ["report", str(store), "--out", str(out), "--n-boot", "20", "--no-answer-rate"]
    )
    assert res.exit_code == 0, res.output
    assert "nan" not in res.output
    assert f"{STEADY}: rating " in res.output and ", composite —" in res.output
    assert "Undefined values (—):" in res.output and "it never revised a plan (ORR = 0)" in res.output


def test_advgamebench_outputs_keep_their_layout(store: Path, tmp_path: Path) -> None:
    """None of the explanations reach the advgamebench outputs (they stay the released evaluator's)."""
    write_report(store, tmp_path / "adv", definitions="advgamebench", n_boot=30)
    board = pd.read_csv(tmp_path / "adv" / "leaderboard.csv")
    assert "composite_n" in board.columns and "rounds" not in board.columns
    assert not [c for c in board.columns if c.endswith("_own_turns")]
    for f in (tmp_path / "adv").rglob("*"):
        if f.suffix in {".md", ".html"}:
            text = f.read_text(encoding="utf-8")
            assert "Columns — " not in text and "Undefined values" not in text and "Rounds (" not in text
