"""The decisions of a round in the match viewer: a table, and each LLM reply behind a closed ``<details>``.

A bot's clean single decision adds nothing to the round (its side's block says whether the plan
changed), so a round whose decisions are all such gets no table: that keeps a bots match's page small.
Every value is escaped (:func:`~metrics.report.match_plans.text`): replies, parse errors and model names
are untrusted.
"""

from __future__ import annotations

from collections.abc import Sequence

from metrics.report.match_data import Row, is_llm
from metrics.report.match_plans import text

_DECISION_HEAD = ("seq", "side", "model", "phase", "attempt", "failure", "cost", "tokens in/out", "calls")


def _yes(value: object) -> bool:
    return value not in (None, 0, "0", "")


def _worth_a_table(decisions: Sequence[Row]) -> bool:
    """Whether decisions need a table: an LLM's, a failed one, or a side's retries (attempts > 1)."""
    seen: set[object] = set()
    for d in decisions:
        if (
            is_llm(str(d.get("model") or ""))
            or (d.get("failure_class") or "ok") != "ok"
            or d.get("side") in seen
        ):
            return True
        seen.add(d.get("side"))
    return False


def decisions_html(decisions: Sequence[Row], title: str) -> str:
    """A table of ``decisions`` under ``title``; each LLM reply (and its parse error) behind a ``<details>``.

    Returns ``""`` when there is nothing a table would add (see the module docstring).
    """
    if not decisions or not _worth_a_table(decisions):
        return ""
    rows, replies = [], []
    for d in decisions:
        notes = [n for n, f in (("cache hit", "cache_hit"), ("reused", "reused")) if _yes(d.get(f))]
        cells = [
            d.get("seq"),
            d.get("side"),
            d.get("model"),
            d.get("phase"),
            d.get("attempt"),
            d.get("failure_class"),
            "—" if d.get("cost") is None else d.get("cost"),
            f"{d.get('input_tokens') or 0}/{d.get('output_tokens') or 0}",
            " ".join([str(d.get("attempts") or 1), *notes]),
        ]
        fail = ' class="fail"' if (d.get("failure_class") or "ok") != "ok" else ""
        row = "".join(f"<td>{text('' if c is None else c)}</td>" for c in cells)
        rows.append(f"<tr{fail}>{row}</tr>")
        model = str(d.get("model") or "")
        if is_llm(model):
            raw = str(d.get("raw_text") or "")
            summary = (
                f"Reply of {d.get('side')} ({model}), {d.get('phase')} attempt {d.get('attempt')}: "
                f"{d.get('failure_class')}, {len(raw)} characters"
            )
            perr = d.get("parse_error")
            inner = f'<p class="fail">parse error: {text(perr)}</p>' if perr else ""
            replies.append(
                f'<details class="reply"><summary>{text(summary)}</summary>{inner}'
                f"<pre>{text(raw)}</pre></details>"
            )
    head = "".join(f"<th>{h}</th>" for h in _DECISION_HEAD)
    table = f'<table class="dec"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<p class="note">{text(title)}</p><div class="wrap">{table}</div>{"".join(replies)}'
