"""One match as a page: the header, the rounds at a glance, then every round replayed.

A round shows the game's picture of both plans, both plans side by side with cost against budget, what
changed since the previous round (the side's block is marked when its ``changed`` flag is 1, and the new
and removed entries are marked inside it), violations and the failure class of the decision that produced
the plan, the raw and the adjudicated winner (and why they differ), the battle summary, and the decisions
that answered the previous round; an LLM's reply text is in a ``<details>`` element, closed by default.

Decisions map to rounds as ``docs/records.md`` says: a decision's ``round`` is the round whose result it
answers (0 for the initial plans), so the plan played in round k was made by decisions of round k − 1.

Size. A page repeats nothing it can point to: a picture is drawn once per pair of plans (a later round
with the same plans links to it), a plan the side played in the previous round and a battle summary equal
to the previous round's are links too, and the page carries no script (``page(script=False)``). So a bots
match of 10 rounds is about 23 KB, and the 432 pages of an advgamebench-sized bots run about 10 MB.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from metrics.report.html import esc, page
from metrics.report.match_data import (
    SIDES,
    GameView,
    MatchRecord,
    Row,
    is_llm,
    load_game,
    open_store,
    read_match,
    side_name,
)
from metrics.report.match_decisions import decisions_html
from metrics.report.match_plans import (
    cost_html,
    inline_svg,
    picture,
    plan_html,
    summary_html,
    text,
    violations_html,
)

#: The viewer's own rules, once per page (the report's stylesheet comes with :func:`page`).
VIEWER_CSS = (
    ".sides{display:grid;grid-template-columns:1fr 1fr;gap:.8em}"
    "@media (max-width:760px){.sides{grid-template-columns:1fr}}"
    ".side{border:1px solid #ddd;padding:0 .6em;min-width:0}.changed{border-color:#d9a400;background:#fffbea}"
    ".side h3{margin:.3em 0 0;font-size:1em}.plan{margin:.3em 0;font:12px monospace}"
    ".add,.all li{background:#cdf3cd}.del li{text-decoration:line-through;color:#a33}"
    ".over,.fail{color:#b00}.tag{color:#735c00}.adj{background:#f5e1fa}"
    "section{border-top:2px solid #ccc;margin-top:1.5em}.sum{font-size:13px}"
    ".pic{overflow-x:auto}.pic svg{max-width:100%;height:auto}.kv *,.dec *,.glance th{text-align:left}"
    "nav a{margin-right:1em}"
)


def _over(r: Mapping[str, Any], side: str) -> bool:
    cost, budget = r.get(f"cost_{side.lower()}"), r.get(f"budget_{side.lower()}")
    try:
        return cost is not None and budget is not None and int(cost) > int(budget)
    except (TypeError, ValueError):
        return False


def adjudication_reason(r: Mapping[str, Any]) -> str:
    """Why a round's adjudicated winner differs from the simulator's (spec §1.5, and the forfeit policy)."""
    a, b = _over(r, "A"), _over(r, "B")
    if a and b:
        return (
            "both sides are over budget: the smaller overspend relative to its budget wins (equal: no winner)"
        )
    if a or b:
        return f"{'A' if a else 'B'} is over budget: a side within budget beats one over it"
    return "a forfeit (an invalid plan under the forfeit policy): the forfeiting side loses"


def _adjudication_html(r: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The adjudication note of a round whose winner is not the simulator's (``""`` otherwise)."""
    winner, raw = r.get("winner"), r.get("raw_winner")
    out = ""
    if winner != raw:
        out += (
            f'<p class="adj">Adjudicated: the simulator\'s winner was {text(side_name(raw, labels))}; the '
            f"round goes to {text(side_name(winner, labels))}: {text(adjudication_reason(r))}"
            " (spec §1.5).</p>"
        )
    return out


def _side_html(
    r: Row,
    previous: Row | None,
    side: str,
    view: GameView,
    model: str,
    made_by: Sequence[Row],
    listed_in: int | None,
) -> str:
    """One side's block. It is marked ``changed`` exactly when the round's ``changed_<side>`` flag is 1.

    ``listed_in``: the side plays the plan of the previous round again, last listed in round ``listed_in``;
    it is not listed again (a link goes there): that keeps long matches small, and the picture shows it.
    """
    s = side.lower()
    changed = r.get(f"changed_{s}") == 1
    revised = side in str(r.get("reviser") or "")
    plan, plan_prev = r.get(f"plan_{s}"), None if previous is None else previous.get(f"plan_{s}")
    label = view.labels.get(side)
    head = f"{side} · {label}" if label else side
    if previous is None:  # the models are named once per side, in the first round (and the header)
        head += f": {model}"
        state = "initial plan"
    elif changed:
        state = "changed"
    else:
        state = "kept its plan (its revision turn)" if revised else "unchanged"
    if listed_in is not None:
        state += f', as in <a href="#r{listed_in}">round {listed_in}</a>'
    mine = [d for d in made_by if d.get("side") == side]
    if mine and (len(mine) > 1 or is_llm(model) or (mine[-1].get("failure_class") or "ok") != "ok"):
        fc = str(mine[-1].get("failure_class") or "ok")
        tries = f" ({len(mine)} attempts)" if len(mine) > 1 else ""
        made = f"decision {text(mine[-1].get('seq'))}: {text(fc)}{tries}"
        state += f" · {made}" if fc == "ok" else f' · <span class="fail">{made}</span>'
    cost = cost_html(r.get(f"cost_{s}"), r.get(f"budget_{s}"))
    parts = [f'<div class="side{" changed" if changed else ""}"><h3>{text(head)}</h3><p>{cost} · {state}</p>']
    if listed_in is None:
        parts.append(plan_html(plan, plan_prev, highlight=changed))
    parts.append(violations_html(r.get(f"violations_{s}")))
    parts.append("</div>")
    return "".join(parts)


