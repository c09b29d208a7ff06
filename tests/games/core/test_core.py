import dataclasses

import pytest

from games.core import ParameterError, Registry, UnknownNameError, build_params, format_variant, parse_variant
from games.core.types import Violation, canonical_json, other_side


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
