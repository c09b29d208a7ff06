"""Checks before a run plays anything, and the error that stops a run at its first fatal provider error.

* :func:`check_credentials` — every model of the run whose provider needs a key
  (:func:`harness.models.credentials.required_credentials`) has its variable set; otherwise
  :class:`MissingCredentials`, one line naming the models and the variables (exit 2 before the first
  match starts).
* :func:`fatal_stop` — a match voided by a ``Fatal`` cause (authentication, model not found, bad request,
  no key) would fail the same way in every other match, so the run stops there: the match is not written
  (a rerun after the fix plays it) and :class:`FatalModelError` names the model, the error and what to do.
* :func:`incomplete_line` — the last line of a run that ended with voided matches (exit code
  :data:`EXIT_INCOMPLETE`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from games.core.errors import UserError
from harness.models.credentials import fatal_advice, missing_credentials

#: Exit code of a run that ended with voided matches (infrastructure failures after every retry).
EXIT_INCOMPLETE = 4


class MissingCredentials(UserError):
    """Some model of the run has no API key in the environment (the message names model and variable).

    Attributes:
        lines: One line per model without a key.
    """

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


class FatalModelError(UserError):
    """A fatal provider error (bad key, unknown model, bad request) stopped the run.

    Attributes:
        model: The model whose call failed.
    """

    def __init__(self, message: str, model: str) -> None:
        super().__init__(message)
        self.model = model


def credential_problem(models: Iterable[str]) -> str | None:
    """One line naming the models without an API key and the variables to set (``None`` when all have one).

    One model: ``openai/gpt-4.1 needs an API key: set OPENAI_API_KEY in the environment``. Several:
    ``3 models need an API key: set OPENAI_API_KEY (openai/a, openai/b), DEEPSEEK_API_KEY (litellm/…)``.
    """
    missing = missing_credentials(models)
    if not missing:
        return None
    if len(missing) == 1:
        return missing[0].message()
    by_var: dict[str, list[str]] = {}
    for m in missing:
        head = m.variables[0] + (f" or {' or '.join(m.variables[1:])}" if len(m.variables) > 1 else "")
        by_var.setdefault(head, []).append(m.model)
    parts = [f"{var} ({', '.join(models)})" for var, models in by_var.items()]
    return f"{len(missing)} models need an API key: set {', '.join(parts)} in the environment"


def check_credentials(models: Iterable[str]) -> None:
    """Refuse a run whose models lack an API key.

    Raises:
        MissingCredentials: Naming each model and the variable to set (one line).
    """
    line = credential_problem(models)
    if line is not None:
        raise MissingCredentials([line])


def is_fatal_void(void: Any) -> bool:
    """Whether a ``MatchVoided`` was caused by a fatal provider error."""
    return str(getattr(void, "cause", "")) == "Fatal"


def fatal_stop(void: Any, *, in_run: bool = True) -> FatalModelError:
    """The error that stops a run at the fatal ``MatchVoided`` ``void``.

    The model and the provider's message come from the void's last decision record (its ``infra_error``
    record), so a void sent back by a Ray worker says the same as one from this process.

    Args:
        void: The ``MatchVoided``.
        in_run: Whether a batch run stops (its line says that finished matches are kept); ``False`` for
            the one match of ``play``.
    """
    decisions = list(getattr(void, "decisions", None) or [])
    last = decisions[-1] if decisions else None
    model = str(getattr(last, "model", "") or "a model")
    message = str(getattr(last, "parse_error", "") or getattr(void, "reason", ""))
    line = fatal_advice(model, message)
    return FatalModelError(f"{line} (the run stopped; finished matches are kept)" if in_run else line, model)


def incomplete_line(voided: int) -> str:
    """``incomplete: 3 voided, rerun to retry them`` (the line before exit code 4)."""
    return f"incomplete: {voided} voided, rerun to retry {'it' if voided == 1 else 'them'}"