def _glance_html(rounds: Sequence[Row]) -> str:
    """The rounds at a glance, one column per round (linked to its section): costs and winners."""

    def cost(r: Row, side: str) -> str:
        star = "*" if r.get(f"changed_{side.lower()}") == 1 else ""
        return (
            f"<td{' class=over' if _over(r, side) else ''}>{text(r.get(f'cost_{side.lower()}'))}{star}</td>"
        )

    lines: list[tuple[str, Callable[[Row], str]]] = [
        ("round", lambda r: f'<td><a href="#r{int(r["round"])}">{int(r["round"])}</a></td>'),
        ("cost A", lambda r: cost(r, "A")),
        ("cost B", lambda r: cost(r, "B")),
        (
            "winner",
            lambda r: (
                f"<td{' class=adj' if r.get('winner') != r.get('raw_winner') else ''}>"
                f"{text(r.get('winner') or '-')}</td>"
            ),
        ),
    ]
    if any(r.get("winner") != r.get("raw_winner") for r in rounds):
        lines.append(("simulator", lambda r: f"<td>{text(r.get('raw_winner') or '-')}</td>"))
    body = "".join(f"<tr><th>{h}</th>{''.join(cell(r) for r in rounds)}</tr>" for h, cell in lines)
    note = '<p class="note">*: the plan changed; red: over budget; shaded: adjudicated; -: no winner.</p>'
    return f'<div class="wrap"><table class="glance">{body}</table></div>{note}'


def _params_text(m: Mapping[str, Any], view: GameView) -> str:
    if view.overrides is None:
        return str(m.get("params_json") or "{}")
    if not view.overrides:
        return "the ruleset's defaults"
    changed = ", ".join(f"{k}={v}" for k, v in sorted(view.overrides.items()))
    return f"the ruleset's defaults, except {changed}"


def _header_html(record: MatchRecord, view: GameView) -> str:
    m = record.match
    labels = view.labels
    tokens = f"{m.get('input_tokens') or 0} in / {m.get('output_tokens') or 0} out"
    cost = "unknown (a price is missing)" if m.get("cost_usd") is None else f"${float(m['cost_usd']):.4f}"
    status = str(m.get("status") or "")
    if m.get("void_reason"):
        status += f": {m['void_reason']}"
    winner = m.get("winner")
    final = side_name(winner, labels) + (f" — {record.model(winner)}" if winner in SIDES else "")
    if m.get("status") == "voided":
        final = "none (voided)"
    facts = [
        ("game", f"{m.get('game')} (ruleset {m.get('ruleset') or '?'})"),
        ("parameters", _params_text(m, view)),
        *((f"side {s}", f"{side_name(s, labels)}: {record.model(s)}") for s in SIDES),
        ("first reviser", side_name(m.get("first_reviser"), labels)),
        ("protocol", f"revision {m.get('revision')}, feedback {m.get('feedback')}"),
        ("seed / repetition", f"{m.get('seed')} / {m.get('repetition')}"),
        ("status", f"{status} (played {m.get('tries') or 1}×)"),
        ("final winner (adjudicated)", final),
        ("rounds", f"setting {m.get('rounds')}, {len(record.rounds)} round records"),
        ("tokens / cost", f"{tokens}, {cost}"),
        ("failed decisions", f"{record.failures} of {len(record.decisions)}"),
    ]
    if view.note:
        facts.append(("pictures", view.note))
    body = "".join(f"<tr><th>{text(k)}</th><td>{text(v)}</td></tr>" for k, v in facts)
    return f'<table class="kv"><tbody>{body}</tbody></table>'


def _round_title(r: Row, labels: Mapping[str, str]) -> str:
    title = f"Round {r['round']}"
    if r.get("label") is not None and r.get("label") != r["round"]:
        title += f" (the final battle, labelled {r['label']} as in the original)"
    reviser = str(r.get("reviser") or "")
    if reviser == "AB":
        title += " — both sides revised"
    elif reviser:
        title += f" — {side_name(reviser, labels)} revised"
    return f"{title}: winner {side_name(r.get('winner'), labels)}"


