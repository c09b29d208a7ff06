"""The abstract game: static facts (sides, catalogue, rules text, schema) plus pure functions of plans.

A game object holds no mutable match state: ``validate`` and ``simulate`` are pure functions of their
arguments and the game's frozen parameters, so one instance can serve any number of concurrent matches.
"""

from __future__ import annotations

import dataclasses
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from games.core import svg
from games.core.errors import ParameterError
from games.core.types import BattleResult, Side, SideKey, ValidatedPlan

P = TypeVar("P")


def build_params(params_type: type[P], overrides: Mapping[str, Any] | None) -> P:
    """Build a frozen params dataclass from defaults plus user overrides.

    Raises:
        ParameterError: On an unknown key (the message lists the known ones) or a value of the wrong type.
    """
    fields = {f.name: f for f in dataclasses.fields(params_type)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if key not in fields:
            raise ParameterError(f"unknown parameter {key!r}; known: {', '.join(sorted(fields))}")
        default = getattr(params_type, key, None)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = True
        if not ok:
            raise ParameterError(f"parameter {key!r} must be {type(default).__name__}, got {value!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise ParameterError(f"parameter {key!r} must be >= 0, got {value!r}")
        values[key] = value
    return params_type(**values)


def _remembered_sides(cls: type, compute: Callable[[Any], tuple[Side, Side]]) -> property:
    """A ``sides`` property that calls ``compute`` once per instance and then returns the same tuple.

    A game's sides depend only on its frozen parameters, yet the subclasses build two new :class:`Side`
    objects per access, and the match loop, the validators and the bots ask for them dozens of times a
    match. The tuple is kept in the instance's ``__dict__`` under a key naming the class that defined the
    property, so a subclass property that calls ``super().sides`` keeps its own value apart from its base's.
    """
    key = f"_sides_of_{cls.__module__}.{cls.__qualname__}"

    def sides(self: Any) -> tuple[Side, Side]:
        cached: tuple[Side, Side] | None = self.__dict__.get(key)
        if cached is None:
            cached = self.__dict__[key] = compute(self)
        return cached

    sides.__doc__ = compute.__doc__
    sides.__name__ = sides.__qualname__ = "sides"
    return property(sides, doc=compute.__doc__)


class Game(ABC, Generic[P]):
    """A two-sided plan-vs-plan game with a deterministic simulator.

    Subclasses set :attr:`name`, :attr:`params_type` and implement the abstract methods. Side ``"A"`` is
    always the spec's first side (humans / defenders).
    """

    name: ClassVar[str]
    ruleset: ClassVar[str] = "v1"
    params_type: ClassVar[type[Any]]
    #: Initial-plan attempts of the original match loop (spec §1.3).
    default_initial_attempts: ClassVar[int] = 3
    #: Whether the original match loop simulates once more after the last revision (spec §1.4): battle
    #: card and the duel do (R + 1 round records, the last labelled R); tower defense does not (R records).
    final_extra_round: ClassVar[bool] = True

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params: P = build_params(self.params_type, params)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make a subclass's own ``sides`` property compute its tuple once per instance.

        Sides are static facts of a game object (its parameters are frozen), so remembering them changes
        no answer; it only saves rebuilding two :class:`Side` objects on every access.
        """
        super().__init_subclass__(**kwargs)
        prop = cls.__dict__.get("sides")
        # Not an abstract redeclaration (wrapping would hide it from the ABC) nor a settable property.
        if (
            isinstance(prop, property)
            and prop.fget is not None
            and prop.fset is None
            and not prop.__isabstractmethod__
        ):
            cls.sides = _remembered_sides(cls, prop.fget)  # type: ignore[method-assign,assignment]

    # ----------------------------------------------------------------- static facts
    @property
    @abstractmethod
    def sides(self) -> tuple[Side, Side]:
        """Both sides, A first."""

    def side(self, key: SideKey) -> Side:
        """The :class:`Side` for ``"A"`` or ``"B"``."""
        # One ``sides`` access (remembered per instance, see __init_subclass__): this runs dozens of times
        # per match.
        if key == "A":
            return self.sides[0]
        if key == "B":
            return self.sides[1]
        raise ParameterError(f"side must be 'A' or 'B', got {key!r}")

    def side_by_name(self, name: str) -> Side:
        """Look a side up by key (``A``/``B``), role name, label or plan key, case-insensitively."""
        wanted = name.strip().lower()
        for s in self.sides:
            if wanted in (s.key.lower(), s.name, s.label.lower(), s.plan_key):
                return s
        choices = ", ".join(f"{s.key}/{s.name}" for s in self.sides)
        raise ParameterError(f"unknown side {name!r} for {self.name}; choose one of {choices}")

    def params_dict(self) -> dict[str, Any]:
        """The effective parameters as a plain dict (part of every match fingerprint)."""
        return dataclasses.asdict(self.params)  # type: ignore[call-overload,no-any-return]

    @abstractmethod
    def catalogue(self, side: SideKey) -> dict[str, Any]:
        """Structured catalogue of everything ``side`` can buy, with every number (the source of truth)."""

    @abstractmethod
    def rules_text(self, side: SideKey) -> str:
        """Rules and catalogue text for a model playing ``side``, generated from catalogue and constants."""

    @abstractmethod
    def example_plan(self, side: SideKey) -> dict[str, Any]:
        """A small valid example plan for ``side`` (the spec's example plans)."""

    @abstractmethod
    def plan_schema(self, side: SideKey) -> dict[str, Any]:
        """JSON Schema (draft 2020-12) of a valid plan for ``side``; usable for constrained decoding."""

    # ----------------------------------------------------------------- pure functions of plans
    @abstractmethod
    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:
        """Validate any JSON value as ``side``'s plan. Never raises."""

    @abstractmethod
    def simulate(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> BattleResult:
        """Play two validated plans against each other. Deterministic, pure, never hangs."""

    def empty_plan(self, side: SideKey) -> ValidatedPlan:
        """The valid empty plan of ``side`` (cost 0)."""
        return self.validate(side, {self.side(side).plan_key: []})

    # ----------------------------------------------------------------- bot support
    @abstractmethod
    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:
        """A random valid plan for ``side`` whose cost is within the side's budget."""

    @abstractmethod
    def greedy_plan(self, side: SideKey) -> dict[str, Any]:
        """A fixed, sensible heuristic plan for ``side`` within budget."""

    @abstractmethod
    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """A small random change of a valid plan that stays valid and within budget (for search)."""

    def margin(self, result: BattleResult, side: SideKey) -> float:
        """How comfortably ``side`` did in ``result``, in [0, 1); a tie-break for the search bot."""
        return 0.0

    # ----------------------------------------------------------------- pictures
    def render_svg(self, plan_a: Mapping[str, Any], plan_b: Mapping[str, Any]) -> str:
        """A small standalone SVG picture of both sides' plans (for the report's match viewer).

        The base implementation is a generic text listing (each side's label, cost against budget and
        its entries as compact JSON), so a new game always renders something; the built-in games
        override it with a proper picture drawn from their own parameters and catalogue.

        Args:
            plan_a: Side A's plan, normally canonical (``ValidatedPlan.plan`` as stored in a round
                record), but any JSON value is accepted: a model's invalid plan is drawn as far as it
                can be (unknown units, skills or fields appear as ``?`` or are skipped).
            plan_b: Side B's plan, likewise.

        Returns:
            An SVG document (root ``<svg xmlns=... viewBox=... width=... height=...>``) parseable as XML.
            Pure and deterministic: the same plans give the same string byte for byte, and the canvas
            size depends only on the game and its parameters. Every text taken from a plan is escaped;
            the document never holds scripts, event handlers, ``foreignObject`` or external references.
            Never raises.
        """
        return svg.listing_svg(self, plan_a, plan_b)
