"""Readable transcripts of a match for ``stratagem play`` (live) and ``stratagem show`` (stored rows).

Everything here takes plain row dicts shaped like the ``rounds`` / ``decisions`` / ``matches`` tables of
docs/records.md (live records give them through ``to_row()``), so a stored match replays exactly like a
live one. Model-written text is never interpreted as rich markup: it is wrapped in :class:`rich.text.Text`
or passed through :func:`rich.markup.escape`; prompts, replies and errors are printed without the values
of credential variables (:func:`~harness.models.redact.redact_secrets`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from games.core.rounds import rounds_meaning
from harness.models.redact import redact_secrets

Row = Mapping[str, Any]
SIDES = ("A", "B")


def _entries(plan_json: str | None) -> list[str]:
    """A plan's entries as compact one-line strings (``Paladin tier=Gold``), in plan order."""
    if not plan_json:
        return []
    try:
        plan = json.loads(plan_json)
    except ValueError:
        return [plan_json]
    out: list[str] = []
    if isinstance(plan, dict):
        for value in plan.values():
            if isinstance(value, list):
                out.extend(_entry(e) for e in value)
    return out


def _entry(entry: Any) -> str:
    if not isinstance(entry, dict):
        return json.dumps(entry, ensure_ascii=False)
    head = "name" if "name" in entry else "element" if "element" in entry else None
    rest = " ".join(
        f"{k}={json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
        for k, v in entry.items()
        if k != head
    )
    return f"{entry[head] if head else '?'} {rest}".strip()


def plan_changes(before: str | None, after: str | None) -> str:
    """What changed between two plans: removed and added entries, or ``reordered`` / ``unchanged``."""
    old, new = _entries(before), _entries(after)
    if old == new:
        return "unchanged"
    removed = Counter(old) - Counter(new)
    added = Counter(new) - Counter(old)
    if not removed and not added:
        return "reordered"
    parts = [f"-{n}× {e}" if n > 1 else f"-{e}" for e, n in removed.items()]
    parts += [f"+{n}× {e}" if n > 1 else f"+{e}" for e, n in added.items()]
    return ", ".join(parts)


def _violations(text: str | None) -> list[str]:
    try:
        items = json.loads(text or "[]")
    except ValueError:
        return [text or ""]
    lines = []
    for v in items if isinstance(items, list) else []:
        where = f"entry {v.get('index')}: " if isinstance(v, dict) and v.get("index") is not None else ""
        code = v.get("code", "?") if isinstance(v, dict) else "?"
        message = v.get("message", "") if isinstance(v, dict) else str(v)
        lines.append(f"[{code}] {where}{message}")
    return lines


def _side_name(side: str | None, labels: Mapping[str, str] | None) -> str:
    if side is None:
        return "no winner"
    return f"{side} ({labels[side]})" if labels and side in labels else side


def round_renderable(
    row: Row,
    *,
    previous: Row | None = None,
    labels: Mapping[str, str] | None = None,
    models: Mapping[str, str] | None = None,
) -> RenderableType:
    """One round: per side the model, cost vs budget, plan, violations and changes; then the winners."""
    table = Table(show_header=True, expand=True, pad_edge=False)
    table.add_column("side", no_wrap=True)
    table.add_column("cost", no_wrap=True)
    table.add_column("plan")
    for side in SIDES:
        s = side.lower()
        cost, budget = row[f"cost_{s}"], row[f"budget_{s}"]
        cost_text = Text(f"{cost}/{budget}", style="bold red" if cost > budget else "")
        who = Text(_side_name(side, labels))
        if models and side in models:
            who.append("\n" + models[side], style="dim")
        reviser = row.get("reviser") or ""
        mark = " (revised)" if side in reviser else ""
        change = None if previous is None else plan_changes(previous[f"plan_{s}"], row[f"plan_{s}"])
        if change == "unchanged":
            # A repeated plan is not re-listed: that keeps long matches readable. A side whose revision
            # turn it was and that kept its plan did not revise it: say so, never "(revised)".
            before = previous["round"] if previous else "?"
            kept = (
                f"kept its plan of round {before} (its revision turn)"
                if mark
                else f"same plan as round {before}"
            )
            body = Text(kept, style="dim")
        else:
            body = Text("\n".join(_entries(row[f"plan_{s}"])) or "(empty plan)")
            if change is not None:
                body.append(f"\nchanged{mark}: {change}", style="cyan")
        for line in _violations(row.get(f"violations_{s}")):
            body.append("\n" + line, style="yellow")
        table.add_row(who, cost_text, body)
    winner, raw = row.get("winner"), row.get("raw_winner")
    verdict = Text(f"winner: {_side_name(winner, labels)}", style="bold")
    if winner != raw:
        verdict.append(
            f" (simulator: {_side_name(raw, labels)}; overridden by budget/forfeit)", style="magenta"
        )
    final = f" (final battle, labelled {row['label']} as in the original)"
    title = f"Round {row['round']}" + (final if row.get("label") != row["round"] else "")
    if row.get("reviser"):
        title += f" — after revision by {row['reviser']}"
    return Panel(Group(table, verdict), title=escape(title), title_align="left")


