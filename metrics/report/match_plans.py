"""The match viewer's pieces of one round: a plan and its diff, violations, the battle summary, a picture.

Every function returns HTML in which each value taken from the store is escaped (:func:`esc`): plans,
violation messages and summary values can hold model-written text. The one exception is a game's SVG
picture, which is our own game package's output and is inlined as markup; it is still checked
(:func:`safe_svg`) and refused when it holds anything that could run.
"""

from __future__ import annotations

import difflib
import html
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _loads(text: object) -> Any:
    if text is None:
        return None
    try:
        return json.loads(str(text))
    except ValueError:
        return str(text)


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def text(value: object) -> str:
    """``value`` escaped for element content (``& < >``; quotes need no escaping there, and are many)."""
    return html.escape(str(value), quote=False)


def loose(value: Any) -> str:
    """A short readable form of a JSON value: ``{hp: 20, x: 3}``, ``[a, b]``, strings unquoted.

    An object with a ``name`` (or ``element``) reads as a plan entry does: ``Imp hp=20 x=3``.
    """
    if isinstance(value, dict) and ("name" in value or "element" in value):
        return _entry_text(value)
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{k}: {loose(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(loose(v) for v in value) + "]"
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Entry:
    """One entry of a plan: ``key`` compares entries (canonical JSON), ``text`` is what is shown."""

    key: str
    text: str


def _entry_text(entry: Any) -> str:
    """``Paladin tier=Gold``: the name (or element) first, then the other fields as ``k=v``."""
    if not isinstance(entry, dict):
        return _compact(entry)
    head = "name" if "name" in entry else "element" if "element" in entry else None
    rest = " ".join(f"{k}={loose(v)}" for k, v in sorted(entry.items()) if k != head)
    return f"{entry[head] if head else ''} {rest}".strip() if head else rest or "{}"


def plan_entries(plan_json: object) -> list[Entry] | None:
    """The entries of a stored plan, in plan order; ``None`` when it is not a ``{key: [entries]}`` object."""
    plan = _loads(plan_json)
    if not isinstance(plan, dict) or not plan or not all(isinstance(v, list) for v in plan.values()):
        return None
    return [Entry(_compact(e), _entry_text(e)) for k in sorted(plan) for e in plan[k]]


def plan_html(plan_json: object, previous_json: object = None, *, highlight: bool = False) -> str:
    """A plan as a numbered list; with ``highlight``, entries new since ``previous_json`` are marked.

    The diff aligns the two entry lists (:class:`difflib.SequenceMatcher`, so order counts, as it does in
    the lineup games); entries the previous plan had and this one does not are listed after it, struck.
    A plan that kept none of the previous entries is marked as a whole, and the previous plan is not
    repeated (it is listed in its own round): a bot that draws a fresh plan each turn would double the
    page otherwise.
    """
    entries = plan_entries(plan_json)
    if entries is None:  # not a plan shape (a builder's test plan, a stored raw value): show it whole
        shown = "(no plan)" if plan_json is None else str(plan_json)
        return f'<pre class="plan">{text(shown)}</pre>'
    if not entries and not highlight:
        return '<p class="u">(empty plan)</p>'
    before = plan_entries(previous_json) if highlight else None
    new: set[int] = set()
    removed: list[Entry] = []
    if before is not None:
        matcher = difflib.SequenceMatcher(
            a=[e.key for e in before], b=[e.key for e in entries], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                new.update(range(j1, j2))
                removed.extend(before[i1:i2])
    if before and entries and len(new) == len(entries):
        items = "".join(f"<li>{text(e.text)}</li>" for e in entries)
        note = f'<p class="tag">a new plan: none of the {len(before)} previous entries kept</p>'
        return f'<ol class="plan all">{items}</ol>{note}'
    items = "".join(
        f"<li{' class=add' if i in new else ''}>{text(e.text)}</li>" for i, e in enumerate(entries)
    )
    out = f'<ol class="plan">{items}</ol>' if entries else '<p class="u">(empty plan)</p>'
    if removed:
        out += '<ul class="plan del">' + "".join(f"<li>{text(e.text)}</li>" for e in removed) + "</ul>"
    return out


def violations_html(violations_json: object) -> str:
    """A side's violations (``code``, entry ``index``, ``field``, ``message``) as a table (``""``: none)."""
    items = _loads(violations_json)
    if not items:
        return ""
    rows = []
    for v in items if isinstance(items, list) else [items]:
        get = v.get if isinstance(v, dict) else {"message": v}.get
        cells = [get("code"), get("index"), get("field"), get("message")]
        rows.append("<tr>" + "".join(f"<td>{text('' if c is None else c)}</td>" for c in cells) + "</tr>")
    head = "<tr><th>violation</th><th>entry</th><th>field</th><th>message</th></tr>"
    return f'<table class="viol"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _summary_items(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flattened ``(key, value)`` pairs; nested objects become ``outer.inner``, lists stay in one line."""
    if isinstance(value, dict) and value:
        out: list[tuple[str, str]] = []
        for k in sorted(value, key=str):
            out.extend(_summary_items(value[k], f"{prefix}.{k}" if prefix else str(k)))
        return out
    return [(prefix or "summary", loose(value))]


def summary_html(summary_json: object) -> str:
    """The battle summary as one paragraph of ``key: value`` items (nested keys joined with ``.``).

    A paragraph rather than a table: a round's summary is short, and table markup would double the size
    of every page. ``""`` when the summary is empty.
    """
    summary = _loads(summary_json)
    if summary in (None, {}, [], ""):
        return ""
    items = "; ".join(f"{text(k)}: {text(v)}" for k, v in _summary_items(summary))
    return f'<p class="sum"><i>Battle summary:</i> {items}</p>'


# ---------------------------------------------------------------------------------------------- pictures
# A tag (text content cannot hold a raw "<", so this sees only real tags) with an on* attribute.
_EVENT_ATTR = re.compile(r"<[^<>]*\son[a-z]+\s*=", re.IGNORECASE)
_FORBIDDEN = ("<script", "<foreignobject", "javascript:", "<iframe", "<object", "<embed")


def safe_svg(svg: object) -> str | None:
    """``svg`` if it is an ``<svg>`` document with nothing that could run in it, else ``None``.

    The pictures come from our own game package, which escapes every plan text; this is defence in depth
    against a bug there: scripts, ``foreignObject``, event-handler attributes and ``javascript:`` links are
    refused outright (the CSP would block them too).
    """
    if not isinstance(svg, str):
        return None
    text = svg.strip()
    lowered = text.lower()
    if not lowered.startswith("<svg") or not lowered.endswith("</svg>"):
        return None
    if any(bad in lowered for bad in _FORBIDDEN) or _EVENT_ATTR.search(text):
        return None
    return text


def picture(draw: Any, plan_a: object, plan_b: object) -> tuple[str | None, str]:
    """``(svg, "")`` from the game's ``render_svg`` of both stored plans, or ``(None, why not)``."""
    if draw is None:
        return None, "no picture: this game draws none"
    a, b = _loads(plan_a), _loads(plan_b)
    try:
        svg = draw(a if isinstance(a, Mapping) else {}, b if isinstance(b, Mapping) else {})
    except Exception as exc:  # a picture is never worth a failed page
        return None, f"no picture: drawing failed ({type(exc).__name__})"
    safe = safe_svg(svg)
    if safe is None:
        return None, "no picture: the game's SVG was refused (it held active content)"
    return safe, ""


def cost_html(cost: object, budget: object) -> str:
    """``cost/budget``; over budget highlighted and said."""
    try:
        over = cost is not None and budget is not None and int(str(cost)) > int(str(budget))
    except ValueError:
        over = False
    shown = f"{text(cost)}/{text(budget)}"
    return f'<span class="over">{shown} over budget</span>' if over else shown


_SVG_STYLE = re.compile(r"^(<svg[^>]*>)<style>(.*?)</style>", re.DOTALL)


def inline_svg(svg: str, seen: set[str]) -> str:
    """``svg`` made ready to inline in the page: no ``xmlns``, and no ``<style>`` the page already has.

    HTML puts an inline ``<svg>`` in the SVG namespace by itself, so the attribute is not needed. The
    style of an inline SVG applies to the whole document, and the games scope their rules by the root's
    class, so the first copy of a style styles every later picture of the game: the later copies are
    dropped, which saves a few hundred bytes per round. ``seen`` collects the styles already on the page.
    """
    svg = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    match = _SVG_STYLE.match(svg)
    if match is None:
        return svg
    if match.group(2) in seen:
        return match.group(1) + svg[match.end() :]
    seen.add(match.group(2))
    return svg
