"""``make_agent(model_name, ...)``: a bot agent for ``bot/…`` names, an LLM agent for everything else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from games.bots import make_bot
from games.core.errors import ParameterError
from games.core.game import Game
from harness.agents.bot import BotAgent
from harness.agents.llm import LLMAgent
from harness.agents.types import Agent
from harness.models.types import GenerateConfig

if TYPE_CHECKING:
    from harness.models.settings import ModelSettings

BOT_PREFIX = "bot/"


def make_agent(
    model_name: str,
    *,
    game: Game[Any],
    model_settings: ModelSettings | None = None,
    generation: GenerateConfig | None = None,
    plan_schema: bool = False,
) -> Agent:
    """Build the agent that plays ``model_name`` in ``game``.

    Args:
        model_name: ``bot/<bot>[@params]`` (e.g. ``bot/search@sims=64``) or a model name
            ``provider/model[@variant]`` understood by :func:`harness.models.get_model`.
        game: The game (bot names are checked against the bot registry now, not mid-match).
        model_settings: Settings of the model layer (cache, retries, limits, endpoints).
        generation: Generation settings of the LLM's calls (ignored by bots).
        plan_schema: LLMs only: send the side's plan JSON Schema as ``response_schema``.

    Raises:
        UnknownNameError: Unknown bot or provider (the message lists the known ones).
        ParameterError: Bad bot parameters or an empty bot name.
    """
    if model_name.startswith(BOT_PREFIX):
        spec = model_name[len(BOT_PREFIX) :]
        if not spec:
            raise ParameterError(f"empty bot name in {model_name!r}; e.g. bot/greedy")
        return BotAgent(model_name, make_bot(spec))
    from harness.models import get_model  # the model layer (and its SDKs) only when an LLM plays

    model = get_model(model_name, model_settings)
    return LLMAgent(model_name, model, generation=generation, plan_schema=plan_schema)