def decision_renderable(row: Row, *, show_prompt: bool = False, prompt: str | None = None) -> RenderableType:
    """One decision: side, phase, attempt, failure class, cost; with ``show_prompt`` the prompt and reply."""
    style = "green" if row["failure_class"] == "ok" else "yellow"
    head = Text(
        f"decision {row['seq']}: {row['side']} {row['phase']} "
        f"(round {row['round']}, attempt {row['attempt']}) ",
    )
    head.append(str(row["failure_class"]), style=style)
    if row.get("cost") is not None:
        head.append(f", cost {row['cost']}")
    if row.get("reused"):
        head.append(", reused shared initial plan", style="dim")
    if row.get("parse_error"):
        head.append(f"\n  {redact_secrets(str(row['parse_error']))}", style="yellow")
    if not show_prompt:
        return head
    parts: list[RenderableType] = [head]
    if prompt:  # scrubbed again here: a stored match may predate the model layer's scrubbing
        parts.append(
            Panel(Text(redact_secrets(prompt)), title="prompt", title_align="left", border_style="dim")
        )
    reply = redact_secrets(str(row.get("raw_text") or ""))
    parts.append(Panel(Text(reply), title="reply", title_align="left", border_style="blue"))
    return Group(*parts)


def rounds_text(row: Row, final_extra_round: bool | None = None) -> str:
    """``rounds R`` and what it means in this game, e.g. ``rounds 4: 4 revision rounds → 5 battles (…)``.

    Args:
        row: A ``matches`` row (or the live header): ``game``, ``rounds``, ``revision``.
        final_extra_round: Whether the game plays the original's extra final battle; looked up from the game
            registry when not given (unknown games: the setting alone).
    """
    try:
        rounds = int(row["rounds"])
    except (KeyError, TypeError, ValueError):
        return f"rounds {row.get('rounds')}"
    if final_extra_round is None:
        from games.core.errors import StratagemError
        from games.registry import game_class

        try:
            final_extra_round = bool(game_class(str(row.get("game")), row.get("ruleset")).final_extra_round)
        except (StratagemError, ValueError, TypeError):
            return f"rounds {rounds}"
    revision = row.get("revision")
    return (
        f"rounds {rounds}: {rounds_meaning(rounds, final_extra_round, str(revision) if revision else None)}"
    )


def match_header(
    row: Row, labels: Mapping[str, str] | None = None, *, final_extra_round: bool | None = None
) -> RenderableType:
    """The match line: game (and ruleset), models per side, settings, status and final winner.

    The ``rounds`` setting is shown with what it means in this game (:func:`rounds_text`).
    """
    ruleset = f" (ruleset {row['ruleset']})" if row.get("ruleset") else ""
    text = Text(f"{row.get('game', '?')}{ruleset}  ", style="bold")
    text.append(f"A: {row.get('model_a', '?')}  vs  B: {row.get('model_b', '?')}\n")
    text.append(
        f"{rounds_text(row, final_extra_round)}\nrevision {row.get('revision')}, "
        f"first reviser {row.get('first_reviser')}, "
        f"feedback {row.get('feedback')}, seed {row.get('seed')}\n",
        style="dim",
    )
    status = row.get("status", "finished")
    text.append(f"status {status}")
    if row.get("void_reason"):
        text.append(f" ({row['void_reason']})", style="red")
    text.append(f", winner {_side_name(row.get('winner'), labels)}", style="bold")
    return Panel(text, title=escape(str(row.get("match_id", "match"))), title_align="left")


def match_renderables(
    match: Row,
    rounds: Iterable[Row],
    decisions: Iterable[Row] = (),
    *,
    labels: Mapping[str, str] | None = None,
    show_decisions: bool = True,
    show_prompts: bool = False,
) -> list[RenderableType]:
    """A stored match round by round, each round preceded by the decisions that answered the previous one."""
    models = {"A": str(match.get("model_a", "")), "B": str(match.get("model_b", ""))}
    by_round: dict[int, list[Row]] = {}
    for d in decisions:
        by_round.setdefault(int(d["round"]), []).append(d)
    out: list[RenderableType] = [match_header(match, labels)]
    previous: Row | None = None
    for r in sorted(rounds, key=lambda x: int(x["round"])):
        if show_decisions:
            answered = 0 if previous is None else int(previous["round"])
            out.extend(decision_renderable(d, show_prompt=show_prompts) for d in by_round.get(answered, []))
        out.append(round_renderable(r, previous=previous, labels=labels, models=models))
        previous = r
    return out


class LiveTranscript:
    """Prints a match as it is played: pass :meth:`on_decision` and :meth:`on_round` to ``play_match``.

    Args:
        console: Where to print.
        labels: Side labels (``{"A": "Human", "B": "Demon"}``).
        models: Model names per side.
        show_prompts: Also print every prompt and raw reply.
    """

    def __init__(
        self,
        console: Console,
        *,
        labels: Mapping[str, str] | None = None,
        models: Mapping[str, str] | None = None,
        show_prompts: bool = False,
    ) -> None:
        self.console = console
        self.labels = labels
        self.models = models
        self.show_prompts = show_prompts
        self._previous: Row | None = None

    def on_decision(self, record: Any) -> None:
        """Print one decision record (``DecisionRecord`` or a row dict)."""
        row = record.to_row() if hasattr(record, "to_row") else record
        prompt = getattr(record, "prompt", None)
        self.console.print(decision_renderable(row, show_prompt=self.show_prompts, prompt=prompt))

    def on_round(self, record: Any) -> None:
        """Print one round record (``RoundRecord`` or a row dict)."""
        row = record.to_row() if hasattr(record, "to_row") else record
        self.console.print(
            round_renderable(row, previous=self._previous, labels=self.labels, models=self.models)
        )
        self._previous = row
