"""The estimate as plain-text lines for the terminal: one line per model, a total, the notes.

Marks: ``~`` an approximate token count (not the model's own tokenizer), ``*`` output tokens from the
default reply length (no history), ``unknown`` a model without a price. Expected values come first,
bounds after the slash. Everything is plain ASCII apart from the numbers' separators, so the lines can be
printed by any console (the caller escapes them for rich, if it uses rich).
"""

from __future__ import annotations

from harness.estimate.result import ModelEstimate, RunEstimate

_HEADERS = (
    "model",
    "matches",
    "calls exp/max",
    "input tokens exp/max",
    "output tokens exp/max",
    "USD exp/max",
)


def tokens_text(n: float) -> str:
    """A token count in three significant digits: ``812``, ``12.3k``, ``4.56M``, ``1.20B``."""
    value = round(n)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            scaled = value / size
            return f"{scaled:.3g}{unit}" if scaled < 100 else f"{scaled:.0f}{unit}"
    return str(value)


def usd_text(value: float | None) -> str:
    """Dollars with cents (``0.00`` for free, ``unknown`` without a price, ``<0.01`` for a trace)."""
    if value is None:
        return "unknown"
    if 0 < value < 0.005:
        return "<0.01"
    return f"{value:,.2f}"


def duration_text(seconds: float) -> str:
    """A wall time: ``<1 s``, ``42 s``, ``12 min``, ``3 h 05 min``, ``2 d 04 h``."""
    s = round(seconds)
    if s < 1:
        return "<1 s"
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{round(s / 60)} min"
    if s < 86400:
        h, rest = divmod(s, 3600)
        return f"{h} h {round(rest / 60):02d} min" if round(rest / 60) < 60 else f"{h + 1} h 00 min"
    d, rest = divmod(s, 86400)
    return f"{d} d {round(rest / 3600):02d} h"


def _calls(m: ModelEstimate) -> str:
    text = f"{round(m.calls_expected):,}/{m.calls_max:,}"
    if m.cached_calls >= 0.5:
        text += f" (+{round(m.cached_calls):,} cached)"
    return text


def _row(m: ModelEstimate) -> tuple[str, ...]:
    if m.bot:
        return (m.model, f"{m.matches:,}", "0/0 (bot)", "0/0", "0/0", "0.00/0.00")
    approx = "" if m.tokens_exact else "~"
    star = "*" if m.output_source == "default" else ""
    return (
        m.model,
        f"{m.matches:,}",
        _calls(m),
        f"{approx}{tokens_text(m.input_tokens_expected)}/{approx}{tokens_text(m.input_tokens_max)}",
        f"{tokens_text(m.output_tokens_expected)}{star}/{tokens_text(m.output_tokens_max)}",
        f"{usd_text(m.cost_expected)}/{usd_text(m.cost_max)}",
    )


def _total_usd(est: RunEstimate) -> str:
    parts = []
    for which in ("expected", "max"):
        total, unknown = est.total_cost(which)
        parts.append(usd_text(total) + (f"+{unknown} unknown" if unknown else ""))
    return "/".join(parts)


def _total_row(est: RunEstimate) -> tuple[str, ...]:
    ms = est.models
    calls = f"{round(sum(m.calls_expected for m in ms)):,}/{sum(m.calls_max for m in ms):,}"
    cached = sum(m.cached_calls for m in ms)
    if cached >= 0.5:
        calls += f" (+{round(cached):,} cached)"
    tin = sum(m.input_tokens_expected for m in ms), sum(m.input_tokens_max for m in ms)
    tout = sum(m.output_tokens_expected for m in ms), sum(m.output_tokens_max for m in ms)
    return (
        "total",
        f"{est.to_play:,}",
        calls,
        f"{tokens_text(tin[0])}/{tokens_text(tin[1])}",
        f"{tokens_text(tout[0])}/{tokens_text(tout[1])}",
        _total_usd(est),
    )


def format_estimate(est: RunEstimate) -> list[str]:
    """Compact table lines of ``est``: a heading, one line per model, the total, wall time, notes.

    The lines are deterministic for a given estimate (no timestamps, no terminal width).
    """
    name = f"{est.experiment}: " if est.experiment else ""
    lines = [
        f"{name}estimate for {est.to_play:,} matches to play"
        f" ({est.stored:,} of {est.planned:,} already in the store)"
    ]
    if not est.to_play:
        return [*lines, "nothing to play: no calls, no cost"]
    rows = [_HEADERS, *(_row(m) for m in est.models), _total_row(est)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADERS))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    lines += [line(r) for r in rows]
    limits = ", ".join(f"{k} {v}" for k, v in est.limits.items())
    lines.append(
        f"expected wall time: {duration_text(est.wall_time_s)} at {est.max_matches} matches in flight"
        + (f" (provider limits: {limits})" if limits else "")
    )
    lines += [f"note: {n}" for n in est.notes]
    return lines
