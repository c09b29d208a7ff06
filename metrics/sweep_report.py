"""What the report shows for a parameter sweep: tables, md/csv texts, PNG figures and one HTML section.

Entry points: :func:`metrics.sweep_tables.sweep_tables` (the pandas tables; ``None`` for a store that is not
a sweep) and :func:`write_sweep_report` (writes the files and returns the ``report.html`` section). Files:

- ``sweep_points.csv`` / ``.md``: every point, its values, its matches and fingerprints;
- ``sweep_metrics.csv`` (long form: point, its values, model, game, metric, value, lo, hi, n) and
  ``sweep_metrics.md`` (the figures' game, one table per metric: models × points);
- ``sweep_rank_stability.csv`` / ``.md``: Kendall τ against the base point with its CI, n models, n matches;
- ``sweep_rank_flips.csv`` / ``.md``: the pairs whose order reverses with separated intervals (or "no flips");
- ``sweep_balance.csv`` / ``.md``: side A's observed round score per point and game, with the audit's
  equilibrium when it was run;
- ``sweep_<metric>.png`` (one line per model with a 95% band), ``sweep_rank_stability.png``,
  ``sweep_balance.png``.

Same store, same seeds → the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from metrics.frames import StoreFrames
from metrics.report.sweep_view import n_unit, sweep_section
from metrics.report.tables import fmt_num, markdown, to_csv_text
from metrics.sweep_balance import AUDIT_SIZE, GameBuilder
from metrics.sweep_plots import balance_plot, metric_label, metric_plot, stability_plot
from metrics.sweep_points import Sweep
from metrics.sweep_ranks import TAU_BOOT
from metrics.sweep_tables import NO_FLIPS, SweepTables, sweep_tables

if TYPE_CHECKING:
    from metrics.report.html import Section

__all__ = ["render_pngs", "render_texts", "write_sweep_report"]


def value_text(value: Any, lo: Any, hi: Any, n: Any = None) -> str:
    """``0.512 [0.401, 0.613] (n = 120)``; ``— (n = 0)`` when undefined."""
    text = fmt_num(float(value)) if pd.notna(value) else "—"
    if text != "—" and pd.notna(lo) and pd.notna(hi):
        text += f" [{fmt_num(float(lo))}, {fmt_num(float(hi))}]"
    if n is not None:
        text += f" (n = {int(n) if text != '—' else 0})"
    return text


def point_header(sweep: Sweep, index: int) -> str:
    """``0 (base): budget_a=10``."""
    point = next(p for p in sweep.points if p.index == index)
    base = " (base)" if index == sweep.base_index else ""
    return f"{index}{base}: {sweep.label(point)}"


def metric_grid(tables: SweepTables, metric: str) -> tuple[list[int], pd.DataFrame]:
    """The figures' game's rows of ``metric``: point indices, and rows by model then point."""
    m = tables.metrics
    sub = m.loc[(m["metric"] == metric) & (m["game"] == tables.game)]
    return [p.index for p in tables.sweep.points], sub


def _notes_md(notes: list[str]) -> str:
    return "".join(f"> {n}\n" for n in notes) + "\n"


def _metrics_md(t: SweepTables) -> str:
    parts = [_notes_md(t.notes)]
    for metric in t.metric_names:
        points, sub = metric_grid(t, metric)
        header = ["model", *(point_header(t.sweep, i) for i in points)]
        rows = []
        for model, rows_m in sub.groupby("model", sort=True):
            by = rows_m.set_index("point")
            rows.append(
                [
                    str(model),
                    *(
                        value_text(*by.loc[i, ["value", "lo", "hi", "n"]]) if i in by.index else "— (n = 0)"
                        for i in points
                    ),
                ]
            )
        unit = f"n = {n_unit(metric)}. " if n_unit(metric) else ""
        parts.append(
            f"## {metric_label(metric)} — {t.game}\n\n{unit}Value [95% interval] (n).\n\n"
            + markdown(header, rows)
            + "\n"
        )
    return "".join(parts)


def _stability_md(t: SweepTables) -> str:
    header = ["point", "τ [95% CI]", "models", "matches"]
    rows = [
        [point_header(t.sweep, int(r["point"])), value_text(r["tau"], r["lo"], r["hi"]),
         str(int(r["n_models"])), str(int(r["n_matches"]))]
        for _, r in t.stability.iterrows()
    ]  # fmt: skip
    return markdown(header, rows)


def _flips_md(t: SweepTables) -> str:
    if t.flips.empty:
        return NO_FLIPS + "\n"
    header = [
        "point",
        "above at base",
        "below at base",
        "base: above",
        "base: below",
        "point: above",
        "point: below",
    ]
    rows = [
        [point_header(t.sweep, int(r["point"])), str(r["model_hi_at_base"]), str(r["model_lo_at_base"]),
         value_text(r["base_rating_hi"], r["base_lo_hi"], r["base_hi_hi"]),
         value_text(r["base_rating_lo"], r["base_lo_lo"], r["base_hi_lo"]),
         value_text(r["point_rating_hi"], r["point_lo_hi"], r["point_hi_hi"]),
         value_text(r["point_rating_lo"], r["point_lo_lo"], r["point_hi_lo"])]
        for _, r in t.flips.iterrows()
    ]  # fmt: skip
    return markdown(header, rows)


def _balance_md(t: SweepTables) -> str:
    header = ["point", "game", "A's round score [95% CI]", "rounds", "matches"]
    if t.audited:
        header += ["audit a_win_equiv", "support A/B", "unbeaten A/B"]
    rows = []
    for _, r in t.balance.iterrows():
        row = [point_header(t.sweep, int(r["point"])), str(r["game"]),
               value_text(r["a_score"], r["lo"], r["hi"]), str(int(r["n_rounds"])),
               str(int(r["n_matches"]))]  # fmt: skip
        if t.audited:
            audited = pd.notna(r["a_win_equiv"])
            row += [
                fmt_num(float(r["a_win_equiv"])) if audited else "—",
                f"{int(r['support_a'])}/{int(r['support_b'])}" if audited else "—",
                f"{int(r['unbeaten_a'])}/{int(r['unbeaten_b'])}" if audited else "—",
            ]
        rows.append(row)
    return markdown(header, rows)


def _points_md(t: SweepTables) -> str:
    header = ["point", "base", *t.sweep.paths, "finished", "voided", "fingerprints"]
    rows = [
        [str(int(r["point"])), "yes" if r["base"] else "", *(str(r[p]) for p in t.sweep.paths),
         str(int(r["matches_finished"])), str(int(r["matches_voided"])), str(int(r["fingerprints"]))]
        for _, r in t.points.iterrows()
    ]  # fmt: skip
    return _notes_md(t.notes) + markdown(header, rows)


def render_texts(tables: SweepTables) -> dict[str, str]:
    """The md and csv files, by file name."""

    def csv(df: pd.DataFrame) -> str:
        out = df.copy()
        if "base" in out.columns:
            out["base"] = out["base"].map({True: "true", False: "false"})
        return to_csv_text(out)

    return {
        "sweep_points.csv": csv(tables.points),
        "sweep_points.md": _points_md(tables),
        "sweep_metrics.csv": csv(tables.metrics),
        "sweep_metrics.md": _metrics_md(tables),
        "sweep_rank_stability.csv": csv(tables.stability),
        "sweep_rank_stability.md": _stability_md(tables),
        "sweep_rank_flips.csv": csv(tables.flips),
        "sweep_rank_flips.md": _flips_md(tables),
        "sweep_balance.csv": csv(tables.balance),
        "sweep_balance.md": _balance_md(tables),
    }


def render_pngs(tables: SweepTables) -> dict[str, bytes]:
    """The figures, by file name."""
    out = {
        f"sweep_{m}.png": metric_plot(tables.metrics, tables.sweep, m, tables.game, f" {n_unit(m)}".rstrip())
        for m in tables.metric_names
    }
    out["sweep_rank_stability.png"] = stability_plot(tables.stability, tables.sweep)
    out["sweep_balance.png"] = balance_plot(tables.balance, tables.sweep)
    return out


def write_sweep_report(
    store: StoreFrames | Path | str,
    out_dir: Path | str,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    audit: bool = False,
    tau_boot: int = TAU_BOOT,
    definitions: str = "stratagem",
    weights: Mapping[str, float] | None = None,
    allow_mixed: bool = False,
    answers: pd.DataFrame | None = None,
    audit_size: str = AUDIT_SIZE,
    build: GameBuilder | None = None,
) -> tuple[list[Path], Section | None]:
    """Write the sweep files into ``out_dir`` and return them with the ``report.html`` section.

    A store that is not a sweep writes nothing and returns ``([], None)``. Arguments as
    :func:`sweep_tables`.
    """
    tables = sweep_tables(
        store, definitions=definitions, weights=weights, n_boot=n_boot, seed=seed, tau_boot=tau_boot,
        allow_mixed=allow_mixed, answers=answers, audit=audit, audit_size=audit_size, build=build,
    )  # fmt: skip
    if tables is None:
        return [], None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for name, text in render_texts(tables).items():
        (out / name).write_text(text, encoding="utf-8", newline="\n")
        files.append(out / name)
    pngs = render_pngs(tables)
    for name, png in pngs.items():
        (out / name).write_bytes(png)
        files.append(out / name)
    return files, sweep_section(tables, pngs)