def render_match(
    record: MatchRecord, view: GameView, *, back_href: str | None = None, report_href: str | None = None
) -> str:
    """The whole page of ``record`` (see the module docstring); every store value is escaped.

    Args:
        record: The match's records.
        view: Its game's labels and picture function (:func:`~metrics.report.match_data.load_game`).
        back_href: A link to the match list (``None``: none).
        report_href: A link to the report page (``None``: none).
    """
    m = record.match
    labels = view.labels
    models = {s: record.model(s) for s in SIDES}
    by_round: dict[int, list[Row]] = {}
    for d in record.decisions:
        by_round.setdefault(int(d.get("round") or 0), []).append(d)
    links = [(back_href, "all matches"), (report_href, "report")]
    nav = "".join(f'<a href="{esc(h)}">{text(t)}</a>' for h, t in links if h)
    parts: list[str] = []
    if nav:
        parts.append(f"<nav>{nav}</nav>")
    parts.append(f"<h1>Match {text(record.match_id)}</h1>")
    parts.append(_header_html(record, view))
    if record.rounds:
        parts.append("<h2>Rounds at a glance</h2>" + _glance_html(record.rounds))
    else:
        parts.append('<p class="note">No round was stored for this match.</p>')
    previous: Row | None = None
    pictured: dict[tuple[str, str], int] = {}  # (plan A, plan B) -> the round whose picture shows them
    summarised: int | None = None  # the round where the current battle summary was shown
    listed = dict.fromkeys(SIDES, 1)  # the round where each side's current plan was last listed
    styles: set[str] = set()
    for r in record.rounds:
        k = int(r["round"])
        made_by = by_round.pop(k - 1, [])
        adjudicated = ' class="adj"' if r.get("winner") != r.get("raw_winner") else ""
        parts.append(f'<section id="r{k}"><h2{adjudicated}>{text(_round_title(r, labels))}</h2>')
        parts.append(_adjudication_html(r, labels))
        pair = (str(r.get("plan_a")), str(r.get("plan_b")))
        if pair in pictured:
            # The picture is a pure function of the two plans: the same plans are never drawn twice.
            p = pictured[pair]
            parts.append(f'<p class="note">Same picture as <a href="#r{p}">round {p}</a>.</p>')
        elif view.render_svg is not None:
            svg, why = picture(view.render_svg, r.get("plan_a"), r.get("plan_b"))
            parts.append(
                f'<div class="pic">{inline_svg(svg, styles)}</div>' if svg else f"<p>{text(why)}</p>"
            )
            pictured[pair] = k
        blocks = []
        for s in SIDES:
            plan = r.get(f"plan_{s.lower()}")
            same = (
                previous is not None
                and r.get(f"changed_{s.lower()}") != 1
                and plan == previous.get(f"plan_{s.lower()}")
            )
            blocks.append(_side_html(r, previous, s, view, models[s], made_by, listed[s] if same else None))
            if not same:
                listed[s] = k
        sides = "".join(blocks)
        parts.append(f'<div class="sides">{sides}</div>')
        if previous is not None and r.get("summary") == previous.get("summary") and summarised is not None:
            link = f'<a href="#r{summarised}">round {summarised}</a>'
            parts.append(f'<p class="sum"><i>Battle summary:</i> as in {link}.</p>')
        else:
            parts.append(summary_html(r.get("summary")))
            summarised = k
        answered = "The initial plans" if k == 1 else f"The decisions answering round {k - 1}"
        parts.append(decisions_html(made_by, f"{answered}:"))
        parts.append("</section>")
        previous = r
    rest = [d for j in sorted(by_round) for d in by_round[j]]
    if rest:
        title = (
            "Decisions after the last stored round" if record.rounds else "Decisions (no round was played)"
        )
        parts.append(f'<section id="rest"><h2>{text(title)}</h2>')
        parts.append(decisions_html(rest, "In the order they were made:") + "</section>")
    title = f"Match {record.match_id} — {m.get('game')}: {models['A']} vs {models['B']}"
    return page(title, "".join(parts), script=False, css=VIEWER_CSS)


def match_page_html(
    conn_or_path: sqlite3.Connection | Path | str,
    match_id: str,
    *,
    back_href: str | None = None,
    report_href: str | None = None,
) -> str:
    """The page of one match (a whole, self-contained HTML document).

    Args:
        conn_or_path: A results store (path) or an open connection to one (left open).
        match_id: The match's exact id.
        back_href: A link back to the match list (``None``: no link).
        report_href: A link to the report page (``None``: no link).

    Returns:
        The page's HTML; every value from the store is escaped.

    Raises:
        StoreError: The path is not a readable store, or it has no match ``match_id``.
    """
    with open_store(conn_or_path) as con:
        record = read_match(con, match_id)
    return render_match(record, load_game(record.match), back_href=back_href, report_href=report_href)
