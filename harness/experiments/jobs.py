"""Match jobs: everything needed to play and store one match, with its fingerprint and id.

:func:`build_job` is the one place a job is made (used by experiment expansion and by ``stratagem
play``), so a match played from the command line and the same match inside an experiment get the same id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from games.core.types import canonical_json
from games.registry import get_game
from harness.experiments.identity import fingerprint, generation_dict, match_id_maker, match_seed
from harness.experiments.names import is_bot
from harness.models.types import GenerateConfig

# OpenAI reasoning models (o1, o3, o3-mini, o4-mini…) reject sampling parameters: the paper ran them with
# API defaults. Matched on the last path segment of the model part, so ``litellm/openai/o3`` counts too.
_REASONING = re.compile(r"^o\d+(-|$)")
SETTING_FIELDS = (
    "rounds",
    "revision",
    "first_reviser",
    "feedback",
    "initial_attempts",
    "invalid_plan_policy",
    "initial_plans",
)


def takes_no_sampling_params(model: str) -> bool:
    """Whether ``model`` is a reasoning model that must be called without temperature / top_p."""
    provider, _, rest = model.partition("/")
    if provider not in ("openai", "litellm"):
        return False
    base = rest.partition("@")[0].rsplit("/", 1)[-1]
    return bool(_REASONING.match(base))


@dataclass(frozen=True)
class MatchJob:
    """One match to play.

    Attributes:
        experiment: Name of the experiment (or ``play``) the job belongs to.
        game: Game name.
        ruleset: The game's ruleset version.
        params: Effective game parameters (defaults filled in).
        model_a: Full model name of side A.
        model_b: Full model name of side B.
        settings: Every :class:`~harness.protocol.settings.MatchSettings` field, ``initial_attempts``
            resolved to the game's default when unset.
        generation_a: Side A's generation config (``None`` for a bot).
        generation_b: Side B's generation config (``None`` for a bot).
        plan_schema_a: Side A's LLM gets the plan JSON Schema as ``response_schema``.
        plan_schema_b: Likewise for side B.
        seed: The match seed.
        repetition: Repetition index (0-based).
        fingerprint: See :mod:`harness.experiments.identity`.
        match_id: See :mod:`harness.experiments.identity`.
        sweep: A sweep match's sweep key ``{"point": {path: value}, "index": i, "base": bool}``, stored in
            its ``settings_json`` (and hashed into its fingerprint); ``None`` outside a sweep.
    """

    experiment: str
    game: str
    ruleset: str
    params: dict[str, Any] = field(hash=False)
    model_a: str
    model_b: str
    settings: dict[str, Any] = field(hash=False)
    generation_a: GenerateConfig | None = field(hash=False)
    generation_b: GenerateConfig | None = field(hash=False)
    seed: int
    repetition: int
    fingerprint: str
    match_id: str
    plan_schema_a: bool = False
    plan_schema_b: bool = False
    sweep: dict[str, Any] | None = field(default=None, hash=False)

    @property
    def first_reviser(self) -> str:
        """Which side revises first."""
        return str(self.settings["first_reviser"])

    @property
    def identity(self) -> tuple[str, str, str, str, int, int]:
        """``(game, model_a, model_b, first_reviser, seed, repetition)``."""
        return (self.game, self.model_a, self.model_b, self.first_reviser, self.seed, self.repetition)

    @property
    def bot_only(self) -> bool:
        """Whether both sides are bots (a CPU-bound match with no I/O)."""
        return is_bot(self.model_a) and is_bot(self.model_b)

    def settings_json(self) -> str:
        """Canonical JSON of every protocol setting plus each side's generation config (computed once)."""
        # Jobs are never changed after they are made, so the text is kept on the instance, outside the
        # dataclass fields (eq, hash and dataclasses.replace ignore it); a JobFactory fills it in for the
        # jobs it makes, which share it.
        cached: str | None = self.__dict__.get("_settings_json")
        if cached is None:
            cached = _settings_text(
                self.settings,
                generation_dict(self.generation_a, self.plan_schema_a),
                generation_dict(self.generation_b, self.plan_schema_b),
                self.sweep,
            )
            object.__setattr__(self, "_settings_json", cached)
        return cached

    def params_json(self) -> str:
        """Canonical JSON of the effective game parameters (computed once)."""
        cached: str | None = self.__dict__.get("_params_json")
        if cached is None:
            cached = canonical_json(self.params)
            object.__setattr__(self, "_params_json", cached)
        return cached


