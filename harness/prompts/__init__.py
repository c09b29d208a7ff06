"""Prompt rendering from versioned templates (see :mod:`.render`) and the feedback values they show."""

from harness.prompts.feedback import FeedbackMode, PlanPolicy, RejectedSubmission, RevisionFeedback
from harness.prompts.render import (
    TEMPLATE_VERSION,
    format_json,
    initial_messages,
    problem_text,
    revision_messages,
    summary_text,
)

__all__ = [
    "TEMPLATE_VERSION",
    "FeedbackMode",
    "PlanPolicy",
    "RejectedSubmission",
    "RevisionFeedback",
    "format_json",
    "initial_messages",
    "problem_text",
    "revision_messages",
    "summary_text",
]
