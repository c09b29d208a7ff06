"""The tower defense plan picture: the board with the humans where they stand and the demons' spawn lanes.

Humans are coloured squares with a short abbreviation in their cell (dashed when their ``spawn_time`` is
later than 0); demons are chips in the spawn zone right of the board, in the lane (row) they walk, in the
order they spawn. The goal is the red line on the left. A legend names the unit kinds the plans use.
Anything that cannot be drawn (an unknown unit is a grey ``?``; an entry without a cell or row on the
board is counted, not drawn) never raises; see :meth:`games.core.game.Game.render_svg`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from games.core.svg import (
    PALETTE,
    UNKNOWN,
    UNKNOWN_FILL,
    SideInfo,
    Svg,
    as_int,
    as_number,
    entries,
    field,
    header,
    rect_path,
)

#: Side of a board cell in px.
CELL = 22
#: Left margin (row labels) and top of the board.
LEFT, TOP = 18, 26
#: Width of one demon chip and the gap after it; chips shown per lane before ``+n``.
CHIP, CHIP_GAP, MAX_CHIPS = 16, 2, 7
#: Legend columns and row height.
LEGEND_COLS, LEGEND_ROW = 3, 12
#: Words dropped from the end of a unit name before abbreviating it.
SUFFIXES = ("Soldier", "Demon")

RULES: tuple[tuple[str, str], ...] = (
    (".b", "fill:#f6f6f6"),
    (".s", "fill:#fde8e8"),
    (".gl", "fill:none;stroke:#ccc"),
    (".g", "fill:none;stroke:#c00;stroke-width:2"),
    (".u", "stroke:#555"),
    (".l", "stroke:#555;stroke-dasharray:2"),
    (".d", "stroke:#933"),
    (".n", "fill:#777"),
)


def abbreviations(names: Iterable[str]) -> dict[str, str]:
    """Short, unique (per call) abbreviations of unit names: capitals, else leading letters.

    ``HandgunSoldier`` becomes ``H``, ``DemonKing`` ``DK``; of ``SpeedyDemon`` and ``ShieldDemon`` the
    first gets ``S`` and the second ``Sh``.
    """
    out: dict[str, str] = {}
    taken: set[str] = {UNKNOWN}
    for name in names:
        base = name
        for suffix in SUFFIXES:
            if base.endswith(suffix) and len(base) > len(suffix):
                base = base[: -len(suffix)]
                break
        caps = "".join(c for c in base if c.isupper())[:3] or base[:1] or UNKNOWN
        candidates = [caps, base[:2], base[:3], *(f"{caps[:2]}{n}" for n in range(1, 100))]
        out[name] = next((c for c in candidates if c and c not in taken), name[:3])
        taken.add(out[name])
    return out


class _Kinds:
    """Abbreviation and fill of every unit name of one side (an unknown name is a grey ``?``)."""

    def __init__(self, names: Sequence[str], offset: int) -> None:
        self.index = {n: i for i, n in enumerate(names)}
        self.abbr = abbreviations(names)
        self.offset = offset
        self.names = names

    def of(self, name: Any) -> tuple[str, str]:
        """``(abbreviation, fill)`` of a plan's ``name`` value."""
        if isinstance(name, str) and name in self.index:
            return self.abbr[name], PALETTE[(self.index[name] + self.offset) % len(PALETTE)]
        return UNKNOWN, UNKNOWN_FILL

    def key(self, name: Any) -> str | None:
        """The catalogue name of ``name``, or ``None`` when it is not one."""
        return name if isinstance(name, str) and name in self.index else None


class _Paths:
    """Rectangles collected per (class, fill): one ``<path>`` each, in first-use order."""

    def __init__(self) -> None:
        self.d: dict[tuple[str, str], list[str]] = {}

    def add(self, cls: str, fill: str, x: int, y: int, w: int, h: int) -> None:
        self.d.setdefault((cls, fill), []).append(rect_path(x, y, w, h))

    def draw(self, svg: Svg) -> None:
        for (cls, fill), parts in self.d.items():
            svg.path("".join(parts), cls, fill)


