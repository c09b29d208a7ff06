"""Plan pictures: ``Game.render_svg`` for every registered game and ruleset (pure, safe, compact SVG)."""

import copy
import json
import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from games.conformance import ConformanceError, check_render
from games.core import svg
from games.core.game import Game
from games.registry import game_rulesets, get_game
from games.tower_defense.render import abbreviations

GAME_RULESETS = pytest.mark.parametrize(
    ("name", "ruleset"), game_rulesets(), ids=[f"{n}@{r}" for n, r in game_rulesets()]
)
NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>\" onload='x()' & &amp; <foreignObject>"
#: Bytes a picture of two typical plans may take (the report holds thousands of them).
TYPICAL_LIMIT = 6000


def hostile(value):
    if isinstance(value, str):
        return HOSTILE
    if isinstance(value, list):
        return [hostile(v) for v in value]
    if isinstance(value, dict):
        return {k: hostile(v) for k, v in value.items()}
    return value


def random_pairs(game, n, seed=0):
    rng = random.Random(seed)
    return [(game.random_plan("A", rng), game.random_plan("B", rng)) for _ in range(n)]


def parse(doc):
    assert svg.svg_problems(doc) == []
    return ET.fromstring(doc)


def canvas(doc):
    root = ET.fromstring(doc)
    return root.get("width"), root.get("height"), root.get("viewBox")


def texts(doc):
    return [el.text or "" for el in ET.fromstring(doc).iter(f"{NS}text")]


def garbage_plans(game, side):
    key = game.side(side).plan_key
    junk_entries = [
        None,
        3,
        "x",
        [],
        {},
        {"name": None, "x": "1", "y": 1.5, "tier": 7, "element": None, "skills": None},
        {"name": ["a"], "x": -1, "y": 10**9, "tier": {"a": 1}, "element": 5, "skills": "abc"},
        {"name": "NormalDemon", "x": float("inf"), "y": float("nan"), "spawn_time": float("-inf")},
        {"name": {"deep": [[[None]]]}, "skills": [None, 1, [], {}, "", "x" * 500]},
        {"element": "Fire", "skills": [{"a": 1}] * 10},
        {"name": True, "x": True, "y": False, "tier": True, "element": True, "skills": [True]},
    ]
    return [
        None,
        0,
        1.5,
        "plan",
        [],
        [None, {}],
        {},
        {"x": 1},
        {key: None},
        {key: "x"},
        {key: {}},
        {key: junk_entries},
        {key: [junk_entries]},
        {key: junk_entries * 40},
        {1: 2, key: [{"name": "x"}]},
        {key: [{"name": "\x00\x01\x1b\ud800\ufffe\n\t\r", "element": "\ud800", "skills": ["\x00"]}]},
    ]


# ----------------------------------------------------------------------------- validity, determinism


