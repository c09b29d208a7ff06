"""Counting the input tokens of a rendered prompt, per model, offline.

Which counter a model gets:

* ``scripted/…`` — the scripted adapter's own rule, ceil(characters / 4) per message
  (:func:`harness.models.adapters.scripted.count_tokens`): exactly what such a model records.
* ``openai/…``, ``anthropic/…``, ``litellm/…``, ``local/…`` — ``litellm.token_counter``. litellm ships
  its tiktoken encodings (``o200k_base``, ``cl100k_base``) and an Anthropic tokenizer file inside the
  package, and :func:`~harness.models.adapters.litellm_completion.import_litellm` makes it offline first
  (local cost map, ``HF_HUB_OFFLINE``), so nothing is downloaded. The count is the model's own only for
  OpenAI models (their tiktoken encoding); for every other vendor it is litellm's default encoding (or its
  bundled Anthropic tokenizer) and flagged approximate. Names for which litellm would fetch a Hugging Face
  tokenizer (Llama, Command-R) are counted with the default encoding instead, so nothing is fetched.
* If litellm cannot be imported or fails on a prompt, ceil(characters / 4) per message, flagged
  approximate (English prompts run 3.5–4.5 characters per token in these encodings).

litellm is imported only when a model other than a bot or a scripted model is estimated (it takes
seconds). Counts are remembered per (counter, text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from harness.models.adapters.scripted import count_tokens as scripted_tokens
from harness.models.types import ChatMessage

#: litellm names for which ``token_counter`` would load a Hugging Face tokenizer (a download).
_HF_HINTS = ("llama", "command-r", "replicate")
#: What the approximation is called in the output.
CHARS_RULE = "chars/4"


@dataclass(frozen=True)
class Tokenizer:
    """How one model's prompts are counted.

    Attributes:
        key: What the count depends on (models with the same key share counts).
        label: Short human name of the counter (``o200k_base``, ``cl100k_base``, ``chars/4``…).
        exact: Whether this is the model's own count (scripted rule, or an OpenAI model's encoding).
        litellm_model: The model string given to ``litellm.token_counter`` (``None``: not litellm).
    """

    key: str
    label: str
    exact: bool
    litellm_model: str | None = None


def _litellm() -> ModuleType | None:
    try:
        from harness.models.adapters.litellm_completion import import_litellm

        return import_litellm()
    except Exception:  # any import failure means: use the approximation
        return None


def _encoding_name(litellm_model: str) -> str:
    """The tiktoken encoding litellm uses for ``litellm_model`` (``tiktoken`` if it cannot say)."""
    try:
        from litellm.litellm_core_utils.token_counter import openai_tokenizer_encoding_name

        return str(openai_tokenizer_encoding_name(litellm_model))
    except Exception:
        return "tiktoken"


def _uses_anthropic_file(lib: ModuleType, litellm_model: str) -> bool:
    kind = getattr(getattr(lib, "utils", None), "huggingface_tokenizer_kind", None)
    try:
        return callable(kind) and kind(litellm_model) == "anthropic"
    except Exception:
        return False


class TokenCounter:
    """Picks a :class:`Tokenizer` per model and counts prompts with it (counts are memoised).

    Args:
        use_litellm: Whether litellm may be used at all (``False``: every non-scripted model gets the
            ``chars/4`` approximation; tests and machines without litellm).
    """

    def __init__(self, *, use_litellm: bool = True) -> None:
        self._use_litellm = use_litellm
        self._lib: ModuleType | None = None
        self._loaded = False
        self._tokenizers: dict[str, Tokenizer] = {}
        self._counts: dict[tuple[str, str], int] = {}

    def _library(self) -> ModuleType | None:
        if not self._loaded:
            self._loaded = True
            self._lib = _litellm() if self._use_litellm else None
        return self._lib

    def tokenizer(self, model: str) -> Tokenizer:
        """The counter of ``model`` (a full ``provider/model[@variant]`` name; not a bot)."""
        cached = self._tokenizers.get(model)
        if cached is None:
            cached = self._tokenizers[model] = self._pick(model)
        return cached

    def _pick(self, model: str) -> Tokenizer:
        provider, _, rest = model.partition("/")
        base = rest.partition("@")[0]
        if provider == "scripted":
            return Tokenizer("scripted", "scripted chars/4", True)
        lib = self._library()
        if lib is None:
            return Tokenizer(CHARS_RULE, CHARS_RULE, False)
        name = base
        if provider == "litellm" and name.startswith("openai/"):
            name = name.split("/", 1)[1]
        if provider == "local" or any(h in name.lower() for h in _HF_HINTS):
            name = ""  # litellm's default encoding, never a Hugging Face download
        if name and _uses_anthropic_file(lib, name):
            return Tokenizer("litellm:anthropic", "anthropic (litellm)", False, name)
        encoding = _encoding_name(name)
        # OpenAI models litellm knows are counted with their own encoding; any other name gets litellm's
        # default encoding, which is some other vendor's tokenizer (or a guess for a new OpenAI model).
        is_openai = provider == "openai" or (provider == "litellm" and base.startswith("openai/"))
        exact = is_openai and name in getattr(lib, "open_ai_chat_completion_models", ())
        return Tokenizer(f"litellm:{encoding}", encoding, exact, name)

    def count(self, model: str, messages: Sequence[ChatMessage]) -> int:
        """Input tokens of ``messages`` for ``model``."""
        tok = self.tokenizer(model)
        text = "\x00".join(f"{m.role}\x01{m.content}" for m in messages)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        key = (tok.key, digest)
        n = self._counts.get(key)
        if n is None:
            n = self._counts[key] = self._count(tok, messages)
        return n

    def _count(self, tok: Tokenizer, messages: Sequence[ChatMessage]) -> int:
        if tok.litellm_model is not None:
            lib = self._library()
            if lib is not None:
                payload: list[dict[str, Any]] = [m.to_dict() for m in messages]
                try:
                    return int(lib.token_counter(model=tok.litellm_model, messages=payload))
                except Exception:
                    pass  # fall through to the approximation
        return sum(scripted_tokens(m.content) for m in messages)
