"""Fingerprints, match ids and match seeds: stable, content-derived hashes (docs/records.md).

* The **fingerprint** hashes what defines a measurement: game, ruleset, effective parameters, prompt
  template and parser versions, protocol settings except ``first_reviser``, and the experiment's base
  generation config. Models, seeds and who revises first are *not* in it, so every match of one
  experiment cell shares it. A match of a sweep (:mod:`harness.experiments.sweep`) also hashes its sweep
  key (the point's values, index and base flag), so no two points share a fingerprint or a match id;
  an ordinary match hashes no such key, and its fingerprint is what it always was.
* The **match id** hashes the fingerprint with the two model names, each side's effective generation
  config (so a per-model override change is a different match), ``first_reviser``, seed and repetition.
* The **identity** of a match is the human-level coordinate ``(game, model_a, model_b, first_reviser,
  seed, repetition)``. Two jobs with one identity but different match ids measure different things; the
  runner refuses to put both into one store unless told to (``--allow-mixed``).

Operational knobs (timeouts, concurrency, cache mode, store path) are in none of the hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from games.core.types import canonical_json
from harness.models.types import GenerateConfig

HASH_CHARS = 16  # 64 bits: collisions are negligible for any realistic number of matches


def stable_hash(obj: Any) -> str:
    """The first :data:`HASH_CHARS` hex digits of the SHA-256 of ``obj``'s canonical JSON."""
    return hashlib.sha256(canonical_json(obj).encode("utf-8")).hexdigest()[:HASH_CHARS]


def generation_dict(config: GenerateConfig | None, plan_schema: bool = False) -> dict[str, Any] | None:
    """The measurement-relevant part of a generation config (``None`` for bots; timeout excluded).

    ``plan_schema`` (send the side's plan JSON Schema for constrained decoding) is part of it: it changes
    what the model can answer.
    """
    if config is None:
        return None
    return {
        "plan_schema": plan_schema,
        "temperature": config.temperature,
        "top_p": config.top_p,
        "max_tokens": config.max_tokens,
        "seed": config.seed,
        "response_schema": dict(config.response_schema) if config.response_schema is not None else None,
        "extra": dict(config.extra),
    }


def fingerprint(
    *,
    game: str,
    ruleset: str,
    params: Mapping[str, Any],
    prompt_version: str,
    parser_version: str,
    settings: Mapping[str, Any],
    generation: Mapping[str, Any] | None,
    sweep: Mapping[str, Any] | None = None,
) -> str:
    """Hash of what defines the measurement (``first_reviser`` is dropped from ``settings``).

    ``sweep`` (a sweep match's key, see :mod:`harness.experiments.sweep`) is hashed only when given, so
    the fingerprint of an ordinary match does not change.
    """
    obj: dict[str, Any] = {
        "game": game,
        "ruleset": ruleset,
        "params": dict(params),
        "prompt_version": prompt_version,
        "parser_version": parser_version,
        "settings": {k: v for k, v in settings.items() if k != "first_reviser"},
        "generation": dict(generation) if generation is not None else None,
    }
    if sweep is not None:
        obj["sweep"] = dict(sweep)
    return stable_hash(obj)


def match_id(
    *,
    fingerprint: str,
    model_a: str,
    model_b: str,
    generation_a: Mapping[str, Any] | None,
    generation_b: Mapping[str, Any] | None,
    first_reviser: str,
    seed: int,
    repetition: int,
) -> str:
    """Stable id of one match."""
    return stable_hash(
        {
            "fingerprint": fingerprint,
            "model_a": model_a,
            "model_b": model_b,
            "generation_a": dict(generation_a) if generation_a is not None else None,
            "generation_b": dict(generation_b) if generation_b is not None else None,
            "first_reviser": first_reviser,
            "seed": seed,
            "repetition": repetition,
        }
    )


def match_id_maker(
    *,
    fingerprint: str,
    model_a: str,
    model_b: str,
    generation_a: Mapping[str, Any] | None,
    generation_b: Mapping[str, Any] | None,
    first_reviser: str,
) -> Callable[[int, int], str]:
    """``(seed, repetition) -> match_id(...)`` for one cell, without re-encoding what the cell shares.

    The hashed text is the canonical JSON of :func:`match_id`'s object: its keys sorted, ``repetition``
    and ``seed`` come last, so everything before them is encoded once here and each id costs two integers
    and one SHA-256 (a plan of a million jobs makes a million ids).
    """
    head = canonical_json(
        {
            "fingerprint": fingerprint,
            "model_a": model_a,
            "model_b": model_b,
            "generation_a": dict(generation_a) if generation_a is not None else None,
            "generation_b": dict(generation_b) if generation_b is not None else None,
            "first_reviser": first_reviser,
            "repetition": 0,
            "seed": 0,
        }
    )
    tail = ',"repetition":0,"seed":0}'
    prefix = head[: -len(tail)] if head.endswith(tail) else None

    def make(seed: int, repetition: int) -> str:
        if prefix is None or type(seed) is not int or type(repetition) is not int:  # bools…: the plain way
            return match_id(
                fingerprint=fingerprint,
                model_a=model_a,
                model_b=model_b,
                generation_a=generation_a,
                generation_b=generation_b,
                first_reviser=first_reviser,
                seed=seed,
                repetition=repetition,
            )
        text = f'{prefix},"repetition":{repetition},"seed":{seed}}}'
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]

    return make


def match_seed(base_seed: int, repetition: int) -> int:
    """The seed a match plays with: the configured seed for repetition 0, a derived one after.

    Repetition 0 keeps the seed as written so ``stratagem play --seed S`` and an experiment with
    ``seeds: [S]`` play the same match; later repetitions need fresh randomness for bots (whose choices
    depend only on the seed), hence a hash.
    """
    if repetition == 0:
        return base_seed
    digest = hashlib.sha256(f"stratagem-seed/{base_seed}/{repetition}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF
