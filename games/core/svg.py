"""A tiny, safe SVG builder shared by the games' plan pictures (:meth:`games.core.game.Game.render_svg`).

Everything here is pure and deterministic. Text taken from a plan goes in only through :meth:`Svg.text`,
which cleans (characters XML 1.0 forbids become ``?``), clips and XML-escapes it; attribute values are
only ever numbers, colours and class names chosen by the game code, never plan text. So a plan cannot
inject markup (``<script>``, ``on*=`` handlers, ``<foreignObject>``, links): the builder has no way to
emit them. The CSS of a picture lives in one ``<style>`` whose selectors are scoped by the root's class,
so pictures inlined side by side in one HTML page cannot restyle each other or the page.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from games.core.game import Game

#: The SVG namespace of the root element.
SVG_NS = "http://www.w3.org/2000/svg"
#: Text shown for a value that cannot be drawn (unknown unit, missing field, wrong type).
UNKNOWN = "?"
#: Fill of anything unknown.
UNKNOWN_FILL = "#ccc"
#: Light fills with good contrast to black text; games pick them by catalogue index.
PALETTE: tuple[str, ...] = (
    "#8dd3c7",
    "#ffffb3",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#fdb462",
    "#b3de69",
    "#fccde5",
    "#bc80bd",
    "#ccebc5",
    "#ffed6f",
    "#a6cee3",
    "#e5c494",
)
#: Rules every picture gets: the font and the two text anchors (classes ``m`` and ``e``).
BASE_RULES: tuple[tuple[str, str], ...] = (
    ("", "font:9px sans-serif"),
    (".m", "text-anchor:middle"),
    (".e", "text-anchor:end"),
    (".h", "font-weight:bold"),
    (".o", "fill:#c00"),
)

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_COLOUR = re.compile(r"^#[0-9a-f]{3,6}$")
# Everything XML 1.0 does not allow in a document, plus tab/CR/LF (they would break the one-line layout).
_BAD_CHARS = re.compile("[^\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str, limit: int) -> str:
    """``text`` as one safe display line of at most ``limit`` characters (not yet escaped).

    Characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE/FFFF) and line breaks become
    ``?``; a longer text is cut to ``limit - 1`` characters plus ``…``.
    """
    text = _BAD_CHARS.sub(UNKNOWN, text)
    if limit < 1:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """XML-escape ``text`` for element content or a double-quoted attribute (``& < > "``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def as_int(value: Any) -> int | None:
    """A JSON integer (or integral float) as an ``int``; ``None`` for anything else (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def as_number(value: Any, default: float = 0.0) -> float:
    """A finite JSON number as a ``float``; ``default`` for anything else (booleans too)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    number = float(value)
    return number if math.isfinite(number) else default


def show(value: Any) -> str:
    """A short display text of any JSON value: strings as they are, numbers as numbers, else ``?``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return UNKNOWN
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return UNKNOWN


def entries(plan: Any, key: str) -> list[Any]:
    """The list ``plan[key]`` when ``plan`` is an object holding a list there, else ``[]``."""
    if isinstance(plan, Mapping):
        value = plan.get(key)
        if isinstance(value, list):
            return value
    return []


def field(entry: Any, key: str) -> Any:
    """``entry[key]`` when ``entry`` is an object that has it, else ``None``."""
    return entry.get(key) if isinstance(entry, Mapping) else None


def compact_json(value: Any) -> str:
    """Compact JSON of any value, keys sorted when possible; never raises (falls back to ``?``)."""
    for sort in (True, False):
        try:
            return json.dumps(value, sort_keys=sort, separators=(",", ":"), ensure_ascii=False, default=show)
        except (TypeError, ValueError, RecursionError):
            continue
    return UNKNOWN


def rect_path(x: int, y: int, w: int, h: int) -> str:
    """Path data of an axis-aligned rectangle (several of them make one compact ``<path>``)."""
    return f"M{x} {y}h{w}v{h}h{-w}z"


def _num(value: float) -> str:
    return str(round(value))


class Svg:
    """An SVG document under construction; append elements, then :meth:`render` it.

    Args:
        width: Canvas width in px (at least 1).
        height: Canvas height in px (at least 1).
        scope: The root's class; every CSS selector is prefixed with it.
        rules: CSS rules as ``(selector, declarations)``, appended to :data:`BASE_RULES`; selector
            ``""`` styles the root itself. Only game code writes these, never plan text.
    """

    def __init__(self, width: int, height: int, scope: str, rules: Iterable[tuple[str, str]] = ()) -> None:
        if not _NAME.match(scope):
            raise ValueError(f"bad scope class {scope!r}")
        self.width = max(1, int(width))
        self.height = max(1, int(height))
        self.scope = scope
        self.rules = (*BASE_RULES, *rules)
        self.parts: list[str] = []
        self.depth = 0

    @staticmethod
    def _attrs(cls: str | None, fill: str | None) -> str:
        out = ""
        if cls:
            if not all(_NAME.match(c) for c in cls.split(" ")):
                raise ValueError(f"bad class {cls!r}")
            out += f' class="{cls}"'
        if fill:
            if not _COLOUR.match(fill):
                raise ValueError(f"bad colour {fill!r}")
            out += f' fill="{fill}"'
        return out

    def rect(self, x: float, y: float, w: float, h: float, cls: str | None = None) -> None:
        """Append a rectangle (integer coordinates)."""
        size = f'width="{_num(w)}" height="{_num(h)}"'
        self.parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" {size}{self._attrs(cls, None)}/>')

    def path(self, d: str, cls: str | None = None, fill: str | None = None) -> None:
        """Append a path; ``d`` comes from :func:`rect_path` or other game code, never from a plan."""
        if d:
            self.parts.append(f'<path d="{escape(d)}"{self._attrs(cls, fill)}/>')

    def text(self, x: float, y: float, content: str, cls: str | None = None, limit: int = 40) -> None:
        """Append a line of text: ``content`` is cleaned, clipped to ``limit`` characters and escaped."""
        shown = clean(content, limit)
        if shown:
            at = f'x="{_num(x)}" y="{_num(y)}"{self._attrs(cls, None)}'
            self.parts.append(f"<text {at}>{escape(shown)}</text>")

    def begin(self, cls: str) -> None:
        """Open a ``<g>`` group of class ``cls`` (close it with :meth:`end`); its children share the class."""
        self.parts.append(f"<g{self._attrs(cls, None)}>")
        self.depth += 1

    def end(self) -> None:
        """Close the innermost group opened by :meth:`begin`."""
        if self.depth:
            self.parts.append("</g>")
            self.depth -= 1

    def render(self) -> str:
        """The complete standalone SVG document (no XML declaration, so it can be inlined in HTML)."""
        prefix = f".{self.scope}"
        css = "".join(f"{prefix}{' ' + sel if sel else ''}{{{decl}}}" for sel, decl in self.rules)
        w, h = self.width, self.height
        head = (
            f'<svg xmlns="{SVG_NS}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" class="{self.scope}">'
            f"<style>{css}</style>"
        )
        return head + "".join(self.parts) + "</g>" * self.depth + "</svg>"


@dataclass(frozen=True)
class SideInfo:
    """What a picture says about one side: its label and, when it could be computed, cost and budget.

    Attributes:
        key: ``"A"`` or ``"B"``.
        label: The side's label (``Human``, ``Defenders`` …).
        plan_key: The key its entries sit under.
        budget: The side's budget.
        cost: The cost of the plan's valid entries, or ``None`` when validation failed.
    """

    key: str
    label: str
    plan_key: str
    budget: int
    cost: int | None

    def caption(self) -> str:
        """``"Label cost c/b"`` (``?`` for an unknown cost)."""
        cost = UNKNOWN if self.cost is None else str(self.cost)
        return f"{self.label} cost {cost}/{self.budget}"

    @property
    def over(self) -> bool:
        """True when the cost is known and above the budget."""
        return self.cost is not None and self.cost > self.budget


def side_infos(game: Game[Any], plan_a: Any, plan_b: Any) -> tuple[SideInfo, SideInfo]:
    """Both sides' :class:`SideInfo`; the cost comes from ``game.validate``, guarded so it never raises."""
    out: list[SideInfo] = []
    for side, plan in zip(game.sides, (plan_a, plan_b), strict=True):
        try:
            cost: int | None = int(game.validate(side.key, plan).cost)
        except Exception:  # a picture must never fail because validation did
            cost = None
        out.append(SideInfo(side.key, side.label, side.plan_key, side.budget, cost))
    return out[0], out[1]


def header(svg: Svg, infos: Sequence[SideInfo], y: int = 11) -> None:
    """Side A's caption on the left and side B's on the right of the top line (over budget in red)."""
    a, b = infos
    svg.text(4, y, a.caption(), "h o" if a.over else "h", limit=48)
    svg.text(svg.width - 4, y, b.caption(), "h e o" if b.over else "h e", limit=48)


#: Lines of text per side in :func:`listing_svg`.
LISTING_LINES = 10
#: Characters per line in :func:`listing_svg`.
LISTING_CHARS = 70


def listing_svg(game: Game[Any], plan_a: Any, plan_b: Any) -> str:
    """The generic picture: each side's caption and its entries as compact JSON lines (fixed size).

    Used by any game that does not draw its own picture. An entry list longer than fits ends with
    ``… n more``; a plan without the side's entry list is shown whole as one line.
    """
    infos = side_infos(game, plan_a, plan_b)
    line = 11
    svg = Svg(6 * LISTING_CHARS + 8, 2 * (LISTING_LINES + 1) * line + 8, "sg-list")
    y = 0
    for info, plan in zip(infos, (plan_a, plan_b), strict=True):
        y += line
        svg.text(4, y, info.caption(), "h o" if info.over else "h", limit=LISTING_CHARS)
        items = entries(plan, info.plan_key)
        lines = [compact_json(e) for e in items] if items else [compact_json(plan)]
        if len(lines) > LISTING_LINES:
            lines = [*lines[: LISTING_LINES - 1], f"… {len(lines) - LISTING_LINES + 1} more"]
        for i, text in enumerate(lines):
            svg.text(10, y + line * (i + 1), text, limit=LISTING_CHARS)
        y += line * LISTING_LINES
    return svg.render()


#: Elements a plan picture must never contain.
FORBIDDEN_ELEMENTS = frozenset(("script", "foreignObject", "a", "image", "use", "iframe", "object", "embed"))


def svg_problems(doc: Any) -> list[str]:
    """What is wrong with ``doc`` as a safe standalone plan picture (``[]`` when nothing is).

    Checks: a string that parses as XML, an SVG-namespace ``<svg>`` root with a ``viewBox`` and positive
    integer ``width``/``height``, no scripting or embedding element (:data:`FORBIDDEN_ELEMENTS`), no
    ``on*`` event attribute, no ``href``/``src`` attribute and no ``url(`` anywhere.
    """
    if not isinstance(doc, str):
        return [f"not a string but {type(doc).__name__}"]
    try:
        root = ET.fromstring(doc)
    except ET.ParseError as exc:
        return [f"not parseable XML: {exc}"]
    problems: list[str] = []
    if root.tag != f"{{{SVG_NS}}}svg":
        problems.append(f"root element is {root.tag!r}, not an SVG <svg>")
    if not root.get("viewBox"):
        problems.append("root has no viewBox")
    for dim in ("width", "height"):
        value = root.get(dim, "")
        if not value.isdigit() or int(value) <= 0:
            problems.append(f"root {dim} {value!r} is not a positive integer")
    for el in root.iter():
        local = el.tag.rpartition("}")[2]
        if local in FORBIDDEN_ELEMENTS:
            problems.append(f"forbidden element <{local}>")
        for name in el.attrib:
            attr = name.rpartition("}")[2].lower()
            if attr.startswith("on") or attr in ("href", "src"):
                problems.append(f"forbidden attribute {attr!r} on <{local}>")
    if "url(" in doc.lower():
        problems.append("external reference url(...)")
    return problems
