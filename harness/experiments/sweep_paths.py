"""What a sweep may vary, addressed by path, and the check of one value of one path.

Paths follow the experiment file's own layout:

* ``games.<game>.params.<name>`` — a parameter of a game the experiment plays (its params dataclass,
  e.g. ``games.battle_card.params.defenders_budget``, ``games.tower_defense.params.board_cols``);
* ``games.<game>.ruleset`` — the ruleset that game plays (``v1``, ``v2``);
* ``protocol.<setting>`` — a protocol setting (``rounds``, ``revision``, ``feedback``,
  ``initial_attempts``, ``invalid_plan_policy``, ``initial_plans``).

A value is checked the way the experiment file checks it: a game parameter by the game's params dataclass
(unknown name, wrong type, out of range), plus one check games do not make themselves: a swept budget must
buy at least the side's cheapest catalogue entry. Protocol settings are checked by
:class:`~harness.experiments.config.ProtocolConfig` (``rounds`` 1..``MAX_ROUNDS``, the enums). Every
problem is a :class:`SweepError` whose text names the path and what is allowed.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import ValidationError

from games.core.errors import ParameterError, UserError
from games.core.types import SIDE_KEYS, SideKey, canonical_json
from games.registry import game_names, get_game, resolve_ruleset, rulesets
from harness.experiments.config import ExperimentConfig, ProtocolConfig

#: A value a sweep may give: a YAML scalar.
Scalar = int | float | str | bool | None
PATH_FORMS = "games.<game>.params.<name>, games.<game>.ruleset or protocol.<setting>"


class SweepError(UserError):
    """A sweep that cannot be played: a bad path, value, mode or combination (one line)."""


@dataclass(frozen=True)
class SweepPath:
    """One varied path, parsed.

    Attributes:
        text: The path as written (``games.battle_card.params.defenders_budget``).
        kind: ``param`` (a game parameter), ``ruleset`` (a game's ruleset) or ``protocol``.
        game: The game of a ``param`` or ``ruleset`` path (``None`` for ``protocol``).
        name: The parameter or protocol setting (``None`` for ``ruleset``).
    """

    text: str
    kind: Literal["param", "ruleset", "protocol"]
    game: str | None
    name: str | None


def protocol_settings() -> list[str]:
    """The protocol settings a sweep may vary, in the schema's order."""
    return list(ProtocolConfig.model_fields)


def parse_path(text: str, config: ExperimentConfig) -> SweepPath:
    """Parse ``text`` against ``config`` (its game must be one the experiment plays).

    Raises:
        SweepError: Unknown form, unknown game, a game the experiment does not play, or an unknown
            protocol setting (the message lists the known ones).
    """
    parts = text.split(".")
    if parts[0] == "protocol" and len(parts) == 2:
        known = protocol_settings()
        if parts[1] not in known:
            raise SweepError(f"{text}: unknown protocol setting {parts[1]!r}; known: {', '.join(known)}")
        return SweepPath(text, "protocol", None, parts[1])
    shape = (parts[0], parts[2] if len(parts) > 2 else "", len(parts))
    if shape in (("games", "params", 4), ("games", "ruleset", 3)):
        game = parts[1]
        if game not in game_names():
            raise SweepError(f"{text}: unknown game {game!r}; known: {', '.join(game_names())}")
        played = [g.name for g in config.games]
        if game not in played:
            raise SweepError(f"{text}: {game} is not one of this experiment's games ({', '.join(played)})")
        if len(parts) == 3:
            return SweepPath(text, "ruleset", game, None)
        if not parts[3]:
            raise SweepError(f"{text}: no parameter named; use games.<game>.params.<name>")
        return SweepPath(text, "param", game, parts[3])
    raise SweepError(f"{text}: unknown path; a sweep varies {PATH_FORMS}")


def show(value: Any) -> str:
    """A value as the messages and the dry run print it (JSON: ``10``, ``"v1"``, ``null``)."""
    return canonical_json(value)


def check_value(path: SweepPath, value: Any, config: ExperimentConfig, rulesets_: list[str]) -> None:
    """Check one value of ``path`` against the experiment (the other paths at the experiment's values).

    Args:
        path: The parsed path.
        value: The value (a YAML scalar).
        config: The experiment.
        rulesets_: For a ``param`` path, the rulesets its game plays in the sweep (the value must be valid
            under at least one; each point is checked whole afterwards).

    Raises:
        SweepError: The value is not allowed (the message names the path and the allowed range).
    """
    where = f"{path.text} = {show(value)}"
    if isinstance(value, (list, dict)):
        raise SweepError(f"{where}: a sweep value must be a scalar (a number, a string, true/false, null)")
    if path.kind == "protocol":
        _check_protocol(path, value, config, where)
    elif path.kind == "ruleset":
        assert path.game is not None  # parse_path sets it for ruleset paths
        if not isinstance(value, str):
            raise SweepError(f"{where}: a ruleset is a name; allowed: {', '.join(rulesets(path.game))}")
        try:
            resolve_ruleset(path.game, value)
        except UserError as exc:
            raise SweepError(f"{where}: {exc}") from None
    else:
        assert path.game is not None and path.name is not None  # parse_path sets both for param paths
        spec = next(g for g in config.games if g.name == path.game)
        params = {**spec.params, path.name: value}
        problems = [param_problem(path.game, path.name, value, params, r) for r in rulesets_]
        if all(p is not None for p in problems):
            raise SweepError(f"{where}: {problems[0]}")


def _check_protocol(path: SweepPath, value: Any, config: ExperimentConfig, where: str) -> None:
    assert path.name is not None  # parse_path sets it for protocol paths
    try:
        ProtocolConfig.model_validate({**config.protocol.model_dump(), path.name: value})
    except ValidationError:
        raise SweepError(f"{where}: allowed: {allowed_protocol_values(path.name)}") from None


def allowed_protocol_values(name: str) -> str:
    """What protocol setting ``name`` allows, read from the schema (``an integer 1..100``, ``outcome, …``)."""
    info = ProtocolConfig.model_fields[name]
    args = get_args(info.annotation)
    if get_origin(info.annotation) is Literal:
        return ", ".join(str(a) for a in args)
    nullable = get_origin(info.annotation) in (Union, types.UnionType) and type(None) in args
    low = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    text = "an integer"
    if low is not None and high is not None:
        text += f" {low}..{high}"
    elif low is not None:
        text += f" >= {low}"
    return text + (", or null" if nullable else "")


def param_problem(game: str, name: str, value: Any, params: Mapping[str, Any], ruleset: str) -> str | None:
    """Why parameter ``name`` of ``game``@``ruleset`` cannot be ``value`` (``None``: it can).

    Args:
        game: The game.
        name: The parameter.
        value: Its value.
        params: The game's parameter overrides, ``name: value`` included.
        ruleset: The ruleset.
    """
    try:
        played = get_game(game, params, ruleset)
    except UserError as exc:
        allowed = allowed_param_values(game, ruleset, name)
        return f"{exc} ({game}@ruleset={ruleset})" + (f"; allowed: {allowed}" if allowed else "")
    side = budget_params(game, ruleset).get(name)
    if side is not None:
        cheapest = cheapest_entry(game, ruleset, params, side)
        if cheapest is not None and value < cheapest:
            label = played.side(side).label
            return (
                f"a budget below the cheapest {label} entry (cost {cheapest}) buys nothing;"
                f" allowed: an integer >= {cheapest}"
            )
    return None


def allowed_param_values(game: str, ruleset: str, name: str) -> str | None:
    """What parameter ``name`` of ``game``@``ruleset`` allows (``an integer >= 1``); ``None`` if unknown.

    The type is the default's; an integer's lower bound is the smallest of 0, 1, 2 the params dataclass
    accepts (its own checks), raised to the cheapest catalogue entry for a budget.
    """
    defaults = get_game(game, None, ruleset).params_dict()
    if name not in defaults:
        return None
    default = defaults[name]
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        low = next((n for n in range(3) if _accepts(game, ruleset, name, n)), None)
        side = budget_params(game, ruleset).get(name)
        cheapest = cheapest_entry(game, ruleset, {}, side) if side is not None else None
        if cheapest is not None and low is not None:
            low = max(low, cheapest)
        return f"an integer >= {low}" if low is not None else "an integer"
    if isinstance(default, float):
        return "a number >= 0"
    return f"a {type(default).__name__}"


def _accepts(game: str, ruleset: str, name: str, value: Any) -> bool:
    try:
        get_game(game, {name: value}, ruleset)
    except UserError:
        return False
    return True


@lru_cache(maxsize=64)
def budget_params(game: str, ruleset: str) -> dict[str, SideKey]:
    """The integer parameters of ``game``@``ruleset`` that set a side's budget: name → side key.

    Found through the game API, not by name: a parameter is side S's budget when raising it by one raises
    ``game.side(S).budget`` by one.
    """
    base = get_game(game, None, ruleset)
    out: dict[str, SideKey] = {}
    for name, default in base.params_dict().items():
        if isinstance(default, bool) or not isinstance(default, int):
            continue
        try:
            probe = get_game(game, {name: default + 1}, ruleset)
        except ParameterError:
            continue
        for key in SIDE_KEYS:
            if probe.side(key).budget == base.side(key).budget + 1:
                out[name] = key
    return out


def cheapest_entry(game: str, ruleset: str, params: Mapping[str, Any], side: SideKey) -> int | None:
    """The cost of the cheapest thing ``side`` can buy (a unit, a minion, a skill), from its catalogue."""
    catalogue = get_game(game, params, ruleset).catalogue(side)
    costs = [c for key in ("units", "skills") for c in _costs(catalogue.get(key))]
    return min(costs) if costs else None


def _costs(node: Any) -> Iterator[int]:
    """Every integer ``cost`` in a catalogue section (entries as mappings, lists or mappings of lists)."""
    if isinstance(node, Mapping):
        cost = node.get("cost")
        if isinstance(cost, int) and not isinstance(cost, bool):
            yield cost
        for child in node.values():
            if isinstance(child, (Mapping, list)):
                yield from _costs(child)
    elif isinstance(node, list):
        for child in node:
            yield from _costs(child)


def experiment_value(path: SweepPath, config: ExperimentConfig) -> Any:
    """The experiment's own (unswept) value of ``path``: the effective parameter, ruleset or setting."""
    if path.kind == "protocol":
        assert path.name is not None
        return getattr(config.protocol, path.name)
    spec = next(g for g in config.games if g.name == path.game)
    if path.kind == "ruleset":
        return spec.ruleset
    assert path.name is not None
    return get_game(spec.name, spec.params, spec.ruleset).params_dict().get(path.name)
