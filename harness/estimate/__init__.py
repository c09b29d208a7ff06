"""What a run will cost before it runs (``stratagem run --dry-run``): calls, tokens, USD, wall time.

* :func:`estimate_run` — the plan's jobs (after the resume check against the store) → a
  :class:`RunEstimate` with one :class:`ModelEstimate` per model: calls (expected, bound), input tokens
  counted from the rendered prompts, output tokens, cost from the price table, expected wall time.
* :func:`format_estimate` — the estimate as plain-text table lines for the terminal.

See :mod:`.estimate` for what each figure means, :mod:`.prompts` for how prompts are rendered,
:mod:`.tokens` for the tokenizers and :mod:`.history` for what earlier runs contribute.
"""

from harness.estimate.estimate import estimate_run
from harness.estimate.format import format_estimate
from harness.estimate.result import DEFAULT_LATENCY_S, DEFAULT_OUTPUT_TOKENS, ModelEstimate, RunEstimate
from harness.estimate.tokens import TokenCounter, Tokenizer

__all__ = [
    "DEFAULT_LATENCY_S",
    "DEFAULT_OUTPUT_TOKENS",
    "ModelEstimate",
    "RunEstimate",
    "TokenCounter",
    "Tokenizer",
    "estimate_run",
    "format_estimate",
]
