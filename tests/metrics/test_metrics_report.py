"""`stratagem report`: files, determinism, the CLI, and the HTML page in headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import html
from pathlib import Path

import pandas as pd
import pytest
import typer
from browser_cdp import Browser, chromium_binary, keep_artifact
from metrics_builders import MatchSpec, build, write_store
from report_dom import parse
from typer.testing import CliRunner

from harness.cli.report_cmd import register
from metrics import MixedFingerprintError, load_store
from metrics.errors import ParameterError, StoreError
from metrics.report import write_report

ASSET_JS = (Path(__file__).parents[2] / "metrics" / "report" / "assets" / "report.js").read_text()

PLANTED = "<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script>"


def league() -> list[MatchSpec]:
    specs = []
    models = ["openai/gpt-4.1", "bot/random", "anthropic/claude<b>", "bot/greedy"]
    i = 0
    for a in models:
        for b in models:
            if a == b:
                continue
            for first in ("A", "B"):
                w = "ABAB-A" if (i % 3) else "BBAAAB"
                costs = [10 + (i + k) % 4 * 3 for k in range(6)]
                decisions = []
                if a == "openai/gpt-4.1" and i % 2 == 0:
                    decisions = [
                        {
                            "model": a,
                            "side": "A",
                            "failure_class": "unparseable",
                            "raw_text": PLANTED,
                            "parse_error": "<b>no json</b>",
                            "cost_usd": 0.002,
                            "input_tokens": 900,
                        }
                    ]
                specs.append(
                    MatchSpec(
                        f"m{i}",
                        "battle_card",
                        a,
                        b,
                        w,
                        costs,
                        list(reversed(costs)),
                        first_reviser=first,
                        seed=i,
                        decisions=decisions,
                    )
                )
                i += 1
    return specs


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(build(league()), tmp_path_factory.mktemp("store") / "run.sqlite")


def test_report_files_and_long_table(store: Path, tmp_path: Path) -> None:
    res = write_report(store, tmp_path / "rep", n_boot=100)
    names = {str(p.relative_to(tmp_path / "rep")) for p in res.files}
    for expected in (
        "metrics.csv",
        "leaderboard.md",
        "leaderboard.csv",
        "per_game/battle_card.csv",
        "correlations.csv",
        "failures.csv",
        "leaderboard.png",
        "orr_vs_csr.png",
        "rating_vs_cost.png",
        "report.html",
    ):
        assert expected in names
    long = pd.read_csv(tmp_path / "rep" / "metrics.csv")
    assert list(long.columns)[:8] == ["model", "game", "definitions", "metric", "value", "lo", "hi", "n"]
    assert set(long["game"]) == {"battle_card", "all"}
    assert {
        "wr",
        "orr",
        "csr",
        "csr_win",
        "csr_fix",
        "beta",
        "obr",
        "unforced_revision_rate",
        "overcorrection_harm",
        "composite",
        "rating",
    } <= set(long["metric"])
    assert (long.loc[long["value"].isna(), "n"] == 0).all()
    for p in ("leaderboard.png", "rating_vs_cost.png"):
        assert (tmp_path / "rep" / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "correlation_heatmap.png" not in names  # 4 models: below the correlations' minimum of 5
    page = (tmp_path / "rep" / "report.html").read_text()
    dom = parse(page)
    assert dom.scripts == [ASSET_JS]  # the planted reply is escaped: the only script is the vendored one
    digest = base64.b64encode(hashlib.sha256(ASSET_JS.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html.unescape(page) and "default-src &#x27;none&#x27;" in page
    assert not [a for a in dom.attributes if a[1].startswith("on")]  # no inline event handler anywhere
    assert html.escape(PLANTED) in page
    assert 'src="http' not in page and "data:image/png;base64," in page
    assert "anthropic/claude&lt;b&gt;" in page


def test_metrics_csv_is_byte_identical(store: Path, tmp_path: Path) -> None:
    write_report(store, tmp_path / "a", n_boot=200, seed=5)
    write_report(load_store(store), tmp_path / "b", n_boot=200, seed=5)
    assert (tmp_path / "a" / "metrics.csv").read_bytes() == (tmp_path / "b" / "metrics.csv").read_bytes()


def test_advgamebench_report(store: Path, tmp_path: Path) -> None:
    write_report(store, tmp_path / "adv", definitions="advgamebench", n_boot=50)
    long = pd.read_csv(tmp_path / "adv" / "metrics.csv")
    assert set(long["definitions"]) == {"advgamebench"}
    assert not long.loc[long.metric != "rating", "value"].isna().any()


def test_empty_and_voided_only_store(tmp_path: Path) -> None:
    spec = MatchSpec(
        "v",
        "battle_card",
        "x/a",
        "x/b",
        "AB",
        [1, 1],
        [1, 1],
        status="voided",
        decisions=[{"model": "x/a", "side": "A", "failure_class": "infra_error"}],
    )
    res = write_report(write_store(build([spec]), tmp_path / "s.sqlite"), tmp_path / "rep", n_boot=10)
    assert (tmp_path / "rep" / "report.html").exists()
    fails = pd.read_csv(tmp_path / "rep" / "failures.csv")
    assert fails.set_index("model").loc["x/a", "infra_error"] == 1
    assert res.metrics.empty


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:  # keep "report" a sub-command
        pass

    return app


def test_cli_report(store: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli(),
        ["report", str(store), "--out", str(tmp_path / "o"), "--n-boot", "20", "--weights", "wr=1,csr=1"],
    )
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output and (tmp_path / "o" / "leaderboard.md").exists()
    bad = CliRunner().invoke(cli(), ["report", str(store), "--definitions", "paper"])
    assert isinstance(bad.exception, ParameterError)
    bad = CliRunner().invoke(cli(), ["report", str(store), "--weights", "wr"])
    assert isinstance(bad.exception, ParameterError)
    missing = CliRunner().invoke(cli(), ["report", str(tmp_path / "nope.sqlite")])
    assert isinstance(missing.exception, StoreError)


def test_cli_mixed_fingerprints(tmp_path: Path) -> None:
    specs = league()[:4]
    specs[0].fingerprint = "other"
    store = write_store(build(specs), tmp_path / "s.sqlite")
    res = CliRunner().invoke(cli(), ["report", str(store), "--out", str(tmp_path / "o"), "--n-boot", "0"])
    assert isinstance(res.exception, MixedFingerprintError)
    res = CliRunner().invoke(
        cli(),
        ["report", str(store), "--out", str(tmp_path / "o"), "--n-boot", "0", "--allow-mixed-fingerprints"],
    )
    assert res.exit_code == 0, res.output
    assert "Mixed fingerprints were pooled" in (tmp_path / "o" / "leaderboard.md").read_text()


SORT_KEYS = (
    "Array.from(document.querySelectorAll('#leaderboard tbody tr'))"
    ".map(r => r.cells[{k}].getAttribute('data-sort'))"
)
COLUMN_TEXT = (
    "Array.from(document.querySelectorAll('#leaderboard tbody tr')).map(r => r.cells[{k}].textContent)"
)


@pytest.mark.chromium
@pytest.mark.skipif(
    chromium_binary() is None, reason="Debian's chromium is not installed (see .ci/chromium.sh)"
)
def test_html_in_headless_chromium(store: Path, tmp_path: Path) -> None:
    write_report(store, tmp_path / "rep", n_boot=20)
    with Browser(tmp_path, width=1280, height=900) as browser:
        page = browser.open((tmp_path / "rep" / "report.html").as_uri())
        assert page.console_errors == []
        assert page.eval("document.title") == "Stratagem report — stratagem"  # the planted script never ran
        assert page.eval("document.body.hasAttribute('data-pwned')") is False
        assert "PWNED" in page.eval("document.body.textContent")  # ... it is on the page, as text
        assert page.eval("document.documentElement.scrollWidth <= window.innerWidth")  # fits 1280 px
        header = page.eval(
            "Array.from(document.querySelectorAll('#leaderboard thead th')).map(h => h.textContent)"
        )
        assert header[:5] == ["Rank", "Model", "Matches", "Decisions", "Rating"]
        ratings = page.eval(SORT_KEYS.format(k=4))
        assert [float(r) for r in ratings] == sorted((float(r) for r in ratings), reverse=True)
        assert page.eval(COLUMN_TEXT.format(k=0))[0].startswith("1")  # ranked by rating
        # Sort by model name: ascending on the first click, reversed on the second.
        page.eval("document.querySelector('#leaderboard thead th:nth-child(2)').click()")
        names = page.eval(COLUMN_TEXT.format(k=1))
        assert names == sorted(names, key=lambda s: s) and len(names) == 4
        page.eval("document.querySelector('#leaderboard thead th:nth-child(2)').click()")
        assert page.eval(COLUMN_TEXT.format(k=1)) == list(reversed(names))
        # Sort by WR: largest first, undefined (—) last.
        wr_col = header.index("WR")
        page.eval(f"document.querySelector('#leaderboard thead th:nth-child({wr_col + 1})').click()")
        keys = page.eval(SORT_KEYS.format(k=wr_col))
        defined = [float(k) for k in keys if k]
        assert defined == sorted(defined, reverse=True)
        assert keys[len(defined) :] == [""] * (len(keys) - len(defined))  # undefined last
        assert page.console_errors == []
        shot = page.screenshot(tmp_path / "report_leaderboard.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    keep_artifact(shot)
