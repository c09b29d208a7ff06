"""The report page as a viewer: ranked by rating with rank ranges, tooltips and footnotes, charts that
list whom they leave out, and correlations only with enough models."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from metrics_builders import MatchSpec, build, write_store
from report_dom import parse

from metrics.report import write_report
from metrics.report.correlations_view import correlations_section
from metrics.report.leaderboard_view import ranked
from metrics.report.ranks import rank_ranges, rank_text

NAN = float("nan")


def test_rank_ranges_share_ranks_where_intervals_overlap() -> None:
    values = [1500.0, 1400.0, 1390.0, 1000.0, None]
    lo = [1451.0, 1300.0, 1350.0, 900.0, None]
    hi = [1550.0, 1450.0, 1420.0, 1100.0, None]
    assert rank_ranges(values, lo, hi) == [(1, 1), (2, 3), (2, 3), (4, 4), None]
    assert [rank_text(s) for s in rank_ranges(values, lo, hi)] == ["1", "2–3", "2–3", "4", "—"]
    # Touching intervals overlap; NaN bounds fall back to the value; no intervals: only ties share.
    assert rank_ranges([2.0, 1.0], [1.5, 0.0], [3.0, 1.5]) == [(1, 2), (1, 2)]
    assert rank_ranges([2.0, 1.0], [NAN, NAN], [NAN, NAN]) == [(1, 1), (2, 2)]
    assert rank_ranges([3.0, 2.0, 2.0, 1.0]) == [(1, 1), (2, 3), (2, 3), (4, 4)]
    assert rank_ranges([]) == []


def test_ranked_orders_by_rating_with_undefined_last() -> None:
    board = pd.DataFrame(
        {
            "model": ["c", "a", "b", "d"],
            "composite": [0.9, 0.1, NAN, 0.5],
            "rating": [1000.0, 1600.0, 1751.0, NAN],
            "rating_lo": [990.0, 1500.0, 1590.0, NAN],
            "rating_hi": [1010.0, 1700.0, 1900.0, NAN],
        }
    )
    out = ranked(board)
    assert list(out["model"]) == ["b", "a", "c", "d"]  # not by composite
    assert list(out["rank_best"].iloc[:3]) == [1, 1, 3] and list(out["rank_worst"].iloc[:3]) == [2, 2, 3]
    assert pd.isna(out["rank_best"].iloc[3])


def league(models: list[str]) -> list[MatchSpec]:
    """A round robin in which a model's strength grows with its index (plus some noise)."""
    specs, i = [], 0
    for x, a in enumerate(models):
        for y, b in enumerate(models):
            if a == b:
                continue
            for first in ("A", "B"):
                wins = "".join("A" if (x + k + i) % (len(models)) >= y else "B" for k in range(5))
                costs = [10 + (i * (x + 1) + k) % 5 * 2 for k in range(5)]
                specs.append(
                    MatchSpec(
                        f"m{i}",
                        "battle_card",
                        a,
                        b,
                        wins,
                        costs,
                        list(reversed(costs)),
                        first_reviser=first,
                        seed=i,
                    )
                )
                i += 1
    return specs


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = ["x/a", "x/b", "x/c", "x/d", "x/e", "x/<i>f</i>"]
    return write_store(build(league(models)), tmp_path_factory.mktemp("big") / "run.sqlite")


def test_leaderboard_rows_are_ranked_by_rating_with_n(big_store: Path, tmp_path: Path) -> None:
    res = write_report(big_store, tmp_path / "rep", n_boot=50, answer_rate=False)
    page = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    board = parse(page).tables["leaderboard"]
    assert board.header[:5] == ["Rank", "Model", "Matches", "Decisions", "Rating"]
    ratings = [float(k[4]) for k in board.sort_keys]
    assert ratings == sorted(ratings, reverse=True)
    expected = res.leaderboard.set_index("model")
    for row in board.rows:
        assert row[2] == str(int(expected.loc[row[1], "matches"]))  # n on every row
        assert row[3].isdigit()
    assert "x/&lt;i&gt;f&lt;/i&gt;" in page and "<i>f</i>" not in page
    assert all(board.tips), board.tips  # every header explains itself


def test_correlations_need_enough_models(big_store: Path, tmp_path: Path) -> None:
    res = write_report(big_store, tmp_path / "six", n_boot=0, answer_rate=False)
    dom = parse((tmp_path / "six" / "report.html").read_text(encoding="utf-8"))
    assert "corr-matrix" in dom.tables and "correlations" in dom.tables  # 6 models ≥ 5
    assert (tmp_path / "six" / "correlation_heatmap.png").exists()
    long = dom.tables["correlations"]
    assert long.header[:4] == ["Game", "Metric x", "Metric y", "Models (n)"]
    assert {r[3] for r in long.rows} <= {str(n) for n in range(7)}  # whole numbers, not 6.000
    assert "details" in dom.tags  # the long table sits behind a disclosure

    write_report(big_store, tmp_path / "seven", n_boot=0, answer_rate=False, corr_min_models=7)
    page = (tmp_path / "seven" / "report.html").read_text(encoding="utf-8")
    assert "Correlations across models need at least 7 models" in page
    assert "corr-matrix" not in page and not (tmp_path / "seven" / "correlation_heatmap.png").exists()
    assert not res.metrics.empty and set(res.metrics["model"]) >= {"x/a", "x/e"}


def test_matrix_cells_show_n_and_p_and_grey_the_weak() -> None:
    corr = pd.DataFrame(
        [
            {
                "game": "all",
                "metric_x": "wr",
                "metric_y": "csr",
                "n": 9,
                "pearson_r": 0.81,
                "pearson_p": 0.008,
            },
            {"game": "all", "metric_x": "wr", "metric_y": "orr", "n": 9, "pearson_r": 0.2, "pearson_p": 0.6},
            {"game": "all", "metric_x": "csr", "metric_y": "orr", "n": 0, "pearson_r": NAN, "pearson_p": NAN},
        ]
    ).assign(pearson_lo=NAN, pearson_hi=NAN, spearman_rho=NAN, spearman_p=NAN)
    html = "".join(correlations_section(corr, n_models=9).parts)
    assert '<td class="corr" title="WR vs CSR">0.81<span class="ci">n = 9, p = 0.008</span></td>' in html
    assert '<td class="corr insig" title="WR vs ORR">0.20<span class="ci">n = 9, p = 0.600</span>' in html
    assert '<td class="corr insig">—<span class="ci">n = 0</span></td>' in html


def test_charts_list_the_models_they_leave_out(tmp_path: Path) -> None:
    steady = "bot/steady"  # never revises: CSR and the composite are undefined
    specs = [
        MatchSpec(f"s{i}", "battle_card", a, b, "ABAB-", [7] * 5 if a == steady else [10, 13, 16, 10, 13],
                  [7] * 5 if b == steady else [16, 13, 10, 16, 13], first_reviser=f, seed=i)
        for i, (a, b, f) in enumerate(
            [(a, b, f) for a in ("x/a", steady) for b in ("x/a", steady) if a != b for f in "AB"]
        )
    ]  # fmt: skip
    write_report(
        write_store(build(specs), tmp_path / "s.sqlite"), tmp_path / "r", n_boot=0, answer_rate=False
    )
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    charts = page.split('id="charts"', 1)[1].split("</section>", 1)[0]
    assert "Not drawn above (Composite undefined):" in charts
    assert f"<li>{steady}: Composite — the mean of WR, CSR and 1 − OBR needs CSR" in charts
    board = parse(page).tables["leaderboard"]
    assert {r[1] for r in board.rows} == {"x/a", steady}  # never dropped from the table either
