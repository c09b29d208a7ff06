"""Credentials checked before a run, and the one line a fatal provider error becomes."""

from __future__ import annotations

import pytest

from harness.models.credentials import fatal_advice, missing_credentials, required_credentials
from harness.runner.preflight import (
    MissingCredentials,
    check_credentials,
    credential_problem,
    incomplete_line,
)

KEY_VARS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "DEEPSEEK_API_KEY",
    "GEMINI_API_KEY",
)


@pytest.fixture(autouse=True)
def no_keys(monkeypatch):
    for name in (*KEY_VARS, "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("model", "variables"),
    [
        ("openai/gpt-4.1@reasoning_effort=high", ("OPENAI_API_KEY",)),
        ("anthropic/claude-sonnet-4-5", ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")),
        ("litellm/deepseek/deepseek-chat", ("DEEPSEEK_API_KEY",)),
        ("litellm/gemini/gemini-2.0-flash-001", ("GEMINI_API_KEY", "GOOGLE_API_KEY")),
        ("litellm/gpt-4o", ("OPENAI_API_KEY",)),
        ("litellm/bedrock/anthropic.claude-3", ()),  # AWS credentials may come from a profile
        ("local/smollm2", ()),
        ("scripted/x", ()),
        ("bot/greedy", ()),
    ],
)
def test_required_credentials(model, variables):
    assert required_credentials(model) == variables


def test_missing_keys_name_models_and_variables(monkeypatch):
    models = ["bot/random", "openai/a", "openai/b", "litellm/gemini/g", "anthropic/c"]
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "token-set-here")  # the alternative variable counts
    assert [m.model for m in missing_credentials(models)] == ["openai/a", "openai/b", "litellm/gemini/g"]
    line = credential_problem(models)
    assert line == (
        "3 models need an API key: set OPENAI_API_KEY (openai/a, openai/b), "
        "GEMINI_API_KEY or GOOGLE_API_KEY (litellm/gemini/g) in the environment"
    )
    assert (
        credential_problem(["openai/a"]) == "openai/a needs an API key: set OPENAI_API_KEY in the environment"
    )
    with pytest.raises(MissingCredentials):
        check_credentials(models)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-" + "sentinel-value-000")
    monkeypatch.setenv("GEMINI_API_KEY", "sentinel-value-111")
    check_credentials(models)
    monkeypatch.setenv("OPENAI_API_KEY", "  ")  # blank is not a key
    assert credential_problem(models) is not None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "openai/gpt-4.1: fatal error: Fatal: openai: AuthenticationError: Error code: 401 - "
            "{'error': {'message': 'Incorrect API key provided: [REDACTED]', 'code': 'invalid_api_key'}}",
            "openai/gpt-4.1: the provider refused the credentials (HTTP 401: Incorrect API key provided: "
            "[REDACTED]); check OPENAI_API_KEY (a valid key for this endpoint), then rerun",
        ),
        (
            "openai/gpt-9: fatal error: Fatal: openai: NotFoundError: Error code: 404 - "
            "{'error': {'message': 'The model gpt-9 does not exist'}}",
            "openai/gpt-9: the provider does not know this model (HTTP 404: The model gpt-9 does not exist);"
            " check the model name and the endpoint, then rerun",
        ),
        (
            "openai/o3: fatal error: Fatal: openai: BadRequestError: Error code: 400 - "
            "{'error': {'message': 'temperature is not supported'}}",
            "openai/o3: the provider rejected the request (HTTP 400: temperature is not supported); check the"
            " model's variant parameters and the generation settings, then rerun",
        ),
        (
            "openai/gpt-4.1: fatal error: Fatal: openai: OpenAIError: The api_key client option must be set",
            "openai/gpt-4.1: no API key (openai: OpenAIError: The api_key client option must be set); set"
            " OPENAI_API_KEY, then rerun",
        ),
    ],
)
def test_fatal_advice_is_one_line_with_what_to_do(message, expected):
    model = expected.split(":", 1)[0]
    assert fatal_advice(model, message) == expected


def test_incomplete_line():
    assert incomplete_line(1) == "incomplete: 1 voided, rerun to retry it"
    assert incomplete_line(3) == "incomplete: 3 voided, rerun to retry them"