def _settings_text(
    settings: dict[str, Any],
    generation_a: dict[str, Any] | None,
    generation_b: dict[str, Any] | None,
    sweep: dict[str, Any] | None,
) -> str:
    """``settings_json``: the settings, both generation configs, and a sweep match's ``sweep`` key."""
    obj: dict[str, Any] = {**settings, "generation_a": generation_a, "generation_b": generation_b}
    if sweep is not None:  # an ordinary match's text stays as it always was
        obj["sweep"] = sweep
    return canonical_json(obj)


def _versions() -> tuple[str, str]:
    from harness.protocol.versions import PARSER_VERSION, PROMPT_VERSION

    return PROMPT_VERSION, PARSER_VERSION


class JobFactory:
    """Makes the jobs of one game and protocol setting: what they share is computed once, here.

    The game object, the resolved settings, the fingerprint and the parameters' JSON are the same for every
    job of a (game, settings, base generation) cell, so a plan of a million jobs computes them once; each
    job then costs its match seed and match id. The jobs a factory makes share its ``params`` and
    ``settings`` dicts (jobs are immutable; nothing changes them). :func:`build_job` is a factory used once,
    so both make the same jobs.

    Args:
        experiment: Experiment name.
        game: Game name (without a ruleset: see ``ruleset``).
        params: Game parameter overrides (of that ruleset's parameters).
        ruleset: The game's ruleset; ``None`` means the default (:func:`games.registry.default_ruleset`).
        settings: Protocol settings (every ``MatchSettings`` field; ``initial_attempts`` may be ``None``).
        base_generation: The experiment-level generation config (a fingerprint input).
        base_plan_schema: The experiment-level ``plan_schema`` setting (a fingerprint input).
        sweep: The sweep key of the jobs (a sweep point's, see :mod:`harness.experiments.sweep`), or
            ``None`` for an ordinary experiment.
    """

    def __init__(
        self,
        *,
        experiment: str,
        game: str,
        params: dict[str, Any] | None,
        ruleset: str | None = None,
        settings: dict[str, Any],
        base_generation: GenerateConfig | None,
        base_plan_schema: bool = False,
        sweep: dict[str, Any] | None = None,
    ) -> None:
        g = get_game(game, params, ruleset)
        resolved = {k: settings[k] for k in SETTING_FIELDS}
        if resolved["initial_attempts"] is None:
            resolved["initial_attempts"] = g.default_initial_attempts
        prompt_version, parser_version = _versions()
        self.experiment = experiment
        self.game = game
        self.ruleset = g.ruleset
        self.params = g.params_dict()
        self.settings = resolved
        self.first_reviser = str(resolved["first_reviser"])
        self.sweep = sweep
        self.fingerprint = fingerprint(
            game=game,
            ruleset=g.ruleset,
            params=self.params,
            prompt_version=prompt_version,
            parser_version=parser_version,
            settings=resolved,
            generation=generation_dict(base_generation, base_plan_schema),
            sweep=sweep,
        )
        self._params_json = canonical_json(self.params)

    def sides(
        self,
        model_a: str,
        model_b: str,
        generation_a: GenerateConfig | None,
        generation_b: GenerateConfig | None,
        plan_schema_a: bool = False,
        plan_schema_b: bool = False,
    ) -> _Sides:
        """What the jobs of one model pair share: call it once per pair, then :meth:`job` per seed."""
        gen_a = None if is_bot(model_a) else generation_a
        gen_b = None if is_bot(model_b) else generation_b
        schema_a = plan_schema_a and gen_a is not None
        schema_b = plan_schema_b and gen_b is not None
        dict_a, dict_b = generation_dict(gen_a, schema_a), generation_dict(gen_b, schema_b)
        return _Sides(
            model_a=model_a,
            model_b=model_b,
            generation_a=gen_a,
            generation_b=gen_b,
            plan_schema_a=schema_a,
            plan_schema_b=schema_b,
            settings_json=_settings_text(self.settings, dict_a, dict_b, self.sweep),
            ids=match_id_maker(
                fingerprint=self.fingerprint,
                model_a=model_a,
                model_b=model_b,
                generation_a=dict_a,
                generation_b=dict_b,
                first_reviser=self.first_reviser,
            ),
        )

    def job(self, sides: _Sides, base_seed: int, repetition: int) -> MatchJob:
        """The job of ``sides`` (from :meth:`sides`) with the configured seed ``base_seed``."""
        seed = match_seed(base_seed, repetition)
        job = MatchJob(
            experiment=self.experiment,
            game=self.game,
            ruleset=self.ruleset,
            params=self.params,
            model_a=sides.model_a,
            model_b=sides.model_b,
            settings=self.settings,
            generation_a=sides.generation_a,
            generation_b=sides.generation_b,
            seed=seed,
            repetition=repetition,
            fingerprint=self.fingerprint,
            match_id=sides.ids(seed, repetition),
            plan_schema_a=sides.plan_schema_a,
            plan_schema_b=sides.plan_schema_b,
            sweep=self.sweep,
        )
        # The JSON texts every job of the cell shares (see MatchJob.settings_json).
        job.__dict__["_params_json"] = self._params_json
        job.__dict__["_settings_json"] = sides.settings_json
        return job


