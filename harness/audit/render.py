"""Render an audit report (:func:`games.analysis.audit.run_audit`) as JSON, Markdown and a heatmap PNG.

The fairness targets a balanced ruleset must meet (issue 11, ``docs/audit.md``) are kept here, beside the
summary that checks them, so the table a user reads and the verdict it prints cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy.typing as npt


@dataclass(frozen=True)
class Target:
    """One fairness target: a label, how to read it from a report, and whether the value meets it."""

    label: str
    wanted: str
    read: Callable[[dict[str, Any]], str]
    ok: Callable[[dict[str, Any]], bool]


def _pair(report: dict[str, Any], key: str) -> str:
    v = report[key]
    return f"{v['A']} / {v['B']}"


TARGETS: tuple[Target, ...] = (
    Target(
        "A's equilibrium win-equivalent",
        "0.40–0.60",
        lambda r: f"{r['a_win_equiv']:.3f}",
        lambda r: 0.4 <= r["a_win_equiv"] <= 0.6,
    ),
    Target(
        "unbeaten plans (A / B)",
        "0 / 0",
        lambda r: f"{len(r['unbeaten']['A'])} / {len(r['unbeaten']['B'])}",
        lambda r: not r["unbeaten"]["A"] and not r["unbeaten"]["B"],
    ),
    Target(
        "equilibrium support (A / B)",
        "≥ 5 / ≥ 5",
        lambda r: _pair(r, "support"),
        lambda r: min(r["support"]["A"], r["support"]["B"]) >= 5,
    ),
    Target(
        "search bot's distinct plans (A / B)",
        "≥ 10 / ≥ 10",
        lambda r: _pair(r, "search_distinct"),
        lambda r: min(r["search_distinct"]["A"], r["search_distinct"]["B"]) >= 10,
    ),
)


def summary_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, verdict) rows; informative measures have an empty target."""
    rows = [(t.label, t.read(report), t.wanted, "ok" if t.ok(report) else "MISSED") for t in TARGETS]
    uniform = report["uniform_a_win"]
    rows += [
        ("A's value (payoff in [−1, 1])", f"{report['value']:+.3f}", "", ""),
        ("plans beating ≥ 95% of the other side (A / B)", _pair(report, "beats_95"), "", ""),
        (
            "A wins, random vs random plans",
            "—" if uniform is None else f"{uniform:.3f} (n = {report['uniform_pairs']} pairs)",
            "",
            "",
        ),
        ("population (A / B plans)", _pair(report, "population"), "", ""),
        ("simulations", f"{report['sims']:,}", "", ""),
    ]
    return rows


def _plan_text(plan: dict[str, Any]) -> str:
    return "`" + json.dumps(plan, separators=(",", ":")).replace("|", "\\|") + "`"


def render_markdown(report: dict[str, Any]) -> str:
    """The ``audit.md`` text (a pure function of the report, so it is as reproducible as the report)."""
    r = report
    lines = [f"# Audit of {r['game']} (ruleset {r['ruleset']}), seed {r['seed']}, size {r['size']}", ""]
    params = ", ".join(f"{k}={v}" for k, v in report["params"].items())
    lines += [f"Parameters: {params}.", ""]
    lines += ["| measure | value | target | verdict |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary_rows(report)]
    for side in ("A", "B"):
        lines += ["", f"## Side {side}: equilibrium plans (heaviest first)", ""]
        lines += ["| weight | beats | found by | plan |", "|---|---|---|---|"]
        lines += [
            f"| {e['weight']:.4f} | {e['beats']:.1%} | {e['origin']} | {_plan_text(e['plan'])} |"
            for e in report["equilibrium"][side]
        ]
        unbeaten = report["unbeaten"][side]
        lines += ["", f"Unbeaten {side} plans (no plan found beats them): {len(unbeaten)}."]
        lines += [f"- beats {u['beats']:.1%}: {_plan_text(u['plan'])}" for u in unbeaten[:20]]
        if len(unbeaten) > 20:
            lines.append(f"- … and {len(unbeaten) - 20} more (all in audit.json)")
    lines += ["", "## How exploitable the bots are", ""]
    lines += [
        "The payoff in [−1, 1] a best-response search earns against each bot's opening plans (1: every"
        " opening is beaten).",
        "",
        "| bot | as A | as B |",
        "|---|---|---|",
    ]
    lines += [f"| {bot} | {v['A']:+.3f} | {v['B']:+.3f} |" for bot, v in report["bot_exploitability"].items()]
    lines += [
        "",
        "A population audit proves bias (a plan that beats everything found, or a value far from 0) but only"
        " bounds the absence of dominance: a better plan may exist that no search found. See docs/audit.md.",
        "",
    ]
    return "\n".join(lines)


def write_heatmap(path: Path, matrix: npt.NDArray[Any], title: str) -> None:
    """A PNG heatmap of A's payoffs (red: B wins, white: no winner, blue: A wins)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
    im = ax.imshow(matrix, cmap="RdBu", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xlabel("B plans (equilibrium weight, then strength, descending)")
    ax.set_ylabel("A plans (equilibrium weight, then strength, descending)")
    ax.set_title(title, fontsize=10)
    bar = fig.colorbar(im, ax=ax, ticks=[-1, 0, 1])
    bar.ax.set_yticklabels(["B wins", "no winner", "A wins"])
    fig.tight_layout()
    # metadata=None-like fixed values keep the PNG bytes identical for the same matrix
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def write_audit(out: Path, report: dict[str, Any], matrix: npt.NDArray[Any]) -> list[Path]:
    """Write ``audit.json``, ``audit.md`` and ``payoff_heatmap.png`` into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "audit.json", out / "audit.md", out / "payoff_heatmap.png"]
    files[0].write_text(json.dumps(report, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    files[1].write_text(render_markdown(report), encoding="utf-8")
    title = (
        f"{report['game']} {report['ruleset']}: A's payoff, value {report['value']:+.3f}"
        f" ({matrix.shape[0]} x {matrix.shape[1]} plans)"
    )
    write_heatmap(files[2], matrix, title)
    return files
