import dataclasses
from abc import abstractmethod
from typing import Any

import pytest

from games.core import ParameterError, Registry, UnknownNameError, build_params, format_variant, parse_variant
from games.core.game import Game
from games.core.types import BattleResult, Side, ValidatedPlan, Violation, canonical_json, other_side


def test_parse_variant_types_and_roundtrip():
    v = parse_variant("search@sims=64,panel=2,name=x,flag=true,rate=0.5")
    assert v.base == "search"
    assert v.params == {"sims": 64, "panel": 2, "name": "x", "flag": True, "rate": 0.5}
    assert parse_variant(str(v)) == v
    assert parse_variant("openai/gpt-4.1").params == {}
    assert format_variant("b", {"z": 1, "a": "s"}) == "b@a=s,z=1"


@pytest.mark.parametrize("bad", ["x@sims", "x@=3", "x@a=1,a=2"])
def test_parse_variant_rejects(bad):
    with pytest.raises(ParameterError):
        parse_variant(bad)


def test_registry_rejects_duplicates_and_lists_names():
    reg: Registry[int] = Registry("widget")
    reg.register("b", 2)
    reg.register("a", 1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a", 3)
    with pytest.raises(UnknownNameError) as err:
        reg.get("c")
    assert str(err.value) == "unknown widget 'c'; known: a, b"
    assert list(reg) == ["a", "b"] and "a" in reg


@dataclasses.dataclass(frozen=True)
class P:
    budget: int = 10
    ratio: float = 0.5
    strict: bool = False


def test_build_params():
    assert build_params(P, None) == P()
    assert build_params(P, {"budget": 3, "ratio": 1}) == P(budget=3, ratio=1)
    with pytest.raises(ParameterError, match="unknown parameter 'bugdet'; known: budget, ratio, strict"):
        build_params(P, {"bugdet": 3})
    with pytest.raises(ParameterError, match="must be int"):
        build_params(P, {"budget": "3"})
    with pytest.raises(ParameterError, match="must be int"):
        build_params(P, {"budget": True})
    with pytest.raises(ParameterError, match=">= 0"):
        build_params(P, {"budget": -1})


def test_small_types():
    assert other_side("A") == "B" and other_side("B") == "A"
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert Violation("c", "m", 1, "f").to_dict() == {"code": "c", "index": 1, "field": "f", "message": "m"}


@dataclasses.dataclass(frozen=True)
class _ToyParams:
    budget: int = 1


class _Counted(Game[_ToyParams]):
    """A game with nothing to play, counting how often its sides are built."""

    name = "counted"
    params_type = _ToyParams
    built = 0

    def catalogue(self, side):  # type: ignore[no-untyped-def]
        return {}

    def rules_text(self, side):  # type: ignore[no-untyped-def]
        return ""

    def example_plan(self, side):  # type: ignore[no-untyped-def]
        return {self.side(side).plan_key: []}

    def plan_schema(self, side):  # type: ignore[no-untyped-def]
        return {"type": "object"}

    def validate(self, side, obj):  # type: ignore[no-untyped-def]
        return ValidatedPlan(side, {self.side(side).plan_key: []}, 0)

    def simulate(self, plan_a, plan_b):  # type: ignore[no-untyped-def]
        return BattleResult(None, {})

    def random_plan(self, side, rng):  # type: ignore[no-untyped-def]
        return self.example_plan(side)

    def greedy_plan(self, side):  # type: ignore[no-untyped-def]
        return self.example_plan(side)

    def mutate_plan(self, side, plan, rng):  # type: ignore[no-untyped-def]
        return plan

    @property
    def sides(self) -> tuple[Side, Side]:
        type(self).built += 1
        return Side("A", "row", "Row", "rows", self.params.budget), Side("B", "col", "Col", "cols", 1)


class _Relabelled(_Counted):
    """A subclass whose sides start from its base's."""

    @property
    def sides(self) -> tuple[Side, Side]:
        a, b = super().sides
        return dataclasses.replace(a, label="Rows"), b


def test_game_sides_are_built_once_per_instance():
    _Counted.built = 0
    game = _Counted()
    first = game.sides
    assert game.sides is first and game.side("A") is first[0] and game.side("B") is first[1]
    assert _Counted.built == 1
    other = _Counted({"budget": 5})  # each instance has its own sides, from its own parameters
    assert other.side("A").budget == 5 and game.side("A").budget == 1
    assert _Counted.built == 2
    assert type(game).sides.__doc__ is None and _Counted.__dict__["sides"].fget.__name__ == "sides"
    with pytest.raises(ParameterError, match="side must be 'A' or 'B'"):
        game.side("C")  # type: ignore[arg-type]


def test_a_subclass_remembers_its_own_sides_apart_from_its_base():
    game = _Relabelled()
    assert game.side("A").label == "Rows" and game.sides is game.sides
    assert _Counted.sides.fget(game)[0].label == "Row"  # the base's property still answers for the base
    assert game.side("A").label == "Rows"


def test_an_abstract_sides_redeclaration_stays_abstract():
    class Partial(Game[Any]):
        @property
        @abstractmethod
        def sides(self) -> tuple[Side, Side]:
            """Still to be defined."""

    assert "sides" in Partial.__abstractmethods__
    with pytest.raises(TypeError):
        Partial()  # type: ignore[abstract]
