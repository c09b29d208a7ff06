"""Match jobs: everything needed to play and store one match, with its fingerprint and id.

:func:`build_job` is the one place a job is made (used by experiment expansion and by ``stratagem
play``), so a match played from the command line and the same match inside an experiment get the same id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from games.core.types import canonical_json
from games.registry import get_game
from harness.experiments.identity import fingerprint, generation_dict, match_id, match_seed
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
        """Canonical JSON of every protocol setting plus each side's generation config."""
        return canonical_json(
            {
                **self.settings,
                "generation_a": generation_dict(self.generation_a, self.plan_schema_a),
                "generation_b": generation_dict(self.generation_b, self.plan_schema_b),
            }
        )

    def params_json(self) -> str:
        """Canonical JSON of the effective game parameters."""
        return canonical_json(self.params)


def _versions() -> tuple[str, str]:
    from harness.protocol.versions import PARSER_VERSION, PROMPT_VERSION

    return PROMPT_VERSION, PARSER_VERSION


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
    g = get_game(game, params, ruleset)
    resolved = {k: settings[k] for k in SETTING_FIELDS}
    if resolved["initial_attempts"] is None:
        resolved["initial_attempts"] = g.default_initial_attempts
    gen_a = None if is_bot(model_a) else generation_a
    gen_b = None if is_bot(model_b) else generation_b
    schema_a = plan_schema_a and gen_a is not None
    schema_b = plan_schema_b and gen_b is not None
    prompt_version, parser_version = _versions()
    params_eff = g.params_dict()
    fp = fingerprint(
        game=game,
        ruleset=g.ruleset,
        params=params_eff,
        prompt_version=prompt_version,
        parser_version=parser_version,
        settings=resolved,
        generation=generation_dict(base_generation, base_plan_schema),
    )
    seed = match_seed(base_seed, repetition)
    mid = match_id(
        fingerprint=fp,
        model_a=model_a,
        model_b=model_b,
        generation_a=generation_dict(gen_a, schema_a),
        generation_b=generation_dict(gen_b, schema_b),
        first_reviser=str(resolved["first_reviser"]),
        seed=seed,
        repetition=repetition,
    )
    return MatchJob(
        experiment=experiment,
        game=game,
        ruleset=g.ruleset,
        params=params_eff,
        model_a=model_a,
        model_b=model_b,
        settings=resolved,
        generation_a=gen_a,
        generation_b=gen_b,
        seed=seed,
        repetition=repetition,
        fingerprint=fp,
        match_id=mid,
        plan_schema_a=schema_a,
        plan_schema_b=schema_b,
    )