@dataclass(frozen=True)
class _Sides:
    """The two sides of the jobs of one model pair in one :class:`JobFactory` cell."""

    model_a: str
    model_b: str
    generation_a: GenerateConfig | None
    generation_b: GenerateConfig | None
    plan_schema_a: bool
    plan_schema_b: bool
    settings_json: str
    ids: Callable[[int, int], str]


def build_job(
    *,
    experiment: str,
    game: str,
    params: dict[str, Any] | None,
    ruleset: str | None = None,
    model_a: str,
    model_b: str,
    settings: dict[str, Any],
    generation_a: GenerateConfig | None,
    generation_b: GenerateConfig | None,
    base_generation: GenerateConfig | None,
    base_seed: int,
    repetition: int,
    plan_schema_a: bool = False,
    plan_schema_b: bool = False,
    base_plan_schema: bool = False,
) -> MatchJob:
    """Make one job; ids and fingerprint are computed here and nowhere else.

    Args:
        experiment: Experiment name.
        game: Game name (without a ruleset: see ``ruleset``).
        params: Game parameter overrides (of that ruleset's parameters).
        ruleset: The game's ruleset; ``None`` means the default (:func:`games.registry.default_ruleset`).
        model_a: Side A model.
        model_b: Side B model.
        settings: Protocol settings (every ``MatchSettings`` field; ``initial_attempts`` may be ``None``).
        generation_a: Side A's generation config (ignored, stored as ``None``, for a bot).
        generation_b: Side B's generation config (likewise).
        base_generation: The experiment-level generation config (a fingerprint input).
        base_seed: The configured seed; the match seed follows from it and ``repetition``.
        repetition: Repetition index.
        plan_schema_a: Side A (an LLM) decodes constrained by the plan JSON Schema.
        plan_schema_b: Likewise for side B.
        base_plan_schema: The experiment-level ``plan_schema`` setting (a fingerprint input).
    """
    factory = JobFactory(
        experiment=experiment,
        game=game,
        params=params,
        ruleset=ruleset,
        settings=settings,
        base_generation=base_generation,
        base_plan_schema=base_plan_schema,
    )
    sides = factory.sides(model_a, model_b, generation_a, generation_b, plan_schema_a, plan_schema_b)
    return factory.job(sides, base_seed, repetition)
