"""The `advgamebench` definitions against spec §5, on CSV-shaped data and on stores, and the CSV export."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from metrics_builders import MatchSpec, build, write_store

from metrics import compute_metrics
from metrics.compat_export import CARD_COLUMNS, TD_COLUMNS, export_advgamebench, file_safe_name
from metrics.definitions_advgamebench import (
    _group_replicates,
    _unit_stats,
    evaluate_csv_rows,
    evaluate_csv_tree,
)
from metrics.errors import StoreError


def reference(rows: list[tuple[int, int, bool]], tag: str, budget: int) -> dict[str, float]:
    """§5 literally, with Python loops: rows = (round label, cost, win) in file order."""
    pi = 0 if tag == "first" else 1
    kept = [(c, w) for k, c, w in rows if k != 1 and k % 2 == pi]
    n = len(kept)
    if n == 0:
        return dict.fromkeys(("wr", "orr", "csr", "beta", "obr"), 0.0)
    w = [1.0 if x else 0.0 for _, x in kept]
    c = [cost for cost, _ in kept]
    wr = sum(w) / n
    obr = sum(1.0 for x in c if x > budget) / n
    delta = [1.0 if c[t] != c[t - 1] else 0.0 for t in range(1, n)]
    k = sum(delta)
    orr = k / (n - 1) if n >= 2 else 0.0
    csr = sum(d * w[t] for t, d in zip(range(1, n), delta, strict=True)) / k if k > 0 else 0.0
    if n >= 2:
        tbar = (n - 1) / 2
        beta = sum((t - tbar) * (w[t] - wr) for t in range(n)) / sum((t - tbar) ** 2 for t in range(n))
    else:
        beta = 0.0
    return {"wr": wr, "orr": orr, "csr": csr, "beta": beta, "obr": obr}


def csv_frame(records: list[tuple[int, int, str, str]], role: str = "defender") -> pd.DataFrame:
    """CSV-shaped rows (round, <role>_cost, winner, <role>_LLM)."""
    return pd.DataFrame(records, columns=["round", f"{role}_cost", "winner", f"{role}_LLM"])


def test_csv_rows_battle_card_with_final_record_labelled_r() -> None:
    # Two matches (R = 4 → labels 1,2,3,4,4) appended in one file; tag first keeps labels 2, 4, 4.
    m, o = "gpt", "bot__random"
    rows = [
        (1, 10, "Defenders", m),
        (2, 12, "Invaders", m),
        (3, 12, "Defenders", m),
        (4, 25, "Invaders", m),
        (4, 12, "Defenders", m),
        (1, 10, "Invaders", m),
        (2, 12, "Defenders", m),
        (3, 9, "Defenders", m),
        (4, 9, "Defenders", m),
        (4, 9, "", m),
    ]
    got = evaluate_csv_rows(csv_frame(rows), m, "defender", "first", 20, "Defenders")
    # Kept costs 12, 25, 12 | 12, 9, 9 ; wins 0, 0, 1 | 1, 1, 0 (no winner = loss).
    # δ: 12→25, 25→12, 12→12 (match boundary: no change), 12→9, 9→9 → K = 3; CSR = (0 + 1 + 1) / 3.
    assert got["n"] == 6 and got["k"] == 3
    assert got["wr"] == pytest.approx(3 / 6)
    assert got["orr"] == pytest.approx(3 / 5)
    assert got["csr"] == pytest.approx(2 / 3)
    assert got["obr"] == pytest.approx(1 / 6)
    ref = reference([(k, c, w == "Defenders" and llm == m) for k, c, w, llm in rows], "first", 20)
    for metric, v in ref.items():
        assert got[metric] == pytest.approx(v), metric
    # Tag second keeps labels 3 only (odd, not 1): rows 12 and 9; boundary change 12 → 9 counts.
    got2 = evaluate_csv_rows(csv_frame(rows), m, "defender", "second", 20, "Defenders")
    assert (got2["n"], got2["k"], got2["csr"], got2["orr"]) == (2, 1, 1.0, 1.0)
    # A row whose LLM column names another model is not a win for m (the second match's round-2 win goes).
    other = [(k, c, w, o if k == 2 else llm) for k, c, w, llm in rows]
    assert evaluate_csv_rows(csv_frame(other), m, "defender", "first", 20, "Defenders")[
        "wr"
    ] == pytest.approx(2 / 6)


def test_zeros_when_undefined() -> None:
    # n = 0 (only round 1), n = 1 (ORR, CSR, β are 0), K = 0 (CSR 0).
    assert set(
        evaluate_csv_rows(
            csv_frame([(1, 5, "Defenders", "m")]), "m", "defender", "first", 20, "Defenders"
        ).values()
    ) == {0.0}
    one = evaluate_csv_rows(
        csv_frame([(1, 5, "", "m"), (2, 25, "Defenders", "m")]), "m", "defender", "first", 20, "Defenders"
    )
    assert (one["wr"], one["obr"], one["orr"], one["csr"], one["beta"]) == (1.0, 1.0, 0.0, 0.0, 0.0)
    same = [(1, 5, "", "m"), (2, 5, "Defenders", "m"), (3, 5, "", "m"), (4, 5, "", "m")]
    res = evaluate_csv_rows(csv_frame(same), "m", "defender", "first", 20, "Defenders")
    assert (res["k"], res["orr"], res["csr"]) == (0, 0.0, 0.0)
    assert res["beta"] == pytest.approx(-1.0)  # w = (1, 0) on t = (0, 1)


def test_random_sequences_match_reference() -> None:
    rnd = random.Random(5)
    for _ in range(200):
        rows = [
            (rnd.choice([1, 2, 3, 4, 5]), rnd.choice([8, 9, 10, 21]), rnd.random() < 0.5) for _ in range(12)
        ]
        df = csv_frame([(k, c, "Invaders" if w else "Defenders", "m") for k, c, w in rows], role="invader")
        for tag in ("first", "second"):
            got = evaluate_csv_rows(df, "m", "invader", tag, 20, "Invaders")
            for metric, v in reference(rows, tag, 20).items():
                assert got[metric] == pytest.approx(v, abs=1e-12), (metric, rows, tag)


def league() -> list[MatchSpec]:
    """Several matches of three models in two games, both tags, with cost-keeping revisions."""
    rng = random.Random(11)
    specs = []
    models = ["openai/gpt-4.1", "bot/random", "bot/search@sims=64"]
    i = 0
    for game, n_rec in (("battle_card", 5), ("tower_defense", 4)):
        for a in models:
            for b in models:
                if a == b:
                    continue
                for first in ("A", "B"):
                    for seed in (1, 2):
                        bud = (2000, 1500) if game == "tower_defense" else (20, 20)
                        costs_a = [rng.choice([bud[0] - 3, bud[0], bud[0] + 1]) for _ in range(n_rec)]
                        costs_b = [rng.choice([bud[1] - 2, bud[1], bud[1] + 2]) for _ in range(n_rec)]
                        specs.append(
                            MatchSpec(
                                f"x{i}",
                                game,
                                a,
                                b,
                                "".join(rng.choice("AB-") for _ in range(n_rec)),
                                costs_a,
                                costs_b,
                                plan_a=[rng.randint(0, 2) for _ in range(n_rec)],
                                first_reviser=first,
                                seed=seed,
                            )
                        )
                        i += 1
    return specs


def test_store_values_equal_original_evaluator_on_export(tmp_path: Path) -> None:
    frames = build(league())
    store = write_store(frames, tmp_path / "s.sqlite")
    written = export_advgamebench(store, tmp_path / "out")
    assert written == sorted(written)
    long = compute_metrics(frames, "advgamebench", n_boot=0, with_ratings=False)
    for game in ("battle_card", "tower_defense"):
        evaluated = evaluate_csv_tree(tmp_path / "out" / game, game)
        ours = long.loc[(long.game == game) & long.metric.isin(["wr", "orr", "csr", "beta", "obr"])]
        ours = ours.assign(model=ours["model"].map(file_safe_name))
        merged = ours.merge(evaluated, on=["model", "metric"], suffixes=("", "_csv"))
        assert len(merged) == len(evaluated) == 3 * 5
        np.testing.assert_allclose(merged["value"], merged["value_csv"], atol=1e-12)


def test_export_layout(tmp_path: Path) -> None:
    frames = build(league())
    store = write_store(frames, tmp_path / "s.sqlite")
    out = tmp_path / "out"
    files = export_advgamebench(store, out)
    rel = {str(p.relative_to(out)) for p in files}
    assert "battle_card/defender_results/first/openai__gpt-4.1_results.csv" in rel
    assert "tower_defense/demon_results/second/bot__search_sims_64_results.csv" in rel
    assert len(files) == 2 * 2 * 2 * 3  # games × roles × tags × models
    with (out / "battle_card/invader_results/first/bot__random_results.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == CARD_COLUMNS
    assert all(r[4] == "bot__random" for r in rows[1:])  # invader_LLM = the test model, file-safe
    # 2 opponents × 2 seeds × 5 records, ordered by opponent then seed; round = label (final record = R).
    assert len(rows) == 1 + 20
    assert [r[0] for r in rows[1:6]] == ["1", "2", "3", "4", "4"]
    assert {r[5] for r in rows[1:11]} == {"bot__search_sims_64"} and {r[5] for r in rows[11:]} == {
        "openai__gpt-4.1"
    }
    with (out / "tower_defense/human_results/second/openai__gpt-4.1_results.csv").open() as fh:
        td = list(csv.reader(fh))
    assert tuple(td[0]) == TD_COLUMNS and {r[1] for r in td[1:]} == {""}
    assert {r[4] for r in td[1:]} <= {"Human", "Demon", ""}


def test_export_refuses_clashing_names(tmp_path: Path) -> None:
    specs = [MatchSpec("m", "battle_card", "a/b", "a__b", "AA", [1, 1], [1, 1])]
    store = write_store(build(specs), tmp_path / "s.sqlite")
    with pytest.raises(StoreError, match="file-safe"):
        export_advgamebench(store, tmp_path / "out")


def test_file_safe_name() -> None:
    assert file_safe_name("bot/random") == "bot__random"
    assert file_safe_name("litellm/azure/gpt-4o@t=0.3 x") == "litellm__azure__gpt-4o_t_0.3_x"


def test_bootstrap_identity_resample_reproduces_point_values() -> None:
    # A group's replicate with every match drawn once equals the §5 value on the whole sequence, boundaries
    # between matches included.
    rows = [(0, 12, 0), (0, 25, 0), (0, 12, 1), (1, 12, 1), (1, 9, 1), (1, 9, 0), (2, 30, 1)]
    upos = np.array([r[0] for r in rows])
    cost = np.array([r[1] for r in rows])
    win = np.array([bool(r[2]) for r in rows])
    us = _unit_stats(upos, cost, win, np.full(len(rows), 20), 3)
    rep = _group_replicates(us, np.ones((3, 1)))[0]
    ref = reference([(2, c, bool(w)) for _, c, w in rows], "first", 20)
    np.testing.assert_allclose(rep, [ref[m] for m in ("wr", "orr", "csr", "beta", "obr")], atol=1e-12)
    # Drawing the first match twice and dropping the second = evaluating that sequence.
    rep2 = _group_replicates(us, np.array([[2.0], [0.0], [1.0]]))[0]
    seq = rows[:3] + rows[:3] + rows[6:]
    ref2 = reference([(2, c, bool(w)) for _, c, w in seq], "first", 20)
    # The copy's leading boundary is the original one (first match of the group: none), so K differs from a
    # literal re-evaluation only at the copy boundary (12 → 12: no change either way here).
    np.testing.assert_allclose(rep2, [ref2[m] for m in ("wr", "orr", "csr", "beta", "obr")], atol=1e-12)


def test_advgamebench_long_table_has_zeros_and_intervals() -> None:
    long = compute_metrics(build(league()), "advgamebench", n_boot=200, seed=1)
    assert set(long["metric"]) == {"wr", "orr", "csr", "beta", "obr", "composite", "rating"}
    assert not long["value"].isna().any()
    sub = long.loc[long.metric != "rating"]
    assert ((sub["lo"] <= sub["value"] + 1e-9) & (sub["value"] <= sub["hi"] + 1e-9)).all()


def test_export_tower_defense_demon_win_fields(tmp_path: Path) -> None:
    frames = build([MatchSpec("t", "tower_defense", "m/h", "m/d", "BA", [2000, 1900], [1500, 1500])])
    summary = '{"lost_row":4,"result":"Demon win","winner_remaining":2,"winner_remaining_cost":400}'
    frames.rounds.loc[0, "summary"] = summary
    frames.rounds.loc[1, "summary"] = (
        '{"result":"Human win","winner_remaining":3,"winner_remaining_cost":900}'
    )
    files = export_advgamebench(write_store(frames, tmp_path / "s.sqlite"), tmp_path / "out")
    human = next(p for p in files if "human_results" in str(p))
    rows = list(csv.reader(human.open()))
    # Only a raw Demon win keeps lost_row and the survivors (as the original match loop did).
    assert rows[1] == ["1", "", "2000", "1500", "Demon", "4", "2", "400", "m__h", "m__d"]
    assert rows[2] == ["2", "", "1900", "1500", "Human", "", "", "", "m__h", "m__d"]