@GAME_RULESETS
def test_random_and_example_plans_render_to_valid_svg(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    pairs = [(game.example_plan("A"), game.example_plan("B")), *random_pairs(game, 25)]
    pairs.append((game.greedy_plan("A"), game.greedy_plan("B")))
    sizes = set()
    for i, (a, b) in enumerate(pairs):
        doc = game.render_svg(a, b)
        root = parse(doc)
        assert root.tag == f"{NS}svg"
        assert int(root.get("width")) > 0 and int(root.get("height")) > 0
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
        assert doc.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox=')
        sizes.add(canvas(doc))
        if i:  # canonical plans draw like the plans they came from (the store holds canonical ones)
            va, vb = game.validate("A", a), game.validate("B", b)
            assert game.render_svg(va.plan, vb.plan) == doc
    sizes.add(canvas(game.render_svg({}, {})))
    assert len(sizes) == 1, "the canvas must not depend on the plans"


@GAME_RULESETS
def test_render_is_pure_and_deterministic(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    for a, b in random_pairs(game, 10, seed=3):
        before = json.dumps([a, b])
        doc = game.render_svg(a, b)
        assert json.dumps([a, b]) == before, "render_svg must not change its inputs"
        assert get_game(name, ruleset=ruleset).render_svg(copy.deepcopy(a), copy.deepcopy(b)) == doc
        # key order of the plan objects does not matter
        flipped = [{k: [dict(reversed(e.items())) for e in v] for k, v in p.items()} for p in (a, b)]
        assert game.render_svg(*flipped) == doc


def test_render_does_not_depend_on_the_hash_seed():
    code = (
        "import random;from games.registry import game_rulesets,get_game\n"
        "for n,r in game_rulesets():\n"
        " g=get_game(n,ruleset=r);rng=random.Random(5)\n"
        " for _ in range(5):print(g.render_svg(g.random_plan('A',rng),g.random_plan('B',rng)))\n"
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and outs[0].count("<svg") == 5 * len(game_rulesets())


@GAME_RULESETS
def test_typical_pictures_are_compact(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    sizes = [len(game.render_svg(a, b).encode()) for a, b in random_pairs(game, 40, seed=1)]
    sizes.append(len(game.render_svg(game.greedy_plan("A"), game.greedy_plan("B")).encode()))
    assert max(sizes) < TYPICAL_LIMIT, sizes
    print(f"{name}@{ruleset}: mean {sum(sizes) // len(sizes)} B, max {max(sizes)} B")


@GAME_RULESETS
def test_output_stays_bounded_for_huge_plans(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    a, b = random_pairs(game, 1, seed=2)[0]
    big = [{k: v * 300 for k, v in p.items()} for p in (a, b)]
    doc = game.render_svg(*big)
    parse(doc)
    assert len(doc) < 4 * TYPICAL_LIMIT
    assert canvas(doc) == canvas(game.render_svg(a, b))


# ----------------------------------------------------------------------------- hostile and junk plans


def assert_safe(doc):
    root = parse(doc)
    for el in root.iter():
        local = el.tag.rpartition("}")[2]
        assert local not in ("script", "foreignObject", "a", "image", "use")
        assert not any(attr.lower().startswith("on") for attr in el.attrib), el.attrib
        assert not any("href" in attr for attr in el.attrib)
    assert "<script" not in doc and "<foreignObject" not in doc and "url(" not in doc
    assert "onload=" not in doc.replace("onload='", "")  # only ever as escaped text content
    return root


@GAME_RULESETS
def test_model_written_strings_are_escaped(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    pairs = [(game.example_plan("A"), game.example_plan("B")), *random_pairs(game, 5, seed=4)]
    for a, b in pairs:
        doc = game.render_svg(hostile(a), hostile(b))
        assert_safe(doc)
        assert canvas(doc) == canvas(game.render_svg(a, b))
        # hostile keys, too
        doc = game.render_svg({HOSTILE: [HOSTILE]}, {HOSTILE: {HOSTILE: HOSTILE}})
        assert_safe(doc)


@pytest.mark.parametrize("name", ["battle_card", "elemental_duel"])
def test_unknown_names_are_shown_as_escaped_text(name):
    game = get_game(name)
    a, b = game.example_plan("A"), game.example_plan("B")
    doc = game.render_svg(hostile(a), hostile(b))
    assert "&lt;script&gt;" in doc
    assert any(t.startswith("<script>") or "<script>" in t for t in texts(doc))


@GAME_RULESETS
@pytest.mark.parametrize("side", ["A", "B"])
def test_garbage_plans_never_raise(name, ruleset, side):
    game = get_game(name, ruleset=ruleset)
    normal = game.example_plan("B" if side == "A" else "A")
    size = canvas(game.render_svg({}, {}))
    for junk in garbage_plans(game, side):
        pair = (junk, normal) if side == "A" else (normal, junk)
        doc = game.render_svg(*pair)
        assert_safe(doc)
        assert canvas(doc) == size
        doc.encode("utf-8")  # no lone surrogates survive
        assert game.render_svg(junk, junk)


def test_forbidden_xml_characters_are_replaced():
    game = get_game("battle_card")
    doc = game.render_svg({"defenders": [{"name": "a\x00b\ud800c\nd", "tier": "Gold"}]}, {})
    assert "a?b?c?d" in texts(doc)


# ----------------------------------------------------------------------------- what the pictures show


@GAME_RULESETS
def test_pictures_show_both_labels_and_costs(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    a, b = game.example_plan("A"), game.example_plan("B")
    shown = texts(game.render_svg(a, b))
    for side, plan in (("A", a), ("B", b)):
        s = game.side(side)
        assert f"{s.label} cost {game.validate(side, plan).cost}/{s.budget}" in shown


def test_over_budget_caption_is_marked():
    game = get_game("battle_card", ruleset="v1")
    plan = {"defenders": [{"name": "King", "tier": "Gold"}] * 3}
    root = ET.fromstring(game.render_svg(plan, {}))
    caption = next(el for el in root.iter(f"{NS}text") if (el.text or "").startswith("Defenders"))
    assert "o" in caption.get("class").split()


@pytest.mark.parametrize("ruleset", ["v1", "v2"])
def test_tower_defense_draws_units_in_their_cells_and_lanes(ruleset):
    from games.tower_defense import render

    game = get_game("tower_defense", ruleset=ruleset)
    a = {"humans": [{"name": "HandgunSoldier", "x": 3, "y": 2, "spawn_time": 0}]}
    b = {"demons": [{"name": "DemonKing", "y": 4, "spawn_time": 0}, {"name": "Nope", "y": 4}]}
    doc = game.render_svg(a, b)
    root = ET.fromstring(doc)
    labels = {(el.get("x"), el.get("y")): el.text for el in root.iter(f"{NS}text")}
    cell_x = render.LEFT + 3 * render.CELL + render.CELL // 2
    assert labels[(str(cell_x), str(render.TOP + 2 * render.CELL + 15))] == "H"
    shown = texts(doc)
    assert {"HandgunSoldier", "DemonKing", "unknown unit", "DK", "?", "y4"} <= set(shown)
    assert ("lives 3" in shown) == (ruleset == "v2")
    # off-board entries are counted, not drawn
    off = game.render_svg({"humans": [{"name": "HandgunSoldier", "x": 99, "y": 0}]}, {})
    assert "1 entry off the board" in texts(off)


def test_tower_defense_canvas_follows_the_board_parameters():
    small = get_game("tower_defense", {"board_cols": 6, "board_rows": 3}, ruleset="v2")
    big = get_game("tower_defense", ruleset="v2")
    doc = small.render_svg(small.random_plan("A", random.Random(0)), {})
    assert_safe(doc)
    assert int(canvas(doc)[0]) < int(canvas(big.render_svg({}, {}))[0])
    assert "y2" in texts(doc) and "y3" not in texts(doc)


def test_tower_defense_abbreviations_are_unique():
    for ruleset in ("v1", "v2"):
        rules = get_game("tower_defense", ruleset=ruleset).engine_rules
        for names in (list(rules.humans), list(rules.demons)):
            abbr = abbreviations(names)
            assert len(set(abbr.values())) == len(names)
            assert all(1 <= len(v) <= 3 and v != "?" for v in abbr.values())
    assert abbreviations(["HandgunSoldier", "DemonKing", "SpeedyDemon", "ShieldDemon"]) == {
        "HandgunSoldier": "H",
        "DemonKing": "DK",
        "SpeedyDemon": "S",
        "ShieldDemon": "Sh",
    }


@pytest.mark.parametrize("ruleset", ["v1", "v2"])
def test_battle_card_shows_the_lineups_in_order(ruleset):
    game = get_game("battle_card", ruleset=ruleset)
    plan = {"defenders": [{"name": "King", "tier": "Gold"}, {"name": "RockBeetle", "tier": "Bronze"}]}
    shown = texts(game.render_svg(plan, game.example_plan("B")))
    assert shown.index("King") < shown.index("RockBeetle") < shown.index("FireLizard")
    assert "Gold 6/24" in shown and "Bronze 1/5" in shown
    assert ("#2 cost 1 Taunt" in shown) == (ruleset == "v2")


@pytest.mark.parametrize("ruleset", ["v1", "v2"])
def test_elemental_duel_shows_fighters_with_elements_and_skills(ruleset):
    game = get_game("elemental_duel", ruleset=ruleset)
    a, b = game.example_plan("A"), game.example_plan("B")
    shown = texts(game.render_svg(a, b))
    for plan in (a, b):
        for i, fighter in enumerate(next(iter(plan.values()))):
            assert f"#{i + 1} {fighter['element']}" in shown
            for skill in fighter["skills"]:
                assert any(t.startswith(skill + " ") for t in shown)
    odd = {"invaders": [{"element": "Metal", "skills": ["flame_splash", "stream_pierce", "nope"]}]}
    shown = texts(game.render_svg({}, odd))
    assert "#1 ? Metal" in shown and "nope ?" in shown


# ----------------------------------------------------------------------------- the generic fallback


@GAME_RULESETS
def test_the_base_class_fallback_lists_both_plans(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    a, b = game.example_plan("A"), game.example_plan("B")
    doc = Game.render_svg(game, a, b)
    assert_safe(doc)
    assert 'class="sg-list"' in doc
    assert game.side("A").label in doc and game.side("B").label in doc
    size = canvas(doc)
    for junk in [*garbage_plans(game, "A"), hostile(a), {"defenders": [{}] * 50}]:
        doc = Game.render_svg(game, junk, hostile(b))
        assert_safe(doc)
        assert canvas(doc) == size


def test_svg_helpers():
    assert svg.escape('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert svg.clean("abcdef", 4) == "abc…" and svg.clean("a\x00", 5) == "a?"
    assert [svg.as_int(v) for v in (3, 3.0, 3.5, True, "3", None, float("inf"))] == [3, 3, *[None] * 5]
    assert svg.show(None) == "?" and svg.show(2.5) == "2.5" and svg.show([1]) == "?"
    assert svg.compact_json({"b": 1, "a": [None]}) == '{"a":[null],"b":1}'
    circular: list = []
    circular.append(circular)
    assert svg.compact_json(circular) == "?"
    assert svg.compact_json({1: 2, "a": 3}) in ('{"1":2,"a":3}', "?")
    with pytest.raises(ValueError):
        svg.Svg(10, 10, "bad scope")
    with pytest.raises(ValueError):
        svg.Svg(10, 10, "ok").path("M0 0", cls='x" onload="y')
    with pytest.raises(ValueError):
        svg.Svg(10, 10, "ok").path("M0 0", fill="url(#a)")
    assert svg.svg_problems("<svg/>") and svg.svg_problems(3) and svg.svg_problems("<")


# ----------------------------------------------------------------------------- conformance


@pytest.mark.parametrize("name", ["tower_defense", "battle_card", "elemental_duel"])
def test_conformance_catches_an_unsafe_renderer(name):
    game = get_game(name)

    def unsafe(a, b):
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>{a}</script></svg>'

    game.render_svg = unsafe  # type: ignore[method-assign]
    problems: list[str] = []
    check_render(game, trials=5, seed=0, problems=problems)
    assert any("forbidden element <script>" in p for p in problems)

    def flaky(a, b, calls=[0]):  # noqa: B006
        calls[0] += 1
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" width="{calls[0]}" height="1"/>'

    game.render_svg = flaky  # type: ignore[method-assign]
    problems = []
    check_render(game, trials=5, seed=0, problems=problems)
    assert any("not deterministic" in p for p in problems)
    assert any("canvas size varies" in p for p in problems)
    assert issubclass(ConformanceError, Exception)
