"""Versions of the prompt templates and of the parser: inputs of every match fingerprint.

Bump :data:`harness.prompts.render.TEMPLATE_VERSION` on any template wording change and
:data:`PARSER_VERSION` whenever the parser's tolerances or the failure classification change, so results
made with different prompts or parsers are never pooled silently.
"""

from __future__ import annotations

from harness.prompts.render import TEMPLATE_VERSION

PROMPT_VERSION: str = TEMPLATE_VERSION
PARSER_VERSION: str = "1"
