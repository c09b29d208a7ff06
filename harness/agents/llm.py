"""The LLM agent: prompt renderer + model + parser."""

from __future__ import annotations

import dataclasses
import json
import time

from harness.agents.assess import assess_reply
from harness.agents.types import Decision, DecisionRequest
from harness.models.types import ChatMessage, ChatModel, GenerateConfig
from harness.prompts import initial_messages, revision_messages


def request_messages(request: DecisionRequest) -> list[ChatMessage]:
    """The prompt for ``request`` (initial with its retry paragraph, or revision with its feedback)."""
    if request.phase == "initial":
        return initial_messages(request.game, request.side, request.rejected)
    if request.feedback is None:
        raise ValueError("a revision request needs feedback")  # a protocol bug, not a user error
    return revision_messages(request.game, request.side, request.feedback)


class LLMAgent:
    """Plays one side by prompting a chat model and parsing its reply.

    Args:
        name: The full model name (recorded in every decision).
        model: The model (the wrapper from :func:`harness.models.get_model` or any :class:`ChatModel`).
        generation: Generation settings (default: the paper's temperature 0.3, top_p 1, 2048 tokens).
        plan_schema: Send the side's plan JSON Schema as ``response_schema`` (constrained decoding where the
            provider supports it).
    """

    def __init__(
        self,
        name: str,
        model: ChatModel,
        *,
        generation: GenerateConfig | None = None,
        plan_schema: bool = False,
    ) -> None:
        self.name = name
        self.model = model
        self.generation = generation or GenerateConfig()
        self.plan_schema = plan_schema

    @property
    def cache_key(self) -> str:
        """Identity for sharing initial plans: name, generation settings and schema mode."""
        config = json.dumps(dataclasses.asdict(self.generation), sort_keys=True, default=str)
        return f"{self.name}|{config}|plan_schema={self.plan_schema}"

    async def decide(self, request: DecisionRequest) -> Decision:
        """Render the prompt, call the model once, parse and validate the reply.

        The match seed is the call's ``sample_index``, so repeated matches at temperature > 0 are distinct
        samples in the response cache while a re-run of the same match replays the same replies.

        Raises:
            InfraError: The model call failed after the wrapper's retries.
            CacheMiss: Replay-only cache without this request.
        """
        messages = request_messages(request)
        config = self.generation
        if self.plan_schema:
            config = dataclasses.replace(config, response_schema=request.game.plan_schema(request.side))
        start = time.perf_counter()
        completion = await self.model.generate(messages, config, sample_index=request.seed)
        latency = time.perf_counter() - start
        a = assess_reply(request.game, request.side, completion.text, completion.finish_reason)
        return Decision(
            raw_text=completion.text,
            finish_reason=completion.finish_reason,
            parsed=a.parsed,
            validated=a.validated,
            failure_class=a.failure_class,
            violations=a.violations,
            budget=request.game.side(request.side).budget,
            usage=completion.usage,
            cost_usd=completion.cost_usd,
            latency_s=latency,
            cache_hit=completion.cache_hit,
            attempts=completion.attempts,
            prompt=tuple(messages),
        )
