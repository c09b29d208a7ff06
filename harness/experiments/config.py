"""The experiment file, as pydantic models.

An experiment names games, models, how models are paired, the settings grid (which side the first model of
a pair plays × who revises first), protocol settings, seeds and repetitions, generation config (with
per-model overrides), per-provider concurrency, the response cache and the store. Example::

    name: my-bench
    games:                         # no ruleset named: the default (v2)
      - tower_defense
      - elemental_duel@ruleset=v1
      - {name: battle_card, ruleset: v1, params: {max_units: 5}}
    models: [openai/gpt-4.1, anthropic/claude-sonnet-4-5]
    pairing: {mode: vs_panel, panel: [bot/greedy, bot/search@sims=32]}
    settings: {sides: [A, B], first_reviser: [A, B]}     # the paper's four settings (the default)
    protocol: {rounds: 10, feedback: outcome}
    seeds: [0]
    repetitions: 1
    generation: {temperature: 0.3, top_p: 1.0, max_tokens: 2048}   # plan_schema: true = constrained decoding
    generation_overrides: {openai/o3-2025-04-16: {temperature: null, top_p: null}}
    concurrency: {openai: 16, default: 8}
    cache: {mode: read-write, path: results/model_cache.sqlite}
    http_backend: aiohttp        # or httpx, the SDKs' default transport (no effect on results)
    empty_reply: retry_once      # an empty HTTP 200 answer: retried once, then the model's; or `model`
    store: results/my-bench.sqlite

Every name is checked at load time (providers against the model layer's registry, bots, games, their
rulesets and game parameters), so a bad file fails before anything is written. A game that names no ruleset
plays the default one (``v2``); the ``advgamebench`` preset pins ``v1``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from games.core.errors import UserError
from games.core.naming import parse_variant
from games.core.types import SIDE_KEYS, SideKey
from games.refs import RULESET_KEY
from games.registry import DEFAULT_RULESET, default_ruleset, game_names, resolve_ruleset
from harness.experiments.names import check_game_name, check_model_name, known_providers
from harness.limits import MAX_ROUNDS

ModelName = Annotated[str, AfterValidator(check_model_name)]
GameName = Annotated[str, AfterValidator(check_game_name)]
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)


class GameSpec(BaseModel):
    """One game: its ruleset and parameter overrides.

    In YAML a bare name (``battle_card``) means the default ruleset and no overrides; the command-line form
    ``battle_card@ruleset=v1[,param=value]`` works too, as does the mapping ``{name, ruleset, params}``.
    A missing ruleset is filled in with the game's default (:func:`games.registry.default_ruleset`), so a
    loaded config always names the ruleset each game plays.
    """

    model_config = _STRICT

    name: GameName
    ruleset: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _fill_ruleset(cls, value: Any) -> Any:
        return _with_default_ruleset(value)

    @field_validator("ruleset")
    @classmethod
    def _known_ruleset(cls, value: str, info: ValidationInfo) -> str:
        name = info.data.get("name")
        if name is not None:  # an unknown name has its own error
            try:
                resolve_ruleset(name, value)
            except UserError as exc:
                raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _params_exist(self) -> GameSpec:
        from games.registry import get_game  # games load lazily; only checked names get here

        try:
            get_game(self.name, self.params, self.ruleset)
        except UserError as exc:
            raise ValueError(f"{self.label()}: {exc}") from None  # parameters are per ruleset
        return self

    def label(self) -> str:
        """``name@ruleset=R`` (for messages)."""
        return f"{self.name}@ruleset={self.ruleset}"


def _game_shorthand(value: Any) -> Any:
    """``"battle_card"`` or ``"battle_card@ruleset=v1,max_units=5"`` → the mapping form."""
    if not isinstance(value, str) or "@" not in value:
        return {"name": value} if isinstance(value, str) else value
    try:
        variant = parse_variant(value)
    except UserError as exc:
        raise ValueError(str(exc)) from None
    params = dict(variant.params)
    out: dict[str, Any] = {"name": variant.base}
    if RULESET_KEY in params:
        out["ruleset"] = str(params.pop(RULESET_KEY))
    if params:
        out["params"] = params
    return out


def _with_default_ruleset(value: Any) -> Any:
    if not isinstance(value, dict) or value.get("ruleset") is not None:
        return value
    name = value.get("name")
    # An unknown name gets a placeholder, so that only the name's own error is reported.
    ruleset = default_ruleset(name) if isinstance(name, str) and name in game_names() else DEFAULT_RULESET
    return {**value, "ruleset": ruleset}


class RoundRobin(BaseModel):
    """Every unordered pair of distinct models (``self_play`` adds each model against itself)."""

    model_config = _STRICT

    mode: Literal["round_robin"]
    self_play: bool = False


class VsPanel(BaseModel):
    """Every experiment model (the test models) against every panel model (fixed opponents).

    A test model that is also in the panel plays itself (as the paper's design does) unless
    ``self_play`` is false.
    """

    model_config = _STRICT

    mode: Literal["vs_panel"]
    panel: list[ModelName] = Field(min_length=1)
    self_play: bool = True


class ExplicitPairs(BaseModel):
    """Exactly the listed ``[first, second]`` pairs (the settings grid still applies to each)."""

    model_config = _STRICT

    mode: Literal["pairs"]
    pairs: list[Annotated[list[ModelName], Field(min_length=2, max_length=2)]] = Field(min_length=1)


Pairing = Annotated[RoundRobin | VsPanel | ExplicitPairs, Field(discriminator="mode")]


class SettingPoint(BaseModel):
    """One setting: which side the first model of a pair plays, and which side revises first."""

    model_config = _STRICT

    side: SideKey
    first_reviser: SideKey


class SettingsGrid(BaseModel):
    """Settings played for every pair: ``sides`` × ``first_reviser``, or an explicit list."""

    model_config = _STRICT

    sides: list[SideKey] = Field(default_factory=lambda: list(SIDE_KEYS), min_length=1)
    first_reviser: list[SideKey] = Field(default_factory=lambda: list(SIDE_KEYS), min_length=1)
    explicit: list[SettingPoint] | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _list_means_explicit(cls, value: Any) -> Any:
        return {"explicit": value} if isinstance(value, list) else value

    @field_validator("sides", "first_reviser")
    @classmethod
    def _unique(cls, value: list[SideKey]) -> list[SideKey]:
        if len(set(value)) != len(value):
            raise ValueError("values must not repeat")
        return value

    def points(self) -> list[SettingPoint]:
        """The settings in expansion order."""
        if self.explicit is not None:
            return list(self.explicit)
        return [SettingPoint(side=s, first_reviser=f) for s in self.sides for f in self.first_reviser]


class ProtocolConfig(BaseModel):
    """Match protocol settings shared by every match (``first_reviser`` comes from the settings grid).

    Mirrors :class:`harness.protocol.settings.MatchSettings` minus ``first_reviser``.
    """

    model_config = _STRICT

    rounds: int = Field(default=10, ge=1, le=MAX_ROUNDS)
    revision: Literal["alternate", "simultaneous", "none"] = "alternate"
    feedback: Literal["outcome", "detailed"] = "outcome"
    initial_attempts: int | None = Field(default=None, ge=1)
    invalid_plan_policy: Literal["keep_previous", "empty", "forfeit"] = "keep_previous"
    initial_plans: Literal["per_match", "shared"] = "per_match"


class GenerationSpec(BaseModel):
    """Generation config of every model call (the paper's defaults). ``null`` sends no value."""

    model_config = _STRICT

    temperature: float | None = Field(default=0.3, ge=0.0)
    top_p: float | None = Field(default=1.0, gt=0.0, le=1.0)
    max_tokens: int = Field(default=2048, ge=1)
    seed: int | None = None
    timeout_s: float = Field(default=120.0, gt=0.0)
    plan_schema: bool = False


class GenerationOverride(BaseModel):
    """Per-model changes to :class:`GenerationSpec`; only the fields given change (``null``: send none)."""

    model_config = _STRICT

    temperature: float | None = Field(default=None, ge=0.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1)
    seed: int | None = None
    timeout_s: float | None = Field(default=None, gt=0.0)
    plan_schema: bool | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> GenerationOverride:
        for name in ("max_tokens", "timeout_s", "plan_schema"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def apply(self, base: GenerationSpec) -> GenerationSpec:
        """``base`` with the fields given in this override replaced."""
        return base.model_copy(update={k: getattr(self, k) for k in self.model_fields_set})


class CacheSpec(BaseModel):
    """The model layer's response cache."""

    model_config = _STRICT

    mode: Literal["off", "read-write", "replay-only"] = "off"
    path: str = "results/model_cache.sqlite"


class ExperimentConfig(BaseModel):
    """A validated experiment (see the module docstring for the YAML form)."""

    model_config = _STRICT

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    description: str = ""
    games: list[Annotated[GameSpec, Field()]] = Field(min_length=1)
    models: list[ModelName] = Field(min_length=1)
    pairing: Pairing = Field(default_factory=lambda: RoundRobin(mode="round_robin"))
    settings: SettingsGrid = Field(default_factory=SettingsGrid)
    protocol: ProtocolConfig = Field(default_factory=ProtocolConfig)
    seeds: list[Annotated[int, Field(ge=0)]] = Field(default_factory=lambda: [0], min_length=1)
    repetitions: int = Field(default=1, ge=1)
    generation: GenerationSpec = Field(default_factory=GenerationSpec)
    generation_overrides: dict[ModelName, GenerationOverride] = Field(default_factory=dict)
    concurrency: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    max_matches: int = Field(default=64, ge=1)
    max_tries: int = Field(default=3, ge=1)
    cache: CacheSpec = Field(default_factory=CacheSpec)
    http_backend: Literal["aiohttp", "httpx"] = "aiohttp"
    empty_reply: Literal["retry_once", "model"] = "retry_once"
    store: str | None = None

    @field_validator("games", mode="before")
    @classmethod
    def _games_shorthand(cls, value: Any) -> Any:
        return [_game_shorthand(v) for v in value] if isinstance(value, list) else value

    @field_validator("games")
    @classmethod
    def _one_ruleset_per_game(cls, value: list[GameSpec]) -> list[GameSpec]:
        names = [g.name for g in value]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            # Match identities (game, models, settings, seed) would collide between two rulesets.
            raise ValueError(
                f"game {twice} is listed twice; an experiment plays one ruleset of each game "
                "(compare rulesets with one experiment per ruleset)"
            )
        return value

    @field_validator("pairing", mode="before")
    @classmethod
    def _pairing_shorthand(cls, value: Any) -> Any:
        return {"mode": value} if isinstance(value, str) else value

    @field_validator("models", "seeds")
    @classmethod
    def _no_repeats(cls, value: list[Any]) -> list[Any]:
        seen: set[Any] = set()
        for item in value:
            if item in seen:
                raise ValueError(f"{item!r} is listed twice")
            seen.add(item)
        return value

    @field_validator("concurrency")
    @classmethod
    def _known_provider_keys(cls, value: dict[str, int]) -> dict[str, int]:
        known = [*known_providers(), "default"]
        for key in value:
            if key not in known:
                raise ValueError(f"unknown provider {key!r}; known: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentConfig:
        if isinstance(self.pairing, RoundRobin) and len(self.models) < 2 and not self.pairing.self_play:
            raise ValueError("round_robin needs at least two models (or pairing.self_play: true)")
        involved = set(self.all_models())
        for name in self.generation_overrides:
            if name not in involved:
                raise ValueError(f"generation_overrides names {name!r}, which plays in no match")
        return self

    def all_models(self) -> list[str]:
        """Every model that plays in some match, in first-mention order."""
        out: list[str] = list(self.models)
        if isinstance(self.pairing, VsPanel):
            out += self.pairing.panel
        elif isinstance(self.pairing, ExplicitPairs):
            out += [m for pair in self.pairing.pairs for m in pair]
        return list(dict.fromkeys(out))

    def store_path(self) -> str:
        """The store file: ``store`` if given, else ``results/<name>.sqlite``."""
        return self.store if self.store is not None else f"results/{self.name}.sqlite"
