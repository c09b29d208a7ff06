"""Agents: anything that plays one side of a match (LLM = prompt + model + parser, or a game bot)."""

from harness.agents.assess import Assessment, assess_plan, assess_reply
from harness.agents.bot import BotAgent, decision_seed
from harness.agents.factory import make_agent
from harness.agents.llm import LLMAgent, request_messages
from harness.agents.types import FAILURE_CLASSES, Agent, Decision, DecisionRequest, FailureClass, Phase

__all__ = [
    "FAILURE_CLASSES",
    "Agent",
    "Assessment",
    "BotAgent",
    "Decision",
    "DecisionRequest",
    "FailureClass",
    "LLMAgent",
    "Phase",
    "assess_plan",
    "assess_reply",
    "decision_seed",
    "make_agent",
    "request_messages",
]
