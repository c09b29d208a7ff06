"""The match viewer: the filterable match list and one replay page per match, escaped, deterministic.

Two stores: a real one played by bots over all three games, and a built one whose match has LLM-like
decisions with model-written text planted everywhere a model can write (reply, parse error, violation
message, model name, plan string, battle summary).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bot_runs import run_bots
from browser_cdp import Browser, keep_artifact
from metrics_builders import VIOL, MatchSpec, build, write_store

from metrics.errors import StoreError
from metrics.report.match_data import GameView, read_match
from metrics.report.match_list import (
    index_file_name,
    match_file_name,
    write_match_pages,
)
from metrics.report.match_page import match_page_html, render_match
from metrics.report.match_plans import plan_html, safe_svg

BOTS = """\
games: [tower_defense, battle_card, elemental_duel]
models: [bot/random, bot/greedy]
pairing: round_robin
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: B}]
protocol: {rounds: 3}
seeds: [0]
"""

PLANTED = "<script>document.title='PWNED'</script>"
IMG = '<img src=x onerror="alert(1)">'
MODEL = "anthropic/claude<b>"


# ---------------------------------------------------------------------------------------------- parsing
@dataclass
class Side:
    section: str
    classes: list[str]
    marks: int = 0  # entries marked new (li.add, ol.all) inside the block


@dataclass
class Dom(HTMLParser):
    """What the tests look at: scripts, every attribute, side blocks per round, texts inside details."""

    scripts: list[str] = field(default_factory=list)
    attributes: list[tuple[str, str, str | None]] = field(default_factory=list)
    sides: list[Side] = field(default_factory=list)
    details: list[tuple[bool, str]] = field(default_factory=list)  # (open, text)
    svgs: dict[str, int] = field(default_factory=dict)  # section id -> pictures in it
    links: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self._section = ""
        self._stack: list[tuple[str, bool]] = []  # open divs: (tag, is a side block)
        self._details: list[list[object]] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.attributes += [(tag, k, v) for k, v in attrs]
        classes = (a.get("class") or "").split()
        if tag == "section":
            self._section = a.get("id") or ""
        elif tag == "div":
            side = "side" in classes
            self._stack.append((tag, side))
            if side:
                self.sides.append(Side(self._section, classes))
        elif tag in ("li", "ol") and self._in_side() and ("add" in classes or "all" in classes):
            self.sides[-1].marks += 1
        elif tag == "details":
            self._details.append(["open" in a, ""])
        elif tag == "svg":
            self.svgs[self._section] = self.svgs.get(self._section, 0) + 1
        elif tag == "script":
            self._script = True
            self.scripts.append("")
        elif tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))

    def _in_side(self) -> bool:
        return any(is_side for _, is_side in self._stack)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._stack:
            self._stack.pop()
        elif tag == "details" and self._details:
            is_open, inner = self._details.pop()
            self.details.append((bool(is_open), str(inner)))
        elif tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            self.scripts[-1] += data
            return
        self.text.append(data)
        for d in self._details:
            d[1] = str(d[1]) + data


def parse(page: str) -> Dom:
    dom = Dom()
    dom.feed(page)
    dom.close()
    return dom


def assert_inert(page: str) -> Dom:
    """No script runs and no handler exists: no script element (or only the vendored one, last), no on*."""
    dom = parse(page)
    assert len(dom.scripts) <= 1
    if dom.scripts:
        assert page.rstrip().endswith("</script></body></html>")
    assert [a for a in dom.attributes if a[1].lower().startswith("on")] == []
    return dom


# ---------------------------------------------------------------------------------------------- stores
@pytest.fixture(scope="module")
def bots_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_bots(BOTS, tmp_path_factory.mktemp("bots") / "bots.sqlite")


def _llm_store(path: Path) -> Path:
    """One tower defense match of an LLM (side A) against a bot, with planted text everywhere."""
    replies = {"model": MODEL, "side": "A", "input_tokens": 900, "output_tokens": 120}
    spec = MatchSpec(
        "llm1",
        "tower_defense",
        MODEL,
        "bot/greedy",
        "ABB",
        [1800, 2600, 1900],
        [1000, 1000, 1000],
        plan_a=["p1", "p2", "p3"],
        viol_a=[False, True, False],
        decisions=[
            {**replies, "phase": "initial", "round": 0, "attempt": 1, "failure_class": "unparseable",
             "raw_text": PLANTED, "parse_error": f"no JSON in {IMG}"},
            {**replies, "phase": "initial", "round": 0, "attempt": 2, "raw_text": '{"humans": []}',
             "cost": 1800},
            {"model": "bot/greedy", "side": "B", "phase": "initial", "round": 0, "cost": 1000},
            {**replies, "round": 1, "raw_text": f"over budget {IMG}", "failure_class": "over_budget",
             "cost": 2600, "cache_hit": 1},
            {"model": "bot/greedy", "side": "B", "round": 2, "cost": 1000},
        ],
    )  # fmt: skip
    frames = build([spec])
    humans = [
        [{"name": "IceSoldier", "spawn_time": 0, "x": 0, "y": 0}],
        [{"name": "IceSoldier", "spawn_time": 0, "x": 0, "y": 0}, {"name": PLANTED, "x": 1, "y": 1}],
        [{"name": "ShieldSoldier", "spawn_time": 0, "x": 3, "y": 2}],
    ]
    demons = {"demons": [{"name": "GreatDemon", "spawn_time": 0, "y": 2}]}
    r = frames.rounds
    r["plan_a"] = [json.dumps({"humans": h}) for h in humans]
    r["plan_b"] = json.dumps(demons)
    r["budget_a"] = 2000
    r["summary"] = json.dumps({"result": "Demon win", "note": IMG, "survivors": [{"name": PLANTED, "hp": 3}]})
    viol = json.loads(VIOL)
    viol[0]["message"] = f"unknown unit {PLANTED}"
    r.loc[1, "violations_a"] = json.dumps(viol)
    r.loc[1, ["winner", "raw_winner"]] = ["B", "A"]  # A over budget: the round goes to B
    return write_store(frames, path)


@pytest.fixture(scope="module")
def llm_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _llm_store(tmp_path_factory.mktemp("llm") / "llm.sqlite")


def _rows(store: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(store)
    try:
        return list(con.execute(sql))
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------- tests
def test_every_match_has_a_page_and_an_index_row(bots_store: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    files = write_match_pages(bots_store, tmp_path / "m", on_progress=lambda d, t: seen.append((d, t)))
    ids = [str(r[0]) for r in _rows(bots_store, "SELECT match_id FROM matches")]
    assert len(ids) == 6
    assert seen == [(i, 6) for i in range(7)]
    assert sorted(p.name for p in files) == sorted(["index.html", *(f"{i}.html" for i in ids)])
    index = (tmp_path / "m" / "index.html").read_text(encoding="utf-8")
    dom = assert_inert(index)
    assert sorted(h for h in dom.links if h != "../report.html") == sorted(f"{i}.html" for i in ids)
    for game in ("tower_defense", "battle_card", "elemental_duel"):
        assert index.count(f'<td class="t">{game}</td>') == 2
    assert 'data-filter="matches"' in index and 'data-count-for="matches"' in index
    for i in ids:
        page = (tmp_path / "m" / f"{i}.html").read_text(encoding="utf-8")
        dom = assert_inert(page)
        assert dom.scripts == []  # a match page needs no script, and its CSP allows none
        assert "script-src &#x27;none&#x27;" in page
        assert "index.html" in dom.links and "../report.html" in dom.links
        assert dom.svgs.get("r1") == 1  # every game draws round 1


def test_pages_are_deterministic_and_sorted(bots_store: Path, tmp_path: Path) -> None:
    first = write_match_pages(bots_store, tmp_path / "a")
    second = write_match_pages(bots_store, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    order = [
        f"{r[0]}.html"
        for r in _rows(
            bots_store,
            "SELECT match_id FROM matches ORDER BY game, model_a, model_b, first_reviser, seed, repetition,"
            " match_id",
        )
    ]
    assert [p.name for p in first[1:]] == order


def test_pagination_splits_the_list_and_links_pages(bots_store: Path, tmp_path: Path) -> None:
    files = write_match_pages(bots_store, tmp_path, page_size=4)
    assert [p.name for p in files[:2]] == ["index.html", "index-2.html"]
    one, two = (parse((tmp_path / index_file_name(n)).read_text(encoding="utf-8")) for n in (1, 2))
    pages_one = [h for h in one.links if h.endswith(".html") and not h.startswith("index")]
    pages_two = [h for h in two.links if h.endswith(".html") and not h.startswith("index")]
    assert len([h for h in pages_one if h != "../report.html"]) == 4
    assert len([h for h in pages_two if h != "../report.html"]) == 2
    assert "index-2.html" in one.links and "index.html" in two.links
    assert "apply to this page only" in "".join(one.text)
    for n, dom in ((1, one), (2, two)):
        for href in dom.links:
            if href.endswith(".html") and not href.startswith(("index", "..")):
                back = parse((tmp_path / href).read_text(encoding="utf-8")).links
                assert index_file_name(n) in back


def test_changed_marks_exactly_on_rounds_whose_flag_is_1(bots_store: Path) -> None:
    rows = _rows(bots_store, 'SELECT match_id, "round", changed_a, changed_b FROM rounds')
    flags = {(str(m), f"r{k}", s): v == 1 for m, k, a, b in rows for s, v in (("A", a), ("B", b))}
    assert any(flags.values()) and not all(flags.values())
    for match_id in {str(r[0]) for r in rows}:
        dom = parse(match_page_html(bots_store, match_id))
        assert len(dom.sides) == 2 * sum(1 for r in rows if r[0] == match_id)
        for i, block in enumerate(dom.sides):
            changed = flags[(match_id, block.section, "AB"[i % 2])]
            assert ("changed" in block.classes) is changed, (match_id, block)
            if not changed:
                assert block.marks == 0
            else:
                assert block.marks >= 1


def test_planted_text_is_escaped_everywhere(llm_store: Path, tmp_path: Path) -> None:
    write_match_pages(llm_store, tmp_path)
    for name in ("index.html", "llm1.html"):
        page = (tmp_path / name).read_text(encoding="utf-8")
        dom = assert_inert(page)
        assert MODEL not in page and "claude&lt;b&gt;" in page  # the model name's tag is text
        assert not any(tag == "img" for tag, _, _ in dom.attributes)
    page = (tmp_path / "llm1.html").read_text(encoding="utf-8")
    text = "".join(parse(page).text)
    for planted in (PLANTED, IMG, MODEL, f"unknown unit {PLANTED}", f"no JSON in {IMG}"):
        assert planted in text  # shown as text ...
    assert PLANTED not in page and IMG not in page  # ... never as markup


def test_replies_are_in_closed_details_with_attempts_and_errors(llm_store: Path) -> None:
    dom = parse(match_page_html(llm_store, "llm1"))
    assert dom.details and all(not is_open for is_open, _ in dom.details)
    replies = [inner for _, inner in dom.details]
    assert len(replies) == 3  # both initial attempts and the revision; the bot's decisions have none
    assert PLANTED in replies[0] and f"no JSON in {IMG}" in replies[0]
    assert "attempt 2" in replies[1] and IMG in replies[2]
    page = match_page_html(llm_store, "llm1")
    r1, r2 = page.index('id="r1"'), page.index('id="r2"')
    assert r1 < page.index("Reply of A") < r2  # round 0 decisions answer nothing: they made round 1
    assert page.index("over_budget", r2) < page.index('id="r3"')  # round 1's answer made round 2
    assert "cache hit" in page


def test_adjudication_and_over_budget_are_explained(llm_store: Path) -> None:
    page = match_page_html(llm_store, "llm1")
    r2 = page[page.index('id="r2"') : page.index('id="r3"')]
    assert "A is over budget: a side within budget beats one over it" in r2 and "§1.5" in r2
    assert '<span class="over">2600/2000 over budget</span>' in r2
    assert "unknown_unit" in r2  # the violation's code, with its (escaped) message
    assert "over budget" not in page[page.index('id="r3"') :].split("Battle summary")[0]


def test_missing_match_or_store_is_a_store_error(bots_store: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no match"):
        match_page_html(bots_store, "nope")
    with pytest.raises(StoreError, match="no such store"):
        match_page_html(tmp_path / "missing.sqlite", "x")
    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(StoreError, match="text file"):
        write_match_pages(tmp_path / "notes.txt", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_picture_that_fails_or_holds_active_content_is_a_note(bots_store: Path) -> None:
    con = sqlite3.connect(bots_store)
    match_id = str(con.execute("SELECT match_id FROM matches LIMIT 1").fetchone()[0])
    record = read_match(con, match_id)
    con.close()

    def boom(a: object, b: object) -> str:
        raise RuntimeError("bug")

    for draw, note in (
        (boom, "drawing failed (RuntimeError)"),
        (lambda a, b: "<svg><script>alert(1)</script></svg>", "was refused"),
        (None, "this game draws no pictures"),
    ):
        view = GameView({"A": "Left", "B": "Right"}, draw, "" if draw else "this game draws no pictures")
        dom = parse(render_match(record, view))
        assert dom.svgs == {} and note in "".join(dom.text)


def test_safe_svg_refuses_active_content_only() -> None:
    ok = '<svg viewBox="0 0 1 1"><text x="0" y="0">a onload=b &lt;script&gt;</text></svg>'
    assert safe_svg(ok) == ok
    for bad in (
        "<svg><script>x</script></svg>",
        "<svg><foreignObject><div></div></foreignObject></svg>",
        '<svg><rect onclick="x()"/></svg>',
        '<svg><a href="javascript:x()"><text>t</text></a></svg>',
        "<div></div>",
        None,
    ):
        assert safe_svg(bad) is None


def test_plan_diff_marks_new_and_removed_entries() -> None:
    before = json.dumps({"x": [{"name": "A"}, {"name": "B"}, {"name": "C"}]})
    after = json.dumps({"x": [{"name": "A"}, {"name": "D"}, {"name": "C"}]})
    out = plan_html(after, before, highlight=True)
    assert "<li>A</li><li class=add>D</li><li>C</li>" in out and '<ul class="plan del"><li>B</li>' in out
    fresh = plan_html(json.dumps({"x": [{"name": "E"}]}), before, highlight=True)
    assert 'class="plan all"' in fresh and "none of the 3 previous entries kept" in fresh
    assert "class=add" not in plan_html(after, before, highlight=False)


def test_file_names_are_sanitised() -> None:
    assert match_file_name("0123abcd") == "0123abcd.html"
    for odd in ("../etc/passwd", "a b", "index", "index-2", "x" * 200, ""):
        name = match_file_name(odd)
        assert name.startswith("m-") and name.endswith(".html") and "/" not in name
    assert match_file_name("../a") != match_file_name("../b")


def test_match_pages_in_headless_chromium(bots_store: Path, llm_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "matches"
    write_match_pages(bots_store, out)
    games = dict(_rows(bots_store, "SELECT game, match_id FROM matches ORDER BY match_id"))
    assert sorted(games) == ["battle_card", "elemental_duel", "tower_defense"]
    llm_page = tmp_path / "llm.html"
    llm_page.write_text(match_page_html(llm_store, "llm1"), encoding="utf-8")
    box = "(() => { const r = document.querySelector('#r1 svg').getBoundingClientRect();"
    box += " return [r.width, r.height]; })()"
    with Browser(tmp_path, width=1280, height=900) as browser:
        for game, match_id in sorted(games.items()):
            page = browser.open((out / f"{match_id}.html").as_uri())
            assert page.console_errors == [], game
            width, height = page.eval(box)
            assert width > 0 and height > 0, game
            assert page.eval("document.documentElement.scrollWidth <= window.innerWidth"), game
            if game == "tower_defense":
                keep_artifact(page.screenshot(tmp_path / "match_tower_defense.png"))
        page = browser.open(llm_page.as_uri())
        assert page.console_errors == []
        assert page.eval("document.title").startswith("Match llm1")  # the planted script never ran
        assert page.eval("document.querySelectorAll('details').length") == 3
        assert page.eval("Array.from(document.querySelectorAll('details')).every(d => !d.open)")
        assert page.eval("document.querySelector('details pre').checkVisibility()") is False  # collapsed
        index = browser.open((out / "index.html").as_uri())
        assert index.console_errors == []
        index.eval(
            "(() => { const s = document.querySelector('select[data-col=\"1\"]');"
            " s.value = 'battle_card'; s.dispatchEvent(new Event('change')); })()"
        )
        assert index.eval("document.querySelector('[data-count-for=matches]').textContent") == "2"
    assert (tmp_path / "match_tower_defense.png").stat().st_size > 1000