def size(cols: int, rows: int, n_humans: int, n_demons: int) -> tuple[int, int]:
    """The canvas ``(width, height)`` for a board and catalogue (independent of the plans)."""
    width = LEFT + cols * CELL + 4 + MAX_CHIPS * (CHIP + CHIP_GAP) + 22
    slots = n_humans + n_demons + 4  # two unknown kinds, the "later spawn" note, the "not drawn" note
    legend_rows = -(-slots // LEGEND_COLS)
    height = TOP + rows * CELL + 8 + legend_rows * LEGEND_ROW + 2
    return width, height


def render(
    plan_a: Any,
    plan_b: Any,
    infos: tuple[SideInfo, SideInfo],
    *,
    cols: int,
    rows: int,
    humans: Sequence[str],
    demons: Sequence[str],
    lives: int = 1,
) -> str:
    """The SVG picture of a human plan ``plan_a`` against a demon plan ``plan_b``.

    Args:
        plan_a: The Human side's plan (any JSON value; entries under ``humans``).
        plan_b: The Demon side's plan (any JSON value; entries under ``demons``).
        infos: Both sides' captions (label, cost, budget).
        cols: Board columns (``x`` of a human is ``0 .. cols - 1``).
        rows: Board rows, the lanes (``y`` is ``0 .. rows - 1``).
        humans: The ruleset's human unit names, catalogue order.
        demons: The ruleset's demon unit names, catalogue order.
        lives: The Human side's lives (shown when more than one).
    """
    hk, dk = _Kinds(humans, 0), _Kinds(demons, 7)
    width, height = size(cols, rows, len(humans), len(demons))
    svg = Svg(width, height, "sg-td", RULES)
    header(svg, infos)
    if lives > 1:
        svg.text(width // 2, 11, f"lives {lives}", "m")
    board_w, board_h = cols * CELL, rows * CELL
    spawn_x = LEFT + board_w + 4
    spawn_w = width - spawn_x - 2
    svg.rect(LEFT, TOP, board_w, board_h, "b")
    svg.rect(spawn_x, TOP, spawn_w, board_h, "s")
    lines = [f"M{LEFT + c * CELL} {TOP}v{board_h}" for c in range(1, cols)]
    lines += [f"M{LEFT} {TOP + r * CELL}H{spawn_x + spawn_w}" for r in range(1, rows)]
    svg.path("".join(lines), "gl")
    svg.path(f"M{LEFT} {TOP}v{board_h}", "g")
    svg.begin("n")
    svg.text(spawn_x + 2, TOP - 3, "demon spawn, walking left")
    svg.begin("m")
    for c in range(0, cols, 5):
        svg.text(LEFT + c * CELL + CELL // 2, TOP - 3, f"x{c}")
    svg.end()
    svg.begin("e")
    for r in range(rows):
        svg.text(LEFT - 2, TOP + r * CELL + 15, f"y{r}")
    svg.end()
    svg.end()

    paths, labels = _Paths(), []
    used_h: set[str | None] = set()
    used_d: set[str | None] = set()
    late_any = False
    skipped = 0
    cells: dict[tuple[int, int], list[Any]] = {}
    for e in entries(plan_a, infos[0].plan_key):
        x, y = as_int(field(e, "x")), as_int(field(e, "y"))
        if x is None or y is None or not (0 <= x < cols and 0 <= y < rows):
            skipped += 1
            continue
        cells.setdefault((x, y), []).append(e)
    for (x, y), here in cells.items():
        first = here[0]
        abbr, fill = hk.of(field(first, "name"))
        used_h.add(hk.key(field(first, "name")))
        late = as_number(field(first, "spawn_time")) > 0
        late_any = late_any or late
        px, py = LEFT + x * CELL + 2, TOP + y * CELL + 2
        paths.add("l" if late else "u", fill, px, py, CELL - 4, CELL - 4)
        labels.append((px + CELL // 2 - 2, py + 13, abbr + ("+" if len(here) > 1 else "")))
    lanes: dict[int, list[tuple[float, int, Any]]] = {}
    for i, e in enumerate(entries(plan_b, infos[1].plan_key)):
        y = as_int(field(e, "y"))
        if y is None or not 0 <= y < rows:
            skipped += 1
            continue
        lanes.setdefault(y, []).append((as_number(field(e, "spawn_time")), i, e))
    for y in sorted(lanes):
        lane = sorted(lanes[y], key=lambda t: (t[0], t[1]))
        for k, (_, _, e) in enumerate(lane[:MAX_CHIPS]):
            abbr, fill = dk.of(field(e, "name"))
            used_d.add(dk.key(field(e, "name")))
            px, py = spawn_x + 2 + k * (CHIP + CHIP_GAP), TOP + y * CELL + 3
            paths.add("d", fill, px, py, CHIP, CELL - 6)
            labels.append((px + CHIP // 2, py + 12, abbr))
        if len(lane) > MAX_CHIPS:
            more_x = spawn_x + 2 + MAX_CHIPS * (CHIP + CHIP_GAP)
            svg.text(more_x, TOP + y * CELL + 15, f"+{len(lane) - MAX_CHIPS}")

    legend: list[tuple[str, str, str, str]] = []  # (class, fill, abbreviation, text)
    for kinds, used, cls in ((hk, used_h, "u"), (dk, used_d, "d")):
        for n in kinds.names:
            if n in used:
                abbr, fill = kinds.of(n)
                legend.append((cls, fill, abbr, n))
        if None in used:
            legend.append((cls, UNKNOWN_FILL, UNKNOWN, "unknown unit"))
    y0 = TOP + board_h + 8
    col_w = (width - 8) // LEGEND_COLS
    notes = []
    if late_any:
        notes.append("dashed: spawn_time > 0")
    if skipped:
        notes.append(f"{skipped} entr{'y' if skipped == 1 else 'ies'} off the board")
    for k, item in enumerate([*legend, *notes]):
        lx, ly = 4 + (k % LEGEND_COLS) * col_w, y0 + (k // LEGEND_COLS) * LEGEND_ROW
        if isinstance(item, str):
            svg.text(lx, ly + 9, item, "n", limit=col_w // 5)
            continue
        cls, fill, abbr, name = item
        paths.add(cls, fill, lx, ly, 16, 10)
        labels.append((lx + 8, ly + 8, abbr))
        svg.text(lx + 19, ly + 9, name, limit=(col_w - 20) // 5)
    paths.draw(svg)
    svg.begin("m")
    for lx, ly, text in labels:
        svg.text(lx, ly, text, limit=4)
    svg.end()
    return svg.render()
